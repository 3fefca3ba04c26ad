import { apopDigest, greetingTimestamp } from '../protocol/apop.js';
import {
  type ResponseEvent,
  ResponseReader,
  type StatusLine,
} from '../protocol/response-reader.js';

/** What the client session needs from its connection; `connectPop3` provides it over Node. */
export interface Pop3ClientTransport {
  write(bytes: Uint8Array): void;
  /** Upgrades the connection to TLS after the server's `+OK` to STLS. */
  startTls(): Promise<void>;
  close(): void;
}

export type Pop3ClientErrorCode =
  /** The server answered `-ERR`; `status` has its text and response code. */
  | 'negative'
  /** The server's bytes are not POP3 (or the status line is absurdly long). */
  | 'protocol'
  /** The connection ended before the answer came. */
  | 'closed'
  /** A message was bigger than `maxMessageSize`; it was read and dropped. */
  | 'too-big';

/** Why a client command failed. */
export class Pop3ClientError extends Error {
  override readonly name = 'Pop3ClientError';

  constructor(
    readonly code: Pop3ClientErrorCode,
    message: string,
    /** The server's `-ERR` line, for `negative`. */
    readonly status: Extract<StatusLine, { type: 'err' }> | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Pop3ClientOptions {
  /** Octets of a retrieved message we keep; a bigger one fails as `too-big`. Default 64 MiB. */
  readonly maxMessageSize?: number;
  /** Octets of a status line (and of each line of LIST, UIDL, CAPA). Default 4096. */
  readonly maxLine?: number;
  /** Entries of LIST, UIDL or CAPA answers kept. Default 1,000,000. */
  readonly maxListing?: number;
}

interface Pending {
  /** `true`: a multi-line answer follows a `+OK` (LIST, UIDL, RETR, TOP, CAPA). */
  readonly multiline: boolean;
  /** Called with each piece of text of a multi-line answer. */
  readonly onData?: (chunk: Buffer) => void;
  status: StatusLine | null;
  resolve(status: StatusLine): void;
  reject(error: Error): void;
}

export const DEFAULT_CLIENT_MAX_MESSAGE = 64 * 1024 * 1024;
const DEFAULT_MAX_LISTING = 1_000_000;

/**
 * The client side of POP3, without I/O: commands out through the transport, the server's bytes
 * in through `receive`, one promise per command. Commands may be issued without waiting for the
 * previous answer (RFC 2449 PIPELINING); answers are matched to commands in order.
 */
export class Pop3ClientSession {
  private readonly reader: ResponseReader;
  private readonly queue: Pending[] = [];
  private failure: Pop3ClientError | null = null;
  private readonly maxMessageSize: number;
  private readonly maxListing: number;
  /** The greeting's APOP timestamp, once the greeting is in. */
  timestamp: string | null = null;
  readonly greeting: Promise<string>;
  /** The server's capabilities from the last `capa()`, upper-case tag → arguments. */
  capabilities: Map<string, string[]> | null = null;

  constructor(
    private readonly transport: Pop3ClientTransport,
    options: Pop3ClientOptions = {},
  ) {
    this.reader = new ResponseReader(options.maxLine);
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_CLIENT_MAX_MESSAGE;
    this.maxListing = options.maxListing ?? DEFAULT_MAX_LISTING;
    this.greeting = this.expect(false).then((status) => {
      const text = positive(status, 'greeting');
      this.timestamp = greetingTimestamp(text);
      return text;
    });
    // The greeting may fail before anyone awaits it; the rejection is seen by whoever does.
    this.greeting.catch(() => undefined);
  }

  /** Bytes from the server. */
  receive(bytes: Uint8Array): void {
    if (this.failure) return;
    this.reader.push(bytes);
    for (let event: ResponseEvent | null; (event = this.reader.next());) {
      if (!this.handle(event)) return;
    }
  }

  /** The connection ended; every command still waiting fails. */
  closed(cause?: unknown): void {
    this.fail(
      new Pop3ClientError('closed', 'the connection closed', null, cause ? { cause } : undefined),
    );
  }

  /** CAPA; null when the server does not know it (RFC 1939 servers). */
  async capa(): Promise<Map<string, string[]> | null> {
    const lines: string[] = [];
    const status = await this.send('CAPA', true, this.lines(lines));
    if (status.type !== 'ok') return null;
    const capabilities = new Map<string, string[]>();
    for (const line of lines) {
      const [tag, ...args] = line.split(' ').filter((word) => word !== '');
      if (tag) capabilities.set(tag.toUpperCase(), args);
    }
    this.capabilities = capabilities;
    return capabilities;
  }

  /** STLS (RFC 2595), then the TLS handshake; what was learned before (CAPA) is forgotten. */
  async stls(): Promise<void> {
    positive(await this.send('STLS', false), 'STLS');
    this.capabilities = null;
    await this.transport.startTls();
  }

  /** USER and PASS (Kerio's "Plain" authentication). */
  async login(user: string, password: string): Promise<void> {
    const pipelined = this.capabilities?.has('PIPELINING') ?? false;
    const userAnswer = this.send(`USER ${user}`, false);
    if (!pipelined) positive(await userAnswer, 'USER');
    const passAnswer = this.send(`PASS ${password}`, false);
    if (pipelined) positive(await userAnswer, 'USER');
    positive(await passAnswer, 'PASS');
  }

  /** APOP (RFC 1939 7): the password never crosses the wire. Needs the greeting's timestamp. */
  async apop(user: string, password: string): Promise<void> {
    await this.greeting;
    if (this.timestamp === null) {
      throw new Pop3ClientError('protocol', 'the server offers no APOP timestamp');
    }
    positive(
      await this.send(`APOP ${user} ${apopDigest(this.timestamp, password)}`, false),
      'APOP',
    );
  }

  async stat(): Promise<{ count: number; size: number }> {
    const text = positive(await this.send('STAT', false), 'STAT');
    const match = /^(\d+) (\d+)/.exec(text);
    if (!match) throw new Pop3ClientError('protocol', `bad STAT answer: ${text}`);
    return { count: Number(match[1]), size: Number(match[2]) };
  }

  /** LIST: every message's number and size. */
  async list(): Promise<{ number: number; size: number }[]> {
    const lines: string[] = [];
    positive(await this.send('LIST', true, this.lines(lines)), 'LIST');
    return lines.map((line) => {
      const match = /^(\d+) (\d+)/.exec(line);
      if (!match) throw new Pop3ClientError('protocol', `bad LIST line: ${line}`);
      return { number: Number(match[1]), size: Number(match[2]) };
    });
  }

  /** UIDL: every message's unique id; null when the server has no UIDL. */
  async uidl(): Promise<{ number: number; uid: string }[] | null> {
    const lines: string[] = [];
    const status = await this.send('UIDL', true, this.lines(lines));
    if (status.type !== 'ok') return null;
    return lines.map((line) => {
      const match = /^(\d+) ([\x21-\x7e]{1,70})$/.exec(line.trimEnd());
      if (!match) throw new Pop3ClientError('protocol', `bad UIDL line: ${line}`);
      return { number: Number(match[1]), uid: match[2]! };
    });
  }

  /** RETR: the message as sent, unstuffed, line endings CRLF (or whatever the server sent). */
  retrieve(number: number): Promise<Buffer> {
    return this.collect(`RETR ${number}`);
  }

  /** TOP: the header and `lines` lines of the body. */
  top(number: number, lines: number): Promise<Buffer> {
    return this.collect(`TOP ${number} ${lines}`);
  }

  async dele(number: number): Promise<void> {
    positive(await this.send(`DELE ${number}`, false), 'DELE');
  }

  async rset(): Promise<void> {
    positive(await this.send('RSET', false), 'RSET');
  }

  async noop(): Promise<void> {
    positive(await this.send('NOOP', false), 'NOOP');
  }

  /** QUIT: the server's UPDATE state; resolves once it says the deletions are done. */
  async quit(): Promise<void> {
    const status = await this.send('QUIT', false);
    this.transport.close();
    positive(status, 'QUIT');
  }

  private async collect(command: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    const status = await this.send(command, true, (chunk) => {
      size += chunk.length;
      if (size > this.maxMessageSize) {
        // Read on to the end (the stream must stay in step), keeping nothing.
        tooBig = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    positive(status, command.split(' ')[0]!);
    if (tooBig) {
      throw new Pop3ClientError(
        'too-big',
        `${command}: message over ${this.maxMessageSize} octets`,
      );
    }
    return Buffer.concat(chunks);
  }

  /** A collector of a multi-line answer's lines, bounded in count and length. */
  private lines(into: string[]): (chunk: Buffer) => void {
    let partial = '';
    return (chunk) => {
      partial += chunk.toString('latin1');
      const parts = partial.split('\n');
      partial = parts.pop()!;
      if (partial.length > 4096) partial = partial.slice(0, 4096);
      for (const part of parts) {
        if (into.length < this.maxListing) into.push(part.replace(/\r$/, ''));
      }
    };
  }

  private send(command: string, multiline: boolean, onData?: (chunk: Buffer) => void) {
    const answer = this.expect(multiline, onData);
    if (!this.failure) this.transport.write(Buffer.from(`${command}\r\n`, 'utf8'));
    return answer;
  }

  private expect(multiline: boolean, onData?: (chunk: Buffer) => void): Promise<StatusLine> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<StatusLine>((resolve, reject) => {
      this.queue.push({ multiline, ...(onData ? { onData } : {}), status: null, resolve, reject });
    });
  }

  /** Returns false once the stream is broken. */
  private handle(event: ResponseEvent): boolean {
    const head = this.queue[0];
    if (event.type === 'overlong') {
      this.fail(new Pop3ClientError('protocol', 'status line too long'));
      return false;
    }
    if (!head) {
      this.fail(new Pop3ClientError('protocol', 'the server sent an answer nobody asked for'));
      return false;
    }
    if (event.type === 'status') {
      const status = event.status;
      if (status.type === 'invalid' || status.type === 'continuation') {
        this.fail(new Pop3ClientError('protocol', `not a POP3 answer: ${JSON.stringify(status)}`));
        return false;
      }
      if (head.multiline && status.type === 'ok') {
        head.status = status;
        this.reader.expectData();
        return true;
      }
      this.queue.shift();
      head.resolve(status);
      return true;
    }
    if (event.type === 'data') {
      head.onData?.(event.chunk);
      return true;
    }
    this.queue.shift();
    head.resolve(head.status!);
    return true;
  }

  private fail(error: Pop3ClientError): void {
    if (this.failure) return;
    this.failure = error;
    for (const pending of this.queue.splice(0)) pending.reject(error);
    this.transport.close();
  }
}

function positive(status: StatusLine, what: string): string {
  if (status.type === 'ok') return status.text;
  if (status.type === 'err') {
    const code = status.code ? `[${status.code}] ` : '';
    throw new Pop3ClientError('negative', `${what}: -ERR ${code}${status.text}`, status);
  }
  throw new Pop3ClientError('protocol', `${what}: unexpected answer`);
}
