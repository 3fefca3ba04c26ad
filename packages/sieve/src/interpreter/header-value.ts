import { type HeaderField, decodeHeaderBytes } from '@mailyard/mime';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

/**
 * A field's value unfolded as Sieve tests compare it: the line break of every fold is removed and
 * a tab that begins the continuation line becomes a space, as Pigeonhole does (so a Subject folded
 * with a tab, as many clients fold, reads `long subject` rather than `long\tsubject`); the
 * whitespace after the colon is dropped. 8-bit text is read as `@mailyard/mime` reads it.
 */
export function sieveFieldValue(bytes: Uint8Array, field: HeaderField): string {
  let start = field.valueStart;
  let end = field.end;
  while (start < end && (bytes[start] === SP || bytes[start] === HT)) start++;
  if (end > start && bytes[end - 1] === LF) end--;
  if (end > start && bytes[end - 1] === CR) end--;
  const folded = bytes.indexOf(LF, start);
  if (folded < 0 || folded >= end) return decodeHeaderBytes(bytes.subarray(start, end));
  const out = new Uint8Array(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === CR && bytes[i + 1] === LF) continue;
    if (c === LF) {
      if (bytes[i + 1] === HT) {
        out[length++] = SP;
        i++;
      }
      continue;
    }
    out[length++] = c;
  }
  return decodeHeaderBytes(out.subarray(0, length));
}
