import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeXtext, encodeXtext } from '../../src/protocol/xtext.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('xtext (RFC 3461 section 4)', () => {
  it('leaves printable ASCII alone but for + and =', () => {
    expect(encodeXtext('alice@example.com')).toBe('alice@example.com');
    expect(encodeXtext('a+b=c')).toBe('a+2Bb+3Dc');
  });

  it('hex-encodes spaces, controls and the octets of non-ASCII text', () => {
    expect(encodeXtext('rfc822;a b')).toBe('rfc822;a+20b');
    expect(encodeXtext('\r\n\0')).toBe('+0D+0A+00');
    expect(encodeXtext('jörg')).toBe('j+C3+B6rg');
  });

  it('decodes what it encodes, and the RFC example', () => {
    expect(decodeXtext('QQ+2B+2Bv')).toBe('QQ++v');
    expect(decodeXtext('j+C3+B6rg')).toBe('jörg');
    expect(decodeXtext('+0d+0a')).toBe('\r\n');
  });

  it('refuses what is not xtext', () => {
    for (const bad of ['a b', 'a=b', '+', '+4', '+GG', 'é', '+C3', '\t', '+FF+FE']) {
      expect(decodeXtext(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('round-trips any text, and encodes to xtext characters only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const encoded = encodeXtext(text);
        expect(/^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/.test(encoded)).toBe(true);
        // Lone surrogates have no UTF-8 form; everything else comes back as it was.
        if (Buffer.from(text, 'utf8').toString('utf8') === text)
          expect(decodeXtext(encoded)).toBe(text);
      }),
      { seed: 3461, numRuns: runs },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const decoded = decodeXtext(text);
        expect(decoded === null || typeof decoded === 'string').toBe(true);
      }),
      { seed: 1891, numRuns: runs },
    );
  });
});
