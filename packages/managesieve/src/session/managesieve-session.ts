import { type Logger, type UserAccount, loggerWithFields } from '@mailyard/mailstore-interface';
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
import { CommandReader, type ReaderEvent, type Token } from '../protocol/command-reader.js';
import { type ManageSieveCommand, parseCommand } from '../protocol/managesieve-command.js';
import {
  type Capability,
  type ResponseCode,
  capabilityResponse,
  challengeLine,
  response,
} from '../protocol/response.js';
import type { ManageSieveContext } from './managesieve-engine.js';
import type { ManageSieveLoginFailure, ManageSieveSessionInfo } from './managesieve-hooks.js';
import { ScriptCommands } from './script-commands.js';

/**
 * What the session needs from the connection it runs on; the node floor provides it (the shape
 * every line protocol of node-listeners' session server has).
 */
export type ManageSieveTransport = SocketTransport;

/** What the transport knows about a connection. */
export type ManageSieveConnection = AcceptedConnection;

type State = 'new' | 'unauthenticated' | 'sasl' | 'authenticated' | 'closed';

/** Commands that carry a script: a literal too large for them is a quota matter. */
const SCRIPT_COMMANDS: ReadonlySet<string> = new Set(['PUTSCRIPT', 'CHECKSCRIPT']);

const PLAINTEXT_REFUSED = 'Plaintext authentication disallowed on non-secure connections';

/**
 * One ManageSieve connection, server side (RFC 5804): bytes in through `receive`, responses
 * out through the transport. Commands run one at a time, in order, so pipelined input just
 * waits its turn (and stops being read past `pendingInput`).
 *
 * Unauthenticated → (AUTHENTICATE) → authenticated → (UNAUTHENTICATE) → unauthenticated; LOGOUT
 * from either. Never throws: bad input gets `NO` and the session goes on, or `BYE` where a
 * limit says so.
 */
export class ManageSieveSession {
  private state: State = 'new';
  private secure: boolean;
  private readonly reader: CommandReader;
  private auth: { wire: SaslWireSession; mechanism: string } | null = null;
  private user: string | null = null;
  private failedLogins = 0;
  /** Commands one at a time, answers in batches, `NO` answers to bad commands counted in a row. */
  private readonly loop: CommandLoop<ReaderEvent>;
  private readonly sasl: SaslServer | undefined;
  readonly logger: Logger;
  private readonly scripts: ScriptCommands;

  constructor(
    private readonly context: ManageSieveContext,
    private readonly connection: ManageSieveConnection,
    private readonly transport: ManageSieveTransport,
  ) {
    this.secure = connection.secure;
    const { limits } = context;
    this.reader = new CommandReader({
      maxLine: limits.commandLine,
      maxLiteral: limits.literalBeforeLogin,
      maxDiscard: limits.literalBeforeLogin,
    });
    this.sasl = context.saslFor(connection);
    this.logger = loggerWithFields(context.logger, { session: connection.id });
    this.loop = new CommandLoop({
      transport,
      input: this.reader,
      pendingInput: limits.pendingInput,
      handle: (event) => this.handle(event),
      handlerFailed: (error) => {
        this.logger.error('managesieve session error', { error });
        this.send(response('NO', 'Internal server error', 'TRYLATER'));
      },
      stopped: () => this.state === 'closed',
      shutDown: () => this.closeForShutdown(),
    });
    this.scripts = new ScriptCommands(context, {
      send: (bytes) => this.send(bytes),
      failCommand: (text, code) => this.failCommand(text, code),
      changed: (user, change) =>
        this.callHook(() => context.options.hooks?.onScriptChange?.(user, change, this.info)),
      logger: this.logger,
    });
  }

  get info(): ManageSieveSessionInfo {
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
    };
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Sends the greeting: the capabilities, then `OK` (RFC 5804 1.7). */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'unauthenticated';
    this.transport.write(
      capabilityResponse(this.capabilities(), `${this.context.options.hostname} ManageSieve ready`),
    );
    this.loop.start();
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.loop.receive(bytes);
  }

  /** The idle timer fired: `BYE`, and the session ends. */
  timeout(): void {
    if (this.state === 'closed') return;
    this.logger.info('managesieve session timed out');
    this.send(response('BYE', 'Disconnected for inactivity'));
    this.close();
  }

  /**
   * The server is stopping: `BYE (TRYLATER)` now if the session waits for a command, or once
   * the command in progress is done.
   */
  shutdown(): void {
    if (this.state === 'closed') return;
    this.loop.shutdown();
  }

  /** The connection is gone. */
  disconnected(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.loop.disconnected();
    this.auth?.wire.session.cancel();
    this.auth = null;
  }

  /** Resolves once the input received so far has been handled and answered. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private closeForShutdown(): void {
    if (this.state === 'closed') return;
    this.send(response('BYE', 'Server shutting down', 'TRYLATER'));
    this.close();
  }

  private async handle(event: ReaderEvent): Promise<void> {
    if (event.type === 'unreadable') {
      this.logger.warn('managesieve literal too large to read', {
        command: event.command,
        size: event.literalSize,
      });
      const quota = this.state === 'authenticated' && SCRIPT_COMMANDS.has(event.command ?? '');
      this.send(
        quota
          ? response('BYE', 'Script too large', 'QUOTA/MAXSIZE')
          : response('BYE', 'Literal too large'),
      );
      this.close();
      return;
    }
    if (this.state === 'sasl') return this.saslLine(event);
    if (event.type === 'bad-line') {
      if (
        event.reason === 'literal-too-large' &&
        this.state === 'authenticated' &&
        SCRIPT_COMMANDS.has(event.command ?? '')
      ) {
        return this.failCommand('Script too large', 'QUOTA/MAXSIZE');
      }
      return this.failCommand(event.message);
    }
    const parsed = parseCommand(event.tokens);
    if (!parsed.ok) {
      return this.failCommand(parsed.reason === 'unknown' ? 'Unknown command' : parsed.message);
    }
    return this.command(parsed.command);
  }

  private async command(command: ManageSieveCommand): Promise<void> {
    switch (command.name) {
      case 'CAPABILITY':
        return this.send(capabilityResponse(this.capabilities(), 'Capability completed'));
      case 'LOGOUT':
        this.send(response('OK', 'Logout completed'));
        return this.close();
      case 'NOOP':
        return this.send(
          command.tag === undefined
            ? response('OK', 'NOOP completed')
            : response('OK', 'Done', { name: 'TAG', tag: command.tag }),
        );
      case 'STARTTLS':
        return this.startTls();
      case 'AUTHENTICATE':
        if (this.state === 'authenticated') return this.failCommand('Already authenticated');
        return this.startSasl(command.mechanism, command.initialResponse);
    }
    if (this.state !== 'authenticated') return this.failCommand('Authenticate first');
    if (command.name === 'UNAUTHENTICATE') return this.unauthenticate();
    return this.scripts.run(command, this.user!);
  }

  /**
   * The capabilities (RFC 5804 1.7): before login SASL with the mechanisms this connection may
   * use now and STARTTLS until TLS is up; after it OWNER, and neither of those (nothing is left
   * to negotiate; Dovecot leaves them out too, and a client that checks that an empty SASL comes
   * with STARTTLS, as sieve-connect does, would balk at `"SASL" ""`).
   */
  private capabilities(): Capability[] {
    const { options } = this.context;
    const list: Capability[] = [];
    const implementation =
      options.implementation === undefined ? 'Mailyard' : options.implementation;
    if (implementation !== null) list.push({ name: 'IMPLEMENTATION', value: implementation });
    list.push({ name: 'SIEVE', value: (options.sieveExtensions ?? []).join(' ') });
    if (options.notifyMethods && options.notifyMethods.length > 0) {
      list.push({ name: 'NOTIFY', value: options.notifyMethods.join(' ') });
    }
    if (options.maxRedirects !== undefined) {
      list.push({ name: 'MAXREDIRECTS', value: String(options.maxRedirects) });
    }
    if (this.state === 'authenticated') {
      list.push({ name: 'OWNER', value: this.user! });
    } else {
      const mechanisms = this.sasl?.advertise({ secure: this.secure }) ?? [];
      list.push({ name: 'SASL', value: mechanisms.join(' ') });
      if (this.connection.tlsAvailable && !this.secure) list.push({ name: 'STARTTLS' });
    }
    list.push({ name: 'UNAUTHENTICATE' });
    list.push({ name: 'VERSION', value: '1.0' });
    return list;
  }

  // ---- STARTTLS ----

  private async startTls(): Promise<void> {
    if (this.state === 'authenticated') return this.failCommand('Already authenticated');
    if (this.secure) return this.failCommand('TLS is already active');
    if (!this.connection.tlsAvailable) return this.failCommand('STARTTLS is not available');
    this.send(response('OK', 'Begin TLS negotiation now'));
    await this.loop.flush();
    // Whatever the client pipelined after STARTTLS was sent in the clear: it must not be read
    // as commands of the protected session (the STARTTLS injection attacks, CVE-2011-0411).
    this.reader.discard();
    try {
      await this.transport.startTls();
    } catch (error) {
      this.logger.warn('managesieve TLS handshake failed', { error });
      this.close();
      return;
    }
    if (this.state === 'closed') return;
    this.secure = true;
    // RFC 5804 2.2: the server re-issues the capabilities once TLS is up.
    this.send(capabilityResponse(this.capabilities(), 'TLS negotiation successful'));
  }

  // ---- AUTHENTICATE ----

  private async startSasl(mechanismName: string, initialResponse?: string): Promise<void> {
    const sasl = this.sasl;
    const mechanism = mechanismName.toUpperCase();
    const transport = { secure: this.secure };
    if (!sasl) return this.failCommand('Authentication is not available');
    if (!sasl.advertise(transport).includes(mechanism)) {
      if (!this.secure && sasl.advertise({ secure: true }).includes(mechanism)) {
        return this.refusePlaintext(mechanism, null);
      }
      return this.failCommand('Unsupported authentication mechanism');
    }
    const guard = this.context.options.loginGuard;
    const addressRefusal = guard?.checkAddress(this.connection.remoteAddress) ?? null;
    if (addressRefusal) return this.refuse(null, mechanism, addressRefusal);
    const wire = sasl.start(
      mechanism,
      transport,
      guard ? { loginGuard: guard, remoteAddress: this.connection.remoteAddress } : undefined,
    );
    if (!wire) return this.failCommand('Unsupported authentication mechanism');
    this.auth = { wire, mechanism };
    this.state = 'sasl';
    // An empty string is an empty initial response (RFC 5804 2.1); the wire layer spells it `=`.
    const initial = initialResponse === '' ? '=' : initialResponse;
    await this.saslStep(await wire.start(initial));
  }

  /** A line while SASL runs: the client's response, a string alone (RFC 5804 2.1). */
  private async saslLine(event: Exclude<ReaderEvent, { type: 'unreadable' }>): Promise<void> {
    const auth = this.auth;
    if (!auth) return;
    const token: Token | undefined = event.type === 'line' ? event.tokens[0] : undefined;
    if (event.type !== 'line' || event.tokens.length !== 1 || token?.kind !== 'string') {
      auth.wire.session.cancel();
      this.endSasl();
      this.send(response('NO', 'Authentication failed: malformed response'));
      this.countFailure();
      return this.recordLoginFailure(null, auth.mechanism, 'malformed');
    }
    await this.saslStep(await auth.wire.respond(token.bytes.toString('latin1')));
  }

  private async saslStep(step: WireStep): Promise<void> {
    const mechanism = this.auth?.mechanism ?? '';
    if (step.type === 'challenge') return this.send(challengeLine(step.challenge));
    this.endSasl();
    if (step.type === 'success') {
      let account: UserAccount | null;
      try {
        account = await this.context.options.directory.findUser(step.identity.user);
      } catch (error) {
        return this.lookupFailed(step.identity.authenticationId, mechanism, error);
      }
      if (!account || !account.enabled) {
        return this.loginFailed(step.identity.authenticationId, mechanism, 'invalid-credentials');
      }
      return this.login(account, mechanism, step.identity.authenticationId, step.additionalData);
    }
    const login = step.authenticationId ?? null;
    if (step.reason === 'refused' && step.refusal)
      return this.refuse(login, mechanism, step.refusal);
    switch (step.reason) {
      case 'invalid-credentials':
      case 'authorization-denied':
        return this.loginFailed(login, mechanism, 'invalid-credentials');
      case 'encryption-required':
        return this.refusePlaintext(mechanism, login);
      case 'temporary':
        return this.lookupFailed(login ?? '', mechanism, step.message);
      case 'cancelled':
        this.send(response('NO', 'Authentication cancelled'));
        return this.countFailure();
      default:
        this.send(response('NO', `Authentication failed: ${step.message}`));
        this.countFailure();
        if (countsAsLoginFailure(step.reason)) {
          await this.recordLoginFailure(login, mechanism, 'malformed');
        }
    }
  }

  private endSasl(): void {
    this.auth = null;
    if (this.state === 'sasl') this.state = 'unauthenticated';
  }

  private async refusePlaintext(mechanism: string, login: string | null): Promise<void> {
    this.send(response('NO', PLAINTEXT_REFUSED, 'ENCRYPT-NEEDED'));
    this.countFailure();
    await this.loginFailureHook({ login, mechanism, reason: 'plaintext-refused' });
  }

  /** The login guard refused: `NO (TRYLATER)` with why, so that clients do not ask for a new password. */
  private async refuse(
    login: string | null,
    mechanism: string,
    refusal: LoginRefusal,
  ): Promise<void> {
    this.send(response('NO', loginRefusalText(refusal.reason), 'TRYLATER'));
    this.logger.warn('managesieve login refused', {
      ip: this.connection.remoteAddress,
      login,
      mechanism,
      reason: refusal.reason,
      retryAfterMs: refusal.retryAfterMs,
    });
    this.countFailure();
    await this.loginFailureHook({ login, mechanism, reason: refusal.reason });
  }

  private async lookupFailed(login: string, mechanism: string, error: unknown): Promise<void> {
    this.logger.error('managesieve credential lookup failed', { login, error });
    this.send(response('NO', 'Authentication is unavailable; try again later', 'TRYLATER'));
    await this.loginFailureHook({ login, mechanism, reason: 'temporary' });
  }

  private async loginFailed(
    login: string | null,
    mechanism: string,
    reason: ManageSieveLoginFailure['reason'],
  ): Promise<void> {
    this.send(response('NO', 'Authentication failed'));
    await this.recordLoginFailure(login, mechanism, reason);
    this.failedLogins++;
    if (this.failedLogins >= this.context.limits.failedLogins && this.state !== 'closed') {
      this.send(response('BYE', 'Too many failed logins'));
      this.close();
    }
  }

  /** Tells the login guard, the log and the hook of a failure that counts towards lockouts. */
  private async recordLoginFailure(
    login: string | null,
    mechanism: string,
    reason: ManageSieveLoginFailure['reason'],
  ): Promise<void> {
    const ip = this.connection.remoteAddress;
    await this.context.options.loginGuard?.recordFailure(ip, login);
    this.logger.warn(`Failed ManageSieve login from ${ip}`, { login, mechanism, reason });
    await this.loginFailureHook({ login, mechanism, reason });
  }

  private async loginFailureHook(failure: ManageSieveLoginFailure): Promise<void> {
    await this.callHook(() => this.context.options.hooks?.onLoginFailed?.(failure, this.info));
  }

  private async login(
    account: UserAccount,
    mechanism: string,
    loginName: string,
    additionalData: string | undefined,
  ): Promise<void> {
    const { options, limits } = this.context;
    await options.loginGuard?.recordSuccess(this.connection.remoteAddress, loginName);
    if (this.state === 'closed') return;
    this.user = account.id;
    this.state = 'authenticated';
    this.failedLogins = 0;
    // After login a literal may carry a script (and its name, itself perhaps a literal).
    this.reader.limits.maxLiteral = limits.maxScriptSize + limits.scriptName;
    this.reader.limits.maxDiscard = Math.max(
      limits.discardedLiteral,
      this.reader.limits.maxLiteral,
    );
    this.logger.info('managesieve login', {
      user: account.id,
      mechanism,
      ip: this.connection.remoteAddress,
    });
    await this.callHook(() => options.hooks?.onLogin?.(account.id, this.info));
    this.send(
      additionalData === undefined
        ? response('OK', 'Logged in')
        : response('OK', 'Logged in', { name: 'SASL', data: additionalData }),
    );
  }

  private unauthenticate(): void {
    const { limits } = this.context;
    this.user = null;
    this.state = 'unauthenticated';
    this.reader.limits.maxLiteral = limits.literalBeforeLogin;
    this.reader.limits.maxDiscard = limits.literalBeforeLogin;
    this.send(response('OK', 'Unauthenticate completed'));
  }

  // ---- output and bookkeeping ----

  /** Queues a response: pipelined commands get theirs in one write. */
  private send(bytes: Buffer): void {
    this.loop.send(bytes);
  }

  private failCommand(text: string, code?: ResponseCode): void {
    this.send(response('NO', text, code));
    this.countFailure();
  }

  private countFailure(): void {
    const failed = this.loop.commandFailed();
    if (failed >= this.context.limits.failedCommands && this.state !== 'closed') {
      this.send(response('BYE', 'Too many bad commands'));
      this.close();
    }
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.auth?.wire.session.cancel();
    this.auth = null;
    this.state = 'closed';
    this.loop.close();
  }

  private async callHook(hook: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await hook();
    } catch (error) {
      this.logger.error('managesieve hook failed', { error });
    }
  }
}
