const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts the octets of a message as RETR sends it with CRLF line endings (RFC 1939 11: sizes
 * count a line ending as two octets), before dot-stuffing and without the terminating line:
 * the stored octets plus one for each LF without a CR before it. Incremental; pure.
 */
export class WireSizeCounter {
  private total = 0;
  private lastWasCr = false;

  get size(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = bytes.indexOf(LF);
    while (pos >= 0) {
      const crBefore = pos > 0 ? bytes[pos - 1] === CR : this.lastWasCr;
      if (!crBefore) this.total++;
      pos = bytes.indexOf(LF, pos + 1);
    }
    this.lastWasCr = bytes[bytes.length - 1] === CR;
  }
}
