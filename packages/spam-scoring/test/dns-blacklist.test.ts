import {
  describeWithPeer,
  freePort,
  type DnsServer,
  dnsmasqPeer,
  startDnsmasq,
} from '@mailyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DnsBlacklist,
  KERIO_DNS_BLACKLISTS,
  SpamEngine,
  dnsBlacklistTests,
  dnsblQueryName,
  isListing,
  nodeDnsLookups,
  rhsblQueryName,
} from '../src/index.js';
import { FACTS, message } from './helpers.js';

describe('query names', () => {
  it('reverses IPv4 octets and IPv6 nibbles, and looks a v4-mapped address up as IPv4', () => {
    expect(dnsblQueryName('192.0.2.99', 'bl.test')).toBe('99.2.0.192.bl.test');
    expect(dnsblQueryName('::ffff:192.0.2.99', 'bl.test')).toBe('99.2.0.192.bl.test');
    expect(dnsblQueryName('2001:db8::1', 'bl.test')).toBe(
      `1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test`,
    );
    expect(dnsblQueryName('not an ip', 'bl.test')).toBeNull();
    expect(rhsblQueryName('Spammer.Example.', 'rhs.test')).toBe('spammer.example.rhs.test');
    expect(rhsblQueryName('bad domain', 'rhs.test')).toBeNull();
    expect(rhsblQueryName(`${'a'.repeat(250)}.example`, 'rhs.test')).toBeNull();
  });

  it('counts 127.0.0.0/8 answers as listings, but not the 127.255.255.x error codes', () => {
    expect(isListing(['127.0.0.2'])).toBe(true);
    expect(isListing(['127.255.255.254'])).toBe(false);
    expect(isListing(['10.0.0.1'])).toBe(false);
    expect(isListing([])).toBe(false);
  });

  it("ships Kerio's five lists, off until the administrator turns them on", () => {
    expect(
      KERIO_DNS_BLACKLISTS.map((list) => [list.suffix, list.action.kind, list.enabled]),
    ).toEqual([
      ['dnsbl.sorbs.net', 'block', false],
      ['rhsbl.sorbs.net', 'block', false],
      ['bl.spamcop.net', 'block', false],
      ['zen.spamhaus.org', 'block', false],
      ['db.wpbl.info', 'score', false],
    ]);
  });
});

describeWithPeer(
  dnsmasqPeer,
  'DNS blacklists against a real DNS server (dnsmasq on loopback)',
  () => {
    let dns: DnsServer;
    const LISTED = '192.0.2.99';
    beforeAll(async () => {
      dns = await startDnsmasq(
        {
          '99.2.0.192.block.test': '127.0.0.2',
          '99.2.0.192.score.test': '127.0.0.4',
          '99.2.0.192.trial.test': '127.0.0.2',
          '99.2.0.192.refusing.test': '127.255.255.254',
          'spammer.example.rhs.test': '127.0.0.2',
        },
        ['block.test', 'score.test', 'trial.test', 'refusing.test', 'rhs.test'],
      );
    });
    afterAll(() => dns?.stop());

    const list = (
      name: string,
      suffix: string,
      action: DnsBlacklist['action'],
      kind: 'ip' | 'domain' = 'ip',
    ): DnsBlacklist => ({
      name,
      suffix,
      kind,
      action,
      askDirectly: [dns.address],
    });

    it('blocks, scores or only logs a listed client, as each list says; logs every listing', async () => {
      const log: string[] = [];
      const lists = [
        list('Scoring', 'score.test', { kind: 'score', score: 2 }),
        list('Trial', 'trial.test', { kind: 'score', score: 0 }),
        list('Error codes', 'refusing.test', { kind: 'block' }),
        list('Blocking', 'block.test', { kind: 'block' }),
      ];
      const engine = new SpamEngine({
        tests: dnsBlacklistTests({
          lists,
          lookupFor: nodeDnsLookups(),
          securityLog: (l) => log.push(l),
        }),
      });
      const facts = {
        ...FACTS,
        clientIp: LISTED,
        mailFrom: 'a@example.net',
        rcptTo: ['bob@example.com'],
      };
      const outcome = await engine.checkStage('connect', facts);
      expect(outcome.hits.map((hit) => [hit.name, hit.effect, hit.score])).toEqual([
        ['DNSBL_SCORING', 'score', 2],
        ['DNSBL_TRIAL', 'score', 0],
        ['DNSBL_BLOCKING', 'block', 0],
      ]);
      expect(outcome.reply).toEqual({
        code: 554,
        enhanced: '5.7.1',
        text: `Rejected: IP address ${LISTED} found in DNS blacklist Blocking`,
      });
      expect(log).toEqual([
        `IP address ${LISTED} found in DNS blacklist Scoring, mail from <a@example.net> to <bob@example.com>`,
        `IP address ${LISTED} found in DNS blacklist Trial, mail from <a@example.net> to <bob@example.com>`,
        `IP address ${LISTED} found in DNS blacklist Blocking, mail from <a@example.net> to <bob@example.com>`,
      ]);
      const clean = await engine.checkStage('connect', { ...facts, clientIp: '192.0.2.1' });
      expect([clean.hits, clean.reply, clean.failures]).toEqual([[], null, []]);
    });

    it('adds list scores to the message score', async () => {
      const lists = [list('Scoring', 'score.test', { kind: 'score', score: 2 })];
      const engine = new SpamEngine({
        tests: dnsBlacklistTests({ lists, lookupFor: nodeDnsLookups() }),
      });
      const rated = await engine.rate(
        { ...FACTS, clientIp: LISTED },
        message('Subject: hi\r\n\r\nhi\r\n'),
      );
      expect([rated.score, rated.action]).toEqual([2, 'accept']);
    });

    it("checks the sender's domain against RHSBLs at MAIL FROM", async () => {
      const lists = [list('Domains', 'rhs.test', { kind: 'score', score: 3 }, 'domain')];
      const engine = new SpamEngine({
        tests: dnsBlacklistTests({ lists, lookupFor: nodeDnsLookups() }),
      });
      const listed = await engine.checkStage('envelope', {
        ...FACTS,
        mailFrom: 'x@Spammer.example',
      });
      expect(listed.hits.map((hit) => [hit.name, hit.score, hit.description])).toEqual([
        ['DNSBL_DOMAINS', 3, 'Domain Spammer.example found in DNS blacklist Domains'],
      ]);
      expect((await engine.checkStage('envelope', { ...FACTS, mailFrom: '' })).hits).toEqual([]);
    });

    it('asks a list marked "ask directly" at its own server, and a list that cannot answer blocks nobody', async () => {
      const nobody = `127.0.0.1:${await freePort()}`;
      const lookupFor = nodeDnsLookups({ servers: [nobody], timeoutMs: 300, tries: 1 });
      const direct = list('Direct', 'block.test', { kind: 'block' });
      const viaSystem = {
        ...list('Unreachable', 'block.test', { kind: 'block' }),
        askDirectly: null,
      };
      const engine = new SpamEngine({
        tests: dnsBlacklistTests({ lists: [viaSystem], lookupFor }),
      });
      const failed = await engine.checkStage('connect', { ...FACTS, clientIp: LISTED });
      expect(failed.reply).toBeNull();
      expect(failed.failures).toEqual([
        { test: 'DNSBL', stage: 'connect', error: expect.stringMatching(/ECONNREFUSED|ETIMEOUT/) },
      ]);
      const asked = new SpamEngine({ tests: dnsBlacklistTests({ lists: [direct], lookupFor }) });
      expect((await asked.checkStage('connect', { ...FACTS, clientIp: LISTED })).reply?.code).toBe(
        554,
      );
    });

    it('does not ask about whitelisted clients', async () => {
      const lists = [list('Blocking', 'block.test', { kind: 'block' })];
      const engine = new SpamEngine({
        tests: dnsBlacklistTests({ lists, lookupFor: nodeDnsLookups() }),
        whitelist: (ip) => ip === LISTED,
      });
      expect((await engine.checkStage('connect', { ...FACTS, clientIp: LISTED })).reply).toBeNull();
    });
  },
);
