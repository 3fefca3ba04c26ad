import { type Clock, type Logger, silentLogger, systemClock } from '@mailyard/mailstore-interface';
import type { SaslServer, SaslWireSession } from '@mailyard/sasl';
import type { Envelope, EnvelopeRecipient } from '../envelope.js';
import { SmtpInputDecoder } from '../protocol/input-decoder.js';
import { type SmtpReply, formatReply } from '../protocol/smtp-reply.js';
import type { HopCounter } from './hop-counter.js';
import { InFlightBudget } from './in-flight-budget.js';
import { MessageAbortedError, type MessageStream } from './message-stream.js';
import { ReadHolds } from './read-holds.js';
import { ReplyBatch } from './reply-batch.js';
import { DEFAULT_LIMITS, type SessionLimits } from './session-limits.js';
import type { SmtpSessionOptions } from './session-options.js';
import type { ConnectionDetails, SessionTransport } from './session-transport.js';
import type { SessionInfo, SmtpServerHooks } from './smtp-hooks.js';

/** `refused`: the greeting was a refusal; only QUIT is answered, as RFC 5321 3.1 asks. */
export type SessionState =
  'greeting' | 'refused' | 'ready' | 'auth' | 'data' | 'chunk' | 'tls' | 'closed';

/** A mail transaction, from MAIL FROM until the message is answered or the transaction reset. */
export interface Transaction {
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

/**
 * What the command handlers share of one connection: its settings, what the client said so far
 * (its name, its login, the transaction), and the ways to answer. `SmtpServerSession` owns one
 * and drives it from the client's input; the handlers (one file per command family) read and
 * change it, so that the state lives in one place and each handler in its own.
 */
export class SessionContext {
  readonly id: string;
  readonly limits: SessionLimits;
  readonly decoder: SmtpInputDecoder;
  readonly hooks: SmtpServerHooks;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly inFlight: InFlightBudget;
  readonly sasl: SaslServer | undefined;
  readonly holds: ReadHolds;
  private readonly replies: ReplyBatch;

  state: SessionState = 'greeting';
  secure: boolean;
  /** The client said EHLO or LHLO (not HELO): extensions and enhanced status codes are on. */
  extended = false;
  clientName: string | null = null;
  user: string | null = null;
  transaction: Transaction | null = null;
  /** The AUTH exchange in progress. */
  auth: { wire: SaslWireSession; mechanism: string } | null = null;
  failedCommands = 0;
  failedAuths = 0;
  commandsWithoutMail = 0;
  /** The BDAT chunk being read: whether it is the last, and why it will be refused, if it will. */
  chunk: { last: boolean; refusal: SmtpReply | null } = { last: false, refusal: null };

  constructor(
    readonly options: SmtpSessionOptions,
    readonly connection: ConnectionDetails,
    readonly transport: SessionTransport,
    /** The client reads its replies again: the session may go on with its input. */
    outputDrained: () => void,
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
    this.holds = new ReadHolds(transport, () => this.state === 'closed');
    this.replies = new ReplyBatch(transport, this.holds, outputDrained);
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

  get hostname(): string {
    return this.options.hostname;
  }

  /** Runs a hook; a hook that throws is logged and answered with a temporary failure. */
  async ask(hook: () => Promise<SmtpReply | void> | undefined): Promise<SmtpReply | undefined> {
    try {
      return (await hook()) ?? undefined;
    } catch (error) {
      this.logger.error('hook failed', { session: this.id, error: String(error) });
      return { code: 451, enhanced: '4.3.0', lines: ['Local error in processing'] };
    }
  }

  /** Answers with a refusal, and closes once the client has failed too often (Kerio 12.2). */
  refuse(reply: SmtpReply): void {
    this.reply(reply);
    // 421 is the server closing the channel (RFC 5321 4.2.2): a hook that says it means it.
    if (reply.code === 421) return this.close();
    if (reply.code >= 500 && ++this.failedCommands >= this.limits.failedCommands + 1) {
      this.reply({
        code: 421,
        enhanced: '4.7.0',
        lines: [`${this.hostname} Too many errors, closing`],
      });
      this.close();
    }
  }

  /** Queues a reply; it goes out with the others of its pipelined group (`flush`). */
  reply(reply: SmtpReply): void {
    if (this.state === 'closed') return;
    this.replies.add(
      formatReply(reply, { enhancedStatusCodes: this.extended || this.options.lmtp === true }),
    );
  }

  /** Replies gathered are enough to write them without waiting for the rest of the pipeline. */
  get repliesPiledUp(): boolean {
    return this.replies.full;
  }

  flush(): void {
    this.replies.flush();
  }

  /** Writes what is queued, closes the connection, and ends the session. */
  close(): void {
    if (this.state === 'closed') return;
    this.flush();
    this.transport.close();
    this.finish();
  }

  /** The session is over (closed by us, or the client went away): its transaction is dropped. */
  finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.abandonTransaction();
    this.hooks.onClose?.(this.info);
  }

  abandonTransaction(): void {
    const transaction = this.transaction;
    if (!transaction) return;
    transaction.message?.abort(new MessageAbortedError('transaction reset'));
    this.releaseInFlight(transaction);
    this.transaction = null;
  }

  /** The message's octets are no longer in flight: stored, refused or abandoned. */
  releaseInFlight(transaction: Transaction): void {
    this.inFlight.release(transaction.client, transaction.reserved);
    transaction.reserved = 0;
  }

  currentEnvelope(transaction: Transaction): Envelope {
    return { ...transaction.envelope, recipients: [...transaction.recipients] };
  }
}
