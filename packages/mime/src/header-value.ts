import { FALLBACK_CHARSET, decodeCharset, isAscii, isValidUtf8, latin1String } from './charset.js';
import type { HeaderField } from './header-block.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/**
 * The unfolded value of a field, as bytes (RFC 5322 section 2.2.3): the whitespace after the colon
 * is dropped, the line ending of every fold is removed (the whitespace that follows it stays), and
 * so is the final line ending. Trailing whitespace is kept, as Dovecot keeps it.
 */
export function fieldValueBytes(bytes: Uint8Array, field: HeaderField): Uint8Array {
  let start = field.valueStart;
  let end = field.end;
  while (start < end && (bytes[start] === SP || bytes[start] === HT)) start++;
  if (end > start && bytes[end - 1] === LF) end--;
  if (end > start && bytes[end - 1] === CR) end--;
  const folded = bytes.indexOf(LF, start);
  if (folded < 0 || folded >= end) return bytes.subarray(start, end);
  const out = new Uint8Array(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === LF || (c === CR && bytes[i + 1] === LF)) continue;
    out[length++] = c;
  }
  return out.subarray(0, length);
}

/**
 * The unfolded value of a field as text. 8-bit bytes are read as UTF-8 (RFC 6532) when they are
 * valid UTF-8, else in `charsetHint` (the part's declared charset: a raw KOI8-R Subject usually
 * comes with `charset=koi8-r`), else in {@link FALLBACK_CHARSET}. Encoded words are not decoded
 * here: which parts of a value may hold them depends on the field.
 */
export function fieldValue(
  bytes: Uint8Array,
  field: HeaderField,
  charsetHint?: string | null,
): string {
  return decodeHeaderBytes(fieldValueBytes(bytes, field), charsetHint);
}

/** Header bytes to text, with the same rules as {@link fieldValue}. */
export function decodeHeaderBytes(value: Uint8Array, charsetHint?: string | null): string {
  if (isAscii(value)) return latin1String(value);
  if (isValidUtf8(value)) return decodeCharset(value, 'utf-8');
  return decodeCharset(value, charsetHint ?? FALLBACK_CHARSET);
}
