import type { SourcePosition } from '../protocol/diagnostic.js';

// Only a body of hex digits and blanks can be well formed; anything else is left as written, and
// the search goes on inside it (`${hex:4${hex:30}}` decodes its inner sequence only).
const ENCODED = /\$\{(hex|unicode):([0-9A-Fa-f \t\r\n]*)\}/gi;
const utf8 = new TextDecoder('utf-8');

/**
 * Decodes `${hex:...}` and `${unicode:...}` in a string (RFC 5228 section 2.4.2.4). A sequence
 * that is not well formed stays as written, as the RFC says; a Unicode value outside the ranges
 * of characters is an error (reported through `error`).
 */
export function decodeEncodedCharacters(
  text: string,
  at: SourcePosition,
  error: (at: SourcePosition, message: string) => void,
): string {
  if (!text.includes('${')) return text;
  return text.replace(ENCODED, (whole, kind: string, body: string) => {
    const items = body.split(/[ \t\r\n]+/).filter((item) => item !== '');
    if (items.length === 0) return whole;
    if (kind.toLowerCase() === 'hex') {
      if (!items.every((item) => item.length <= 2)) return whole;
      return utf8.decode(Uint8Array.from(items.map((item) => parseInt(item, 16))));
    }
    const codes: number[] = [];
    for (const item of items) {
      const code = item.replace(/^0+(?=.)/, '').length > 6 ? Infinity : parseInt(item, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        error(at, `invalid Unicode character U+${item.toUpperCase()} in encoded character`);
        return whole;
      }
      codes.push(code);
    }
    return codes.map((code) => String.fromCodePoint(code)).join('');
  });
}
