/**
 * A server on the other end of an in-memory ClientTransport, for driving the client engine with
 * bytes: it reads what the client writes (command lines, DATA with dot-unstuffing, BDAT chunks),
 * answers like a plain ESMTP server unless a test's `respond` says otherwise, and runs the real
 * SASL server of @mailyard/sasl for AUTH. When the client waits and the server has nothing to
 * say, `read` rejects as a timeout would (the fake clock: no real waiting).
 */
import { SaslServer, type SaslWireSession } from '@mailyard/sasl';
import type { ClientPhase, ClientTransport } from '../../src/client/client-transport.js';
import { SmtpClientError } from '../../src/client/smtp-client-error.js';

export interface ScriptOptions {
  readonly greeting?: string;
  /** EHLO keywords, one per line after the domain. */
  readonly extensions?: readonly string[];
  readonly lmtp?: boolean;
  /** Answer a command line; return undefined for the default answer, null for silence. */
  readonly respond?: (line: string, server: ScriptedServer) => string | null | undefined;
  /** The answer after a message's data (one per accepted recipient for LMTP). */
  readonly afterData?: (message: Buffer, server: ScriptedServer) => string;
  /** The answer to the n-th (1-based) BDAT chunk that is not the last; default 250. */
  readonly afterChunk?: (n: number) => string | undefined;
  /** Hand the client its bytes one at a time (exercises the incremental reply parser). */
  readonly trickle?: boolean;
  /** Passwords for AUTH; the SASL server allows plaintext mechanisms without TLS. */
  readonly users?: Record<string, string>;
  readonly tokens?: Record<string, string>;
  /** Starting TLS fails (the handshake, after the 220). */
  readonly tlsFails?: boolean;
}

export class ScriptedServer implements ClientTransport {
  readonly commands: string[] = [];
  readonly messages: Buffer[] = [];
  /** Every chunk the client wrote, as written (to check pipelining and what went in one write). */
  readonly writes: string[] = [];
  readonly phases: ClientPhase[] = [];
  secure = false;
  closed = false;
  private inbox = Buffer.alloc(0);
  private outbox: Buffer[] = [];
  private mode: 'command' | 'data' | 'bdat' | 'auth' = 'command';
  private bdatRemaining = 0;
  private bdatLast = false;
  private chunksSeen = 0;
  private message: Buffer[] = [];
  private accepted = 0;
  private sasl: SaslWireSession | null = null;
  private processing: Promise<void> = Promise.resolve();
  private readonly saslServer: SaslServer;

  constructor(readonly options: ScriptOptions = {}) {
    this.say(options.greeting ?? '220 mx.test ESMTP ready');
    const users = options.users ?? {};
    const tokens = options.tokens ?? {};
    this.saslServer = new SaslServer({
      hostname: 'mx.test',
      service: 'smtp',
      allowPlaintext: true,
      mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
      nonce: () => 'fixed-nonce',
      credentials: {
        verifyPassword: async (login, password) =>
          users[login] === password ? { id: login } : null,
        plaintextPassword: async (login) => users[login] ?? null,
        findUser: async (login) => (users[login] !== undefined ? { id: login } : null),
        verifyToken: async (token, request) =>
          tokens[request.user ?? ''] === token
            ? { valid: true, user: request.user ?? '' }
            : { valid: false, status: 'invalid_token' },
      },
    });
  }

  say(text: string): void {
    this.outbox.push(Buffer.from(`${text.replace(/\n/g, '\r\n')}\r\n`, 'utf8'));
  }

  write(bytes: Uint8Array, phase: ClientPhase): Promise<void> {
    if (this.closed) return Promise.reject(new SmtpClientError('connection', 'closed'));
    this.writes.push(Buffer.from(bytes).toString('latin1'));
    this.phases.push(phase);
    this.processing = this.processing.then(() => this.process(Buffer.from(bytes)));
    return Promise.resolve();
  }

  async read(phase: ClientPhase): Promise<Uint8Array | null> {
    await this.processing;
    const next = this.outbox.shift();
    if (next) {
      if (this.options.trickle && next.length > 1) {
        this.outbox.unshift(next.subarray(1));
        return next.subarray(0, 1);
      }
      return next;
    }
    if (this.closed) return null;
    throw new SmtpClientError('timeout', `no answer (${phase})`);
  }

  async startTls(): Promise<void> {
    if (this.options.tlsFails)
      throw new SmtpClientError('tls', 'TLS handshake failed: bad certificate');
    this.outbox = [];
    this.secure = true;
  }

  close(): void {
    this.closed = true;
  }

  /** Ends the connection from the server's side: the client reads end of stream. */
  hangUp(): void {
    this.closed = true;
  }

  private async process(bytes: Buffer): Promise<void> {
    this.inbox = Buffer.concat([this.inbox, bytes]);
    for (;;) {
      if (this.mode === 'data') {
        const end = findEndOfData(this.inbox, this.message.length === 0);
        if (end === null) return;
        this.message.push(this.inbox.subarray(0, end.bodyEnd));
        this.inbox = this.inbox.subarray(end.next);
        this.finishMessage(unstuff(Buffer.concat(this.message)));
        continue;
      }
      if (this.mode === 'bdat') {
        const take = Math.min(this.bdatRemaining, this.inbox.length);
        this.message.push(this.inbox.subarray(0, take));
        this.inbox = this.inbox.subarray(take);
        this.bdatRemaining -= take;
        if (this.bdatRemaining > 0) return;
        this.mode = 'command';
        if (this.bdatLast) this.finishMessage(Buffer.concat(this.message));
        else this.say(this.options.afterChunk?.(++this.chunksSeen) ?? '250 2.0.0 chunk accepted');
        continue;
      }
      const lineEnd = this.inbox.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = this.inbox.subarray(0, lineEnd).toString('utf8');
      this.inbox = this.inbox.subarray(lineEnd + 2);
      if (this.mode === 'auth') {
        this.commands.push(line);
        await this.saslStep(await this.sasl!.respond(line));
        continue;
      }
      this.commands.push(line);
      const custom = this.options.respond?.(line, this);
      if (custom === null) continue;
      if (custom !== undefined) {
        this.say(custom);
        if (/^354/.test(custom)) this.startData();
        continue;
      }
      await this.defaultAnswer(line);
    }
  }

  private async defaultAnswer(line: string): Promise<void> {
    const verb = line.split(' ')[0]!.toUpperCase();
    switch (verb) {
      case 'EHLO':
      case 'LHLO': {
        const lines = ['mx.test hello', ...(this.options.extensions ?? [])];
        this.say(
          lines.map((text, i) => `250${i === lines.length - 1 ? ' ' : '-'}${text}`).join('\n'),
        );
        return;
      }
      case 'HELO':
        return this.say('250 mx.test');
      case 'MAIL':
        this.accepted = 0;
        return this.say('250 2.1.0 sender ok');
      case 'RCPT':
        this.accepted++;
        return this.say('250 2.1.5 recipient ok');
      case 'DATA':
        this.say('354 go ahead');
        return this.startData();
      case 'BDAT': {
        const [, size = '0', last] = line.split(' ');
        if (this.mode !== 'bdat' && this.message.length === 0) this.message = [];
        this.bdatRemaining = Number(size);
        this.bdatLast = last?.toUpperCase() === 'LAST';
        this.mode = 'bdat';
        if (this.bdatRemaining === 0) {
          this.mode = 'command';
          if (this.bdatLast) this.finishMessage(Buffer.concat(this.message));
          else this.say('250 2.0.0 chunk accepted');
        }
        return;
      }
      case 'STARTTLS':
        return this.say('220 2.0.0 ready to start TLS');
      case 'AUTH': {
        const [, mechanism = '', initial] = line.split(' ');
        this.sasl = this.saslServer.start(mechanism, { secure: this.secure });
        if (!this.sasl) return this.say('504 5.5.4 unknown mechanism');
        return this.saslStep(await this.sasl.start(initial));
      }
      case 'RSET':
        this.message = [];
        return this.say('250 2.0.0 reset');
      case 'NOOP':
        return this.say('250 2.0.0 ok');
      case 'QUIT':
        this.say('221 2.0.0 bye');
        this.closed = true;
        return;
      default:
        return this.say('500 5.5.1 unknown command');
    }
  }

  private async saslStep(step: Awaited<ReturnType<SaslWireSession['start']>>): Promise<void> {
    if (step.type === 'challenge') {
      this.mode = 'auth';
      return this.say(`334 ${step.challenge}`);
    }
    this.mode = 'command';
    this.sasl = null;
    if (step.type === 'success') return this.say('235 2.7.0 authenticated');
    return this.say('535 5.7.8 authentication failed');
  }

  private startData(): void {
    this.mode = 'data';
    this.message = [];
  }

  private finishMessage(message: Buffer): void {
    this.mode = 'command';
    this.message = [];
    this.messages.push(message);
    if (this.options.afterData) return this.say(this.options.afterData(message, this));
    const replies = this.options.lmtp ? Math.max(1, this.accepted) : 1;
    for (let i = 0; i < replies; i++) this.say('250 2.0.0 queued');
  }
}

/** Where `CRLF.CRLF` ends the data (or `.CRLF` at the very start of an empty message). */
function findEndOfData(buffer: Buffer, atStart: boolean): { bodyEnd: number; next: number } | null {
  if (atStart && buffer.subarray(0, 3).toString('latin1') === '.\r\n')
    return { bodyEnd: 0, next: 3 };
  const at = buffer.indexOf('\r\n.\r\n');
  if (at < 0) return null;
  return { bodyEnd: at + 2, next: at + 5 };
}

function unstuff(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/(^|\r\n)\.\./g, '$1.'), 'latin1');
}
