import { describe, expect, it } from 'vitest';
import { canonicalCharset, decodeCharset, isValidUtf8 } from '../src/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('decodeCharset', () => {
  it('decodes a declared legacy charset', () => {
    expect(decodeCharset(bytes(0xe4, 0xf6, 0xfc), 'iso-8859-1')).toBe('äöü');
    expect(decodeCharset(bytes(0xc1, 0xc2), 'koi8-r')).toBe('аб');
  });

  it('decodes the ISO-2022-JP family, which iconv-lite lacks', () => {
    const jis = Buffer.from('\x1b$B$3$s$K$A$O\x1b(B', 'latin1');
    expect(decodeCharset(jis, 'ISO-2022-JP')).toBe('こんにちは');
  });

  it('reads an ISO-2022-JP escape that another follows at once as Perl does, without U+FFFD', () => {
    // Two RFC 2047 words' octets joined, as a split Japanese Subject gives them. Perl's
    // Encode::decode('iso-2022-jp', ...) (SpamAssassin's decoder): e69687 e4bb98, 文付.
    const joined = Buffer.from('\x1b$BJ8\x1b(B\x1b$BIU\x1b(B', 'latin1');
    expect(decodeCharset(joined, 'iso-2022-jp')).toBe('文付');
    // Hostile: 100,000 escapes in a row decode in one linear pass, to nothing.
    const escapes = Buffer.from('\x1b$B\x1b(B'.repeat(50_000) + 'ok', 'latin1');
    expect(decodeCharset(escapes, 'iso-2022-jp')).toBe('ok');
  });

  it('falls back to UTF-8 then Windows-1252 for unknown or missing charsets', () => {
    expect(decodeCharset(Buffer.from('Jörg'), 'x-unknown')).toBe('Jörg');
    expect(decodeCharset(bytes(0x4a, 0xf6, 0x72, 0x67))).toBe('Jörg');
    expect(decodeCharset(bytes(0x80), undefined)).toBe('€');
  });

  it('treats mislabelled 8-bit us-ascii as UTF-8 when it is valid UTF-8', () => {
    expect(decodeCharset(Buffer.from('naïve'), 'us-ascii')).toBe('naïve');
  });

  it('refuses UTF-7, which smuggles markup past filters', () => {
    expect(canonicalCharset('utf-7')).toBeNull();
    expect(decodeCharset(Buffer.from('+ADw-script+AD4-'), 'utf-7')).toBe('+ADw-script+AD4-');
  });

  it('knows aliases mail clients write', () => {
    // Latin-1 labels mean Windows-1252 in practice (WHATWG Encoding), a superset of it.
    expect(canonicalCharset('latin1')).toBe('windows-1252');
    expect(canonicalCharset('US-ASCII')).toBe('utf-8');
    expect(canonicalCharset('UTF8')).toBe('utf-8');
    expect(canonicalCharset('win-1252')).toBe('windows-1252');
  });
});

describe('isValidUtf8', () => {
  it('rejects overlong forms, surrogates and truncated sequences', () => {
    expect(isValidUtf8(bytes(0xc0, 0xaf))).toBe(false);
    expect(isValidUtf8(bytes(0xed, 0xa0, 0x80))).toBe(false);
    expect(isValidUtf8(bytes(0xe2, 0x82))).toBe(false);
    expect(isValidUtf8(Buffer.from('€ ok'))).toBe(true);
  });
});
