/**
 * A raw POP3 connection for scripted sessions: sends a line as given and reads back exactly the
 * response it gets, as bytes, so that two servers' answers can be compared byte for byte. It
 * knows only POP3's framing (a status line, and for `+OK` to a multi-line command the text up to
 * the `.` line), none of its meaning: our client stays out of it, so it cannot hide a server's
 * mistakes behind its own.
 */
import { type Socket, connect } from 'node:net';

/** What came back for one line sent: the bytes, and whether the server hung up after them. */
export interface ScriptedReply {
  readonly bytes: Buffer;
  readonly closed: boolean;
}

const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n');

/**
 * Whether a `+OK` to this command line is followed by text and a `.` line (RFC 1939, RFC 2449
 * CAPA, and a bare AUTH listing the mechanisms, as Dovecot and we answer it).
 */
export function expectsMultiline(line: string): boolean {
  const [keyword = '', ...args] = line.split(' ').filter((word) => word !== '');
  switch (keyword.toUpperCase()) {
    case 'RETR':
    case 'TOP':
    case 'CAPA':
      return true;
    case 'LIST':
    case 'UIDL':
    case 'AUTH':
      return args.length === 0;
    default:
      return false;
  }
}

export class ScriptedPop3Connection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /**
   * Connects and reads the greeting. `localAddress` picks the loopback address to connect from:
   * servers that slow down failed logins per client address (Dovecot's auth penalty) then see
   * each script as a new client.
   */
  static async open(
    port: number,
    localAddress = '127.0.0.1',
  ): Promise<{ connection: ScriptedPop3Connection; greeting: string }> {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const connection = new ScriptedPop3Connection(socket);
    const greeting = await connection.read(false);
    return { connection, greeting: greeting.bytes.toString('latin1') };
  }

  /**
   * Sends raw bytes (a line with its CRLF, or anything else) and reads one response; `multiline`
   * says whether a `+OK` has text after it.
   */
  async exchange(bytes: Buffer | string, multiline: boolean): Promise<ScriptedReply> {
    if (!this.ended) this.socket.write(bytes);
    return this.read(multiline);
  }

  /** Whatever the server sends until it closes the connection (or `ms` pass). */
  async rest(ms = 3000): Promise<ScriptedReply> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await this.wait(deadline - Date.now());
    return this.take(this.buffer.length);
  }

  close(): void {
    this.socket.destroy();
  }

  private async read(multiline: boolean): Promise<ScriptedReply> {
    // Dovecot waits two seconds or more before it answers a failed login (auth_failure_delay).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const end = this.responseEnd(multiline);
      if (end >= 0) return this.take(end);
      if (this.ended || Date.now() > deadline) return this.take(this.buffer.length);
      await this.wait(deadline - Date.now());
    }
  }

  /** Where the response at the front of the buffer ends, or -1 while it is incomplete. */
  private responseEnd(multiline: boolean): number {
    const lf = this.buffer.indexOf(0x0a);
    if (lf < 0) return -1;
    if (!multiline || !this.buffer.subarray(0, 3).equals(Buffer.from('+OK'))) return lf + 1;
    // The status line's own CRLF may be the one in front of the `.` line.
    const end = this.buffer.indexOf(CRLF_DOT_CRLF, lf - 1);
    return end < 0 ? -1 : end + CRLF_DOT_CRLF.length;
  }

  private take(length: number): ScriptedReply {
    const bytes = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return { bytes: Buffer.from(bytes), closed: this.ended && this.buffer.length === 0 };
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = null;
          resolve();
        },
        Math.max(ms, 1),
      );
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
    });
  }

  private wake(): void {
    this.waiter?.();
  }
}
