import { type Socket, connect } from 'node:net';

/** How long a command may go unanswered before the run fails. */
const STALL_SECONDS = 120;
/** The end of a response kept for the caller: enough for a SELECT's untagged lines. */
const TAIL = 16 * 1024;

/** A command's outcome: its tagged status, how long it took, and the end of what came back. */
export interface Reply {
  readonly status: 'OK' | 'NO' | 'BAD';
  readonly seconds: number;
  /** The last octets of the response (untagged lines and the tagged one), Latin-1. */
  readonly text: string;
}

/**
 * The benchmarks' IMAP client over TCP: tagged commands one at a time, each answer awaited, the
 * octets counted. Small on purpose: a client library's own costs would be measured too.
 */
export class ImapBenchClient {
  private buffer = '';
  private waiting: { pattern: RegExp; resolve: (text: string) => void } | null = null;
  private tag = 0;
  received = 0;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      // Only the end matters for finding the tagged reply; keep a bounded tail.
      this.buffer = (this.buffer + chunk.toString('latin1')).slice(-TAIL);
      if (this.waiting && this.waiting.pattern.test(this.buffer)) {
        const { resolve } = this.waiting;
        const text = this.buffer;
        this.waiting = null;
        this.buffer = '';
        resolve(text);
      }
    });
  }

  /** Connects, reads the greeting, and logs in unless `login` is null. */
  static async connect(
    port: number,
    login: { user: string; password: string } | null,
  ): Promise<ImapBenchClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new ImapBenchClient(socket);
    await client.until(/\r\n$/);
    if (login) {
      const reply = await client.exchange(`LOGIN ${login.user} ${login.password}`);
      if (reply.status !== 'OK') throw new Error(`LOGIN failed: ${reply.text.slice(-200)}`);
    }
    return client;
  }

  /** Sends a command; resolves with the seconds until its tagged reply. */
  async command(text: string | Buffer): Promise<number> {
    return (await this.exchange(text)).seconds;
  }

  /** Sends a command; resolves with its tagged reply. */
  async exchange(text: string | Buffer): Promise<Reply> {
    const tag = `T${++this.tag}`;
    const start = process.hrtime.bigint();
    const done = this.until(new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r]*\\r\\n$`));
    this.socket.write(
      typeof text === 'string'
        ? `${tag} ${text}\r\n`
        : Buffer.concat([Buffer.from(`${tag} `), text]),
    );
    // A reply that never comes is a server bug; say which command it was instead of hanging.
    let watchdog: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => {
        const sent = String(text).slice(0, 60).split('\r\n')[0];
        reject(
          new Error(
            `no reply to ${tag} ${sent} in ${STALL_SECONDS} s; last bytes: ${JSON.stringify(this.buffer.slice(-300))}`,
          ),
        );
      }, STALL_SECONDS * 1000);
    });
    try {
      const response = await Promise.race([done, silence]);
      const status = new RegExp(`(?:^|\\r\\n)${tag} (OK|NO|BAD)`).exec(
        response,
      )![1] as Reply['status'];
      return { status, seconds: Number(process.hrtime.bigint() - start) / 1e9, text: response };
    } finally {
      clearTimeout(watchdog);
    }
  }

  private until(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      if (pattern.test(this.buffer)) {
        const text = this.buffer;
        this.buffer = '';
        resolve(text);
      } else {
        this.waiting = { pattern, resolve };
      }
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
