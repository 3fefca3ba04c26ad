/** One unit of what the peer sent, in order. */
export type LineEvent =
  /** A line without its line ending (CRLF, or a lone LF, which POP3 peers send in the wild). */
  | { readonly type: 'line'; readonly line: Buffer }
  /**
   * A line longer than the limit. Its bytes were dropped as they came, up to and including its
   * line ending, so that a hostile peer never makes us hold more than `maxLength` octets.
   */
  | { readonly type: 'overlong' };

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into lines, incrementally: bytes may come in any pieces, one at a time
 * included. Pull-based, so a session handles one command to its end before taking the next,
 * while pipelined lines wait here. Pure: no I/O, no clock.
 *
 * The limit counts the octets of a line before its line ending; it can change between lines
 * (POP3 allows longer SASL response lines than command lines, RFC 5034 4).
 */
export class LineSplitter {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  /** Where to resume looking for LF in the buffer, so a long partial line is scanned once. */
  private scanned = 0;
  /** Inside an overlong line: drop bytes until its LF. */
  private skipping = false;
  /** The overlong line was reported already (reported once, when it crosses the limit). */
  private reported = false;

  constructor(public maxLength: number) {}

  /** Octets received and not yet returned as lines. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.offset >= this.buffer.length) {
      this.buffer = incoming;
      this.scanned = 0;
    } else {
      // `scanned` counts from `offset`, which stays the start of what is kept.
      this.buffer = Buffer.concat([this.buffer.subarray(this.offset), incoming]);
    }
    this.offset = 0;
  }

  /** The next complete line or overlong report, or null until more bytes arrive. */
  next(): LineEvent | null {
    for (;;) {
      const end = this.buffer.indexOf(LF, this.offset + this.scanned);
      if (this.skipping) {
        if (end < 0) {
          // Nothing of an overlong line is kept: drop what came.
          this.buffer = EMPTY;
          this.offset = 0;
          this.scanned = 0;
          return this.reportOverlong();
        }
        this.offset = end + 1;
        this.scanned = 0;
        this.skipping = false;
        const report = this.reportOverlong();
        this.reported = false;
        if (report) return report;
        continue;
      }
      if (end < 0) {
        this.scanned = this.buffer.length - this.offset;
        // A CR may be the first half of the CRLF that ends a line exactly at the limit.
        const pending = this.buffered;
        const last = this.buffer[this.buffer.length - 1];
        if (pending > this.maxLength + (last === CR ? 1 : 0)) {
          this.skipping = true;
          continue;
        }
        return null;
      }
      let stop = end;
      if (stop > this.offset && this.buffer[stop - 1] === CR) stop--;
      const start = this.offset;
      this.offset = end + 1;
      this.scanned = 0;
      if (stop - start > this.maxLength) return { type: 'overlong' };
      return { type: 'line', line: this.buffer.subarray(start, stop) };
    }
  }

  /** Drops everything buffered: after STLS, nothing sent in the clear may be read as a command. */
  discard(): void {
    this.buffer = EMPTY;
    this.offset = 0;
    this.scanned = 0;
    this.skipping = false;
    this.reported = false;
  }

  private reportOverlong(): LineEvent | null {
    if (this.reported) return null;
    this.reported = true;
    return { type: 'overlong' };
  }
}
