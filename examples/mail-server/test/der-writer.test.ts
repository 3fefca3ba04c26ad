import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describeWithCommand } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import {
  bitString,
  boolean,
  certificateTime,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utf8String,
} from '../src/der-writer.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** One TLV, read back: what the tests check the writer's output against. */
function readTlv(bytes: Uint8Array): { tag: number; contents: Uint8Array; headerLength: number } {
  const tag = bytes[0]!;
  const first = bytes[1]!;
  if (first < 0x80) return { tag, contents: bytes.subarray(2, 2 + first), headerLength: 2 };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
  return { tag, contents: bytes.subarray(2 + count, 2 + count + length), headerLength: 2 + count };
}

describe('the DER writer', () => {
  it('writes X.690 examples byte for byte', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(256))).toBe('02020100');
    expect(hex(integer(Uint8Array.of(0, 0, 0x7f)))).toBe('02017f');
    expect(hex(integer(Uint8Array.of(0, 0, 0x80)))).toBe('02020080');
    expect(hex(integer(Uint8Array.of(0xff)))).toBe('020200ff');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(objectIdentifier('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(objectIdentifier('2.5.29.17'))).toBe('0603551d11');
    expect(hex(objectIdentifier('2.999.3'))).toBe('0603883703');
    expect(hex(bitString(Uint8Array.of(0x80), 1))).toBe('03020780');
    expect(hex(octetString(Uint8Array.of(1, 2)))).toBe('04020102');
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(sequence())).toBe('3000');
    expect(hex(explicit(0, integer(2)))).toBe('a003020102');
    expect(hex(implicitPrimitive(7, Uint8Array.of(127, 0, 0, 1)))).toBe('87047f000001');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(Buffer.from(certificateTime(new Date('2049-12-31T23:59:59Z'))).toString('latin1')).toBe(
      '\x17\x0d491231235959Z',
    );
    expect(
      Buffer.from(certificateTime(new Date('2050-01-01T00:00:00.900Z'))).toString('latin1'),
    ).toBe('\x18\x0f20500101000000Z');
  });

  it('sorts the members of a SET (X.690 11.6)', () => {
    expect(hex(set(integer(2), integer(1)))).toBe('3106020101020102');
  });

  it('refuses what it cannot encode', () => {
    expect(() => integer(-1)).toThrow(RangeError);
    expect(() => objectIdentifier('3.1')).toThrow(RangeError);
    expect(() => objectIdentifier('1.40')).toThrow(RangeError);
    expect(() => objectIdentifier('1.2.x')).toThrow(RangeError);
    expect(() => bitString(Uint8Array.of(1), 9)).toThrow(RangeError);
    expect(() => explicit(31, sequence())).toThrow(RangeError);
  });

  it('uses the shortest length form for any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), (length) => {
        const encoded = octetString(new Uint8Array(length));
        const { contents, headerLength } = readTlv(encoded);
        expect(contents.length).toBe(length);
        expect(encoded.length).toBe(headerLength + length);
        const lengthBytes = headerLength - 2;
        // Short form below 128; else no leading zero byte in the long form.
        if (length < 128) expect(lengthBytes).toBe(0);
        else expect(encoded[2]).not.toBe(0);
      }),
      { seed: 3, numRuns: runs },
    );
  });

  it("writes every non-negative integer in its minimal two's complement", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 300n) - 1n }), (value) => {
        const { tag, contents } = readTlv(integer(value));
        expect(tag).toBe(0x02);
        expect(BigInt(`0x${hex(contents)}`)).toBe(value);
        expect(contents[0]! & 0x80).toBe(0); // positive
        if (contents.length > 1) expect(contents[0] === 0 && contents[1]! < 0x80).toBe(false);
      }),
      { seed: 5, numRuns: runs },
    );
  });
});

describeWithCommand('openssl', 'the DER writer, read by openssl', () => {
  it('writes object identifiers that openssl reads back as written', () => {
    const arc = fc.bigInt({ min: 0n, max: 1n << 40n });
    // A third arc beyond 2^33 keeps them out of openssl's table of names, which it would print.
    const unnamed = fc.bigInt({ min: 1n << 33n, max: 1n << 60n });
    const oid = fc
      .tuple(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        unnamed,
        fc.array(arc, { maxLength: 4 }),
      )
      .map(([a, b, c, rest]) => [a, b, c, ...rest].join('.'));
    fc.assert(
      fc.property(fc.array(oid, { minLength: 1, maxLength: 20 }), (oids) => {
        const der = sequence(...oids.map(objectIdentifier));
        const dump = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], {
          input: der,
        }).toString();
        const read = [...dump.matchAll(/OBJECT\s+:(\S+)/g)].map((m) => m[1]);
        expect(read).toEqual(oids);
      }),
      // Each run starts openssl: a handful of runs, each with many identifiers.
      { seed: 9, numRuns: Math.min(runs, 20) },
    );
  });
});
