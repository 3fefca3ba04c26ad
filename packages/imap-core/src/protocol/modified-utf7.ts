/**
 * IMAP's modified UTF-7 for mailbox names (RFC 3501 section 5.1.3), which IMAP4rev1 clients use
 * unless they enable UTF8=ACCEPT or IMAP4rev2: printable ASCII stands for itself but `&`, which
 * is `&-`; anything else is UTF-16 in a modified base64 (`,` for `/`) between `&` and `-`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0;
    let value = 0;
    out += '&';
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += ALPHABET[(value >> bits) & 0x3f];
      }
    }
    if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 0x3f];
    out += '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      pending.push(code);
    }
  }
  flush();
  return out;
}

/**
 * Decodes a modified UTF-7 name; null when it is not valid modified UTF-7 (a stray `&`, bad
 * base64, an encoded printable character, leftover bits, unpaired surrogates), which the session
 * refuses rather than guessing.
 */
export function decodeModifiedUtf7(name: string): string | null {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name[i]!;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return null;
    if (c !== '&') {
      out += c;
      i++;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end < 0) return null;
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    const decoded = decodeRun(name.slice(i + 1, end));
    if (decoded === null) return null;
    out += decoded;
    i = end + 1;
    // Two encoded runs back to back should have been one.
    if (name[i] === '&' && name[i + 1] !== '-') return null;
  }
  return out;
}

function decodeRun(run: string): string | null {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of run) {
    const v = VALUES.get(c);
    if (v === undefined) return null;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  if (bits >= 6 || (value & ((1 << bits) - 1)) !== 0 || bytes.length % 2 !== 0) return null;
  let text = '';
  for (let j = 0; j < bytes.length; j += 2) {
    const unit = (bytes[j]! << 8) | bytes[j + 1]!;
    // Printable ASCII must not be encoded.
    if (unit >= 0x20 && unit <= 0x7e) return null;
    text += String.fromCharCode(unit);
  }
  return LONE_SURROGATE.test(text) ? null : text;
}
