import type { ReadHolds } from './read-holds.js';
import type { SessionTransport } from './session-transport.js';

/**
 * Octets of replies gathered before they are written even though pipelined commands are still
 * waiting: a group's replies go out in one write (RFC 2920 3.2) up to this, so that a client
 * pipelining commands with long replies (EHLO) cannot make the session hold them without bound.
 */
const OUTPUT_BATCH = 64 * 1024;

/**
 * Replies not yet written: pipelined commands get their replies in one write (RFC 2920 3.2). A
 * write the transport cannot take at once holds the session's reading until it drained, so that
 * a client that does not read its replies cannot make the server keep them without bound.
 */
export class ReplyBatch {
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;

  constructor(
    private readonly transport: SessionTransport,
    private readonly holds: ReadHolds,
    /** The transport took the replies it had refused: the session may read input again. */
    private readonly drained: () => void,
  ) {}

  add(bytes: Buffer): void {
    this.outgoing.push(bytes);
    this.outgoingBytes += bytes.length;
  }

  /** Enough is gathered to write it without waiting for the rest of the pipeline. */
  get full(): boolean {
    return this.outgoingBytes >= OUTPUT_BATCH;
  }

  flush(): void {
    if (this.outgoing.length === 0) return;
    const bytes = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing);
    this.outgoing = [];
    this.outgoingBytes = 0;
    const drained = this.transport.drained;
    if (this.transport.write(bytes) !== false || !drained || this.holds.has('output')) return;
    this.holds.hold('output');
    void drained.call(this.transport).then(() => {
      this.holds.release('output');
      this.drained();
    });
  }
}
