import { type Socket, createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { describeWithPeer, type DnsServer, dnsmasqPeer, startDnsmasq } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type DnsResolve,
  SpamEngine,
  mailauthSpf,
  nodeMailauthResolver,
  spfTest,
} from '../src/index.js';
import { FACTS } from './helpers.js';

describeWithPeer(dnsmasqPeer, 'SPF through mailauth, against records served by dnsmasq', () => {
  let dns: DnsServer;
  let resolver: DnsResolve;
  beforeAll(async () => {
    dns = await startDnsmasq({}, ['spf.test'], {
      'strict.spf.test': 'v=spf1 ip4:192.0.2.0/24 -all',
      'soft.spf.test': 'v=spf1 ip4:192.0.2.0/24 ~all',
    });
    const node = new Resolver({ timeout: 1000, tries: 1 });
    node.setServers([dns.address]);
    resolver = (name, type) => node.resolve(name, type) as Promise<string[] | string[][]>;
  });
  afterAll(() => dns?.stop());

  const engineWith = (action: Parameters<typeof spfTest>[0]['action'], log: string[] = []) =>
    new SpamEngine({
      tests: [
        spfTest({
          check: mailauthSpf({ mta: 'mx.example.com', resolver }),
          action,
          securityLog: (l) => log.push(l),
        }),
      ],
      whitelist: null,
    });
  const from = (mailFrom: string, clientIp = '203.0.113.9') => ({ ...FACTS, mailFrom, clientIp });

  it('blocks a failing sender at MAIL FROM with 550 5.7.23, and logs it', async () => {
    const log: string[] = [];
    const outcome = await engineWith({ kind: 'block' }, log).checkStage(
      'envelope',
      from('a@strict.spf.test'),
    );
    expect(outcome.reply).toEqual({ code: 550, enhanced: '5.7.23', text: 'SPF validation failed' });
    expect(log).toEqual([
      expect.stringMatching(
        /^SPF check failed: .*does not designate 203\.0\.113\.9.*mail from <a@strict\.spf\.test>/,
      ),
    ]);
  });

  it('scores or only logs a failure, as configured', async () => {
    const scored = await engineWith({ kind: 'score', score: 3 }).checkStage(
      'envelope',
      from('a@strict.spf.test'),
    );
    expect(scored.hits.map((hit) => [hit.name, hit.score])).toEqual([['SPF_FAIL', 3]]);
    const logged = await engineWith({ kind: 'log' }).checkStage(
      'envelope',
      from('a@strict.spf.test'),
    );
    expect([logged.reply, logged.hits.map((hit) => hit.score)]).toEqual([null, [0]]);
  });

  it('lets pass, softfail, no record and trusted senders through untouched', async () => {
    const engine = engineWith({ kind: 'block' });
    for (const facts of [
      from('a@strict.spf.test', '192.0.2.10'),
      from('a@soft.spf.test'),
      from('a@norecord.spf.test'),
      { ...from('a@strict.spf.test'), authenticated: true },
      from(''),
    ]) {
      const outcome = await engine.checkStage('envelope', facts);
      expect({ facts: facts.mailFrom, hits: outcome.hits, failures: outcome.failures }).toEqual({
        facts: facts.mailFrom,
        hits: [],
        failures: [],
      });
    }
  });
});

describeWithPeer(dnsmasqPeer, 'SPF when DNS fails: temperror, never fail', () => {
  let dns: DnsServer;
  let silent: Socket;
  beforeAll(async () => {
    // Names outside dnsmasq's local zone are REFUSED (it has no upstream to ask).
    dns = await startDnsmasq({}, ['spf.test'], { 'strict.spf.test': 'v=spf1 -all' });
    // A UDP socket that reads every query and answers none: a DNS server that times out.
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await dns?.stop();
    silent?.close();
  });

  const check = async (servers: string[], sender: string) =>
    mailauthSpf({
      mta: 'mx.example.com',
      resolver: nodeMailauthResolver({ servers, timeoutMs: 200, tries: 1 }),
    })({ ip: '203.0.113.9', sender, helo: 'client.example' });

  it('a server that does not answer: temperror, and a block-on-fail SPF test lets the mail through', async () => {
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    expect((await check([address], 'a@strict.spf.test')).result).toBe('temperror');
    const engine = new SpamEngine({
      tests: [
        spfTest({
          check: mailauthSpf({
            mta: 'mx.example.com',
            resolver: nodeMailauthResolver({ servers: [address], timeoutMs: 200, tries: 1 }),
          }),
          action: { kind: 'block' },
        }),
      ],
      whitelist: null,
    });
    const outcome = await engine.checkStage('envelope', {
      ...FACTS,
      mailFrom: 'a@strict.spf.test',
      clientIp: '203.0.113.9',
    });
    expect([outcome.reply, outcome.hits]).toEqual([null, []]);
  });

  it('a server that refuses the query: temperror; the same server fails a record that says -all', async () => {
    expect((await check([dns.address], 'a@elsewhere.example')).result).toBe('temperror');
    expect((await check([dns.address], 'a@strict.spf.test')).result).toBe('fail');
  });
});
