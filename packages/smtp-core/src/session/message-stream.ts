/**
 * The message body on its way from the socket to the application's hook: an async iterable the
 * session pushes chunks into. Bounded: when the application reads slower than the client sends,
 * `full` tells the transport to stop reading the socket until `onDrain`, so a 50 MB message never
 * sits in memory. `abort` ends the stream with an error, for a message the session refuses midway.
 */
export class MessageStream implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private drained: (() => void) | null = null;

  constructor(private readonly highWaterMark = 1024 * 1024) {}

  /** Whether the reader is behind by more than the high-water mark. */
  get full(): boolean {
    return this.buffered >= this.highWaterMark;
  }

  /** Called once when the reader has caught up again after `full`. */
  onDrain(callback: () => void): void {
    this.drained = callback;
  }

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  abort(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.ended = true;
    this.chunks.length = 0;
    this.buffered = 0;
    this.notify();
    this.releaseDrain();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.buffered -= chunk.length;
        if (!this.full) this.releaseDrain();
        yield chunk;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private releaseDrain(): void {
    const drained = this.drained;
    this.drained = null;
    drained?.();
  }
}

/** The error a refused message's stream ends with; hooks should let it propagate. */
export class MessageAbortedError extends Error {
  override readonly name = 'MessageAbortedError';
}
