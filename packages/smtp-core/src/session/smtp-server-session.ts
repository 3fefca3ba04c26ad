import { type Clock, type Logger, silentLogger, systemClock } from '@mailyard/mailstore-interface';
import {
  type LoginGuard,
  type LoginRefusal,
  type SaslServer,
  type SaslWireSession,
  type WireStep,
  countsAsLoginFailure,
  loginRefusalText,
} from '@mailyard/sasl';
import type { Envelope, EnvelopeRecipient } from '../envelope.js';
import { type SmtpCommand, parseCommand } from '../protocol/command-parser.js';
import { type InputEvent, SmtpInputDecoder } from '../protocol/input-decoder.js';
import { type SmtpReply, formatReply } from '../protocol/smtp-reply.js';
import { HopCounter } from './hop-counter.js';
import { InFlightBudget } from './in-flight-budget.js';
import { MessageAbortedError, MessageStream } from './message-stream.js';
import { receivedHeader, receivedProtocol } from './received-header.js';
import { DEFAULT_LIMITS, type SessionLimits } from './session-limits.js';
import type { AuthOutcome, SessionInfo, SmtpServerHooks } from './smtp-hooks.js';

/** What the session needs from the transport it runs on; the node floor provides it. */
export interface SessionTransport {
  /**
   * Sends bytes. `false` says the transport's buffer is full: the client is not reading its
   * replies, and the session takes no more input until `drained` resolves, so that a client
   * cannot make the server hold replies without bound.
   */
  write(bytes: Uint8Array): boolean | void;
  /** Resolves once a transport whose `write` said `false` can take more. */
  drained?(): Promise<void>;
  /** Upgrades the connection to TLS (after the 220 of STARTTLS); resolves once it is up. */
  startTls(): Promise<void>;
  /** Closes the connection once everything written has gone out. */
  close(): void;
  /** Stop and resume reading from the client, for backpressure. */
  pause(): void;
  resume(): void;
}

export interface ConnectionDetails {
  /** Unique per connection, for logs and the Received header's `id`. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Implicit TLS (port 465). */
  readonly secure: boolean;
  /** STARTTLS can be offered (the transport has a certificate). */
  readonly tlsAvailable: boolean;
  readonly listener: string;
}

export interface SmtpSessionOptions {
  /** Our name in the greeting, EHLO and Received (Kerio's "Internet hostname"). */
  readonly hostname: string;
  readonly hooks?: SmtpServerHooks;
  /**
   * Offers AUTH with these mechanisms; a function picks per connection (Kerio's "require secure
   * authentication" with an exempt IP group is two servers, one allowing plaintext).
   */
  readonly sasl?: SaslServer | ((connection: ConnectionDetails) => SaslServer | undefined);
  /** Submission (RFC 6409): MAIL needs AUTH first. */
  readonly requireAuth?: boolean;
  /**
   * Brute-force protection, shared with IMAP and POP3: consulted before AUTH checks any
   * credential (inside every SASL mechanism, around its credential lookup), told of every
   * outcome. `@mailyard/access-policy`'s `LoginGuard` fits; the engine imports no policy.
   */
  readonly loginGuard?: LoginGuard;
  /** Speak LMTP (RFC 2033) instead of SMTP. */
  readonly lmtp?: boolean;
  readonly limits?: Partial<SessionLimits>;
  /**
   * The octets in flight this session counts against: shared by every session of a server
   * (`createSmtpServer` makes one from `limits.inFlightPerClient` and `inFlightPerServer`).
   * Without it, the session has its own, from its limits.
   */
  readonly inFlight?: InFlightBudget;
  /** Accept bare LF as a line ending in DATA (off: the SMTP smuggling defence). */
  readonly acceptBareLineEndings?: boolean;
  /** Answer EXPN (off by default, RFC 5321 7.3). */
  readonly expn?: boolean;
  /** The greeting's text after the host name; the product name unless hidden. */
  readonly banner?: string;
  /** Received header options: hide the client address (Kerio), name the product, time zone. */
  readonly received?: {
    readonly hideAddress?: (session: SessionInfo) => boolean;
    readonly product?: string;
    readonly offsetMinutes?: number;
  };
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Why the session is not reading from the client: its input is piling up, the application is
 * behind with the message, or the client is not reading the replies.
 */
type Hold = 'input' | 'message' | 'output';

/** `refused`: the greeting was a refusal; only QUIT is answered, as RFC 5321 3.1 asks. */
type State = 'greeting' | 'refused' | 'ready' | 'auth' | 'data' | 'chunk' | 'tls' | 'closed';

interface Transaction {
  envelope: Envelope;
  recipients: EnvelopeRecipient[];
  /** BDAT was used: DATA may not follow (RFC 3030 2). */
  chunked: boolean;
  message: MessageStream | null;
  result: Promise<SmtpReply | SmtpReply[] | void> | null;
  size: number;
  /** Why the message will be refused once its data is in, if it will be. */
  refusal: SmtpReply | null;
  hops: HopCounter;
  /** Whom the message's octets in flight are counted for, and how many are. */
  client: string;
  reserved: number;
}

const PRODUCT = 'Mailyard';
/**
 * Octets of replies gathered before they are written even though pipelined commands are still
 * waiting: a group's replies go out in one write (RFC 2920 3.2) up to this, so that a client
 * pipelining commands with long replies (EHLO) cannot make the session hold them without bound.
 */
const OUTPUT_BATCH = 64 * 1024;

/**
 * One SMTP (or LMTP) connection, server side, as a state machine: bytes in through `receive`,
 * replies out through the transport, decisions through the application's hooks. It never reads a
 * socket or a clock itself and never throws: bad input gets SMTP's answer and the session goes on,
 * or closes where SMTP says so.
 */
export class SmtpServerSession {
  readonly id: string;
  private readonly limits: SessionLimits;
  private readonly decoder: SmtpInputDecoder;
  private readonly hooks: SmtpServerHooks;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly inFlight: InFlightBudget;
  private state: State = 'greeting';
  private secure: boolean;
  private extended = false;
  private clientName: string | null = null;
  private user: string | null = null;
  private transaction: Transaction | null = null;
  private auth: { wire: SaslWireSession; mechanism: string } | null = null;
  private failedCommands = 0;
  private failedAuths = 0;
  private commandsWithoutMail = 0;
  private handling = false;
  /** The BDAT chunk being read: whether it is the last, and why it will be refused, if it will. */
  private chunk: { last: boolean; refusal: SmtpReply | null } = { last: false, refusal: null };
  private readonly sasl: SaslServer | undefined;
  /** Replies not yet written: pipelined commands get their replies in one write (RFC 2920 3.2). */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  /** The server is shutting down: close once the transaction in progress is over. */
  private draining = false;
  private readonly holds = new Set<Hold>();
  /** What `onConnect` decided, once asked. */
  private admission: Promise<boolean> | null = null;
  /** A 2xx from `onConnect` that replaces the greeting's text. */
  private welcome: SmtpReply | null = null;

  constructor(
    private readonly options: SmtpSessionOptions,
    private readonly connection: ConnectionDetails,
    private readonly transport: SessionTransport,
  ) {
    this.id = connection.id;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.inFlight =
      options.inFlight ??
      new InFlightBudget({
        perServer: this.limits.inFlightPerServer,
        perClient: this.limits.inFlightPerClient,
      });
    this.decoder = new SmtpInputDecoder({
      maxLineLength: this.limits.commandLine,
      maxDataLineLength: this.limits.textLine,
      acceptBareLineEndings: options.acceptBareLineEndings ?? false,
    });
    this.hooks = options.hooks ?? {};
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.secure = connection.secure;
    this.sasl = typeof options.sasl === 'function' ? options.sasl(connection) : options.sasl;
  }

  /** What hooks see. */
  get info(): SessionInfo {
    return {
      id: this.id,
      remoteAddress: this.connection.remoteAddress,
      remotePort: this.connection.remotePort,
      localAddress: this.connection.localAddress,
      localPort: this.connection.localPort,
      listener: this.connection.listener,
      secure: this.secure,
      clientName: this.clientName,
      user: this.user,
      envelope: this.transaction ? this.currentEnvelope(this.transaction) : null,
    };
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Whether the client is sending message text (the transport's idle timeout is longer then). */
  get receivingMessage(): boolean {
    return this.state === 'data' || this.state === 'chunk';
  }

  /**
   * Asks `onConnect` whether the client may go on, as soon as it connected: per-address limits
   * count it from that moment. A refusal is sent at once, in place of the greeting. Resolves
   * with whether the greeting is still to come.
   */
  admit(): Promise<boolean> {
    this.admission ??= this.decideAdmission();
    return this.admission;
  }

  private async decideAdmission(): Promise<boolean> {
    const decision = await this.ask(() => this.hooks.onConnect?.(this.info));
    if (this.state !== 'greeting') return false; // gone meanwhile
    if (!decision || decision.code < 400) {
      this.welcome = decision ?? null;
      return true;
    }
    this.reply(decision);
    // 421 closes (RFC 5321 3.8), and so may 521 (RFC 7504 3); after a 554 the client is
    // owed the chance to say QUIT (RFC 5321 3.1).
    if (decision.code === 421 || decision.code === 521) {
      this.close();
      return false;
    }
    this.state = 'refused';
    this.pump();
    return false;
  }

  /**
   * Sends the greeting, once `onConnect` agreed (`admit`, asked here if it was not yet). With a
   * greeting delay (Kerio's spam repellent), the transport admits the client at once, waits,
   * then calls this, and calls `earlyTalker()` if the client speaks first.
   */
  async greet(): Promise<void> {
    if (!(await this.admit()) || this.state !== 'greeting') return;
    this.state = 'ready';
    const banner =
      this.options.banner ?? (this.options.lmtp ? `LMTP ${PRODUCT}` : `ESMTP ${PRODUCT}`);
    this.reply(this.welcome ?? { code: 220, lines: [`${this.options.hostname} ${banner}`] });
    this.pump();
  }

  /** The client said nothing for too long (RFC 5321 4.5.3.2): the transport's timer ran out. */
  timedOut(): void {
    this.reply({
      code: 421,
      enhanced: '4.4.2',
      lines: [`${this.options.hostname} Timeout, closing connection`],
    });
    this.close();
  }

  /** The client spoke before the greeting: Kerio's repellent drops such clients at once. */
  earlyTalker(): void {
    this.logger.info('client talked before the greeting; dropped', {
      session: this.id,
      ip: this.connection.remoteAddress,
    });
    this.close();
  }

  /** Whether a command (or a message's end) is being handled: hooks, the store, a password check. */
  get busy(): boolean {
    return this.handling;
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.decoder.push(bytes);
    // A client pipelining faster than hooks answer must not fill memory: stop reading a while.
    if (this.decoder.buffered > this.limits.pendingInput) this.hold('input');
    this.pump();
  }

  /** The client went away; an unfinished message is abandoned. */
  disconnected(): void {
    this.transaction?.message?.abort(new MessageAbortedError('client disconnected'));
    this.finish();
  }

  /** Processes buffered input, one event at a time, each to its end before the next. */
  private pump(): void {
    if (
      this.handling ||
      this.state === 'greeting' ||
      this.state === 'tls' ||
      this.state === 'closed'
    )
      return;
    // Every command would add a reply to those the client is not reading: wait for it.
    if (this.holds.has('output')) return;
    if (
      this.draining &&
      this.transaction === null &&
      (this.state === 'ready' || this.state === 'refused')
    )
      return this.shutDownNow();
    const event = this.decoder.next();
    if (!event) {
      this.release('input');
      return this.flush();
    }
    this.handling = true;
    void this.handle(event)
      .catch((error: unknown) => {
        this.logger.error('session failed', { session: this.id, error: String(error) });
        this.reply({
          code: 421,
          enhanced: '4.3.0',
          lines: [`${this.options.hostname} Internal error, closing`],
        });
        this.close();
      })
      .finally(() => {
        this.handling = false;
        if (this.outgoingBytes >= OUTPUT_BATCH) this.flush();
        this.pump();
      });
  }

  private async handle(event: InputEvent): Promise<void> {
    switch (event.type) {
      case 'command':
        if (this.state === 'auth') return this.continueAuth(event.line);
        return this.state === 'refused' ? this.afterRefusal(event.line) : this.command(event.line);
      case 'line-too-long':
        // RFC 4954 4: a response longer than the server takes fails the AUTH command.
        if (this.state === 'auth') return this.abandonAuth('too-long');
        return this.refuse({ code: 500, enhanced: '5.5.6', lines: ['Line too long'] });
      case 'invalid-utf8':
        if (this.state === 'auth') return this.abandonAuth('malformed');
        return this.refuse({ code: 500, enhanced: '5.5.2', lines: ['Bad UTF-8 syntax'] });
      case 'data':
      case 'chunk':
        return this.messageBytes(event.chunk);
      case 'data-end':
        return this.dataEnd(event);
      case 'chunk-end':
        return this.chunkEnd();
    }
  }

  private async command(line: string): Promise<void> {
    const command = parseCommand(line);
    if (command.verb === 'error') {
      this.refuse(command.reply);
      if (command.fatal) {
        this.reply({
          code: 421,
          enhanced: '4.5.0',
          lines: [`${this.options.hostname} Cannot tell commands from message data, closing`],
        });
        this.close();
      }
      return;
    }
    if (command.verb === 'non-smtp') {
      // An HTTP request, or message text pipelined behind a DATA that was refused: whatever it
      // is, what follows is not meant as SMTP commands (Postfix hangs up too).
      this.logger.warn('non-SMTP command; closing', { session: this.id, command: command.name });
      this.reply({
        code: 421,
        enhanced: '4.7.0',
        lines: [`${this.options.hostname} Non-SMTP command, closing`],
      });
      return this.close();
    }
    if (this.transaction === null && command.verb !== 'MAIL' && command.verb !== 'QUIT') {
      if (++this.commandsWithoutMail > this.limits.commandsBeforeMail) {
        this.reply({
          code: 421,
          enhanced: '4.7.0',
          lines: [`${this.options.hostname} Too many commands without a message`],
        });
        return this.close();
      }
    }
    switch (command.verb) {
      case 'EHLO':
      case 'HELO':
      case 'LHLO':
        return this.hello(command);
      case 'MAIL':
        return this.mail(command);
      case 'RCPT':
        return this.rcpt(command);
      case 'DATA':
        return this.data();
      case 'BDAT':
        return this.bdat(command.size, command.last);
      case 'RSET':
        this.abandonTransaction();
        return this.reply({ code: 250, enhanced: '2.0.0', lines: ['Ok'] });
      case 'NOOP':
        return this.reply({ code: 250, enhanced: '2.0.0', lines: ['Ok'] });
      case 'QUIT':
        this.reply({ code: 221, enhanced: '2.0.0', lines: [`${this.options.hostname} Bye`] });
        return this.close();
      case 'HELP':
        return this.reply({
          code: 214,
          enhanced: '2.0.0',
          lines: ['See RFC 5321 and https://www.rfc-editor.org/'],
        });
      case 'VRFY':
        return this.vrfy(command.argument);
      case 'EXPN':
        return this.options.expn
          ? this.vrfy(command.argument)
          : this.refuse({ code: 502, enhanced: '5.5.1', lines: ['EXPN is disabled'] });
      case 'ETRN':
        return this.etrn(command.node);
      case 'STARTTLS':
        return this.startTls();
      case 'AUTH':
        return this.authenticate(command.mechanism, command.initialResponse);
      default:
        return this.refuse({ code: 500, enhanced: '5.5.2', lines: ['Command unrecognized'] });
    }
  }

  /** After a refusing greeting, QUIT is answered and anything else is out of sequence (RFC 5321
   *  3.1), until the client leaves or the failed commands limit closes the connection. */
  private afterRefusal(line: string): void {
    if (parseCommand(line).verb !== 'QUIT')
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Bad sequence of commands'] });
    this.reply({ code: 221, enhanced: '2.0.0', lines: [`${this.options.hostname} Bye`] });
    this.close();
  }

  private async hello(
    command: Extract<SmtpCommand, { verb: 'EHLO' | 'HELO' | 'LHLO' }>,
  ): Promise<void> {
    const lmtp = this.options.lmtp ?? false;
    if ((command.verb === 'LHLO') !== lmtp) {
      return this.refuse({
        code: 500,
        enhanced: '5.5.1',
        lines: [lmtp ? 'This is LMTP: say LHLO' : 'Command unrecognized'],
      });
    }
    const decision = await this.ask(() => this.hooks.onHelo?.(command.domain, this.info));
    if (decision && decision.code >= 400) return this.refuse(decision);
    this.abandonTransaction();
    this.clientName = command.domain;
    this.extended = command.verb !== 'HELO';
    if (!this.extended) return this.reply({ code: 250, lines: [this.options.hostname] });
    this.reply({
      code: 250,
      lines: [`${this.options.hostname} greets ${command.domain}`, ...this.extensions()],
    });
  }

  /** The EHLO keywords, in the order they were standardised. */
  private extensions(): string[] {
    const list = ['PIPELINING'];
    list.push(this.limits.messageSize > 0 ? `SIZE ${this.limits.messageSize}` : 'SIZE');
    list.push('8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN', 'CHUNKING', 'BINARYMIME');
    if (this.connection.tlsAvailable && !this.secure) list.push('STARTTLS');
    if (this.secure) list.push('REQUIRETLS');
    const mechanisms = this.sasl?.advertise({ secure: this.secure }) ?? [];
    if (mechanisms.length > 0 && this.user === null) list.push(`AUTH ${mechanisms.join(' ')}`);
    if (this.hooks.onEtrn && !this.options.lmtp) list.push('ETRN');
    return list;
  }

  private async mail(command: Extract<SmtpCommand, { verb: 'MAIL' }>): Promise<void> {
    if (this.clientName === null)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Send EHLO first'] });
    if (this.transaction)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Nested MAIL command'] });
    if (this.options.requireAuth && this.user === null) {
      return this.refuse({ code: 530, enhanced: '5.7.0', lines: ['Authentication required'] });
    }
    const { parameters } = command;
    if (!this.extended && Object.keys(parameters).length > 0) {
      return this.refuse({ code: 555, enhanced: '5.5.4', lines: ['Parameters need EHLO'] });
    }
    if (
      parameters.size !== undefined &&
      this.limits.messageSize > 0 &&
      parameters.size > this.limits.messageSize
    ) {
      return this.refuse({
        code: 552,
        enhanced: '5.3.4',
        lines: ['Message size exceeds fixed maximum message size'],
      });
    }
    const client = this.user ?? `ip:${this.connection.remoteAddress}`;
    if (parameters.size !== undefined && parameters.size > this.inFlight.available(client)) {
      // RFC 1870 6.1: too big for now, not for ever.
      return this.refuse(insufficientStorage());
    }
    if (command.nonAscii && !parameters.smtpUtf8) {
      // RFC 6531 3.5: 550 for the sender, 553 for a recipient.
      return this.refuse({
        code: 550,
        enhanced: '5.6.7',
        lines: ['Non-ASCII address needs SMTPUTF8'],
      });
    }
    if (parameters.requireTls && !this.secure) {
      return this.refuse({
        code: 530,
        enhanced: '5.7.10',
        lines: ['REQUIRETLS needs a TLS connection'],
      });
    }
    const envelope: Envelope = {
      from: command.address,
      recipients: [],
      ...(parameters.body ? { body: parameters.body } : {}),
      ...(parameters.smtpUtf8 ? { smtpUtf8: true } : {}),
      ...(parameters.ret ? { ret: parameters.ret } : {}),
      ...(parameters.envelopeId !== undefined ? { envelopeId: parameters.envelopeId } : {}),
      ...(parameters.requireTls ? { requireTls: true } : {}),
      ...(parameters.auth !== undefined && this.user !== null ? { auth: parameters.auth } : {}),
    };
    const decision = await this.ask(() =>
      this.hooks.onMailFrom?.(command.address, envelope, this.info),
    );
    if (decision && decision.code >= 400) return this.refuse(decision);
    this.transaction = {
      envelope,
      recipients: [],
      chunked: false,
      message: null,
      result: null,
      size: 0,
      refusal: null,
      hops: new HopCounter(),
      client,
      reserved: 0,
    };
    this.commandsWithoutMail = 0;
    this.reply(decision ?? { code: 250, enhanced: '2.1.0', lines: ['Ok'] });
  }

  private async rcpt(command: Extract<SmtpCommand, { verb: 'RCPT' }>): Promise<void> {
    const transaction = this.transaction;
    if (!transaction)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] });
    if (transaction.recipients.length >= this.limits.recipients) {
      return this.refuse({ code: 452, enhanced: '4.5.3', lines: ['Too many recipients'] });
    }
    if (command.nonAscii && !transaction.envelope.smtpUtf8) {
      return this.refuse({
        code: 553,
        enhanced: '5.6.7',
        lines: ['Non-ASCII address needs SMTPUTF8'],
      });
    }
    const recipient: EnvelopeRecipient = {
      address: command.address,
      ...(command.parameters.notify ? { notify: command.parameters.notify } : {}),
      ...(command.parameters.originalRecipient !== undefined
        ? { originalRecipient: command.parameters.originalRecipient }
        : {}),
    };
    const decision = await this.ask(() => this.hooks.onRcptTo?.(recipient, this.info));
    if (decision && decision.code >= 400) return this.refuse(decision);
    transaction.recipients.push(recipient);
    this.reply(decision ?? { code: 250, enhanced: '2.1.5', lines: ['Ok'] });
  }

  private data(): void {
    const transaction = this.transaction;
    if (!transaction)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] });
    if (transaction.recipients.length === 0) return this.refuse(this.noRecipients());
    if (transaction.chunked || transaction.envelope.body === 'BINARYMIME') {
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Use BDAT for this message'] });
    }
    this.beginMessage(transaction);
    this.state = 'data';
    this.decoder.startData();
    this.reply({ code: 354, lines: ['End data with <CR><LF>.<CR><LF>'] });
  }

  private bdat(size: number, last: boolean): void {
    const transaction = this.transaction;
    // The chunk's bytes come whatever we answer (RFC 3030 4.2): read them, then refuse.
    const refusal: SmtpReply | null = !transaction
      ? { code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] }
      : transaction.recipients.length === 0
        ? this.noRecipients()
        : null;
    if (transaction && refusal) this.abandonTransaction();
    if (transaction && !refusal) {
      if (!transaction.message) this.beginMessage(transaction);
      transaction.chunked = true;
      // Too big a chunk fails the message, which under LMTP is answered per recipient.
      if (size > this.limits.chunkSize && !transaction.refusal)
        this.failMessage(transaction, { code: 552, enhanced: '5.3.4', lines: ['Chunk too big'] });
    }
    this.chunk = { last, refusal };
    this.state = 'chunk';
    this.decoder.startChunk(size);
  }

  private messageBytes(chunk: Uint8Array): void {
    const transaction = this.transaction;
    if (!transaction?.message || transaction.refusal) return;
    transaction.size += chunk.length;
    transaction.hops.push(chunk);
    if (this.limits.messageSize > 0 && transaction.size > this.limits.messageSize) {
      return this.failMessage(transaction, {
        code: 552,
        enhanced: '5.3.4',
        lines: ['Message size exceeds fixed maximum message size'],
      });
    }
    if (!this.inFlight.reserve(transaction.client, chunk.length)) {
      return this.failMessage(transaction, insufficientStorage());
    }
    transaction.reserved += chunk.length;
    transaction.message.push(chunk);
    if (transaction.message.full) {
      this.hold('message');
      transaction.message.onDrain(() => this.release('message'));
    }
  }

  private async dataEnd(event: Extract<InputEvent, { type: 'data-end' }>): Promise<void> {
    this.state = 'ready';
    const transaction = this.transaction;
    if (!transaction?.message) return;
    const bareLineEndings = event.bareLineFeed || event.bareCarriageReturn;
    if (!transaction.refusal && bareLineEndings && !this.options.acceptBareLineEndings) {
      // Postfix's code for the same refusal (smtpd_forbid_bare_newline = reject).
      transaction.refusal = {
        code: 550,
        enhanced: '5.5.2',
        lines: ['Message contains bare CR or LF (SMTP smuggling defence)'],
      };
    } else if (!transaction.refusal && event.longLines > 0) {
      // A reply the end of data may have (RFC 5321 4.3.2), about the content (RFC 3463 X.6.0).
      transaction.refusal = {
        code: 554,
        enhanced: '5.6.0',
        lines: [`Message has lines over ${this.limits.textLine} octets`],
      };
    }
    await this.completeMessage(transaction);
  }

  private async chunkEnd(): Promise<void> {
    this.state = 'ready';
    const { last, refusal } = this.chunk;
    if (refusal) return this.refuse(refusal);
    const transaction = this.transaction;
    if (!transaction) return;
    if (!last) {
      if (transaction.refusal) return this.refuse(this.takeRefusal(transaction));
      return this.reply({
        code: 250,
        enhanced: '2.0.0',
        lines: [`${transaction.size} octets received`],
      });
    }
    await this.completeMessage(transaction);
  }

  /** DATA or BDAT with no accepted recipient: SMTP may say 503 or 554 (RFC 5321 3.3), LMTP must
   *  say 503 (RFC 2033 4.2). */
  private noRecipients(): SmtpReply {
    return this.options.lmtp
      ? { code: 503, enhanced: '5.5.1', lines: ['No valid recipients'] }
      : { code: 554, enhanced: '5.5.1', lines: ['No valid recipients'] };
  }

  private takeRefusal(transaction: Transaction): SmtpReply {
    const refusal = transaction.refusal!;
    this.abandonTransaction();
    return refusal;
  }

  /** The message will be refused once its data is in; the application's stream ends now. */
  private failMessage(transaction: Transaction, refusal: SmtpReply): void {
    transaction.refusal = refusal;
    transaction.message?.abort(new MessageAbortedError(refusal.lines[0] ?? 'message refused'));
    this.releaseInFlight(transaction);
  }

  /** The message's octets are no longer in flight: stored, refused or abandoned. */
  private releaseInFlight(transaction: Transaction): void {
    this.inFlight.release(transaction.client, transaction.reserved);
    transaction.reserved = 0;
  }

  private beginMessage(transaction: Transaction): void {
    const message = new MessageStream(this.limits.messageWindow);
    transaction.message = message;
    const envelope = this.currentEnvelope(transaction);
    message.push(Buffer.from(this.receivedFor(envelope), 'utf8'));
    const onMessage = this.hooks.onMessage;
    transaction.result = onMessage
      ? onMessage.call(this.hooks, envelope, message, this.info)
      : (async () => {
          for await (const _ of message); // nobody wants it: read it to its end anyway
        })();
    // A refused or abandoned message makes the hook reject; that is expected, not a failure.
    transaction.result.catch(() => undefined);
  }

  /** Ends the message stream, waits for the application to store it, and answers. */
  private async completeMessage(transaction: Transaction): Promise<void> {
    const maxHops = this.limits.receivedHeaders;
    if (!transaction.refusal && maxHops > 0 && transaction.hops.hops > maxHops) {
      transaction.refusal = {
        code: 554,
        enhanced: '5.4.6',
        lines: [`Too many hops (${transaction.hops.hops} Received headers): mail loop?`],
      };
    }
    if (transaction.refusal) {
      const refusal = this.takeRefusal(transaction);
      // RFC 2033 4.2: after the data, LMTP answers once per accepted recipient, refusals too.
      if (this.options.lmtp)
        for (let i = 1; i < transaction.recipients.length; i++) this.reply(refusal);
      return this.refuse(refusal);
    }
    transaction.message!.end();
    let outcome: SmtpReply | SmtpReply[] | void;
    try {
      outcome = await transaction.result!;
    } catch (error) {
      this.logger.error('message hook failed', { session: this.id, error: String(error) });
      outcome = { code: 451, enhanced: '4.3.0', lines: ['Local error in processing'] };
    }
    const recipients = transaction.recipients.length;
    this.releaseInFlight(transaction);
    this.transaction = null;
    const fallback: SmtpReply = {
      code: 250,
      enhanced: '2.0.0',
      lines: [`Ok: queued as ${this.id}`],
    };
    if (this.options.lmtp) {
      // RFC 2033 4.2: one reply per accepted recipient, in order.
      const replies = Array.isArray(outcome)
        ? outcome
        : Array.from({ length: recipients }, () => outcome ?? fallback);
      for (let i = 0; i < recipients; i++) this.reply(replies[i] ?? fallback);
      return;
    }
    const reply = Array.isArray(outcome) ? (outcome[0] ?? fallback) : (outcome ?? fallback);
    if (reply.code >= 400) return this.refuse(reply);
    this.reply(reply);
  }

  private async vrfy(argument: string): Promise<void> {
    const decision = await this.ask(() => this.hooks.onVrfy?.(argument, this.info));
    if (decision && decision.code >= 400) return this.refuse(decision);
    this.reply(
      // X.5.2 would say "syntax error" (RFC 3463 3.6); this is a success that tells nothing.
      decision ?? {
        code: 252,
        enhanced: '2.0.0',
        lines: ['Cannot VRFY user, but will accept message'],
      },
    );
  }

  private async etrn(node: string): Promise<void> {
    if (!this.hooks.onEtrn || this.options.lmtp)
      return this.refuse({ code: 502, enhanced: '5.5.1', lines: ['ETRN not supported'] });
    if (this.transaction)
      return this.refuse({
        code: 503,
        enhanced: '5.5.1',
        lines: ['ETRN not allowed in a transaction'],
      });
    const decision = await this.ask(() => this.hooks.onEtrn!(node, this.info));
    if (decision && decision.code >= 400) return this.refuse(decision);
    this.reply(
      decision ?? { code: 250, enhanced: '2.0.0', lines: [`Queuing for node ${node} started`] },
    );
  }

  private async startTls(): Promise<void> {
    if (this.secure || !this.connection.tlsAvailable) {
      return this.refuse({ code: 502, enhanced: '5.5.1', lines: ['STARTTLS not available'] });
    }
    if (this.transaction)
      return this.refuse({
        code: 503,
        enhanced: '5.5.1',
        lines: ['STARTTLS not allowed in a transaction'],
      });
    this.reply({ code: 220, enhanced: '2.0.0', lines: ['Ready to start TLS'] });
    // Anything the client pipelined after STARTTLS came in the clear: drop it (CVE-2011-0411).
    const dropped = this.decoder.discardBuffered();
    if (dropped > 0)
      this.logger.warn('input after STARTTLS discarded', { session: this.id, octets: dropped });
    this.state = 'tls';
    this.flush();
    try {
      await this.transport.startTls();
    } catch (error) {
      this.logger.warn('TLS handshake failed', { session: this.id, error: String(error) });
      return this.close();
    }
    // RFC 3207 4.2: the client must start over, from EHLO, forgetting all it knew.
    this.secure = true;
    this.clientName = null;
    this.extended = false;
    this.user = null;
    this.transaction = null;
    this.state = 'ready';
  }

  private async authenticate(
    mechanism: string,
    initialResponse: string | undefined,
  ): Promise<void> {
    const sasl = this.sasl;
    if (!sasl) return this.refuse({ code: 502, enhanced: '5.5.1', lines: ['AUTH not available'] });
    if (this.clientName === null || !this.extended)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Send EHLO first'] });
    if (this.user !== null)
      return this.refuse({ code: 503, enhanced: '5.5.1', lines: ['Already authenticated'] });
    if (this.transaction)
      return this.refuse({
        code: 503,
        enhanced: '5.5.1',
        lines: ['AUTH not allowed in a transaction'],
      });
    const loginGuard = this.options.loginGuard;
    const ip = this.connection.remoteAddress;
    const wire = sasl.start(
      mechanism,
      { secure: this.secure },
      loginGuard ? { loginGuard, remoteAddress: ip } : undefined,
    );
    if (!wire)
      return this.refuse({
        code: 504,
        enhanced: '5.5.4',
        lines: ['Unrecognized authentication type'],
      });
    this.auth = { wire, mechanism: mechanism.toUpperCase() };
    // A locked address is refused before the exchange reads anything from the client.
    const refusal = loginGuard?.checkAddress(ip);
    if (refusal) return this.authStep(refusedStep(refusal));
    await this.authStep(await wire.start(initialResponse));
  }

  private async continueAuth(line: string): Promise<void> {
    await this.authStep(await this.auth!.wire.respond(line.trimEnd()));
  }

  /** A response the SASL exchange cannot take ends it, as a failure of `reason`. */
  private async abandonAuth(reason: 'too-long' | 'malformed'): Promise<void> {
    await this.auth!.wire.respond('*');
    await this.authStep({ type: 'failure', reason, message: `response ${reason}` });
  }

  private async authStep(step: WireStep): Promise<void> {
    const mechanism = this.auth!.mechanism;
    if (step.type === 'challenge') {
      this.state = 'auth';
      this.decoder.setLineLimit(this.limits.authLine);
      return this.reply({ code: 334, lines: [step.challenge] });
    }
    this.state = 'ready';
    this.decoder.setLineLimit();
    this.auth = null;
    const outcome = await this.recordAuthOutcome(step, mechanism);
    const decision = await this.ask(() => this.hooks.onAuth?.(outcome, this.info));
    if (step.type === 'success' && !(decision && decision.code >= 400)) {
      this.user = step.identity.user;
      return this.reply(
        decision ?? { code: 235, enhanced: '2.7.0', lines: ['Authentication successful'] },
      );
    }
    if (decision && decision.code === 421) {
      this.reply(decision);
      return this.close();
    }
    const reply =
      decision ??
      (step.type === 'failure'
        ? authFailureReply(step.reason, step.refusal)
        : authFailureReply('invalid-credentials'));
    if (++this.failedAuths >= this.limits.authFailures) {
      this.reply(reply);
      this.reply({
        code: 421,
        enhanced: '4.7.0',
        lines: [`${this.options.hostname} Too many authentication failures`],
      });
      return this.close();
    }
    this.refuse(reply);
  }

  /**
   * Tells the login guard how the exchange ended (a success, or a failure that counts: wrong
   * credentials or a broken exchange), logs what an operator needs, and describes the outcome
   * for the `onAuth` hook.
   */
  private async recordAuthOutcome(
    step: Exclude<WireStep, { type: 'challenge' }>,
    mechanism: string,
  ): Promise<AuthOutcome> {
    const guard = this.options.loginGuard;
    const ip = this.connection.remoteAddress;
    if (step.type === 'success') {
      await guard?.recordSuccess(ip, step.identity.authenticationId);
      return { ok: true, user: step.identity.user, mechanism };
    }
    const login = step.authenticationId ?? null;
    const verdict =
      guard && countsAsLoginFailure(step.reason)
        ? await guard.recordFailure(ip, login)
        : { justLocked: false, accountJustLocked: false };
    if (step.reason === 'temporary') {
      this.logger.error('credential lookup failed', {
        session: this.id,
        login,
        error: step.message,
      });
    } else {
      this.logger.warn('authentication failed', {
        session: this.id,
        ip,
        login,
        mechanism,
        reason: step.reason,
        ...(step.refusal ? { retryAfterMs: step.refusal.retryAfterMs } : {}),
      });
    }
    return {
      ok: false,
      mechanism,
      reason: step.refusal?.reason ?? step.reason,
      ...(login !== null ? { authenticationId: login } : {}),
      justLocked: verdict.justLocked,
      accountJustLocked: verdict.accountJustLocked,
    };
  }

  /** Runs a hook; a hook that throws is logged and answered with a temporary failure. */
  private async ask(
    hook: () => Promise<SmtpReply | void> | undefined,
  ): Promise<SmtpReply | undefined> {
    try {
      return (await hook()) ?? undefined;
    } catch (error) {
      this.logger.error('hook failed', { session: this.id, error: String(error) });
      return { code: 451, enhanced: '4.3.0', lines: ['Local error in processing'] };
    }
  }

  /** Answers with a refusal, and closes once the client has failed too often (Kerio 12.2). */
  private refuse(reply: SmtpReply): void {
    this.reply(reply);
    // 421 is the server closing the channel (RFC 5321 4.2.2): a hook that says it means it.
    if (reply.code === 421) return this.close();
    if (reply.code >= 500 && ++this.failedCommands >= this.limits.failedCommands + 1) {
      this.reply({
        code: 421,
        enhanced: '4.7.0',
        lines: [`${this.options.hostname} Too many errors, closing`],
      });
      this.close();
    }
  }

  private reply(reply: SmtpReply): void {
    if (this.state === 'closed') return;
    const bytes = formatReply(reply, {
      enhancedStatusCodes: this.extended || this.options.lmtp === true,
    });
    this.outgoing.push(bytes);
    this.outgoingBytes += bytes.length;
  }

  /** Stops reading from the client until every reason to is released. */
  private hold(reason: Hold): void {
    if (this.holds.size === 0) this.transport.pause();
    this.holds.add(reason);
  }

  private release(reason: Hold): void {
    if (!this.holds.delete(reason) || this.holds.size > 0 || this.state === 'closed') return;
    this.transport.resume();
  }

  private flush(): void {
    if (this.outgoing.length === 0) return;
    const bytes = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing);
    this.outgoing = [];
    this.outgoingBytes = 0;
    const drained = this.transport.drained;
    if (this.transport.write(bytes) !== false || !drained || this.holds.has('output')) return;
    this.hold('output');
    void drained.call(this.transport).then(() => {
      this.release('output');
      this.pump();
    });
  }

  /**
   * The server is going down: an idle session is told 421 at once (RFC 5321 3.8), one in the
   * middle of a transaction when the transaction is over.
   */
  drain(): void {
    this.draining = true;
    if (!this.handling) this.pump();
  }

  private shutDownNow(): void {
    this.reply({
      code: 421,
      enhanced: '4.3.2',
      lines: [`${this.options.hostname} Service shutting down`],
    });
    this.close();
  }

  private abandonTransaction(): void {
    const transaction = this.transaction;
    if (!transaction) return;
    transaction.message?.abort(new MessageAbortedError('transaction reset'));
    this.releaseInFlight(transaction);
    this.transaction = null;
  }

  private currentEnvelope(transaction: Transaction): Envelope {
    return { ...transaction.envelope, recipients: [...transaction.recipients] };
  }

  private receivedFor(envelope: Envelope): string {
    const options = this.options.received ?? {};
    return receivedHeader({
      clientName: this.clientName ?? 'unknown',
      clientAddress: this.connection.remoteAddress,
      hostname: this.options.hostname,
      protocol: receivedProtocol({
        extended: this.extended,
        lmtp: this.options.lmtp ?? false,
        tls: this.secure,
        authenticated: this.user !== null,
      }),
      id: this.id,
      ...(envelope.recipients.length === 1 ? { recipient: envelope.recipients[0]!.address } : {}),
      time: this.clock.now(),
      ...(options.offsetMinutes !== undefined ? { offsetMinutes: options.offsetMinutes } : {}),
      hideAddress: options.hideAddress?.(this.info) ?? false,
      ...(options.product ? { product: options.product } : {}),
    });
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.flush();
    this.transport.close();
    this.finish();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.abandonTransaction();
    this.hooks.onClose?.(this.info);
  }
}

/** What the SASL layer would have ended with, had the guard refused inside it. */
function refusedStep(refusal: LoginRefusal): WireStep {
  return { type: 'failure', reason: 'refused', message: 'login guard', refusal };
}

/** Postfix's words for the same condition; RFC 3463 X.3.1: "mail system full". */
function insufficientStorage(): SmtpReply {
  return { code: 452, enhanced: '4.3.1', lines: ['Insufficient system storage'] };
}

/** SASL failures as SMTP replies (RFC 4954 6, RFC 3463). */
function authFailureReply(reason: string, refusal?: LoginRefusal): SmtpReply {
  if (refusal) return { code: 454, enhanced: '4.7.0', lines: [loginRefusalText(refusal.reason)] };
  switch (reason) {
    case 'malformed':
      return { code: 501, enhanced: '5.5.2', lines: ['Cannot decode response'] };
    case 'too-long':
      return { code: 500, enhanced: '5.5.6', lines: ['Authentication Exchange line is too long'] };
    case 'cancelled':
      return { code: 501, enhanced: '5.0.0', lines: ['Authentication cancelled'] };
    case 'encryption-required':
      return {
        code: 538,
        enhanced: '5.7.11',
        lines: ['Encryption required for requested authentication mechanism'],
      };
    case 'temporary':
      return { code: 454, enhanced: '4.7.0', lines: ['Temporary authentication failure'] };
    case 'unavailable':
      return { code: 504, enhanced: '5.5.4', lines: ['Unrecognized authentication type'] };
    default:
      return { code: 535, enhanced: '5.7.8', lines: ['Authentication credentials invalid'] };
  }
}
