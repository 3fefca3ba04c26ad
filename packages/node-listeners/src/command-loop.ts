import type { SocketTransport } from './session-server.js';

/** A protocol's incremental reader: bytes in, whole commands (or its events) out. */
export interface CommandInput<E> {
  push(bytes: Uint8Array): void;
  /** The next complete event, or null until more bytes come. */
  next(): E | null;
  /** Octets received and not yet taken as events. */
  readonly buffered: number;
}

export interface CommandLoopOptions<E> {
  readonly transport: SocketTransport;
  readonly input: CommandInput<E>;
  /**
   * Octets of unread input past which the client is not read until the session catches up:
   * a client pipelining faster than it is answered cannot fill memory.
   */
  readonly pendingInput: number;
  /** Handles one event to its end; the next waits for it. */
  readonly handle: (event: E) => Promise<void>;
  /** A handler threw (only a bug does): log it and tell the client; the loop goes on. */
  readonly handlerFailed: (error: unknown) => void;
  /** The session takes no more commands (closed, or POP3's UPDATE). */
  readonly stopped: () => boolean;
  /** `shutdown()` was asked: end the session, as the protocol says, at a command boundary. */
  readonly shutDown: () => void;
  /** A group of answers was written (POP3 starts reading the next messages ahead then). */
  readonly written?: () => void;
}

/**
 * Octets of answers gathered before they are written even though pipelined commands wait: a
 * group's answers go out in one write, but a batch at a time, each once the transport took the
 * last, so that a client pipelining without reading cannot make the session hold them all.
 */
const WRITE_BATCH = 64 * 1024;

/**
 * The command loop of a line protocol's session (POP3, ManageSieve): commands are handled one
 * at a time, in order, so pipelined input just waits its turn; answers are gathered and written
 * per group with backpressure; the client is not read past `pendingInput`; and bad commands are
 * counted in a row. What each command means stays in the protocol's session.
 */
export class CommandLoop<E> {
  private started = false;
  private running: Promise<void> = Promise.resolve();
  private handling = false;
  /** `shutdown()` was called: end at the next command boundary. */
  private draining = false;
  /** Input came since the running loop last looked. */
  private inputArrived = false;
  private paused = false;
  private closed = false;
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private failures = 0;
  /** What must be over before the session is idle, once it ended (the end being reported). */
  private ending: Promise<void> | null = null;

  constructor(private readonly options: CommandLoopOptions<E>) {}

  /** Whether a command is being handled. */
  get busy(): boolean {
    return this.handling;
  }

  /** Starts taking commands (after the greeting). */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    const { input, pendingInput, transport } = this.options;
    input.push(bytes);
    this.inputArrived = true;
    if (input.buffered > pendingInput && !this.paused) {
      this.paused = true;
      transport.pause();
    }
    this.pump();
  }

  /** Queues an answer; it goes out with the rest of its group. */
  send(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.outgoing.push(bytes);
    this.outgoingBytes += bytes.length;
  }

  /** Writes the answers gathered, and waits until the transport can take more. */
  async flush(): Promise<void> {
    if (this.outgoing.length === 0) return;
    const bytes = this.takeOutgoing();
    if (this.closed) return;
    if (!this.options.transport.write(bytes)) await this.options.transport.drain();
  }

  /** Enough is gathered to write it without waiting for the rest of the pipeline. */
  get batchFull(): boolean {
    return this.outgoingBytes >= WRITE_BATCH;
  }

  /** A command failed; returns how many did in a row (a command that succeeds resets it). */
  commandFailed(): number {
    return ++this.failures;
  }

  /** Writes what is gathered and closes the transport; nothing is written after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.outgoing.length > 0) this.options.transport.write(this.takeOutgoing());
    this.options.transport.close();
  }

  /** The connection is gone: nothing more is written. */
  disconnected(): void {
    this.closed = true;
  }

  /**
   * The server is stopping: the session ends now if it waits for a command, or once the
   * command in progress is done.
   */
  shutdown(): void {
    this.draining = true;
    if (!this.handling) this.options.shutDown();
  }

  /** `idle()` resolves only once `ending` is over too (the session's end being reported). */
  endWith(ending: Promise<void>): void {
    this.ending = ending;
    this.running = this.running.then(() => ending);
  }

  /** Resolves once the input received so far has been handled and answered. */
  async idle(): Promise<void> {
    for (let current = this.running; ; current = this.running) {
      await current;
      if (current === this.running) return;
    }
  }

  private takeOutgoing(): Buffer {
    const bytes = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing);
    this.outgoing = [];
    this.outgoingBytes = 0;
    return bytes;
  }

  private pump(): void {
    if (this.handling || !this.started || this.options.stopped()) return;
    this.handling = true;
    this.running = this.run().finally(() => {
      this.handling = false;
      // Input that came after the loop last looked, before this callback ran.
      if (this.inputArrived) this.pump();
    });
  }

  private async run(): Promise<void> {
    const { input, pendingInput, transport } = this.options;
    for (;;) {
      this.inputArrived = false;
      await this.handleBuffered();
      await this.flush();
      this.options.written?.();
      if (this.paused && input.buffered <= pendingInput) {
        this.paused = false;
        transport.resume();
      }
      // Bytes that came while the last answer was being written may hold whole commands.
      if (!this.inputArrived || this.options.stopped()) break;
    }
    // A session that ended while this ran is idle once its end is reported.
    if (this.ending) await this.ending;
  }

  private async handleBuffered(): Promise<void> {
    while (!this.options.stopped()) {
      if (this.draining) return this.options.shutDown();
      const event = this.options.input.next();
      if (!event) return;
      const failuresBefore = this.failures;
      try {
        await this.options.handle(event);
      } catch (error) {
        // Only a bug gets here; the client is told, the session goes on.
        this.options.handlerFailed(error);
      }
      // Bad commands are counted in a row, as Dovecot counts them: a long session of a client
      // that now and then asks for something that is not there is never cut off.
      if (this.failures === failuresBefore) this.failures = 0;
      if (this.batchFull) await this.flush();
    }
  }
}
