/** What a line protocol's session (POP3, ManageSieve) offers the driver of its tests. */
export interface DrivenSession {
  start(): void;
  receive(bytes: Uint8Array): void;
  /** Resolves once the input received so far has been handled and answered. */
  idle(): Promise<void>;
}

/**
 * Drives a line protocol's session with bytes, no sockets: it is the session's transport (the
 * shape of node-listeners' `SocketTransport`), records what the session writes, and can hold
 * writes back to test backpressure. A protocol's harness extends it and makes the session,
 * with itself as the transport.
 */
export abstract class LineSessionDriver<S extends DrivenSession> {
  abstract readonly session: S;
  private output: Buffer[] = [];
  closed = false;
  paused = false;
  tlsStarted = 0;
  /** Writes before `write` starts returning false; Infinity: never full. */
  writesBeforeFull = Infinity;
  private drainWaiters: (() => void)[] = [];
  writes = 0;

  /** `encoding`: how `take()` reads what was written (`latin1` keeps every octet). */
  constructor(private readonly encoding: BufferEncoding) {}

  write(bytes: Uint8Array): boolean {
    this.output.push(Buffer.from(bytes));
    this.writes++;
    return this.writes < this.writesBeforeFull;
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Lets writers waiting for the transport go on. */
  release(): void {
    this.writesBeforeFull = Infinity;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  get waitingForDrain(): boolean {
    return this.drainWaiters.length > 0;
  }

  async startTls(): Promise<void> {
    this.tlsStarted++;
  }

  close(): void {
    this.closed = true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** The greeting. */
  async start(): Promise<string> {
    this.session.start();
    await this.session.idle();
    return this.take();
  }

  /** Sends raw bytes and returns everything the session wrote in answer. */
  async send(text: string | Buffer): Promise<string> {
    this.session.receive(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    await this.session.idle();
    return this.take();
  }

  /** What the session wrote since the last look. */
  take(): string {
    const text = Buffer.concat(this.output).toString(this.encoding);
    this.output = [];
    return text;
  }
}
