import type { InputEvent } from '../protocol/input-decoder.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import { abandonAuth, continueAuth } from './auth-command.js';
import { runCommand, runCommandAfterRefusal } from './command-dispatch.js';
import { chunkEnd, dataEnd, messageBytes } from './message-reception.js';
import { MessageAbortedError } from './message-stream.js';
import { SessionContext } from './session-context.js';
import type { SmtpSessionOptions } from './session-options.js';
import type { ConnectionDetails, SessionTransport } from './session-transport.js';
import type { SessionInfo } from './smtp-hooks.js';

const PRODUCT = 'Mailyard';

/**
 * One SMTP (or LMTP) connection, server side, as a state machine: bytes in through `receive`,
 * replies out through the transport, decisions through the application's hooks. It never reads a
 * socket or a clock itself and never throws: bad input gets SMTP's answer and the session goes on,
 * or closes where SMTP says so.
 *
 * This class is the connection's life (admission, greeting, timeouts, shutdown) and its input
 * loop; what each command does is in its handler's file, over the shared `SessionContext`.
 */
export class SmtpServerSession {
  readonly id: string;
  private readonly session: SessionContext;
  private handling = false;
  /** The server is shutting down: close once the transaction in progress is over. */
  private draining = false;
  /** What `onConnect` decided, once asked. */
  private admission: Promise<boolean> | null = null;
  /** A 2xx from `onConnect` that replaces the greeting's text. */
  private welcome: SmtpReply | null = null;

  constructor(
    options: SmtpSessionOptions,
    connection: ConnectionDetails,
    transport: SessionTransport,
  ) {
    this.id = connection.id;
    this.session = new SessionContext(options, connection, transport, () => this.pump());
  }

  /** What hooks see. */
  get info(): SessionInfo {
    return this.session.info;
  }

  get closed(): boolean {
    return this.session.state === 'closed';
  }

  /** Whether the client is sending message text (the transport's idle timeout is longer then). */
  get receivingMessage(): boolean {
    return this.session.state === 'data' || this.session.state === 'chunk';
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
    const session = this.session;
    const decision = await session.ask(() => session.hooks.onConnect?.(session.info));
    if (session.state !== 'greeting') return false; // gone meanwhile
    if (!decision || decision.code < 400) {
      this.welcome = decision ?? null;
      return true;
    }
    session.reply(decision);
    // 421 closes (RFC 5321 3.8), and so may 521 (RFC 7504 3); after a 554 the client is
    // owed the chance to say QUIT (RFC 5321 3.1).
    if (decision.code === 421 || decision.code === 521) {
      session.close();
      return false;
    }
    session.state = 'refused';
    this.pump();
    return false;
  }

  /**
   * Sends the greeting, once `onConnect` agreed (`admit`, asked here if it was not yet). With a
   * greeting delay (Kerio's spam repellent), the transport admits the client at once, waits,
   * then calls this, and calls `earlyTalker()` if the client speaks first.
   */
  async greet(): Promise<void> {
    if (!(await this.admit()) || this.session.state !== 'greeting') return;
    const { options } = this.session;
    this.session.state = 'ready';
    const banner = options.banner ?? (options.lmtp ? `LMTP ${PRODUCT}` : `ESMTP ${PRODUCT}`);
    this.session.reply(this.welcome ?? { code: 220, lines: [`${options.hostname} ${banner}`] });
    this.pump();
  }

  /** The client said nothing for too long (RFC 5321 4.5.3.2): the transport's timer ran out. */
  timedOut(): void {
    this.session.reply({
      code: 421,
      enhanced: '4.4.2',
      lines: [`${this.session.hostname} Timeout, closing connection`],
    });
    this.session.close();
  }

  /** The client spoke before the greeting: Kerio's repellent drops such clients at once. */
  earlyTalker(): void {
    this.session.logger.info('client talked before the greeting; dropped', {
      session: this.id,
      ip: this.session.connection.remoteAddress,
    });
    this.session.close();
  }

  /** Whether a command (or a message's end) is being handled: hooks, the store, a password check. */
  get busy(): boolean {
    return this.handling;
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    const session = this.session;
    if (session.state === 'closed') return;
    session.decoder.push(bytes);
    // A client pipelining faster than hooks answer must not fill memory: stop reading a while.
    if (session.decoder.buffered > session.limits.pendingInput) session.holds.hold('input');
    this.pump();
  }

  /** The client went away; an unfinished message is abandoned. */
  disconnected(): void {
    this.session.transaction?.message?.abort(new MessageAbortedError('client disconnected'));
    this.session.finish();
  }

  /**
   * The server is going down: an idle session is told 421 at once (RFC 5321 3.8), one in the
   * middle of a transaction when the transaction is over.
   */
  drain(): void {
    this.draining = true;
    if (!this.handling) this.pump();
  }

  /** Processes buffered input, one event at a time, each to its end before the next. */
  private pump(): void {
    const session = this.session;
    const state = session.state;
    if (this.handling || state === 'greeting' || state === 'tls' || state === 'closed') return;
    // Every command would add a reply to those the client is not reading: wait for it.
    if (session.holds.has('output')) return;
    if (this.draining && session.transaction === null && (state === 'ready' || state === 'refused'))
      return this.shutDownNow();
    const event = session.decoder.next();
    if (!event) {
      session.holds.release('input');
      return session.flush();
    }
    this.handling = true;
    void this.handle(event)
      .catch((error: unknown) => {
        session.logger.error('session failed', { session: this.id, error: String(error) });
        session.reply({
          code: 421,
          enhanced: '4.3.0',
          lines: [`${session.hostname} Internal error, closing`],
        });
        session.close();
      })
      .finally(() => {
        this.handling = false;
        if (session.repliesPiledUp) session.flush();
        this.pump();
      });
  }

  private async handle(event: InputEvent): Promise<void> {
    const session = this.session;
    switch (event.type) {
      case 'command':
        if (session.state === 'auth') return continueAuth(session, event.line);
        return session.state === 'refused'
          ? runCommandAfterRefusal(session, event.line)
          : runCommand(session, event.line);
      case 'line-too-long':
        // RFC 4954 4: a response longer than the server takes fails the AUTH command.
        if (session.state === 'auth') return abandonAuth(session, 'too-long');
        return session.refuse({ code: 500, enhanced: '5.5.6', lines: ['Line too long'] });
      case 'invalid-utf8':
        if (session.state === 'auth') return abandonAuth(session, 'malformed');
        return session.refuse({ code: 500, enhanced: '5.5.2', lines: ['Bad UTF-8 syntax'] });
      case 'data':
      case 'chunk':
        return messageBytes(session, event.chunk);
      case 'data-end':
        return dataEnd(session, event);
      case 'chunk-end':
        return chunkEnd(session);
    }
  }

  private shutDownNow(): void {
    this.session.reply({
      code: 421,
      enhanced: '4.3.2',
      lines: [`${this.session.hostname} Service shutting down`],
    });
    this.session.close();
  }
}
