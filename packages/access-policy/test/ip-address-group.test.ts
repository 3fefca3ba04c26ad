import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  IpAddressGroups,
  IpGroupError,
  LOCAL_CLIENTS,
  LOCAL_CLIENTS_GROUP,
  parseIpAddress,
} from '../src/index.js';
import type { IpGroupItem } from '../src/index.js';
import { fuzzRuns } from './manual-clock.js';

const single = (...items: IpGroupItem[]): IpAddressGroups => new IpAddressGroups({ g: items });

function groupError(build: () => unknown): IpGroupError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(IpGroupError);
    return error as IpGroupError;
  }
  throw new Error('expected an IpGroupError');
}

describe('item kinds', () => {
  it('host matches exactly its address, v4 and v6, in any spelling', () => {
    const groups = single(
      { kind: 'host', address: '192.168.2.1' },
      { kind: 'host', address: '2001:db8::25' },
    );
    expect(groups.contains('g', '192.168.2.1')).toBe(true);
    expect(groups.contains('g', '::ffff:192.168.2.1')).toBe(true);
    expect(groups.contains('g', '192.168.2.2')).toBe(false);
    expect(groups.contains('g', '2001:0DB8:0:0::0025')).toBe(true);
    expect(groups.contains('g', '2001:db8::26')).toBe(false);
  });

  it('range includes both ends, v4 and v6', () => {
    const groups = single(
      { kind: 'range', from: '10.0.0.250', to: '10.0.1.5' },
      { kind: 'range', from: '2001:db8::ff', to: '2001:db8::1:0' },
    );
    expect(groups.contains('g', '10.0.0.249')).toBe(false);
    expect(groups.contains('g', '10.0.0.250')).toBe(true);
    expect(groups.contains('g', '10.0.0.255')).toBe(true);
    expect(groups.contains('g', '10.0.1.5')).toBe(true);
    expect(groups.contains('g', '10.0.1.6')).toBe(false);
    expect(groups.contains('g', '2001:db8::fe')).toBe(false);
    expect(groups.contains('g', '2001:db8::ff')).toBe(true);
    expect(groups.contains('g', '2001:db8::1:0')).toBe(true);
    expect(groups.contains('g', '2001:db8::1:1')).toBe(false);
  });

  it('network takes a dotted mask or a prefix length, as a number, "24" or "/24"', () => {
    for (const mask of ['255.255.255.0', 24, '24', '/24']) {
      const groups = single({ kind: 'network', address: '192.0.2.0', mask });
      expect(groups.contains('g', '192.0.2.0')).toBe(true);
      expect(groups.contains('g', '192.0.2.255')).toBe(true);
      expect(groups.contains('g', '192.0.3.0')).toBe(false);
      expect(groups.contains('g', '192.0.1.255')).toBe(false);
    }
  });

  it('network takes an IPv6 prefix length or an IPv6 mask', () => {
    for (const mask of [32, '/32', 'ffff:ffff::']) {
      const groups = single({ kind: 'network', address: '2001:db8::', mask });
      expect(groups.contains('g', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
      expect(groups.contains('g', '2001:db8::')).toBe(true);
      expect(groups.contains('g', '2001:db9::')).toBe(false);
      expect(groups.contains('g', '192.0.2.1')).toBe(false);
    }
  });

  it('network ignores host bits in the address, and /0 and /32 work', () => {
    expect(
      single({ kind: 'network', address: '10.1.2.3', mask: 8 }).contains('g', '10.200.0.1'),
    ).toBe(true);
    const everything = single({ kind: 'network', address: '0.0.0.0', mask: 0 });
    expect(everything.contains('g', '255.255.255.255')).toBe(true);
    expect(everything.contains('g', '::1')).toBe(false);
    const one = single({ kind: 'network', address: '10.0.0.1', mask: '255.255.255.255' });
    expect(one.contains('g', '10.0.0.1')).toBe(true);
    expect(one.contains('g', '10.0.0.0')).toBe(false);
  });

  it('IPv6 items over the IPv4-mapped block match the IPv4 peers they map', () => {
    const groups = single(
      { kind: 'network', address: '::ffff:10.0.0.0', mask: 104 },
      { kind: 'range', from: '::ffff:192.0.2.1', to: '::ffff:192.0.2.3' },
    );
    expect(groups.contains('g', '10.9.8.7')).toBe(true);
    expect(groups.contains('g', '::ffff:10.9.8.7')).toBe(true);
    expect(groups.contains('g', '11.0.0.0')).toBe(false);
    expect(groups.contains('g', '192.0.2.2')).toBe(true);
    expect(groups.contains('g', '192.0.2.4')).toBe(false);
    const allV6 = single({ kind: 'network', address: '::', mask: 0 });
    expect(allV6.contains('g', '1.2.3.4')).toBe(true);
  });

  it('contains is false for non-addresses and unknown groups', () => {
    const groups = single({ kind: 'network', address: '0.0.0.0', mask: 0 });
    expect(groups.contains('g', 'localhost')).toBe(false);
    expect(groups.contains('g', '')).toBe(false);
    expect(groups.contains('nope', '1.2.3.4')).toBe(false);
    expect(groups.has('g')).toBe(true);
    expect(groups.has('nope')).toBe(false);
    expect(groups.matcher('nope')('1.2.3.4')).toBe(false);
    expect(groups.names).toEqual(['g']);
  });

  it('disabled items match nothing', () => {
    const groups = new IpAddressGroups({
      g: [
        { kind: 'host', address: '1.1.1.1', enabled: false },
        { kind: 'range', from: '2.0.0.0', to: '2.0.0.9', enabled: false },
        { kind: 'network', address: '3.0.0.0', mask: 8, enabled: false },
        { kind: 'group', name: 'other', enabled: false },
        { kind: 'host', address: '5.5.5.5', enabled: true, description: 'kept' },
      ],
      other: [{ kind: 'host', address: '4.4.4.4' }],
    });
    for (const address of ['1.1.1.1', '2.0.0.5', '3.3.3.3', '4.4.4.4']) {
      expect(groups.contains('g', address)).toBe(false);
    }
    expect(groups.contains('g', '5.5.5.5')).toBe(true);
  });
});

describe('invalid items', () => {
  it.each<[string, IpGroupItem, RegExp]>([
    ['a bad host', { kind: 'host', address: '1.2.3.256' }, /address is not an IP address/],
    ['a host with a zone', { kind: 'host', address: 'fe80::1%eth0' }, /not an IP address/],
    ['a range backwards', { kind: 'range', from: '10.0.0.9', to: '10.0.0.1' }, /from is above to/],
    [
      'a range across families',
      { kind: 'range', from: '10.0.0.1', to: '::1' },
      /different address families/,
    ],
    [
      'a range with a bad end',
      { kind: 'range', from: '10.0.0.1', to: 'x' },
      /to is not an IP address/,
    ],
    [
      'a non-contiguous mask',
      { kind: 'network', address: '10.0.0.0', mask: '255.0.255.0' },
      /not contiguous/,
    ],
    [
      'a mask with a hole at the end',
      { kind: 'network', address: '10.0.0.0', mask: '0.0.0.255' },
      /not contiguous/,
    ],
    ['a prefix too long for IPv4', { kind: 'network', address: '10.0.0.0', mask: 33 }, /0 to 32/],
    ['a prefix too long for IPv6', { kind: 'network', address: '::', mask: '/129' }, /0 to 128/],
    ['a negative prefix', { kind: 'network', address: '10.0.0.0', mask: -1 }, /prefix length/],
    ['a fractional prefix', { kind: 'network', address: '10.0.0.0', mask: 8.5 }, /prefix length/],
    [
      'an IPv6 mask on IPv4',
      { kind: 'network', address: '10.0.0.0', mask: 'ffff::' },
      /different address family/,
    ],
    [
      'an IPv4 mask on IPv6',
      { kind: 'network', address: '2001:db8::', mask: '255.255.0.0' },
      /different address family/,
    ],
    [
      'a word for a mask',
      { kind: 'network', address: '10.0.0.0', mask: 'class A' },
      /neither a prefix length/,
    ],
    ['a bad network address', { kind: 'network', address: '10.0.0', mask: 8 }, /not an IP address/],
    ['an unknown group', { kind: 'group', name: 'Nobody' }, /no such group/],
    [
      'an unknown kind',
      { kind: 'cidr', address: '1.2.3.4' } as unknown as IpGroupItem,
      /kind must be/,
    ],
  ])('rejects %s, naming the group and the item', (_label, item, reason) => {
    const error = groupError(
      () => new IpAddressGroups({ Fine: [], Bad: [{ kind: 'host', address: '1.1.1.1' }, item] }),
    );
    expect(error.group).toBe('Bad');
    expect(error.itemIndex).toBe(1);
    expect(error.item).toBe(item);
    expect(error.message).toMatch(/^IP address group "Bad", item 1 /);
    expect(error.message).toMatch(reason);
  });

  it('validates disabled items too', () => {
    const error = groupError(() =>
      single({ kind: 'network', address: '10.0.0.0', mask: '255.0.0.1', enabled: false }),
    );
    expect(error.reason).toMatch(/not contiguous/);
  });
});

describe('nesting', () => {
  it('a group includes the groups it names, transitively', () => {
    const groups = new IpAddressGroups({
      Trusted: [
        { kind: 'group', name: 'Office' },
        { kind: 'host', address: '198.51.100.7' },
      ],
      Office: [
        { kind: 'group', name: 'Branch' },
        { kind: 'network', address: '10.1.0.0', mask: 16 },
      ],
      Branch: [{ kind: 'host', address: '2001:db8::b' }],
    });
    expect(groups.contains('Trusted', '198.51.100.7')).toBe(true);
    expect(groups.contains('Trusted', '10.1.2.3')).toBe(true);
    expect(groups.contains('Trusted', '2001:db8::b')).toBe(true);
    expect(groups.contains('Office', '198.51.100.7')).toBe(false);
    expect(groups.contains('Branch', '10.1.2.3')).toBe(false);
  });

  it('cycles are cut: every group of a cycle holds the items of all of them', () => {
    const groups = new IpAddressGroups({
      A: [
        { kind: 'group', name: 'B' },
        { kind: 'host', address: '1.0.0.1' },
      ],
      B: [
        { kind: 'group', name: 'C' },
        { kind: 'host', address: '1.0.0.2' },
      ],
      C: [
        { kind: 'group', name: 'A' },
        { kind: 'host', address: '1.0.0.3' },
      ],
      Self: [
        { kind: 'group', name: 'Self' },
        { kind: 'host', address: '1.0.0.4' },
      ],
    });
    for (const group of ['A', 'B', 'C']) {
      for (const address of ['1.0.0.1', '1.0.0.2', '1.0.0.3']) {
        expect(groups.contains(group, address)).toBe(true);
      }
      expect(groups.contains(group, '1.0.0.4')).toBe(false);
    }
    expect(groups.contains('Self', '1.0.0.4')).toBe(true);
  });

  it('a long chain of groups compiles and answers', () => {
    const definition: Record<string, IpGroupItem[]> = {};
    for (let index = 0; index < 500; index++) {
      definition[`g${index}`] = [
        { kind: 'group', name: `g${(index + 1) % 500}` },
        { kind: 'host', address: formatIpAddress({ family: 4, value: BigInt(index) }) },
      ];
    }
    const groups = new IpAddressGroups(definition);
    expect(groups.contains('g0', '0.0.1.243')).toBe(true); // 499
    expect(groups.contains('g499', '0.0.0.0')).toBe(true);
    expect(groups.contains('g0', '0.0.1.244')).toBe(false);
  });
});

describe('Kerio defaults', () => {
  const groups = new IpAddressGroups({ [LOCAL_CLIENTS_GROUP]: LOCAL_CLIENTS });
  const isLocal = groups.matcher(LOCAL_CLIENTS_GROUP);

  it('"Local clients" holds the private ranges, 127.0.0.1 and ::1', () => {
    for (const address of [
      '10.0.0.0',
      '10.255.255.255',
      '127.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '192.168.255.255',
      '::1',
      '::ffff:192.168.1.1',
    ]) {
      expect(isLocal(address)).toBe(true);
    }
    for (const address of [
      '9.255.255.255',
      '11.0.0.0',
      '127.0.0.2',
      '172.15.255.255',
      '172.32.0.0',
      '192.167.255.255',
      '192.169.0.0',
      '8.8.8.8',
      '::2',
      'fe80::1',
      'fd00::1',
    ]) {
      expect(isLocal(address)).toBe(false);
    }
  });

  it('the default list is frozen', () => {
    expect(Object.isFrozen(LOCAL_CLIENTS)).toBe(true);
    expect(Object.isFrozen(LOCAL_CLIENTS[0])).toBe(true);
    expect(LOCAL_CLIENTS.map((item) => item.kind)).toEqual([
      'network',
      'host',
      'network',
      'network',
      'host',
    ]);
  });

  it('the matcher is compiled once per group', () => {
    expect(groups.matcher(LOCAL_CLIENTS_GROUP)).toBe(isLocal);
  });
});

describe('properties (fixed seed)', () => {
  it('network membership equals the bigint arithmetic check, v4 and v6', () => {
    const network = fc.oneof(
      fc.record({
        family: fc.constant(4 as const),
        value: fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }),
        prefix: fc.integer({ min: 0, max: 32 }),
      }),
      fc.record({
        family: fc.constant(6 as const),
        value: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        prefix: fc.integer({ min: 0, max: 128 }),
      }),
    );
    fc.assert(
      fc.property(
        network,
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.boolean(),
        (net, noise, near) => {
          const bits = net.family === 4 ? 32 : 128;
          const hostBits = BigInt(bits - net.prefix);
          // Half the probes share the network's prefix, so both answers are exercised.
          const probeValue = near
            ? ((net.value >> hostBits) << hostBits) | (noise & ((1n << hostBits) - 1n))
            : noise & ((1n << BigInt(bits)) - 1n);
          const probe = { family: net.family, value: probeValue };
          const probeText = formatIpAddress(probe);
          const parsedProbe = parseIpAddress(probeText)!;
          const groups = single({
            kind: 'network',
            address: formatIpAddress({ family: net.family, value: net.value }),
            mask: net.prefix,
          });
          const expected = probeValue >> hostBits === net.value >> hostBits;
          expect(groups.contains('g', probeText)).toBe(expected);
          expect(groups.containsAddress('g', parsedProbe)).toBe(expected);
        },
      ),
      { seed: 1918, numRuns: fuzzRuns },
    );
  });

  it('a group of ranges contains exactly the union of the ranges', () => {
    const range = fc
      .tuple(fc.nat(1000), fc.nat(50))
      .map(([low, width]) => [low, low + width] as const);
    fc.assert(
      fc.property(fc.array(range, { maxLength: 8 }), fc.nat(1100), (ranges, probe) => {
        const groups = single(
          ...ranges.map(([from, to]): IpGroupItem => ({
            kind: 'range',
            from: formatIpAddress({ family: 4, value: BigInt(from) }),
            to: formatIpAddress({ family: 4, value: BigInt(to) }),
          })),
        );
        const expected = ranges.some(([from, to]) => probe >= from && probe <= to);
        expect(groups.contains('g', formatIpAddress({ family: 4, value: BigInt(probe) }))).toBe(
          expected,
        );
      }),
      { seed: 1597, numRuns: fuzzRuns },
    );
  });
});
