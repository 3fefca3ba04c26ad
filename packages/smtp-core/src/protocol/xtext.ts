/**
 * xtext (RFC 3461 section 4): how DSN parameters (ENVID=, ORCPT=) carry arbitrary text inside an
 * ESMTP parameter. Printable ASCII except `+` and `=` stands for itself; every other octet is `+`
 * and two upper-case hex digits. Text outside ASCII travels as its UTF-8 octets.
 */

const HEX = '0123456789ABCDEF';
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes text as xtext. */
export function encodeXtext(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d) {
      out += String.fromCharCode(byte);
    } else {
      out += `+${HEX[byte >> 4]}${HEX[byte & 0x0f]}`;
    }
  }
  return out;
}

/**
 * Decodes xtext, or returns null when it is not xtext: a character outside `!`..`~`, a bare `=`,
 * a `+` not followed by two hex digits, or octets that are not UTF-8. Lower-case hex digits are
 * accepted (senders get this wrong and the meaning is unambiguous).
 */
export function decodeXtext(xtext: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < xtext.length; i++) {
    const code = xtext.charCodeAt(i);
    if (code === 0x2b) {
      const pair = xtext.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) return null;
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
    } else if (code >= 0x21 && code <= 0x7e && code !== 0x3d) {
      bytes.push(code);
    } else {
      return null;
    }
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}
