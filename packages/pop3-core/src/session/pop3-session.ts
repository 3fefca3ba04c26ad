import {
  type OpenMailbox,
  type UserAccount,
  isMailStoreError,
} from '@mailyard/mailstore-interface';
import {
  type AcceptedConnection,
  CommandLoop,
  type SocketTransport,
} from '@mailyard/node-listeners';
import {
  type LoginRefusal,
  type SaslServer,
  type SaslWireSession,
  type WireStep,
  countsAsLoginFailure,
  loginRefusalText,
} from '@mailyard/sasl';
import { apopDigestMatches, apopTimestamp } from '../protocol/apop.js';
import { type LineEvent, LineSplitter } from '../protocol/line-splitter.js';
import { MessageEncoder } from '../protocol/message-encoder.js';
import { type Pop3Command, parseCommand } from '../protocol/pop3-command.js';
import {
  type Pop3ResponseCode,
  continuationLine,
  errLine,
  multilineResponse,
  okLine,
} from '../protocol/pop3-response.js';
import type { MaildropLease } from './maildrop-registry.js';
import { Maildrop } from './maildrop.js';
import { type MessageRead, READ_AHEAD, ReadAhead } from './read-ahead.js';
import type { Pop3EngineContext } from './pop3-engine.js';
import type { Pop3LoginFailure, Pop3LoginMethod, Pop3SessionInfo } from './pop3-hooks.js';

/**
 * What the session needs from the connection it runs on; the node floor provides it (the shape
 * every line protocol of node-listeners' session server has).
 */
export type Pop3Transport = SocketTransport;

/** What the transport knows about a connection (`listener`: `pop3`, `pop3s`). */
export type Pop3Connection = AcceptedConnection;

type State = 'new' | 'authorization' | 'sasl' | 'transaction' | 'update' | 'closed';

const PLAINTEXT_REFUSED =
  'Plaintext authentication disallowed on non-secure connections; use STLS first';

/**
 * One POP3 connection, server side (RFC 1939 with CAPA, RESP-CODES, AUTH-RESP-CODE, AUTH, STLS,
 * UTF8): bytes in through `receive`, responses out through the transport. Commands are handled
 * one at a time, in order, so pipelining (RFC 2449 6.6) is just input waiting its turn.
 *
 * AUTHORIZATION → TRANSACTION at login, with the INBOX as it is then and the maildrop held
 * (`-ERR [IN-USE]` for a second session of the same user); UPDATE only after QUIT, which removes
 * exactly the messages marked with DELE. A session that ends any other way (dropped connection,
 * idle timeout, too many errors) changes nothing in the store. Never throws: bad input gets
 * `-ERR` and the session goes on, or closes where a limit says so.
 */
export class Pop3Session {
  private state: State = 'new';
  private secure: boolean;
  private utf8 = false;
  private readonly splitter: LineSplitter;
  private timestamp: string | null = null;
  private pendingUser: string | null = null;
  private auth: { wire: SaslWireSession; mechanism: string } | null = null;
  private user: string | null = null;
  private lease: MaildropLease | null = null;
  private maildrop: Maildrop | null = null;
  private readAhead: ReadAhead | null = null;
  /** Starts the read-ahead after the last RETR, once its answer is written. */
  private readNext: (() => void) | null = null;
  private failedLogins = 0;
  /**
   * The highest message number whose removal by another client was reported: asking for it
   * again, or for a lower one, counts as a failed command (a client looping on it is cut off),
   * the first report does not (the client did nothing wrong).
   */
  private removedReported = 0;
  /** Commands one at a time, answers in batches, `-ERR` answers counted in a row. */
  private readonly loop: CommandLoop<LineEvent>;
  private readonly sasl: SaslServer | undefined;
  private deleted: readonly number[] = [];
  /** The UPDATE state's changes, while they are being made. */
  private committing: Promise<number[]> | null = null;
  private quit = false;

  constructor(
    private readonly context: Pop3EngineContext,
    private readonly connection: Pop3Connection,
    private readonly transport: Pop3Transport,
  ) {
    this.secure = connection.secure;
    this.splitter = new LineSplitter(context.limits.commandLine);
    this.sasl = context.saslFor(connection);
    this.loop = new CommandLoop({
      transport,
      input: this.splitter,
      pendingInput: context.limits.pendingInput,
      handle: (event) => this.handle(event),
      handlerFailed: (error) => {
        this.context.logger.error('pop3 session error', { session: this.connection.id, error });
        this.send(errLine('Internal server error', 'SYS/TEMP'));
      },
      stopped: () => this.state === 'closed' || this.state === 'update',
      shutDown: () => this.closeForShutdown(),
      written: () => {
        // The client reads the answer while the messages it will ask for next are read.
        const readNext = this.readNext;
        this.readNext = null;
        readNext?.();
      },
    });
  }

  get info(): Pop3SessionInfo {
    const c = this.connection;
    return {
      id: c.id,
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
      localAddress: c.localAddress,
      localPort: c.localPort,
      listener: c.listener,
      secure: this.secure,
      user: this.user,
      utf8: this.utf8,
    };
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Sends the greeting, with an APOP timestamp when APOP is offered. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'authorization';
    const { options, random, clock } = this.context;
    let text = 'POP3 server ready';
    if (options.apop !== false) {
      this.timestamp = apopTimestamp(`${random()}.${clock.now()}`, options.hostname);
      text += ` ${this.timestamp}`;
    }
    this.transport.write(okLine(`${options.hostname} ${text}`));
    this.loop.start();
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'update') return;
    this.loop.receive(bytes);
  }

  /**
   * The idle timer fired (RFC 1939 3: at least 10 minutes). The session ends without UPDATE and
   * without a response, as RFC 1939 says; nothing is deleted.
   */
  timeout(): void {
    if (this.state === 'closed') return;
    this.context.logger.info('pop3 session timed out', { session: this.connection.id });
    this.close();
  }

  /**
   * The server is stopping: the session ends with `-ERR [SYS/TEMP]` now if it is waiting for a
   * command, or once the command in progress (a RETR, the UPDATE of a QUIT) is done.
   */
  shutdown(): void {
    if (this.state === 'closed') return;
    this.loop.shutdown();
  }

  private closeForShutdown(): void {
    if (this.state === 'closed' || this.state === 'update') return;
    this.send(errLine('Server shutting down', 'SYS/TEMP'));
    this.close();
  }

  /** The connection is gone; whatever the state, nothing is deleted. */
  disconnected(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.loop.disconnected();
    this.startFinishing();
  }

  /** Resolves once the input received so far has been handled and answered. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /** One line from the client: a command, or a response to a SASL challenge. */
  private async handle(event: LineEvent): Promise<void> {
    if (event.type === 'overlong') {
      if (this.state === 'sasl') await this.saslTooLong();
      else this.failCommand('Line too long');
    } else if (this.state === 'sasl') {
      await this.saslResponse(event.line.toString('latin1'));
    } else {
      await this.command(event.line);
    }
  }

  private async command(line: Buffer): Promise<void> {
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      this.failCommand(parsed.reason === 'unknown' ? 'Unknown command' : parsed.message);
      return;
    }
    const command = parsed.command;
    if (command.name === 'CAPA') return this.send(this.capabilities());
    if (command.name === 'QUIT') return this.quitCommand();
    if (this.state === 'authorization') return this.authorizationCommand(command);
    return this.transactionCommand(command);
  }

  /**
   * CAPA (RFC 2449 5). It lists how to log in: USER only where a password may be sent (RFC 2595
   * says not to offer what would be refused), SASL with the mechanisms this connection may use,
   * STLS until TLS is up, UTF8 (with USER: UTF-8 names and passwords are accepted, RFC 6856 2).
   * The same after login: "capabilities available in the AUTHORIZATION state MUST be announced
   * in both states" (RFC 2449 5; USER, SASL, STLS and UTF8 are all "both / no"), where Dovecot
   * drops the login capabilities.
   */
  private capabilities(): Buffer {
    const { options } = this.context;
    const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    lines.push(`EXPIRE ${options.expire ?? 'NEVER'}`);
    lines.push(`LOGIN-DELAY ${options.loginDelaySeconds ?? 0}`);
    const user = this.plaintextAllowed();
    if (user) lines.push('USER');
    const mechanisms = this.sasl?.advertise({ secure: this.secure }) ?? [];
    if (mechanisms.length > 0) lines.push(`SASL ${mechanisms.join(' ')}`);
    if (this.connection.tlsAvailable && !this.secure) lines.push('STLS');
    lines.push(user ? 'UTF8 USER' : 'UTF8');
    const implementation =
      options.implementation === undefined ? 'Mailyard' : options.implementation;
    if (implementation !== null) lines.push(`IMPLEMENTATION ${implementation}`);
    return multilineResponse('Capability list follows', lines);
  }

  // ---- AUTHORIZATION ----

  private async authorizationCommand(command: Pop3Command): Promise<void> {
    switch (command.name) {
      case 'USER':
        if (!this.plaintextAllowed()) return this.refusePlaintext('USER', command.user);
        this.pendingUser = command.user;
        return this.send(okLine('Send your password'));
      case 'PASS': {
        const login = this.pendingUser;
        this.pendingUser = null;
        if (login === null) return this.failCommand('USER first');
        if (!this.plaintextAllowed()) return this.refusePlaintext('USER', login);
        return this.passwordLogin(login, command.password);
      }
      case 'APOP':
        this.pendingUser = null;
        return this.apopLogin(command.user, command.digest);
      case 'AUTH':
        this.pendingUser = null;
        return this.startSasl(command.mechanism, command.initialResponse);
      case 'STLS':
        return this.startTls();
      case 'UTF8':
        this.utf8 = true;
        return this.send(okLine('UTF8 enabled'));
      default:
        return this.failCommand('Not logged in');
    }
  }

  private plaintextAllowed(): boolean {
    return this.secure || this.context.plaintextAllowed(this.connection);
  }

  private async refusePlaintext(method: Pop3LoginMethod, login: string | null): Promise<void> {
    this.send(errLine(PLAINTEXT_REFUSED, 'AUTH'));
    await this.callHook(() =>
      this.context.options.hooks?.onLoginFailed?.(
        { login, method, reason: 'plaintext-refused', justLocked: false, accountJustLocked: false },
        this.info,
      ),
    );
    this.countFailure();
  }

  /**
   * Asks the login guard, before any credential is looked at, whether this login may be checked
   * (it may make us wait: the per-account throttle). A refusal is answered here, with why.
   */
  private async refusedByGuard(login: string | null, method: Pop3LoginMethod): Promise<boolean> {
    const guard = this.context.options.loginGuard;
    if (!guard) return false;
    const ip = this.connection.remoteAddress;
    const refusal =
      guard.checkAddress(ip) ?? (login === null ? null : await guard.admit(ip, login));
    if (!refusal) return false;
    await this.refuse(login, method, refusal);
    return true;
  }

  /** `-ERR [SYS/TEMP]` with the reason: temporary, so that the client does not ask for a new password. */
  private async refuse(
    login: string | null,
    method: Pop3LoginMethod,
    refusal: LoginRefusal,
  ): Promise<void> {
    this.send(errLine(loginRefusalText(refusal.reason), 'SYS/TEMP'));
    this.context.logger.warn('pop3 login refused', {
      session: this.connection.id,
      ip: this.connection.remoteAddress,
      login,
      method,
      reason: refusal.reason,
      retryAfterMs: refusal.retryAfterMs,
    });
    await this.callHook(() =>
      this.context.options.hooks?.onLoginFailed?.(
        { login, method, reason: refusal.reason, justLocked: false, accountJustLocked: false },
        this.info,
      ),
    );
    this.countFailure();
  }

  private async passwordLogin(login: string, password: string): Promise<void> {
    if (await this.refusedByGuard(login, 'USER')) return;
    let account: UserAccount | null;
    try {
      account = await this.context.options.directory.verifyPassword(login, password);
    } catch (error) {
      return this.lookupFailed(login, 'USER', error);
    }
    if (!account || !account.enabled) return this.loginFailed(login, 'USER', 'invalid-credentials');
    return this.login(account, 'USER', login);
  }

  private async apopLogin(login: string, digest: string): Promise<void> {
    if (this.timestamp === null) return this.failCommand('APOP is not offered');
    if (await this.refusedByGuard(login, 'APOP')) return;
    let account: UserAccount | null = null;
    try {
      const directory = this.context.options.directory;
      const secret = await directory.plaintextPassword(login);
      if (secret !== null && apopDigestMatches(this.timestamp, secret, digest)) {
        account = await directory.findUser(login);
      }
    } catch (error) {
      return this.lookupFailed(login, 'APOP', error);
    }
    if (!account || !account.enabled) return this.loginFailed(login, 'APOP', 'invalid-credentials');
    return this.login(account, 'APOP', login);
  }

  private async startSasl(mechanism?: string, initialResponse?: string): Promise<void> {
    const sasl = this.sasl;
    const transport = { secure: this.secure };
    if (mechanism === undefined) {
      // Not in RFC 5034, but RFC 1734 clients list mechanisms so, and Dovecot answers it.
      return this.send(multilineResponse('', sasl ? sasl.advertise(transport) : []));
    }
    if (!sasl) return this.failCommand('AUTH is not available');
    const method: Pop3LoginMethod = `AUTH ${mechanism}`;
    if (!sasl.advertise(transport).includes(mechanism)) {
      if (!this.secure && sasl.advertise({ secure: true }).includes(mechanism)) {
        return this.refusePlaintext(method, null);
      }
      return this.failCommand('Unsupported authentication mechanism');
    }
    if (await this.refusedByGuard(null, method)) return;
    const loginGuard = this.context.options.loginGuard;
    const wire = sasl.start(
      mechanism,
      transport,
      loginGuard ? { loginGuard, remoteAddress: this.connection.remoteAddress } : undefined,
    );
    if (!wire) return this.failCommand('Unsupported authentication mechanism');
    this.auth = { wire, mechanism };
    this.state = 'sasl';
    this.splitter.maxLength = this.context.limits.saslLine;
    await this.saslStep(await wire.start(initialResponse));
  }

  private async saslResponse(line: string): Promise<void> {
    const auth = this.auth;
    if (!auth) return;
    await this.saslStep(await auth.wire.respond(line));
  }

  /** A response line over the limit was dropped: the exchange ends, broken, and counts. */
  private async saslTooLong(): Promise<void> {
    const mechanism = this.auth?.mechanism ?? '';
    this.auth?.wire.session.cancel();
    this.endSasl(errLine('SASL response too long'));
    await this.recordLoginFailure(null, `AUTH ${mechanism}`, 'malformed');
  }

  private async saslStep(step: WireStep): Promise<void> {
    const mechanism = this.auth?.mechanism ?? '';
    const method: Pop3LoginMethod = `AUTH ${mechanism}`;
    if (step.type === 'challenge') return this.send(continuationLine(step.challenge));
    this.endSasl(null);
    if (step.type === 'success') {
      let account: UserAccount | null;
      try {
        account = await this.context.options.directory.findUser(step.identity.user);
      } catch (error) {
        return this.lookupFailed(step.identity.authenticationId, method, error);
      }
      if (!account || !account.enabled) {
        return this.loginFailed(step.identity.authenticationId, method, 'invalid-credentials');
      }
      return this.login(account, method, step.identity.authenticationId);
    }
    const login = step.authenticationId ?? null;
    if (step.reason === 'refused' && step.refusal) return this.refuse(login, method, step.refusal);
    switch (step.reason) {
      case 'invalid-credentials':
      case 'authorization-denied':
        return this.loginFailed(login, method, 'invalid-credentials');
      case 'encryption-required':
        return this.refusePlaintext(method, login);
      case 'temporary':
        return this.lookupFailed(login ?? '', method, step.message);
      case 'cancelled':
        this.send(errLine('Authentication cancelled'));
        return this.countFailure();
      default:
        // A broken exchange: answered as such, and counted as a failed login.
        this.send(errLine(`Authentication failed: ${step.message}`));
        if (countsAsLoginFailure(step.reason)) {
          await this.recordLoginFailure(login, method, 'malformed');
        }
        this.countFailure();
    }
  }

  private endSasl(reply: Buffer | null): void {
    this.auth = null;
    if (this.state === 'sasl') this.state = 'authorization';
    this.splitter.maxLength = this.context.limits.commandLine;
    if (reply) {
      this.send(reply);
      this.countFailure();
    }
  }

  /** The directory could not answer: our failure, logged as an error, not counted against the client. */
  private async lookupFailed(
    login: string,
    method: Pop3LoginMethod,
    error: unknown,
  ): Promise<void> {
    this.context.logger.error('pop3 credential lookup failed', {
      session: this.connection.id,
      login,
      error,
    });
    this.send(errLine('Authentication is unavailable; try again later', 'SYS/TEMP'));
    await this.callHook(() =>
      this.context.options.hooks?.onLoginFailed?.(
        { login, method, reason: 'temporary', justLocked: false, accountJustLocked: false },
        this.info,
      ),
    );
  }

  private async loginFailed(
    login: string | null,
    method: Pop3LoginMethod,
    reason: Pop3LoginFailure['reason'],
  ): Promise<void> {
    this.send(errLine('Invalid login or password', 'AUTH'));
    await this.recordLoginFailure(login, method, reason);
    this.failedLogins++;
    if (this.failedLogins >= this.context.limits.failedLogins) {
      this.send(errLine('Too many failed logins; closing'));
      this.close();
    }
  }

  /** Tells the login guard, the log and the hook of a failure that counts towards lockouts. */
  private async recordLoginFailure(
    login: string | null,
    method: Pop3LoginMethod,
    reason: Pop3LoginFailure['reason'],
  ): Promise<void> {
    const ip = this.connection.remoteAddress;
    const verdict = (await this.context.options.loginGuard?.recordFailure(ip, login)) ?? {
      justLocked: false,
      accountJustLocked: false,
    };
    this.context.logger.warn(`Failed POP3 login from ${ip}`, {
      session: this.connection.id,
      login,
      method,
      reason,
      ...(verdict.justLocked ? { locked: true } : {}),
      ...(verdict.accountJustLocked ? { accountLocked: true } : {}),
    });
    await this.callHook(() =>
      this.context.options.hooks?.onLoginFailed?.(
        {
          login,
          method,
          reason,
          justLocked: verdict.justLocked,
          accountJustLocked: verdict.accountJustLocked,
        },
        this.info,
      ),
    );
  }

  private async login(
    account: UserAccount,
    method: Pop3LoginMethod,
    loginName: string,
  ): Promise<void> {
    const { options, maildrops, clock, logger } = this.context;
    await options.loginGuard?.recordSuccess(this.connection.remoteAddress, loginName);
    const delay = options.loginDelaySeconds ?? 0;
    const last = maildrops.lastLogin(account.id);
    if (delay > 0 && last !== null && clock.now() - last < delay * 1000) {
      return this.send(errLine(`Wait ${delay} seconds between logins`, 'LOGIN-DELAY'));
    }
    const lease = maildrops.acquire(account.id);
    if (!lease) {
      return this.send(errLine('Maildrop is locked by another session', 'IN-USE'));
    }
    let maildrop: Maildrop;
    let inbox: OpenMailbox | null = null;
    try {
      inbox = await this.openInbox(account.id);
      maildrop = await Maildrop.open(inbox, options.sizes ?? 'wire', this.context.wireSizes);
    } catch (error) {
      inbox?.close();
      lease.release();
      logger.error('pop3 could not open the maildrop', {
        session: this.connection.id,
        user: account.id,
        error,
      });
      return this.send(errLine('Cannot open the maildrop; try again later', 'SYS/TEMP'));
    }
    if (this.state === 'closed') {
      // The client left while the maildrop was being read.
      maildrop.mailbox.close();
      lease.release();
      return;
    }
    this.lease = lease;
    this.maildrop = maildrop;
    const depth = options.readAhead ?? READ_AHEAD;
    this.readAhead = depth > 0 ? new ReadAhead(maildrop.mailbox, depth) : null;
    this.user = account.id;
    this.state = 'transaction';
    maildrops.recordLogin(account.id, clock.now());
    logger.info('pop3 login', {
      session: this.connection.id,
      user: account.id,
      method,
      ip: this.connection.remoteAddress,
    });
    await this.callHook(() => options.hooks?.onLogin?.(account.id, this.info));
    this.send(
      okLine(`Logged in; maildrop has ${maildrop.count} messages (${maildrop.octets} octets)`),
    );
  }

  private async openInbox(user: string): Promise<OpenMailbox> {
    const access = this.context.options.store.access(user);
    try {
      return await access.open('INBOX');
    } catch (error) {
      // A user the directory knows but who never got mail has no tree yet (Kerio creates it
      // on first use).
      if (!isMailStoreError(error, 'not-found')) throw error;
      await this.context.options.store.provision(user);
      return access.open('INBOX');
    }
  }

  private async startTls(): Promise<void> {
    if (this.secure) return this.failCommand('Already using TLS');
    if (!this.connection.tlsAvailable) return this.failCommand('STLS is not available');
    this.send(okLine('Begin TLS negotiation'));
    await this.loop.flush();
    // Whatever the client pipelined after STLS was sent in the clear: it must not be read as
    // commands of the protected session (the STARTTLS injection attacks, CVE-2011-0411).
    this.splitter.discard();
    try {
      await this.transport.startTls();
    } catch (error) {
      this.context.logger.warn('pop3 TLS handshake failed', {
        session: this.connection.id,
        error,
      });
      this.close();
      return;
    }
    this.secure = true;
    // RFC 2595 4: the client forgets what it learned before; so do we.
    this.pendingUser = null;
    this.utf8 = false;
  }

  // ---- TRANSACTION ----

  private async transactionCommand(command: Pop3Command): Promise<void> {
    const maildrop = this.maildrop!;
    switch (command.name) {
      case 'STAT':
        return this.send(okLine(`${maildrop.count} ${maildrop.octets}`));
      case 'LIST': {
        if (command.message === undefined) {
          const lines: string[] = [];
          for (const [n, entry] of maildrop.live()) lines.push(`${n} ${entry.size}`);
          return this.send(
            multilineResponse(`${maildrop.count} messages (${maildrop.octets} octets)`, lines),
          );
        }
        const entry = this.existing(command.message);
        return entry ? this.send(okLine(`${command.message} ${entry.size}`)) : undefined;
      }
      case 'UIDL': {
        if (command.message === undefined) {
          const lines: string[] = [];
          for (const [n, entry] of maildrop.live()) lines.push(`${n} ${maildrop.uidl(entry)}`);
          return this.send(multilineResponse('', lines));
        }
        const entry = this.existing(command.message);
        return entry ? this.send(okLine(`${command.message} ${maildrop.uidl(entry)}`)) : undefined;
      }
      case 'RETR':
        return this.sendMessage(command.message, undefined);
      case 'TOP':
        return this.sendMessage(command.message, command.lines);
      case 'DELE':
        if (!this.existing(command.message)) return;
        maildrop.markDeleted(command.message);
        return this.send(okLine(`Message ${command.message} deleted`));
      case 'NOOP':
        return this.send(okLine());
      case 'RSET':
        maildrop.reset();
        return this.send(
          okLine(`Maildrop has ${maildrop.count} messages (${maildrop.octets} octets)`),
        );
      default:
        return this.failCommand('Not valid in the TRANSACTION state');
    }
  }

  /** The message with this number, or null after answering `-ERR` for it. */
  private existing(number: number): ReturnType<Maildrop['message']> {
    const maildrop = this.maildrop!;
    const entry = maildrop.message(number);
    if (entry) return entry;
    this.failCommand(
      maildrop.exists(number) ? `Message ${number} already deleted` : 'No such message',
    );
    return null;
  }

  /**
   * RETR and TOP: the message streamed from the store through the encoder, waiting for the
   * transport whenever its buffer is full, so that a 50 MB message never sits in memory.
   */
  private async sendMessage(number: number, bodyLines: number | undefined): Promise<void> {
    const entry = this.existing(number);
    if (!entry) return;
    const maildrop = this.maildrop!;
    const encoder = new MessageEncoder(bodyLines === undefined ? {} : { bodyLines });
    const read = this.readAhead?.take(entry.uid) ?? startRead(maildrop.mailbox, entry.uid);
    const chunks = read.rest;
    if (bodyLines === undefined && this.readAhead) {
      // Started once this answer is written (see run): a store that reads at once (the page
      // cache) would otherwise hold the answer back by the next message's read.
      const readAhead = this.readAhead;
      this.readNext = () => readAhead.expect(maildrop.following(number, readAhead.depth));
    }
    let first: IteratorResult<Uint8Array>;
    try {
      // Read before answering, so a message gone from the store (expunged over IMAP since
      // login) still gets a clean -ERR.
      first = await read.first;
    } catch (error) {
      const gone = isMailStoreError(error, 'expunged') || isMailStoreError(error, 'not-found');
      if (!gone) {
        this.context.logger.error('pop3 could not read a message', {
          session: this.connection.id,
          uid: entry.uid,
          error,
        });
      }
      if (!gone) return this.failCommand('Cannot read the message', 'SYS/TEMP');
      if (number > this.removedReported) {
        this.removedReported = number;
        return this.send(errLine('Message was removed by another client'));
      }
      return this.failCommand('Message was removed by another client');
    }
    // The status line, the text and the end marker go out together where they fit in one
    // write: a small message (or a run of pipelined ones) is one TCP send, not three, which
    // matters for every client that waits for a whole answer before acknowledging it.
    this.send(okLine(bodyLines === undefined ? `${entry.size} octets` : ''));
    try {
      for (let next = first; !next.done; next = await chunks.next()) {
        this.send(encoder.push(next.value));
        if (this.loop.batchFull) await this.loop.flush();
        if (encoder.done || this.state === 'closed') break;
      }
    } catch (error) {
      // Half a message is out: nothing can be said in the protocol any more but goodbye.
      this.context.logger.error('pop3 message read failed midway', {
        session: this.connection.id,
        uid: entry.uid,
        error,
      });
      this.close();
      return;
    } finally {
      await chunks.return?.();
    }
    if (this.state === 'closed') return;
    this.send(encoder.end());
    if (bodyLines === undefined) maildrop.markRetrieved(number);
  }

  // ---- QUIT and UPDATE ----

  private async quitCommand(): Promise<void> {
    const hostname = this.context.options.hostname;
    if (this.state !== 'transaction') {
      this.send(okLine(`${hostname} POP3 server signing off`));
      this.close();
      return;
    }
    this.state = 'update';
    this.quit = true;
    const maildrop = this.maildrop!;
    this.committing = maildrop.commit(this.context.options.markSeen ?? true);
    try {
      this.deleted = await this.committing;
      // What the INBOX holds after the UPDATE, not what the snapshot of login would leave.
      const left = await maildrop.remaining().catch((error: unknown) => {
        // The UPDATE is done; only the count is missing, so the sign-off goes without it.
        this.context.logger.warn('pop3 could not count the messages left', {
          session: this.connection.id,
          error,
        });
        return null;
      });
      this.send(
        okLine(
          left === null
            ? `${hostname} POP3 server signing off`
            : `${hostname} POP3 server signing off (${left} messages left)`,
        ),
      );
    } catch (error) {
      this.context.logger.error('pop3 UPDATE failed', {
        session: this.connection.id,
        user: this.user,
        error,
      });
      this.send(errLine('Some deleted messages not removed', 'SYS/TEMP'));
    }
    this.close();
  }

  // ---- output and bookkeeping ----

  /** Queues a response: pipelined commands get theirs in one write (RFC 2449 6.6). */
  private send(bytes: Buffer): void {
    this.loop.send(bytes);
  }

  private failCommand(text: string, code?: Pop3ResponseCode): void {
    this.send(errLine(text, code));
    this.countFailure();
  }

  private countFailure(): void {
    const failed = this.loop.commandFailed();
    if (failed >= this.context.limits.failedCommands && this.state !== 'closed') {
      this.send(errLine('Too many bad commands; closing'));
      this.close();
    }
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.loop.close();
    this.startFinishing();
  }

  /** The end of the session is reported (maildrop released, `onLogout`) before it is idle. */
  private startFinishing(): void {
    this.loop.endWith(this.finish());
  }

  /** Releases the maildrop and tells the application, once. */
  private async finish(): Promise<void> {
    // An UPDATE under way finishes before the maildrop is let go, whatever ended the session.
    await this.committing?.catch(() => undefined);
    const user = this.user;
    this.readNext = null;
    this.readAhead?.cancelAll();
    this.readAhead = null;
    this.maildrop?.mailbox.close();
    this.maildrop = null;
    this.lease?.release();
    this.lease = null;
    if (user === null) return;
    this.user = null;
    const deleted = this.deleted;
    const quit = this.quit;
    await this.callHook(() =>
      this.context.options.hooks?.onLogout?.({ user, quit, deleted }, { ...this.info, user }),
    );
  }

  private async callHook(hook: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await hook();
    } catch (error) {
      this.context.logger.error('pop3 hook failed', { session: this.connection.id, error });
    }
  }
}

function startRead(mailbox: OpenMailbox, uid: number): MessageRead {
  const rest = mailbox.read(uid)[Symbol.asyncIterator]();
  return { first: rest.next(), rest };
}
