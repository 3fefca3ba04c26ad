import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  normalizeIpKey,
  parseIpAddress,
  parseIpAddressExact,
} from '../src/index.js';
import { fuzzRuns } from './manual-clock.js';

const v6 = (text: string): bigint | undefined => {
  const address = parseIpAddress(text);
  return address?.family === 6 ? address.value : undefined;
};

describe('parseIpAddress, IPv4', () => {
  it('reads dotted quads to their 32-bit value', () => {
    expect(parseIpAddress('0.0.0.0')).toEqual({ family: 4, value: 0n });
    expect(parseIpAddress('1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIpAddress('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseIpAddress('192.168.0.10')).toEqual({ family: 4, value: 0xc0a8000an });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.-4',
    '01.2.3.4',
    '1.2.3.004',
    '1..3.4',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4\n',
    '1.2.3.4\0',
    '0x7f.0.0.1',
    '2130706433',
    '1.2.3.4/24',
    '1.2.3.a',
    '١.٢.٣.٤',
  ])('rejects %j', (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });
});

describe('parseIpAddress, IPv6', () => {
  it('reads every RFC 4291 text form', () => {
    expect(v6('2001:db8:0:0:8:800:200c:417a')).toBe(0x20010db8000000000008_0800200c417an);
    expect(v6('2001:DB8::8:800:200C:417A')).toBe(0x20010db8000000000008_0800200c417an);
    expect(v6('2001:0db8:0000:0000:0008:0800:200c:417a')).toBe(
      0x20010db8000000000008_0800200c417an,
    );
    expect(v6('ff01::101')).toBe(0xff010000000000000000000000000101n);
    expect(v6('::1')).toBe(1n);
    expect(v6('::')).toBe(0n);
    expect(v6('1::')).toBe(1n << 112n);
    expect(v6('1:2:3:4:5:6:7::')).toBe(0x0001000200030004000500060007_0000n);
    expect(v6('::2:3:4:5:6:7:8')).toBe(0x0000000200030004000500060007_0008n);
    expect(v6('::13.1.68.3')).toBe(0x0d014403n);
    expect(v6('0:0:0:0:0:0:13.1.68.3')).toBe(0x0d014403n);
    expect(v6('64:ff9b::192.0.2.33')).toBe(0x0064ff9b0000000000000000c0000221n);
  });

  it('normalises IPv4-mapped addresses, in either notation, to IPv4', () => {
    expect(parseIpAddress('::ffff:1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIpAddress('::FFFF:102:304')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIpAddress('0:0:0:0:0:ffff:1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    // The exact parser keeps the family the text was written in.
    expect(parseIpAddressExact('::ffff:1.2.3.4')).toEqual({
      family: 6,
      value: 0xffff01020304n,
    });
    // ::ffff:0:1.2.3.4 (IPv4-translated) and ::1.2.3.4 (IPv4-compatible) are not mapped.
    expect(parseIpAddress('::ffff:0:1.2.3.4')?.family).toBe(6);
    expect(parseIpAddress('::1.2.3.4')?.family).toBe(6);
  });

  it.each([
    ':',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '1::2::3',
    ':1::2',
    '1::2:',
    '1:2:3:4:5:6:7:',
    '12345::',
    'g::1',
    'fe80::1%eth0',
    'fe80::1%1',
    '[::1]',
    '::1.2.3',
    '::1.2.3.4:5',
    '1.2.3.4::',
    '::256.1.1.1',
    '1:2:3:4:5:6:7:1.2.3.4',
    ' ::1',
    '::1\0',
    'IPv6:::1',
    '::ffff:1.2.3.04',
  ])('rejects %j', (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it('rejects overlong and non-string input without scanning it', () => {
    expect(parseIpAddress('1'.repeat(10_000_000))).toBeNull();
    expect(parseIpAddress(`${'0:'.repeat(100)}1`)).toBeNull();
    expect(parseIpAddress(undefined as unknown as string)).toBeNull();
    expect(parseIpAddress(42 as unknown as string)).toBeNull();
  });
});

describe('formatIpAddress', () => {
  it('writes RFC 5952 canonical text', () => {
    const canonical = (text: string): string => formatIpAddress(parseIpAddress(text)!);
    expect(canonical('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonical('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(canonical('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // leftmost of equal runs
    expect(canonical('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // the longest run
    expect(canonical('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canonical('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonical('1:0:0:0:0:0:0:0')).toBe('1::');
    expect(canonical('::13.1.68.3')).toBe('::d01:4403');
    expect(canonical('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(canonical('010.0.0.1'.slice(1))).toBe('10.0.0.1');
  });

  it('refuses values outside the family', () => {
    expect(() => formatIpAddress({ family: 4, value: 1n << 32n })).toThrow(RangeError);
    expect(() => formatIpAddress({ family: 6, value: -1n })).toThrow(RangeError);
    expect(() => formatIpAddress({ family: 5 as 4, value: 0n })).toThrow(RangeError);
  });

  it('round-trips random IPv4 and IPv6 values (fixed seed)', () => {
    const mapped = (value: bigint): boolean => value >> 32n === 0xffffn;
    const address = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value) => ({ family: 4 as const, value })),
      fc
        .bigInt({ min: 0n, max: (1n << 128n) - 1n })
        .filter((value) => !mapped(value))
        .map((value) => ({ family: 6 as const, value })),
      // Zero-heavy IPv6 values exercise the :: compression.
      fc
        .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 })
        .map((words) => words.reduce((sum, word) => (sum << 16n) | BigInt(word), 0n))
        .filter((value) => !mapped(value))
        .map((value) => ({ family: 6 as const, value })),
    );
    fc.assert(
      fc.property(address, (ip) => {
        const text = formatIpAddress(ip);
        expect(parseIpAddress(text)).toEqual(ip);
        expect(formatIpAddress(parseIpAddress(text.toUpperCase())!)).toBe(text);
      }),
      { seed: 4291, numRuns: fuzzRuns },
    );
  });

  it('never throws on arbitrary text, and whatever parses formats back to an equal address (fixed seed)', () => {
    const piece = fc.constantFrom(
      '::',
      ':',
      '.',
      '0',
      '1',
      'ffff',
      '255',
      '256',
      'g',
      '%',
      '1.2.3.4',
    );
    const text = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const parsed = parseIpAddress(input);
        if (parsed !== null) expect(parseIpAddress(formatIpAddress(parsed))).toEqual(parsed);
      }),
      { seed: 5952, numRuns: fuzzRuns * 5 },
    );
  });
});

describe('normalizeIpKey', () => {
  it('gives one key per peer, and non-addresses verbatim', () => {
    expect(normalizeIpKey('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeIpKey('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(normalizeIpKey('1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeIpKey('/run/mail.sock')).toBe('/run/mail.sock');
    expect(normalizeIpKey('fe80::1%eth0')).toBe('fe80::1%eth0');
  });
});
