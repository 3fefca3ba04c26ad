/**
 * The SPF answer the example server reuses across RCPTs (the engine runs the envelope stage at
 * each one): against dnsmasq serving the record, counting the queries that reach it.
 */
import { type DnsServer, dnsmasqPeer, startDnsmasq } from '@mailyard/test-kit';
import { type DnsResolve, mailauthSpf, nodeMailauthResolver } from '@mailyard/spam-scoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberedSpf } from '../src/remembered-spf.js';

describe.skipIf(!dnsmasqPeer.available)('rememberedSpf', () => {
  let dns: DnsServer;
  let asked: string[];
  let resolver: DnsResolve;
  beforeAll(async () => {
    dns = await startDnsmasq({}, ['spf.test'], { 'deny.spf.test': 'v=spf1 ip4:192.0.2.1 -all' });
    const real = nodeMailauthResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1 });
    resolver = (name, type) => {
      asked.push(`${type} ${name}`);
      return real(name, type);
    };
  });
  afterAll(() => dns?.stop());

  const query = (sender: string) => ({ ip: '203.0.113.9', sender, helo: 'client.example' });

  it('asks the DNS once for a sender checked at MAIL FROM and at each of 100 RCPTs, and again after memoryMs', async () => {
    asked = [];
    let now = 1_000_000;
    const check = rememberedSpf(mailauthSpf({ mta: 'mx.test', resolver }), { now: () => now });
    for (let i = 0; i <= 100; i++)
      expect((await check(query('a@deny.spf.test'))).result).toBe('fail');
    expect(asked).toEqual(['TXT deny.spf.test']);
    // The same sender in another case is the same question.
    await check(query('A@DENY.SPF.TEST'));
    expect(asked).toHaveLength(1);
    now += 60_000;
    await check(query('a@deny.spf.test'));
    expect(asked).toEqual(['TXT deny.spf.test', 'TXT deny.spf.test']);
  });

  it('keeps at most maxEntries answers, forgetting the oldest first', async () => {
    asked = [];
    const check = rememberedSpf(
      mailauthSpf({ mta: 'mx.test', resolver }),
      { now: () => 0 },
      { maxEntries: 3 },
    );
    for (const user of ['a', 'b', 'c', 'a', 'd', 'b']) await check(query(`${user}@deny.spf.test`));
    // a, b, c asked; a again is remembered; d pushes out the oldest kept (a); b is still kept.
    expect(asked).toHaveLength(4);
    await check(query('a@deny.spf.test'));
    expect(asked).toHaveLength(5);
  });

  it('remembers a temperror too: 100 RCPTs do not wait for 100 failing lookups', async () => {
    asked = [];
    const check = rememberedSpf(mailauthSpf({ mta: 'mx.test', resolver }), { now: () => 0 });
    // dnsmasq refuses names outside its zone: a temperror, mailauth's answer for a DNS error.
    expect((await check(query('a@refused.example'))).result).toBe('temperror');
    expect((await check(query('a@refused.example'))).result).toBe('temperror');
    expect(asked.filter((line) => line.endsWith('refused.example'))).toHaveLength(1);
  });
});
