/** A scripted ManageSieve client for the interop tests: send raw commands, read whole responses. */
import { type Socket, connect } from 'node:net';

/** One response: the lines before the status line (literals inlined), and the status line. */
export interface WireResponse {
  readonly data: readonly string[];
  readonly status: 'OK' | 'NO' | 'BYE';
  /** The response code, as sent: `NONEXISTENT`, `QUOTA/MAXSIZE`, `TAG "x"`, or null. */
  readonly code: string | null;
  readonly text: string | null;
}

const STATUS = /^(OK|NO|BYE)(?: \(([^)]*)\))?(?: (.*))?$/;

export class WireClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<{ client: WireClient; greeting: WireResponse }> {
    const client = new WireClient(connect(port, '127.0.0.1'));
    return { client, greeting: await client.response() };
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private async more(): Promise<void> {
    if (this.ended)
      throw new Error(`connection closed; left: ${JSON.stringify(this.buffer.toString())}`);
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** One line, with the literals it announces (`{n}` at its end) read in. */
  private async line(): Promise<string> {
    let text = '';
    for (;;) {
      let lf = this.buffer.indexOf(0x0a);
      while (lf === -1) {
        await this.more();
        lf = this.buffer.indexOf(0x0a);
      }
      const part = this.buffer.subarray(0, lf).toString('utf8').replace(/\r$/, '');
      this.buffer = this.buffer.subarray(lf + 1);
      const literal = /\{(\d+)\}$/.exec(part);
      if (!literal) return text + part;
      const size = Number(literal[1]);
      while (this.buffer.length < size) await this.more();
      text += `${part.slice(0, literal.index)}${JSON.stringify(this.buffer.subarray(0, size).toString('utf8'))}`;
      this.buffer = this.buffer.subarray(size);
    }
  }

  async response(): Promise<WireResponse> {
    const data: string[] = [];
    for (;;) {
      const line = await this.line();
      const status = STATUS.exec(line);
      if (status) {
        return {
          data,
          status: status[1] as WireResponse['status'],
          code: status[2] ?? null,
          text: status[3] ?? null,
        };
      }
      data.push(line);
    }
  }

  /** Sends raw bytes (a whole command, CRLF included) and reads the response. */
  async send(command: string | Buffer): Promise<WireResponse> {
    this.socket.write(command);
    return this.response();
  }

  /** Sends bytes, reads nothing. */
  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  async closed(): Promise<void> {
    while (!this.ended) await this.more().catch(() => undefined);
  }

  close(): void {
    this.socket.destroy();
  }
}
