import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressLiteral, asciiDomain, lookupDeliveryHosts } from '../../src/routing/mx-hosts.js';
import { fakeResolver } from './fake-resolver.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const first = () => 0;
const last = () => 0.999999;

describe('lookupDeliveryHosts', () => {
  const resolver = fakeResolver({
    mx: {
      'b.test': [
        { exchange: 'mx3.b.test', priority: 30 },
        { exchange: 'mx1a.b.test', priority: 10 },
        { exchange: 'mx1b.b.test', priority: 10 },
        { exchange: 'mx2.b.test', priority: 20 },
      ],
      'null.test': [{ exchange: '', priority: 0 }],
      'dot.test': [{ exchange: '.', priority: 0 }],
      'us.test': [
        { exchange: 'backup.us.test', priority: 5 },
        { exchange: 'mail.ourselves.test', priority: 10 },
        { exchange: 'worse.us.test', priority: 20 },
      ],
      'xn--mnchen-3ya.test': [{ exchange: 'mx.xn--mnchen-3ya.test', priority: 1 }],
    },
    addresses: { 'implicit.test': ['192.0.2.7', '2001:db8::7'] },
    fail: ['broken.test'],
  });

  it('orders MX hosts by preference, lowest first', async () => {
    const lookup = await lookupDeliveryHosts('b.test', resolver, first);
    expect(lookup.kind === 'hosts' && lookup.hosts.map((h) => [h.name, h.preference])).toEqual([
      ['mx1b.b.test', 10],
      ['mx1a.b.test', 10],
      ['mx2.b.test', 20],
      ['mx3.b.test', 30],
    ]);
  });

  it('picks among equal preferences with the injected random source', async () => {
    const one = await lookupDeliveryHosts('b.test', resolver, first);
    const other = await lookupDeliveryHosts('b.test', resolver, last);
    const names = (l: typeof one) => (l.kind === 'hosts' ? l.hosts.map((h) => h.name) : []);
    expect(names(one).slice(0, 2)).toEqual(['mx1b.b.test', 'mx1a.b.test']);
    expect(names(other).slice(0, 2)).toEqual(['mx1a.b.test', 'mx1b.b.test']);
    expect(names(one).slice(2)).toEqual(names(other).slice(2));
  });

  it('keeps every MX host, in preference order, whatever the random draws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            priority: fc.integer({ min: 0, max: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (records, draws) => {
          let i = 0;
          const random = () => draws[i++ % draws.length]!;
          const mx = records.map((r) => ({ exchange: `${r.name}.mx.test`, priority: r.priority }));
          const lookup = await lookupDeliveryHosts(
            'x.test',
            fakeResolver({ mx: { 'x.test': mx } }),
            random,
          );
          expect(lookup.kind).toBe('hosts');
          if (lookup.kind !== 'hosts') return;
          const preferences = lookup.hosts.map((h) => h.preference);
          expect(preferences).toEqual([...preferences].sort((a, b) => a - b));
          const expected = new Set(mx.map((m) => `${m.priority} ${m.exchange}`));
          expect(new Set(lookup.hosts.map((h) => `${h.preference} ${h.name}`))).toEqual(expected);
        },
      ),
      { seed: 7505, numRuns: runs },
    );
  });

  it('every order of equal hosts turns up over many deliveries', async () => {
    const seen = new Set<string>();
    let state = 42;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 50; k++) {
      const lookup = await lookupDeliveryHosts('b.test', resolver, random);
      if (lookup.kind === 'hosts')
        seen.add(
          lookup.hosts
            .slice(0, 2)
            .map((h) => h.name)
            .join(),
        );
    }
    expect(seen).toEqual(new Set(['mx1a.b.test,mx1b.b.test', 'mx1b.b.test,mx1a.b.test']));
  });

  it('a null MX fails at once with 5.1.10 (RFC 7505)', async () => {
    for (const domain of ['null.test', 'dot.test']) {
      expect(await lookupDeliveryHosts(domain, resolver, first)).toMatchObject({
        kind: 'failed',
        code: 556,
        enhancedCode: '5.1.10',
      });
    }
  });

  it('uses the domain itself when it has no MX but has addresses (implicit MX)', async () => {
    expect(await lookupDeliveryHosts('implicit.test', resolver, first)).toEqual({
      kind: 'hosts',
      hosts: [{ name: 'implicit.test', addresses: ['192.0.2.7', '2001:db8::7'], preference: 0 }],
    });
  });

  it('fails a domain that does not exist with 5.1.2, defers when DNS does not answer', async () => {
    expect(await lookupDeliveryHosts('nowhere.test', resolver, first)).toMatchObject({
      kind: 'failed',
      enhancedCode: '5.1.2',
    });
    const broken = await lookupDeliveryHosts('broken.test', resolver, first);
    expect(broken).toMatchObject({ kind: 'deferred', code: 451, enhancedCode: '4.4.3' });
    expect(broken.kind !== 'hosts' && broken.diagnostic).toContain('ETIMEOUT');
  });

  it('delivers to address literals directly', async () => {
    expect(await lookupDeliveryHosts('[192.0.2.1]', resolver, first)).toEqual({
      kind: 'hosts',
      hosts: [{ name: '192.0.2.1', addresses: ['192.0.2.1'], preference: 0 }],
    });
    expect(await lookupDeliveryHosts('[IPv6:2001:db8::1]', resolver, first)).toMatchObject({
      hosts: [{ addresses: ['2001:db8::1'] }],
    });
    expect(await lookupDeliveryHosts('[300.1.1.1]', resolver, first)).toMatchObject({
      kind: 'failed',
      enhancedCode: '5.1.3',
    });
    expect(await lookupDeliveryHosts('[2001:db8::1]', resolver, first)).toMatchObject({
      kind: 'failed',
    });
  });

  it('cuts the MX list where it names us (RFC 5321 5.1)', async () => {
    const lookup = await lookupDeliveryHosts('us.test', resolver, first, {
      ownNames: ['MAIL.ourselves.test'],
    });
    expect(lookup.kind === 'hosts' && lookup.hosts.map((h) => h.name)).toEqual(['backup.us.test']);
    const best = fakeResolver({ mx: { 'me.test': [{ exchange: 'me.test', priority: 0 }] } });
    expect(
      await lookupDeliveryHosts('me.test', best, first, { ownNames: ['me.test'] }),
    ).toMatchObject({
      kind: 'failed',
      enhancedCode: '5.4.6',
    });
  });

  it('looks up international domains by their A-labels, case and trailing dot aside', async () => {
    const lookup = await lookupDeliveryHosts('MÜNCHEN.test.', resolver, first);
    expect(lookup.kind === 'hosts' && lookup.hosts[0]!.name).toBe('mx.xn--mnchen-3ya.test');
    expect(asciiDomain('Example.COM.')).toBe('example.com');
    expect(asciiDomain('bad..domain')).toBe('');
    expect(asciiDomain('-bad.test')).toBe('');
    expect(await lookupDeliveryHosts('bad domain', resolver, first)).toMatchObject({
      kind: 'failed',
      enhancedCode: '5.1.2',
    });
  });

  it('reads address literals', () => {
    expect(addressLiteral('example.com')).toBeUndefined();
    expect(addressLiteral('[10.0.0.1]')).toBe('10.0.0.1');
    expect(addressLiteral('[ipv6:::1]')).toBe('::1');
    expect(addressLiteral('[10.0.0.1')).toBe('');
  });
});
