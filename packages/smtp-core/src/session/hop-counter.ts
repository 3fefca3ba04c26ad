const RECEIVED = Buffer.from('received:');
const CR = 0x0d;
const LF = 0x0a;

/**
 * Counts the `Received:` fields in a message's header as the message streams past, for loop
 * protection (RFC 5321 6.3; Kerio's "Max. accepted Received headers"). Stops at the empty line
 * that ends the header. A few bytes of state, whatever the chunking.
 */
export class HopCounter {
  hops = 0;
  private inHeader = true;
  /** Bytes of the current line so far, CRs not counted. */
  private column = 0;
  /** The current line may still turn out to be a `Received:` field. */
  private candidate = true;

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && this.inHeader; i++) {
      const byte = chunk[i]!;
      if (byte === LF) {
        if (this.column === 0) this.inHeader = false;
        this.column = 0;
        this.candidate = true;
        continue;
      }
      if (byte === CR) continue;
      if (this.candidate && this.column < RECEIVED.length) {
        const lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
        if (lower !== RECEIVED[this.column]) this.candidate = false;
        else if (this.column === RECEIVED.length - 1) this.hops++;
      }
      this.column++;
    }
  }
}
