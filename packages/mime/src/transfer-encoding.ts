/**
 * Content-Transfer-Encoding decoding (RFC 2045 section 6), lenient the way mail readers must be:
 * whatever arrives, the result is the best reading of it, never an exception.
 */

/** The encodings IMAP BINARY can undo; for any other, RFC 3516 answers `[UNKNOWN-CTE]`. */
export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'base64' | 'quoted-printable';

const KNOWN: ReadonlySet<string> = new Set([
  '7bit',
  '8bit',
  'binary',
  'base64',
  'quoted-printable',
]);

/**
 * The normalised name of a `Content-Transfer-Encoding` value, `7bit` when it is absent or empty,
 * or null when it names an encoding we cannot decode (`x-uuencode`, garbage).
 */
export function transferEncodingOf(value: string | null | undefined): TransferEncoding | null {
  const name = (value ?? '').trim().toLowerCase();
  if (name === '') return '7bit';
  return KNOWN.has(name) ? (name as TransferEncoding) : null;
}

/** Undoes a transfer encoding; identity encodings return the input itself, without copying. */
export function decodeTransferEncoding(bytes: Uint8Array, encoding: TransferEncoding): Uint8Array {
  switch (encoding) {
    case 'base64':
      return decodeBase64(bytes);
    case 'quoted-printable':
      return decodeQuotedPrintable(bytes);
    default:
      return bytes;
  }
}

const BASE64_VALUES = (() => {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * Base64 with everything outside the alphabet ignored (line breaks, stray characters). Padding
 * ends a quantum but not the data: messages glued from several encoded chunks
 * (`aGk=aGk=`) decode to all of them, where `Buffer.from(s, 'base64')` stops at the first `=`.
 */
export function decodeBase64(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((bytes.length * 3) / 4));
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const value = BASE64_VALUES[c]!;
    if (value >= 0) {
      bits = (bits << 6) | value;
      if (++count === 4) {
        out[length++] = bits >> 16;
        out[length++] = (bits >> 8) & 0xff;
        out[length++] = bits & 0xff;
        bits = 0;
        count = 0;
      }
    } else if (c === 0x3d /* = */ && count > 0) {
      length = flushQuantum(out, length, bits, count);
      bits = 0;
      count = 0;
    }
  }
  return out.subarray(0, flushQuantum(out, length, bits, count));
}

/** Writes the whole bytes of a partial quantum (2 or 3 symbols); a lone symbol carries none. */
function flushQuantum(out: Uint8Array, length: number, bits: number, count: number): number {
  if (count === 2) {
    out[length++] = (bits >> 4) & 0xff;
  } else if (count === 3) {
    out[length++] = (bits >> 10) & 0xff;
    out[length++] = (bits >> 2) & 0xff;
  }
  return length;
}

/**
 * Quoted-printable: `=XX` (either case) becomes the byte, `=` before a line ending is a soft
 * break, whitespace before a line ending is transport padding and dropped (RFC 2045 6.7 rule 3),
 * and a malformed `=` is kept literally, as RFC 2045 6.7 suggests decoders do.
 */
export function decodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let length = 0;
  // Start of a run of spaces and tabs in `out`, kept until we see what follows it.
  let spaceRun = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x0d || c === 0x0a) {
      if (spaceRun >= 0) length = spaceRun;
      spaceRun = -1;
      out[length++] = c;
      continue;
    }
    if (c === 0x3d /* = */) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hexValue(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[length++] = (hi << 4) | lo;
        spaceRun = -1;
        i += 2;
        continue;
      }
      const softBreakEnd = softLineBreakEnd(bytes, i + 1);
      if (softBreakEnd >= 0) {
        spaceRun = -1;
        i = softBreakEnd - 1;
        continue;
      }
    }
    if (c === 0x20 || c === 0x09) {
      if (spaceRun < 0) spaceRun = length;
    } else {
      spaceRun = -1;
    }
    out[length++] = c;
  }
  if (spaceRun >= 0) length = spaceRun;
  return out.subarray(0, length);
}

/**
 * If `=` at `from - 1` starts a soft line break (optional padding whitespace, then CRLF, LF, or
 * the end of the data), the offset just past it; else -1.
 */
function softLineBreakEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  if (i >= bytes.length) return i;
  if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) return i + 2;
  if (bytes[i] === 0x0a) return i + 1;
  return -1;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
