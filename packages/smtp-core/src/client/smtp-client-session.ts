import type { Envelope, EnvelopeRecipient, MessageSource, RecipientResult } from '../envelope.js';
import {
  ReplyParser,
  type ReplyParserLimits,
  type ServerCapabilities,
  authMechanisms,
  parseEhloReply,
  replyText,
  sizeLimit,
} from '../protocol/reply-parser.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import { encodeXtext } from '../protocol/xtext.js';
import type { ClientPhase, ClientTransport } from './client-transport.js';
import { DataEncoder } from './data-encoder.js';
import {
  type ClientMechanism,
  type SmtpCredentials,
  clientMechanism,
  exposesPassword,
} from './sasl-client.js';
import { SmtpClientError } from './smtp-client-error.js';

export interface SmtpClientSessionOptions {
  /** The name we give in EHLO/HELO/LHLO: our fully qualified host name (RFC 5321 4.1.1.1). */
  readonly clientName: string;
  /** Speak LMTP (RFC 2033): LHLO, no HELO fallback, one reply per recipient after the data. */
  readonly lmtp?: boolean;
  /** The server's name as the DSN's Remote-MTA shows it (the MX host name, usually). */
  readonly remoteMta?: string;
  readonly replyLimits?: Partial<ReplyParserLimits>;
}

export interface SendOptions {
  /**
   * Use BDAT (RFC 3030) when the server offers CHUNKING; default true. BINARYMIME always uses
   * it, and fails without it.
   */
  readonly chunking?: boolean;
  /** Octets per BDAT chunk; default 256 KiB. */
  readonly chunkSize?: number;
  /**
   * A BODY=8BITMIME message for a server that does not offer 8BITMIME: `fail` it with 5.6.3, as
   * RFC 6152 section 3 allows when no conversion is done (the default), or `send` it anyway
   * (what many MTAs do, trusting that the receiver copes with 8-bit data).
   */
  readonly eightBitWithoutSupport?: 'fail' | 'send';
  /** When false, no pipelining even when offered (for servers that claim it and break). */
  readonly pipelining?: boolean;
}

export interface AuthenticateOptions {
  /** Mechanisms to try, in order of preference; the first the server offers is used. */
  readonly mechanisms?: readonly ClientMechanism[];
  /**
   * Allow PLAIN and LOGIN over a connection without TLS; default false, so a password never
   * crosses the network readable unless the application decides so (a relay on a trusted LAN).
   */
  readonly allowInsecure?: boolean;
}

/** The most 334 rounds an AUTH exchange may take before we cancel it: no mechanism here needs more than 2. */
const MAX_AUTH_ROUNDS = 4;
const DEFAULT_CHUNK_SIZE = 256 * 1024;

/**
 * One client connection's conversation (RFC 5321, and RFC 2033 for LMTP), as async steps over
 * an injected {@link ClientTransport}: greeting, EHLO (HELO when EHLO is refused), STARTTLS,
 * AUTH, and mail transactions with PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN, CHUNKING and
 * BINARYMIME. The session never opens a socket and never keeps time; it decides what to send
 * and what each reply means.
 *
 * Steps reject with {@link SmtpClientError} when the conversation cannot go on; what became of
 * each recipient in a transaction is a result, never an error.
 */
export class SmtpClientSession {
  private parser: ReplyParser;
  private readonly replies: SmtpReply[] = [];
  private capabilitiesValue: ServerCapabilities | null = null;
  private greetingValue: SmtpReply | null = null;
  private authenticatedAs: string | null = null;
  private broken: SmtpClientError | null = null;

  constructor(
    private readonly transport: ClientTransport,
    private readonly options: SmtpClientSessionOptions,
  ) {
    this.parser = new ReplyParser(options.replyLimits);
  }

  /** What the last EHLO/LHLO said, or null before it, after HELO, and right after STARTTLS. */
  get capabilities(): ServerCapabilities | null {
    return this.capabilitiesValue;
  }

  get greeting(): SmtpReply | null {
    return this.greetingValue;
  }

  get secure(): boolean {
    return this.transport.secure;
  }

  /** The user AUTH succeeded for, or null. */
  get authenticated(): string | null {
    return this.authenticatedAs;
  }

  /** Whether the server offers an extension (by its EHLO keyword). */
  supports(keyword: string): boolean {
    return this.capabilitiesValue?.extensions.has(keyword.toUpperCase()) ?? false;
  }

  /** Reads the server's greeting; anything but 220 is refused (a 4xx or 5xx: try elsewhere). */
  async readGreeting(): Promise<SmtpReply> {
    const reply = await this.nextReply('greeting');
    this.greetingValue = reply;
    if (reply.code !== 220) {
      throw new SmtpClientError('refused', `greeting refused: ${replyText(reply)}`, reply);
    }
    return reply;
  }

  /**
   * EHLO (LHLO for LMTP). When a server does not know EHLO (500, 502: RFC 5321 3.2), HELO, and
   * then no extensions are in effect.
   */
  async hello(): Promise<SmtpReply> {
    this.capabilitiesValue = null;
    const verb = this.options.lmtp ? 'LHLO' : 'EHLO';
    const reply = await this.command(`${verb} ${this.options.clientName}`, 'command');
    if (reply.code === 250) {
      this.capabilitiesValue = parseEhloReply(reply);
      return reply;
    }
    if (!this.options.lmtp && (reply.code === 500 || reply.code === 502)) {
      const helo = await this.command(`HELO ${this.options.clientName}`, 'command');
      if (helo.code === 250) return helo;
      throw new SmtpClientError('refused', `HELO refused: ${replyText(helo)}`, helo);
    }
    throw new SmtpClientError('refused', `${verb} refused: ${replyText(reply)}`, reply);
  }

  /**
   * STARTTLS (RFC 3207), then EHLO again: what the server said before TLS is forgotten, since a
   * man in the middle could have written it.
   */
  async startTls(): Promise<void> {
    const reply = await this.command('STARTTLS', 'command');
    if (reply.code !== 220) {
      throw new SmtpClientError('tls', `STARTTLS refused: ${replyText(reply)}`, reply);
    }
    // Replies the server (or someone in the path) pipelined after the 220 are not to be trusted.
    this.replies.length = 0;
    this.parser = new ReplyParser(this.options.replyLimits);
    this.capabilitiesValue = null;
    try {
      await this.transport.startTls();
    } catch (error) {
      throw this.fail(
        error instanceof SmtpClientError
          ? error
          : new SmtpClientError('tls', `TLS handshake failed: ${describe(error)}`, undefined, {
              cause: error,
            }),
      );
    }
    await this.hello();
  }

  /**
   * SMTP AUTH (RFC 4954) with the first mechanism of the preference list the server offers.
   * Rejects with kind `auth` when none fits or the server refuses the credentials.
   */
  async authenticate(
    credentials: SmtpCredentials,
    options: AuthenticateOptions = {},
  ): Promise<void> {
    const offered = this.capabilitiesValue ? authMechanisms(this.capabilitiesValue) : [];
    const preference =
      options.mechanisms ??
      ('accessToken' in credentials
        ? (['XOAUTH2'] as const)
        : this.transport.secure
          ? (['PLAIN', 'LOGIN', 'CRAM-MD5'] as const)
          : (['CRAM-MD5', 'PLAIN', 'LOGIN'] as const));
    const usable = preference.filter(
      (mechanism) =>
        offered.includes(mechanism) &&
        (this.transport.secure || options.allowInsecure || !exposesPassword(mechanism)),
    );
    const mechanism = usable[0];
    const steps = mechanism ? clientMechanism(mechanism, credentials) : null;
    if (!mechanism || !steps) {
      throw new SmtpClientError(
        'auth',
        `no usable authentication mechanism (server offers ${offered.join(' ') || 'none'}${
          this.transport.secure ? '' : ', connection not encrypted'
        })`,
      );
    }
    const initial = steps.initialResponse;
    let reply = await this.command(
      `AUTH ${mechanism}${initial ? ` ${initial.length === 0 ? '=' : base64(initial)}` : ''}`,
      'command',
    );
    for (let round = 0; reply.code === 334; round++) {
      const challenge = Buffer.from(reply.lines.join(''), 'base64');
      const response = round < MAX_AUTH_ROUNDS ? steps.respond(challenge, round) : null;
      reply = await this.command(response ? base64(response) : '*', 'command');
    }
    if (reply.code !== 235) {
      throw new SmtpClientError(
        'auth',
        `${mechanism} authentication failed: ${replyText(reply)}`,
        reply,
      );
    }
    this.authenticatedAs = credentials.username;
  }

  /**
   * One mail transaction: MAIL, RCPT for each recipient, then DATA or BDAT. Returns a result for
   * every recipient of the envelope, in its order. What the server cannot take (SIZE over its
   * limit, SMTPUTF8, 8BITMIME or BINARYMIME not offered, REQUIRETLS not possible) fails before
   * anything is sent.
   */
  async send(
    envelope: Envelope,
    message: MessageSource,
    options: SendOptions = {},
  ): Promise<RecipientResult[]> {
    const refusal = this.preflight(envelope, message, options);
    if (refusal) return envelope.recipients.map((r) => this.result(r.address, refusal, false));

    const useBdat =
      envelope.body === 'BINARYMIME' || (options.chunking !== false && this.supports('CHUNKING'));
    const pipelining = options.pipelining !== false && this.supports('PIPELINING');
    const mailLine = this.mailCommand(envelope, message);
    const rcptLines = envelope.recipients.map((recipient) => this.rcptCommand(recipient));

    let mailReply: SmtpReply;
    const rcptReplies: SmtpReply[] = [];
    let dataReply: SmtpReply | null = null;
    if (pipelining) {
      // RFC 2920 3.1: MAIL, the RCPTs and DATA may go in one group; DATA must be its last command.
      const group = [mailLine, ...rcptLines, ...(useBdat ? [] : ['DATA'])];
      const bytes = Buffer.from(group.map((line) => `${line}\r\n`).join(''), 'utf8');
      await this.guard(this.transport.write(bytes, 'mail'));
      mailReply = await this.nextReply('mail');
      for (let i = 0; i < rcptLines.length; i++) rcptReplies.push(await this.nextReply('rcpt'));
      if (!useBdat) dataReply = await this.nextReply('data-init');
    } else {
      mailReply = await this.command(mailLine, 'mail');
      if (mailReply.code === 250) {
        for (const line of rcptLines) rcptReplies.push(await this.command(line, 'rcpt'));
      }
    }

    if (mailReply.code !== 250) {
      if (dataReply?.code === 354) await this.abandonData();
      return envelope.recipients.map((r) => this.result(r.address, mailReply));
    }
    const accepted = envelope.recipients.filter((_, i) => isPositive(rcptReplies[i]));
    const results = new Map<string, RecipientResult>();
    envelope.recipients.forEach((recipient, i) => {
      const reply = rcptReplies[i]!;
      if (!isPositive(reply)) results.set(recipient.address, this.result(recipient.address, reply));
    });
    const finish = () => envelope.recipients.map((r) => results.get(r.address)!);

    if (accepted.length === 0) {
      // RFC 2920 3.1: the server may still have said 354 to the pipelined DATA; end it empty.
      if (dataReply?.code === 354) await this.abandonData();
      else await this.command('RSET', 'command').catch(() => undefined);
      return finish();
    }

    const finalReplies = useBdat
      ? await this.sendChunks(envelope, message, options, accepted.length)
      : await this.sendData(message, dataReply, accepted.length);

    accepted.forEach((recipient, i) => {
      const reply = (this.options.lmtp ? finalReplies[i] : undefined) ?? finalReplies[0]!;
      results.set(recipient.address, this.result(recipient.address, reply));
    });
    if (!finalReplies.every(isPositive) && useBdat) {
      // A refused BDAT leaves the transaction in an unknown state (RFC 3030 section 2): reset.
      await this.command('RSET', 'command').catch(() => undefined);
    }
    return finish();
  }

  /** RSET: abandons the current transaction. */
  async reset(): Promise<SmtpReply> {
    return this.command('RSET', 'command');
  }

  /** QUIT, and the connection closes; never rejects (the mail is already decided by then). */
  async quit(): Promise<void> {
    try {
      if (!this.broken) await this.command('QUIT', 'command');
    } catch {
      // The server hung up first: nothing is lost.
    } finally {
      this.transport.close();
    }
  }

  /** Sends one command line and reads its reply. */
  async command(line: string, phase: ClientPhase): Promise<SmtpReply> {
    this.throwIfBroken();
    await this.guard(this.transport.write(Buffer.from(`${line}\r\n`, 'utf8'), phase));
    return this.nextReply(phase);
  }

  private preflight(
    envelope: Envelope,
    message: MessageSource,
    options: SendOptions,
  ): SmtpReply | null {
    const addresses = [envelope.from, ...envelope.recipients.map((r) => r.address)];
    const needsUtf8 = envelope.smtpUtf8 === true || addresses.some((a) => /[^\x00-\x7f]/.test(a));
    if (needsUtf8 && !this.supports('SMTPUTF8')) {
      // RFC 6531 3.2: without SMTPUTF8 at the next hop the message cannot go as it is.
      return ownReply(
        553,
        '5.6.7',
        'the server does not support SMTPUTF8, which this message needs',
      );
    }
    if (
      envelope.body === 'BINARYMIME' &&
      !(this.supports('BINARYMIME') && this.supports('CHUNKING'))
    ) {
      return ownReply(
        554,
        '5.6.3',
        'the server does not support BINARYMIME, which this message needs',
      );
    }
    if (
      envelope.body === '8BITMIME' &&
      !this.supports('8BITMIME') &&
      options.eightBitWithoutSupport !== 'send'
    ) {
      return ownReply(
        554,
        '5.6.3',
        'the server does not support 8BITMIME, which this message needs',
      );
    }
    const limit = this.capabilitiesValue ? sizeLimit(this.capabilitiesValue) : null;
    if (limit && message.size > limit) {
      // RFC 1870 6.1: a fixed maximum below the message's size is a permanent failure.
      return ownReply(
        552,
        '5.3.4',
        `message size ${message.size} exceeds the server's limit of ${limit}`,
      );
    }
    if (envelope.requireTls && !(this.transport.secure && this.supports('REQUIRETLS'))) {
      return ownReply(
        550,
        '5.7.30',
        'REQUIRETLS needed, and the server does not support it over TLS',
      );
    }
    return null;
  }

  private mailCommand(envelope: Envelope, message: MessageSource): string {
    let line = `MAIL FROM:<${envelope.from}>`;
    if (this.supports('SIZE')) line += ` SIZE=${message.size}`;
    if (envelope.body === 'BINARYMIME') line += ' BODY=BINARYMIME';
    else if (envelope.body === '8BITMIME' && this.supports('8BITMIME')) line += ' BODY=8BITMIME';
    else if (envelope.body === '7BIT' && this.supports('8BITMIME')) line += ' BODY=7BIT';
    if (this.supports('SMTPUTF8') && (envelope.smtpUtf8 || /[^\x00-\x7f]/.test(envelope.from))) {
      line += ' SMTPUTF8';
    }
    if (this.supports('DSN')) {
      if (envelope.ret) line += ` RET=${envelope.ret}`;
      if (envelope.envelopeId !== undefined) line += ` ENVID=${encodeXtext(envelope.envelopeId)}`;
    }
    if (envelope.requireTls) line += ' REQUIRETLS';
    if (envelope.auth !== undefined && this.authenticatedAs !== null && this.supports('AUTH')) {
      line += ` AUTH=${envelope.auth === '' ? '<>' : encodeXtext(envelope.auth)}`;
    }
    return line;
  }

  private rcptCommand(recipient: EnvelopeRecipient): string {
    let line = `RCPT TO:<${recipient.address}>`;
    if (this.supports('DSN')) {
      if (recipient.notify !== undefined) {
        line += ` NOTIFY=${recipient.notify === 'NEVER' ? 'NEVER' : recipient.notify.join(',')}`;
      }
      if (recipient.originalRecipient !== undefined) {
        // ORCPT=addr-type;xtext(address) (RFC 3461 4.2); the type is kept, only the address encoded.
        const [type, ...rest] = recipient.originalRecipient.split(';');
        if (rest.length > 0) line += ` ORCPT=${type};${encodeXtext(rest.join(';'))}`;
      }
    }
    return line;
  }

  private async sendData(
    message: MessageSource,
    dataReply: SmtpReply | null,
    replies: number,
  ): Promise<SmtpReply[]> {
    const go = dataReply ?? (await this.command('DATA', 'data-init'));
    if (go.code !== 354) return [go];
    const encoder = new DataEncoder({ dotStuffing: true });
    try {
      await this.streamMessage(message, async (chunk) => {
        const bytes = encoder.encode(chunk);
        if (bytes.length > 0) await this.transport.write(bytes, 'data-block');
      });
      await this.transport.write(encoder.finish(), 'data-block');
    } catch (error) {
      return [await this.earlyReply(error)];
    }
    return this.finalReplies(replies);
  }

  private async sendChunks(
    envelope: Envelope,
    message: MessageSource,
    options: SendOptions,
    replies: number,
  ): Promise<SmtpReply[]> {
    const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    // Binary bodies go as they are; other bodies still get CRLF line ends (RFC 3030 section 3).
    const encoder = envelope.body === 'BINARYMIME' ? null : new DataEncoder({ dotStuffing: false });
    let pending = Buffer.alloc(0);
    let refused: SmtpReply | null = null;
    const send = async (data: Buffer, last: boolean) => {
      const header = Buffer.from(`BDAT ${data.length}${last ? ' LAST' : ''}\r\n`, 'latin1');
      try {
        await this.transport.write(Buffer.concat([header, data]), 'data-block');
      } catch (error) {
        refused = await this.earlyReply(error);
        return;
      }
      if (!last) {
        const reply = await this.nextReply('data-block');
        if (!isPositive(reply)) refused = reply;
      }
    };
    // A chunk goes out only once more data follows it, so that the last one can say LAST.
    const drain = async () => {
      while (pending.length > chunkSize && !refused) {
        const chunk = pending.subarray(0, chunkSize);
        pending = pending.subarray(chunkSize);
        await send(Buffer.from(chunk), false);
      }
    };
    await this.streamMessage(message, async (chunk) => {
      if (refused) return;
      const bytes = encoder ? encoder.encode(chunk) : chunk;
      pending = Buffer.concat([pending, bytes]);
      await drain();
    });
    if (!refused && encoder) {
      pending = Buffer.concat([pending, encoder.finish()]);
      await drain();
    }
    if (refused) return [refused];
    await send(pending, true);
    if (refused) return [refused];
    return this.finalReplies(replies);
  }

  /** The reply after the end of data: one, or with LMTP one per accepted recipient (RFC 2033 4.2). */
  private async finalReplies(accepted: number): Promise<SmtpReply[]> {
    const replies = [await this.nextReply('data-end')];
    if (!this.options.lmtp) return replies;
    for (let i = 1; i < accepted; i++) {
      try {
        replies.push(await this.nextReply('data-end'));
      } catch (error) {
        // The recipients answered before the break have their mail; only the rest must retry.
        const reason = error instanceof Error ? error.message : String(error);
        while (replies.length < accepted) {
          replies.push(ownReply(451, '4.4.2', `no reply after the data: ${reason}`));
        }
      }
    }
    return replies;
  }

  /**
   * Sending the data failed. A server that refuses a message midway (a size limit, a virus
   * found) may have said why and hung up: when that reply arrived before the break, it decides
   * the recipients (a 5xx is final, not a broken connection to retry); otherwise the original
   * failure stands. The session is over either way.
   */
  private async earlyReply(error: unknown): Promise<SmtpReply> {
    if (error instanceof SmtpClientError && error.kind === 'aborted') throw this.fail(error);
    const failure =
      error instanceof SmtpClientError
        ? error
        : new SmtpClientError('connection', describe(error), undefined, { cause: error });
    let reply: SmtpReply | undefined;
    try {
      reply = await this.nextReply('data-end');
    } catch {
      // Nothing readable came before the break.
    }
    this.broken ??= failure;
    this.transport.close();
    if (reply && reply.code >= 400) return reply;
    throw failure;
  }

  /** A pipelined DATA got 354 although no recipient was accepted: send an empty message and drop the reply. */
  private async abandonData(): Promise<void> {
    await this.guard(this.transport.write(Buffer.from('.\r\n'), 'data-block'));
    await this.nextReply('data-end');
  }

  /**
   * Feeds the stored message to `write`. A failure to read it is not the server's doing: the
   * connection is dropped (without the final dot, so the server discards what it got).
   */
  private async streamMessage(
    message: MessageSource,
    write: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const source = message.read()[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await source.next();
      } catch (error) {
        this.transport.close();
        throw this.fail(
          new SmtpClientError(
            'aborted',
            `could not read the message: ${describe(error)}`,
            undefined,
            {
              cause: error,
            },
          ),
        );
      }
      if (next.done) return;
      await write(next.value);
    }
  }

  private async nextReply(phase: ClientPhase): Promise<SmtpReply> {
    for (;;) {
      this.throwIfBroken();
      const reply = this.replies.shift();
      if (reply) {
        // 421 (RFC 5321 3.8): the server is closing; every later command would fail.
        if (reply.code === 421)
          this.broken = new SmtpClientError('refused', replyText(reply), reply);
        return reply;
      }
      const chunk = await this.guard(this.transport.read(phase));
      if (chunk === null) {
        throw this.fail(new SmtpClientError('connection', 'the server closed the connection'));
      }
      for (const event of this.parser.push(chunk)) {
        if (event.kind === 'reply') this.replies.push(event.reply);
        else {
          throw this.fail(
            new SmtpClientError(
              'protocol',
              `unreadable reply (${event.error}): ${event.line.slice(0, 200)}`,
            ),
          );
        }
      }
    }
  }

  /** Transport failures become SmtpClientErrors, and the session is unusable after one. */
  private async guard<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw this.fail(
        error instanceof SmtpClientError
          ? error
          : new SmtpClientError('connection', describe(error), undefined, { cause: error }),
      );
    }
  }

  private fail(error: SmtpClientError): SmtpClientError {
    this.broken ??= error;
    if (error.kind !== 'refused') this.transport.close();
    return error;
  }

  private throwIfBroken(): void {
    if (this.broken) throw this.broken;
  }

  /** A recipient's outcome from a reply: the server's (with Remote-MTA), or one we made up. */
  private result(recipient: string, reply: SmtpReply, fromServer = true): RecipientResult {
    if (reply.code < 200 || (reply.code >= 300 && reply.code < 400)) {
      // A 3xx where a command's final answer belongs: the server is out of step; try again later.
      return {
        recipient,
        status: 'deferred',
        code: 451,
        enhancedCode: '4.5.0',
        diagnostic: `451 4.5.0 unexpected reply: ${replyText(reply)}`,
        ...(this.options.remoteMta && fromServer ? { remoteMta: this.options.remoteMta } : {}),
      };
    }
    const status = reply.code < 300 ? 'delivered' : reply.code < 500 ? 'deferred' : 'failed';
    const enhanced = reply.enhanced ?? `${Math.floor(reply.code / 100)}.0.0`;
    return {
      recipient,
      status,
      code: reply.code,
      enhancedCode: enhanced,
      diagnostic: replyText({ ...reply, enhanced }),
      ...(this.options.remoteMta && fromServer ? { remoteMta: this.options.remoteMta } : {}),
    };
  }
}

/** A reply we make up ourselves, when the server's answer is known without asking. */
function ownReply(code: number, enhanced: string, text: string): SmtpReply {
  return { code, enhanced, lines: [text] };
}

function isPositive(reply: SmtpReply | undefined): boolean {
  return reply !== undefined && reply.code >= 200 && reply.code < 300;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
