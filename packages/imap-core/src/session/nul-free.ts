/**
 * A literal may not hold NUL (RFC 9051 4.3); only a literal8 may (RFC 3516), and only BINARY
 * fetches answer with one. A stored part can hold NUL all the same (8-bit or binary transfer
 * encoding), so BODY[...] sends NUL as 0x80, as Dovecot does: the client gets every other octet
 * as stored, and a literal it can read. BINARY[...] sends the octets unchanged, as a literal8.
 */
const NUL = 0x00;
const REPLACEMENT = 0x80;

/** `bytes`, or a copy with NUL replaced where it has any (the original is never changed). */
export function nulFree(bytes: Uint8Array): Uint8Array {
  let at = bytes.indexOf(NUL);
  if (at < 0) return bytes;
  const copy = Uint8Array.from(bytes);
  for (; at >= 0; at = copy.indexOf(NUL, at + 1)) copy[at] = REPLACEMENT;
  return copy;
}

/** A stream of octets with NUL replaced, chunk by chunk. */
export async function* nulFreeStream(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of source) yield nulFree(chunk);
}
