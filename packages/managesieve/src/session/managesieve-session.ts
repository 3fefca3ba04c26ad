import { type Logger, type UserAccount, loggerWithFields } from '@mailyard/mailstore-interface';
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
  scriptListResponse,
  scriptResponse,
} from '../protocol/response.js';
import { readScriptName, readScriptText } from '../protocol/script-name.js';
import {
  type SievePutOutcome,
  SieveScriptNameError,
  quotaOutcome,
} from '../store/sieve-script-store.js';
import type { ManageSieveContext } from './managesieve-engine.js';
import type {
  ManageSieveLoginFailure,
  ManageSieveScriptChange,
  ManageSieveSessionInfo,
} from './managesieve-hooks.js';
import type { SieveCheckResult } from './script-checker.js';

/** What the session needs from the connection it runs on; the node floor provides it. */
export interface ManageSieveTransport {
  /** Sends bytes; false when the transport's buffer is full (then wait for `drain()`). */
  write(bytes: Uint8Array): boolean;
  /** Resolves once the transport can take more after `write` returned false. */
  drain(): Promise<void>;
  /** Upgrades to TLS (after `OK` to STARTTLS); resolves once the handshake is done. */
  startTls(): Promise<void>;
  /** Closes the connection once what was written is out. */
  close(): void;
  /** Stop and resume reading from the client, for backpressure on pipelined input. */
  pause(): void;
  resume(): void;
}

/** What the transport knows about a connection. */
export interface ManageSieveConnection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The listener's name, for hooks and logs (`sieve`). */
  readonly listener: string;
  /** TLS from the first byte (not in RFC 5804, but some deployments tunnel it). */
  readonly secure: boolean;
  /** STARTTLS can be offered: the transport has a certificate and the connection is plain. */
  readonly tlsAvailable: boolean;
}

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
  /** `NO` answers to bad commands in a row: any command that succeeds starts the count again. */
  private failedCommands = 0;
  private failedLogins = 0;
  private busy = false;
  /** `shutdown()` was called: end at the next command boundary. */
  private draining = false;
  private inputArrived = false;
  private running: Promise<void> = Promise.resolve();
  private paused = false;
  private outgoing: Buffer[] = [];
  private readonly sasl: SaslServer | undefined;
  private readonly logger: Logger;

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
    this.pump();
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.reader.push(bytes);
    this.inputArrived = true;
    if (this.reader.buffered > this.context.limits.pendingInput && !this.paused) {
      this.paused = true;
      this.transport.pause();
    }
    this.pump();
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
    this.draining = true;
    if (!this.busy) this.closeForShutdown();
  }

  /** The connection is gone. */
  disconnected(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.auth?.wire.session.cancel();
    this.auth = null;
  }

  /** Resolves once the input received so far has been handled and answered. */
  async idle(): Promise<void> {
    for (let current = this.running; ; current = this.running) {
      await current;
      if (current === this.running) return;
    }
  }

  private closeForShutdown(): void {
    if (this.state === 'closed') return;
    this.send(response('BYE', 'Server shutting down', 'TRYLATER'));
    this.close();
  }

  private pump(): void {
    if (this.busy || this.state === 'new' || this.state === 'closed') return;
    this.busy = true;
    this.running = this.run().finally(() => {
      this.busy = false;
      if (this.inputArrived) this.pump();
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      this.inputArrived = false;
      await this.handleBuffered();
      await this.flush();
      if (this.paused && this.reader.buffered <= this.context.limits.pendingInput) {
        this.paused = false;
        this.transport.resume();
      }
      if (!this.inputArrived || this.state === 'closed') break;
    }
  }

  private async handleBuffered(): Promise<void> {
    while (this.state !== 'closed') {
      if (this.draining) return this.closeForShutdown();
      const event = this.reader.next();
      if (!event) return;
      const failuresBefore = this.failedCommands;
      try {
        await this.handle(event);
      } catch (error) {
        // Only a bug gets here; the client is told, the session goes on.
        this.logger.error('managesieve session error', { error });
        this.send(response('NO', 'Internal server error', 'TRYLATER'));
      }
      if (this.failedCommands === failuresBefore) this.failedCommands = 0;
      // Answers of pipelined commands go out a command at a time once they are large (a
      // GETSCRIPT of a big script), so that a client that does not read cannot make us hold
      // them all.
      if (this.outgoing.reduce((sum, b) => sum + b.length, 0) >= 64 * 1024) await this.flush();
    }
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
    const user = this.user!;
    switch (command.name) {
      case 'UNAUTHENTICATE':
        return this.unauthenticate();
      case 'LISTSCRIPTS':
        return this.storeCall(async () => {
          const { scripts, active } = await this.context.options.store.list(user);
          this.send(
            scriptListResponse(
              scripts.map((s) => ({ name: s.name, active: s.name === active })),
              'Listscripts completed',
            ),
          );
        });
      case 'HAVESPACE':
        return this.haveSpace(user, command.script, command.size);
      case 'PUTSCRIPT':
        return this.putScript(user, command.script, command.content);
      case 'CHECKSCRIPT':
        return this.checkOnly(user, command.content);
      case 'GETSCRIPT': {
        const name = this.scriptName(command.script);
        if (name === null) return;
        return this.storeCall(async () => {
          const content = await this.context.options.store.get(user, name);
          if (content === null) return this.send(response('NO', 'No such script', 'NONEXISTENT'));
          this.send(scriptResponse(Buffer.from(content, 'utf8'), 'Getscript completed'));
        });
      }
      case 'DELETESCRIPT': {
        const name = this.scriptName(command.script);
        if (name === null) return;
        return this.storeCall(async () => {
          const outcome = await this.context.options.store.delete(user, name);
          if (outcome === 'nonexistent') {
            return this.send(response('NO', 'No such script', 'NONEXISTENT'));
          }
          if (outcome === 'active') {
            return this.send(response('NO', 'The active script cannot be deleted', 'ACTIVE'));
          }
          await this.changed(user, { action: 'delete', name });
          this.send(response('OK', 'Deletescript completed'));
        });
      }
      case 'RENAMESCRIPT': {
        const from = this.scriptName(command.from);
        if (from === null) return;
        const to = this.scriptName(command.to);
        if (to === null) return;
        return this.storeCall(async () => {
          const outcome = await this.context.options.store.rename(user, from, to);
          if (outcome === 'nonexistent') {
            return this.send(response('NO', 'No such script', 'NONEXISTENT'));
          }
          if (outcome === 'exists') {
            return this.send(response('NO', 'A script with that name exists', 'ALREADYEXISTS'));
          }
          await this.changed(user, { action: 'rename', name: to, from });
          this.send(response('OK', 'Renamescript completed'));
        });
      }
      case 'SETACTIVE':
        return this.setActive(user, command.script);
    }
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
    await this.flush();
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

  // ---- scripts ----

  /** A script name as RFC 5804 1.6 allows it, or null after answering `NO` for it. */
  private scriptName(bytes: Uint8Array): string | null {
    const name = readScriptName(bytes, this.context.limits.scriptName);
    if (name === null) this.failCommand('Invalid script name');
    return name;
  }

  private async haveSpace(user: string, script: Uint8Array, size: number): Promise<void> {
    const name = this.scriptName(script);
    if (name === null) return;
    const { limits } = this.context;
    if (size > limits.maxScriptSize) return this.quotaRefusal('too-large');
    return this.storeCall(async () => {
      const { scripts } = await this.context.options.store.list(user);
      const outcome = quotaOutcome(scripts, name, size, {
        maxScripts: limits.maxScripts,
        maxStorage: limits.maxStorage,
      });
      if (outcome !== 'stored') return this.quotaRefusal(outcome);
      this.send(response('OK', 'Putscript would succeed'));
    });
  }

  private async putScript(user: string, scriptName: Uint8Array, content: Buffer): Promise<void> {
    const name = this.scriptName(scriptName);
    if (name === null) return;
    const checked = await this.check(user, content);
    if (checked === null) return;
    const { text, warnings } = checked;
    const { limits } = this.context;
    return this.storeCall(async () => {
      const outcome = await this.context.options.store.put(user, name, text, {
        maxScripts: limits.maxScripts,
        maxStorage: limits.maxStorage,
      });
      if (outcome !== 'stored') return this.quotaRefusal(outcome);
      await this.changed(user, { action: 'put', name });
      this.send(this.checkedResponse(warnings, 'Putscript completed'));
    });
  }

  private async checkOnly(user: string, content: Buffer): Promise<void> {
    const checked = await this.check(user, content);
    if (checked === null) return;
    this.send(this.checkedResponse(checked.warnings, 'Script is valid'));
  }

  /** `OK (WARNINGS)` with the warnings when there are some (RFC 5804 1.3). */
  private checkedResponse(warnings: readonly string[], text: string): Buffer {
    return warnings.length > 0
      ? response('OK', warnings.join('\r\n'), 'WARNINGS')
      : response('OK', text);
  }

  /**
   * The size, the encoding and the checker's verdict on a script (PUTSCRIPT, CHECKSCRIPT);
   * null after answering `NO` for it.
   */
  private async check(
    user: string,
    content: Buffer,
  ): Promise<{ text: string; warnings: readonly string[] } | null> {
    if (content.length > this.context.limits.maxScriptSize) {
      this.quotaRefusal('too-large');
      return null;
    }
    const text = readScriptText(content);
    if (text === null) {
      this.send(response('NO', 'Script is not valid UTF-8'));
      return null;
    }
    const verdict = await this.runChecker(text, user);
    if (verdict === null) return null;
    if (!verdict.ok) {
      // RFC 5804 2.6: a human-readable description of the errors; a literal when multi-line.
      this.send(response('NO', verdict.errors.join('\r\n') || 'Script is not valid'));
      return null;
    }
    return { text, warnings: verdict.warnings };
  }

  private async runChecker(text: string, user: string): Promise<SieveCheckResult | null> {
    const checker = this.context.options.checkScript;
    if (!checker) return { ok: true, warnings: [] };
    try {
      return await checker(text, user);
    } catch (error) {
      this.logger.error('managesieve script checker failed', { user, error });
      this.send(response('NO', 'Cannot check the script now', 'TRYLATER'));
      return null;
    }
  }

  private async setActive(user: string, script: Uint8Array): Promise<void> {
    const store = this.context.options.store;
    if (script.length === 0) {
      return this.storeCall(async () => {
        await store.setActive(user, null);
        await this.changed(user, { action: 'deactivate' });
        this.send(response('OK', 'Script deactivated'));
      });
    }
    const name = this.scriptName(script);
    if (name === null) return;
    return this.storeCall(async () => {
      const content = await store.get(user, name);
      if (content === null) return this.send(response('NO', 'No such script', 'NONEXISTENT'));
      // The checker may have changed since the script was stored (extensions turned off): a
      // script it now refuses is not made the one every delivery runs.
      const verdict = await this.runChecker(content, user);
      if (verdict === null) return;
      if (!verdict.ok) {
        return this.send(response('NO', verdict.errors.join('\r\n') || 'Script is not valid'));
      }
      const outcome = await store.setActive(user, name);
      if (outcome === 'nonexistent') {
        return this.send(response('NO', 'No such script', 'NONEXISTENT'));
      }
      await this.changed(user, { action: 'activate', name });
      this.send(this.checkedResponse(verdict.warnings, 'Setactive completed'));
    });
  }

  private quotaRefusal(outcome: Exclude<SievePutOutcome, 'stored'> | 'too-large'): void {
    switch (outcome) {
      case 'too-large':
        return this.send(response('NO', 'Script too large', 'QUOTA/MAXSIZE'));
      case 'too-many-scripts':
        return this.send(response('NO', 'Too many scripts', 'QUOTA/MAXSCRIPTS'));
      case 'over-storage':
        return this.send(response('NO', 'Script storage quota exceeded', 'QUOTA'));
    }
  }

  /**
   * Runs a store operation: a name the store cannot keep is the client's `NO`; any other
   * failure is ours, `NO (TRYLATER)`, and nothing changed (the store's promise).
   */
  private async storeCall(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (error instanceof SieveScriptNameError) {
        return this.send(response('NO', error.message));
      }
      this.logger.error('managesieve script store failed', { user: this.user, error });
      this.send(response('NO', 'Script storage is unavailable; try again later', 'TRYLATER'));
    }
  }

  private async changed(user: string, change: ManageSieveScriptChange): Promise<void> {
    await this.callHook(() =>
      this.context.options.hooks?.onScriptChange?.(user, change, this.info),
    );
  }

  // ---- output and bookkeeping ----

  private send(bytes: Buffer): void {
    if (bytes.length > 0) this.outgoing.push(bytes);
  }

  private async flush(): Promise<void> {
    if (this.outgoing.length === 0) return;
    const bytes = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing);
    this.outgoing = [];
    if (this.state === 'closed') return;
    if (!this.transport.write(bytes)) await this.transport.drain();
  }

  private failCommand(text: string, code?: ResponseCode): void {
    this.send(response('NO', text, code));
    this.countFailure();
  }

  private countFailure(): void {
    this.failedCommands++;
    if (this.failedCommands >= this.context.limits.failedCommands && this.state !== 'closed') {
      this.send(response('BYE', 'Too many bad commands'));
      this.close();
    }
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.auth?.wire.session.cancel();
    this.auth = null;
    this.state = 'closed';
    const pending = this.outgoing;
    this.outgoing = [];
    if (pending.length > 0) this.transport.write(Buffer.concat(pending));
    this.transport.close();
  }

  private async callHook(hook: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await hook();
    } catch (error) {
      this.logger.error('managesieve hook failed', { error });
    }
  }
}
