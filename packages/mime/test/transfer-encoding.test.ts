import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodeQuotedPrintable,
  decodeTransferEncoding,
  transferEncodingOf,
} from '../src/index.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('decodeBase64', () => {
  it('decodes across line breaks and ignores characters outside the alphabet', () => {
    expect(text(decodeBase64(bytes('aGVs\r\nbG8g\r\nd29y*bGQ=\r\n')))).toBe('hello world');
  });

  it('decodes every chunk of glued-together encodings, not just the first', () => {
    expect(text(decodeBase64(bytes('aGk=aGk=')))).toBe('hihi');
  });

  it('decodes unpadded and truncated input as far as whole bytes go', () => {
    expect(text(decodeBase64(bytes('aGVsbG8')))).toBe('hello');
    expect(text(decodeBase64(bytes('aGVsbG8gd')))).toBe('hello ');
  });

  it('round-trips any bytes through Node’s encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        const encoded = Buffer.from(data)
          .toString('base64')
          .replace(/(.{76})/g, '$1\r\n');
        expect(Buffer.from(decodeBase64(bytes(encoded))).equals(Buffer.from(data))).toBe(true);
      }),
      { seed: 42, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 200) },
    );
  });
});

describe('decodeQuotedPrintable', () => {
  it('decodes escapes in either case and soft line breaks', () => {
    expect(text(decodeQuotedPrintable(bytes('caf=C3=a9 =\r\nau lait=\nend')))).toBe(
      'caf\xc3\xa9 au laitend',
    );
  });

  it('drops transport padding before line endings but not inside lines', () => {
    expect(text(decodeQuotedPrintable(bytes('a  b   \r\nc\t\r\nd  ')))).toBe('a  b\r\nc\r\nd');
  });

  it('keeps whitespace before a soft break, which is content', () => {
    expect(text(decodeQuotedPrintable(bytes('hello =\r\nworld')))).toBe('hello world');
  });

  it('treats whitespace after a soft-break equals sign as padding', () => {
    expect(text(decodeQuotedPrintable(bytes('a= \r\nb')))).toBe('ab');
  });

  it('keeps malformed escapes literally', () => {
    expect(text(decodeQuotedPrintable(bytes('100% =ZZ =4')))).toBe('100% =ZZ =4');
  });
});

describe('transferEncodingOf', () => {
  it('normalises known names and defaults to 7bit', () => {
    expect(transferEncodingOf('Quoted-Printable')).toBe('quoted-printable');
    expect(transferEncodingOf(' BASE64 ')).toBe('base64');
    expect(transferEncodingOf(undefined)).toBe('7bit');
    expect(transferEncodingOf('')).toBe('7bit');
  });

  it('answers null for encodings it cannot undo (IMAP BINARY UNKNOWN-CTE)', () => {
    expect(transferEncodingOf('x-uuencode')).toBeNull();
  });

  it('returns identity encodings without copying', () => {
    const data = bytes('raw');
    expect(decodeTransferEncoding(data, '8bit')).toBe(data);
  });
});
