import {
  type Clock,
  type Logger,
  type MailAccess,
  type MailStore,
  type MailboxInfo,
  type MessageRecord,
  type MessageState,
  isMailStoreError,
  loggerWithFields,
  silentLogger,
  systemClock,
} from '@mailyard/mailstore-interface';
import { type ChannelBinding, SaslServer, type SaslTransport } from '@mailyard/sasl';
import type { Command } from '../protocol/command.js';
import { parseCommand } from '../protocol/command-parser.js';
import {
  CommandReader,
  type LiteralRequest,
  type ReaderEvent,
} from '../protocol/command-reader.js';
import { type OutputChunk, ResponseBuilder, responseText } from '../protocol/response-builder.js';
import { capabilities } from './capabilities.js';
import { HeldOutput } from './held-output.js';
import { reportMailboxChanges } from './change-report.js';
import { COMMAND_TABLE, allowsExpunges } from './command-table.js';
import { unreadableAuthenticate } from './commands/auth-commands.js';
import { type CensusEntry, ConnectionCensus } from './connection-census.js';
import type { ImapCounters } from './imap-counters.js';
import { LiteralBudget } from './literal-budget.js';
import { isListed, nameFromWire, nameToWire, sameMailbox } from './mailbox-names.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import type { SessionContext, SessionState, Status } from './session-context.js';
import {
  type ConnectionInfo,
  DEFAULT_MECHANISMS,
  DEFAULT_SESSION_LIMITS,
  type ImapSessionOptions,
  type SessionLimits,
} from './session-options.js';
import { refuse, storeRefusal } from './store-refusal.js';

/** What the session needs from the transport it runs on (the Node floor, or a test). */
export interface ImapTransport {
  /**
   * Writes octets in order; a returned promise resolves when more may be written (backpressure).
   * The session calls it once per command's answer (more for one over 64 KB or a large literal).
   */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Ends the connection once what was written has been sent. */
  close(): void;
  /** Stops and restarts reading from the client, when input piles up faster than it is served. */
  pause?(): void;
  resume?(): void;
  /**
   * Upgrades to TLS: stops handing input to the session at once, waits for `afterWritten` (the
   * OK), then negotiates. Resolves with what the TLS layer offers SASL, rejects when it failed.
   */
  startTls?(afterWritten: Promise<void>): Promise<{ channelBinding?: ChannelBinding }>;
  /**
   * Turns on DEFLATE (RFC 4978): what `pending` holds was received after the command and is
   * compressed already; output is compressed from the first octet after `afterWritten`.
   */
  startCompression?(pending: Uint8Array, afterWritten: Promise<void>): void;
  /**
   * The session logged in, or out with UNAUTHENTICATE: a transport whose autologout timer
   * depends on the state re-arms it here, as a client that pipelined LOGIN with IDLE sends
   * nothing more to re-arm it with.
   */
  authenticationChanged?(authenticated: boolean): void;
}

/**
 * A command's answer is held until the command ends (or waits for the client), and written at
 * once when this many octets are held: one socket write per answer, and bounded memory for a
 * FETCH of many messages, whose writes wait for the client to read (backpressure).
 */
const WRITE_COALESCE = 64 * 1024;
/** A streamed literal's piece this long is written as it is, not copied into the held output. */
const DIRECT_WRITE = 16 * 1024;

/** Pre-authentication literals are kept small: nobody has proven who they are yet. */
const PRE_AUTH_LITERAL_LIMIT = 8192;
/** RFC 7888: with LITERAL-, non-synchronizing literals may be at most this long. */
const LITERAL_MINUS_LIMIT = 4096;

/**
 * One IMAP connection, sans I/O: bytes in through {@link receive}, bytes out through the
 * transport. It reads commands one at a time (pipelined ones wait their turn), runs them against
 * the store as the logged-in user, and reports the selected mailbox's changes where RFC 9051
 * allows. It never throws at its caller: bad input gets BAD, store failures NO, and a bug in a
 * handler `NO [SERVERBUG]`.
 */
export class ImapSession implements SessionContext {
  readonly limits: SessionLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: ImapCounters | null;
  readonly store: MailStore;
  readonly sasl: SaslServer;
  readonly remoteAddress: string;
  /** The connection's name in logs: every entry the session writes carries it as `session`. */
  readonly id: string;

  private currentState: SessionState = 'not-authenticated';
  private currentUser: string | null = null;
  private userAccess: MailAccess | null = null;
  private currentSelection: SelectedMailbox | null = null;
  private readonly enabledSet = new Set<string>();
  private condstoreUsed = false;
  private isSecure: boolean;
  private isCompressed = false;
  private channelBinding: ChannelBinding | undefined;
  private readonly reader: CommandReader;
  private pumping = false;
  private closed = false;
  private paused = false;
  private waiter: (() => void) | null = null;
  private output: Promise<void> = Promise.resolve();
  /** What the running command has answered so far (written when it ends, or waits for input). */
  private readonly held = new HeldOutput();
  private authFailures = 0;
  private badCommands = 0;
  private appendBytes = 0;
  private readonly literalBudget: LiteralBudget;
  /** Octets of the current command's literals reserved in the budget, and for whom. */
  private literalsReserved = 0;
  private literalsReservedFor: string | null = null;
  private readonly census: ConnectionCensus;
  /** Null until the greeting, and for a connection refused at once. */
  private censusEntry: CensusEntry | null = null;

  constructor(
    readonly options: ImapSessionOptions,
    private readonly connection: ConnectionInfo,
    private readonly transport: ImapTransport,
  ) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.clock = options.clock ?? systemClock;
    this.id = connection.id ?? '';
    this.logger = loggerWithFields(options.logger ?? silentLogger, { session: this.id });
    this.counters = options.counters ?? null;
    this.store = options.store;
    this.remoteAddress = connection.remoteAddress;
    this.isSecure = connection.secure;
    this.channelBinding = connection.channelBinding;
    this.reader = new CommandReader(this.limits);
    this.census =
      options.census ??
      new ConnectionCensus(this.limits, options.connectionLimitsExempt ?? (() => false));
    this.literalBudget =
      options.literalBudget ??
      new LiteralBudget({
        perUser: this.limits.maxInFlightPerUser,
        perServer: this.limits.maxInFlightPerServer,
      });
    this.sasl =
      options.sasl ??
      new SaslServer({
        credentials: options.directory,
        hostname: options.hostname,
        service: 'imap',
        mechanisms: options.mechanisms ?? DEFAULT_MECHANISMS,
        ...(options.allowPlaintextAuth ? { allowPlaintext: true } : {}),
      });
    if (this.counters) {
      this.counters.connections++;
      this.counters.connectionsCurrent++;
    }
  }

  // ---- the connection's life ----

  /**
   * Sends the greeting (RFC 9051 7.1.1: OK with the capabilities), or, to an address with too
   * many connections already, BYE (RFC 9051 7.1.5) and closes.
   */
  async start(): Promise<void> {
    const admitted = this.census.admit(this.remoteAddress);
    if (typeof admitted === 'string') {
      this.logger.warn('imap: connection refused', {
        remote: this.remoteAddress,
        reason: admitted,
      });
      await this.sendLine('* BYE [UNAVAILABLE] Too many connections from your address');
      this.close();
      return;
    }
    this.censusEntry = admitted;
    if (this.closed) this.censusEntry.leave();
    const text = this.options.greeting ?? `${this.options.hostname} Mailyard IMAP ready`;
    await this.sendLine(
      `* OK [CAPABILITY ${this.capabilityList().join(' ')}] ${responseText(text)}`,
    );
  }

  /** Octets from the client. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.reader.push(bytes);
    if (!this.paused && this.reader.buffered > this.limits.inputHighWater) {
      this.paused = true;
      this.transport.pause?.();
    }
    this.wake();
  }

  /** The client went away: release the mailbox and everything waiting. */
  disconnected(): void {
    if (this.closed) return;
    this.closed = true;
    this.currentState = 'logout';
    this.releaseSelection();
    this.censusEntry?.leave();
    // A literal cut off mid-way is given back now; one whose command is running, when it ends.
    if (!this.pumping) this.releaseLiterals();
    this.wake();
    if (this.counters) this.counters.connectionsCurrent--;
  }

  /** The transport's idle timer ran out (RFC 9051 5.4: the autologout timer). */
  async timedOut(): Promise<void> {
    if (this.closed) return;
    await this.sendLine('* BYE Autologout; idle for too long');
    this.close();
  }

  /** The server is shutting down: tells the client and closes. */
  async shutdown(text = 'Server shutting down'): Promise<void> {
    if (this.closed) return;
    await this.sendLine(`* BYE [UNAVAILABLE] ${responseText(text, this)}`);
    this.close();
  }

  get state(): SessionState {
    return this.currentState;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Octets received and not consumed yet (the session pauses its transport past `inputHighWater`). */
  get bufferedInput(): number {
    return this.reader.buffered;
  }

  /** Whether the session asked its transport to stop reading, and has not asked it to go on. */
  get inputPaused(): boolean {
    return this.paused;
  }

  /** Whether the session is idle between commands (for graceful shutdown). */
  get busy(): boolean {
    return this.pumping || this.reader.midCommand;
  }

  close(): void {
    if (this.closed) return;
    const written = this.flushOutput();
    this.disconnected();
    void written.then(() => this.transport.close());
  }

  // ---- SessionContext ----

  get user(): string | null {
    return this.currentUser;
  }

  get access(): MailAccess {
    if (!this.userAccess) throw new Error('not authenticated');
    return this.userAccess;
  }

  get selected(): SelectedMailbox | null {
    return this.currentSelection;
  }

  get secure(): boolean {
    return this.isSecure;
  }

  get compressed(): boolean {
    return this.isCompressed;
  }

  get saslTransport(): SaslTransport {
    return {
      secure: this.isSecure,
      ...(this.channelBinding ? { channelBinding: this.channelBinding } : {}),
    };
  }

  get rev2(): boolean {
    return this.enabledSet.has('IMAP4rev2');
  }

  get utf8(): boolean {
    return this.rev2 || this.enabledSet.has('UTF8=ACCEPT');
  }

  get condstore(): boolean {
    return this.condstoreUsed || this.enabledSet.has('CONDSTORE') || this.qresync;
  }

  get qresync(): boolean {
    return this.enabledSet.has('QRESYNC');
  }

  get enabled(): ReadonlySet<string> {
    return this.enabledSet;
  }

  builder(): ResponseBuilder {
    return new ResponseBuilder({ utf8: this.utf8 });
  }

  send(chunks: readonly OutputChunk[]): Promise<void> {
    return this.afterOutput(() => this.writeChunks(chunks));
  }

  sendLine(text: string): Promise<void> {
    return this.send([Buffer.from(`${text}\r\n`, 'utf8')]);
  }

  async finish(
    command: Command,
    status: Status,
    text: string,
    code: string | null = null,
  ): Promise<void> {
    await this.reportChanges(allowsExpunges(command));
    await this.sendLine(
      `${command.tag} ${status}${code ? ` [${code}]` : ''} ${responseText(text, this)}`,
    );
  }

  async reportChanges(includeExpunges: boolean): Promise<void> {
    const selection = this.currentSelection;
    if (!selection || !selection.hasChanges) return;
    if (selection.gone) {
      await this.sendLine('* BYE Selected mailbox was deleted, have to disconnect');
      this.close();
      return;
    }
    await reportMailboxChanges(this, selection, includeExpunges);
  }

  async readLine(): Promise<Uint8Array | 'too-long' | null> {
    for (;;) {
      if (this.closed) return null;
      const line = this.reader.takeLine();
      if (line !== null) {
        this.resumeIfDrained();
        return line;
      }
      // The client answers what it has seen (a SASL challenge): it must see it first. What
      // arrived during the write found no waiter to wake, so it is looked at again.
      await this.flushOutput();
      if (this.closed) return null;
      const arrived = this.reader.takeLine();
      if (arrived !== null) {
        this.resumeIfDrained();
        return arrived;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  pollLine(): Uint8Array | 'too-long' | null {
    const line = this.reader.takeLine();
    if (line !== null) this.resumeIfDrained();
    return line;
  }

  async waitForActivity(): Promise<void> {
    // Whatever IDLE has reported goes out before it waits: updates are never held back.
    await this.flushOutput();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiter = null;
        this.currentSelection?.onChange(null);
        resolve();
      };
      if (this.closed || this.reader.buffered > 0 || this.currentSelection?.hasChanges)
        return done();
      this.waiter = done;
      this.currentSelection?.onChange(done);
    });
  }

  async mailboxes(): Promise<readonly MailboxInfo[]> {
    const all = await this.access.list();
    return all.filter((info) => isListed(info, this.options.fullListing === true));
  }

  /**
   * A mailbox as the store has it now. Never from a list kept between commands: another session
   * may have created, renamed or deleted it a moment ago.
   */
  async mailboxInfo(name: string): Promise<MailboxInfo | null> {
    const access = this.access;
    if (!access.info) {
      return (await this.mailboxes()).find((info) => sameMailbox(info.name, name)) ?? null;
    }
    try {
      const info = await access.info(name);
      return isListed(info, this.options.fullListing === true) ? info : null;
    } catch (error) {
      if (isMailStoreError(error, 'not-found') || isMailStoreError(error, 'invalid-name'))
        return null;
      throw error;
    }
  }

  records(
    uids: readonly number[],
    states?: ReadonlyMap<number, MessageState>,
  ): Promise<MessageRecord[]> {
    const mailbox = this.currentSelection!.mailbox;
    const cache = this.options.recordCache;
    return cache ? cache.fetch(mailbox, uids, states) : mailbox.fetch(uids);
  }

  capabilityList(): string[] {
    return capabilities({
      authenticated: this.currentState === 'authenticated' || this.currentState === 'selected',
      secure: this.isSecure,
      tlsAvailable: this.connection.tlsAvailable && this.transport.startTls !== undefined,
      compressionAvailable:
        this.connection.compressionAvailable && this.transport.startCompression !== undefined,
      compressed: this.isCompressed,
      plaintextAllowed: this.options.allowPlaintextAuth === true,
      mechanisms: this.sasl.advertise(this.saslTransport),
      literalMinus: this.options.literalMinus === true,
      appendLimit: this.limits.appendLimit,
      quotaSettable: this.options.setQuota !== undefined,
    });
  }

  storeName(wire: string): string {
    const name = nameFromWire(wire, this.utf8);
    if (name === null) refuse('NO', 'Mailbox name is not valid modified UTF-7', 'CANNOT');
    return name;
  }

  wireName(name: string): string {
    return nameToWire(name, this.utf8);
  }

  logIn(user: string): void {
    const refused = this.censusEntry?.logIn(user);
    if (refused) {
      this.logger.warn('imap: login refused', {
        user,
        remote: this.remoteAddress,
        reason: refused,
      });
      refuse('NO', 'Maximum number of connections from user+IP exceeded', 'LIMIT');
    }
    this.currentUser = user;
    this.userAccess = this.store.access(user);
    this.currentState = 'authenticated';
    this.authFailures = 0;
    if (this.counters) this.counters.logins++;
    this.transport.authenticationChanged?.(true);
  }

  logOut(): void {
    this.releaseSelection();
    this.currentState = 'logout';
  }

  unauthenticate(): void {
    this.censusEntry?.logOut();
    this.releaseSelection();
    this.currentUser = null;
    this.userAccess = null;
    this.enabledSet.clear();
    this.condstoreUsed = false;
    this.currentState = 'not-authenticated';
    this.transport.authenticationChanged?.(false);
  }

  select(mailbox: SelectedMailbox): void {
    this.releaseSelection();
    this.currentSelection = mailbox;
    this.currentState = 'selected';
  }

  deselect(): boolean {
    const had = this.currentSelection !== null;
    this.releaseSelection();
    if (this.currentState === 'selected') this.currentState = 'authenticated';
    return had;
  }

  enable(capability: string): boolean {
    if (this.enabledSet.has(capability)) return false;
    this.enabledSet.add(capability);
    // RFC 7162 3.2.3: enabling QRESYNC enables CONDSTORE too.
    if (capability === 'QRESYNC') this.enabledSet.add('CONDSTORE');
    return true;
  }

  async useCondstore(): Promise<void> {
    if (this.condstore) return;
    this.condstoreUsed = true;
    // RFC 7162 3.1.1: once CONDSTORE is on with a mailbox selected, the client learns its HIGHESTMODSEQ.
    const selection = this.currentSelection;
    if (selection) {
      const status = await selection.mailbox.status();
      await this.sendLine(`* OK [HIGHESTMODSEQ ${status.highestModSeq}] Highest`);
    }
  }

  async startTls(command: Command): Promise<void> {
    // The OK goes out in clear, before the handshake, and nothing held may cross the switch.
    void this.sendLine(`${command.tag} OK Begin TLS negotiation now`);
    const written = this.flushOutput();
    this.reader.drainInput();
    try {
      const result = await this.transport.startTls!(written);
      this.isSecure = true;
      this.channelBinding = result.channelBinding;
    } catch (error) {
      this.logger.warn('imap: TLS negotiation failed', { error });
      this.close();
    }
  }

  async startCompression(command: Command): Promise<void> {
    // The OK is the last octets sent uncompressed: written now, not held with what follows.
    void this.sendLine(`${command.tag} OK DEFLATE active`);
    const written = this.flushOutput();
    this.isCompressed = true;
    this.transport.startCompression!(this.reader.drainInput(), written);
    await written;
  }

  async authFailed(): Promise<void> {
    if (++this.authFailures >= this.limits.maxAuthFailures) {
      await this.sendLine('* BYE Too many invalid authentication attempts');
      this.close();
    }
  }

  // ---- reading and running commands ----

  private wake(): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter();
      return;
    }
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed) {
        const event = this.reader.next();
        if (!event) break;
        await this.handle(event);
        // One command, one write: its answer was held until now.
        await this.flushOutput();
      }
    } catch (error) {
      this.logger.error('imap: session failed', { error });
      this.close();
    } finally {
      this.pumping = false;
      // An answer queued but not yet gathered when the last flush ran writes itself (nothing
      // pumps now); one gathered already is written here.
      if (this.held.bytes > 0) void this.flushOutput();
      if (this.closed) this.releaseLiterals();
      this.resumeIfDrained();
    }
  }

  private resumeIfDrained(): void {
    if (this.paused && this.reader.buffered <= this.limits.inputHighWater / 2) {
      this.paused = false;
      this.transport.resume?.();
    }
  }

  private async handle(event: ReaderEvent): Promise<void> {
    switch (event.type) {
      case 'literal':
        return this.answerLiteral(event.request);
      case 'error': {
        this.releaseLiterals();
        const text = event.problem === 'line-too-long' ? 'Line too long' : 'Command too large';
        await this.sendLine(`${event.tag ?? '*'} BAD [TOOBIG] ${text}`);
        return this.countBadCommand();
      }
      case 'command': {
        try {
          const parsed = parseCommand(event.command, this.limits);
          this.appendBytes = 0;
          if (!parsed.ok) {
            await this.sendLine(`${parsed.tag ?? '*'} BAD ${responseText(parsed.message, this)}`);
            if (parsed.command === 'AUTHENTICATE' && this.currentState === 'not-authenticated') {
              await unreadableAuthenticate(this);
            }
            return await this.countBadCommand();
          }
          this.badCommands = 0;
          return await this.run(parsed.command);
        } finally {
          // The literals' octets are the store's now, or nobody's.
          this.releaseLiterals();
        }
      }
    }
  }

  private async countBadCommand(): Promise<void> {
    if (++this.badCommands >= this.limits.maxBadCommands) {
      await this.sendLine('* BYE Too many invalid commands');
      this.close();
    }
  }

  /**
   * Accepts or refuses a literal before its octets are sent (RFC 9051 7.5, RFC 7888, RFC 7889):
   * its size against the limits, then its memory against the budget. A refused LITERAL+ literal
   * is on its way anyway: the reader skips it without keeping it.
   */
  private async answerLiteral(request: LiteralRequest): Promise<void> {
    const refusal = this.literalRefusal(request) ?? this.reserveLiteral(request.size);
    if (refusal === null) {
      this.reader.acceptLiteral(request.command !== 'APPEND');
      if (request.command === 'APPEND') this.appendBytes += request.size;
      if (request.synchronizing) await this.sendLine('+ Ready for literal data');
      return;
    }
    this.reader.rejectLiteral();
    this.appendBytes = 0;
    this.releaseLiterals();
    await this.sendLine(`${request.tag ?? '*'} ${refusal}`);
  }

  private reserveLiteral(size: number): string | null {
    const user = this.currentUser;
    const refused = this.literalBudget.reserve(user, size);
    if (refused === 'user')
      return 'NO [LIMIT] Too much mail in transit for this user, try again later';
    if (refused === 'server') return 'NO [LIMIT] Server busy receiving mail, try again later';
    this.literalsReserved += size;
    this.literalsReservedFor = user;
    return null;
  }

  private releaseLiterals(): void {
    if (this.literalsReserved === 0) return;
    this.literalBudget.release(this.literalsReservedFor, this.literalsReserved);
    this.literalsReserved = 0;
  }

  private literalRefusal(request: LiteralRequest): string | null {
    const { command, size } = request;
    const spec = command === null ? undefined : COMMAND_TABLE.get(command);
    if (!spec) return 'BAD Unknown command';
    if (!spec.states.includes(this.currentState))
      return `BAD Command ${command} is not valid in this state`;
    if (!request.synchronizing && this.options.literalMinus && size > LITERAL_MINUS_LIMIT)
      return 'BAD [TOOBIG] Non-synchronizing literals are limited to 4096 octets (LITERAL-)';
    if (command === 'APPEND') {
      if (size > this.limits.appendLimit) return 'NO [TOOBIG] Message too big';
      if (this.appendBytes + size > this.limits.maxAppendTotal)
        return 'NO [TOOBIG] Messages too big together';
      return null;
    }
    const limit =
      this.currentState === 'not-authenticated'
        ? Math.min(PRE_AUTH_LITERAL_LIMIT, this.limits.maxLiteralSize)
        : this.limits.maxLiteralSize;
    if (size > limit || request.commandSize + size > this.limits.maxCommandSize)
      return 'BAD [TOOBIG] Literal too big';
    return null;
  }

  private async run(command: Command): Promise<void> {
    const key = 'uid' in command && command.uid ? `UID ${command.name}` : command.name;
    const spec = COMMAND_TABLE.get(key)!;
    if (!spec.states.includes(this.currentState)) {
      const why =
        this.currentState === 'not-authenticated'
          ? 'Please log in first'
          : this.currentState === 'authenticated' && spec.states.includes('selected')
            ? 'No mailbox selected'
            : `${key} is not valid in this state`;
      await this.sendLine(`${command.tag} BAD ${why}`);
      return;
    }
    try {
      await spec.run(this, command);
    } catch (error) {
      if (this.closed) return;
      const refusal = storeRefusal(error);
      if (refusal) {
        // A store that cannot do its work is the operator's business; a refusal is the client's.
        // (APPEND, COPY and MOVE turn the store's error into a refusal of their own first.)
        if (refusal.code === 'UNAVAILABLE') {
          this.logger.error('imap: store unavailable', { command: key, error });
        }
        await this.finish(command, refusal.status, refusal.text, refusal.code);
        return;
      }
      this.logger.error('imap: command failed', { command: key, error });
      await this.finish(command, 'NO', 'Internal error', 'SERVERBUG');
    }
  }

  private releaseSelection(): void {
    this.currentSelection?.close();
    this.currentSelection = null;
  }

  // ---- writing ----

  /**
   * Holds a response's octets with the rest of the running command's answer; outside a command
   * (the greeting, an autologout BYE) they are written at once. A large literal streams: its
   * long pieces are written as they come, the short ones held, so memory stays bounded.
   */
  private async writeChunks(chunks: readonly OutputChunk[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.closed) return;
      if (chunk instanceof Uint8Array) {
        await this.hold(chunk);
        continue;
      }
      this.held.add(Buffer.from(`${chunk.binary ? '~' : ''}{${chunk.size}}\r\n`));
      let remaining = chunk.size;
      try {
        for await (const piece of chunk.source()) {
          if (this.closed) return;
          const part = piece.length > remaining ? piece.subarray(0, remaining) : piece;
          remaining -= part.length;
          if (part.length >= DIRECT_WRITE) {
            await this.writeHeld();
            await this.write(part);
          } else await this.hold(part);
          if (remaining === 0) break;
        }
      } catch (error) {
        // The literal's size is out already and nothing else can stand in for its octets: the
        // connection ends here, as Dovecot ends it (the client will resynchronize).
        this.logger.error('imap: a message could not be read while it was being sent', {
          error: String(error),
        });
        this.close();
        return;
      }
      if (remaining > 0) {
        // The store gave fewer octets than it said it has: pad, so the protocol stays in step.
        this.logger.error('imap: message shorter than its size', { missing: remaining });
        await this.hold(Buffer.alloc(remaining, 0x20));
      }
    }
    if (!this.pumping) await this.writeHeld();
  }

  private async hold(bytes: Uint8Array): Promise<void> {
    this.held.add(bytes);
    if (this.held.bytes >= WRITE_COALESCE) await this.writeHeld();
  }

  private async writeHeld(): Promise<void> {
    const bytes = this.held.take();
    if (bytes) await this.write(bytes);
  }

  /** Writes what is held, after every response queued before this call. */
  private flushOutput(): Promise<void> {
    return this.afterOutput(() => this.writeHeld());
  }

  /**
   * Runs `work` once every output queued before it is written. Its failure reaches the caller
   * through the returned promise; the queue itself goes on, so later output is not stuck
   * behind one failed write.
   */
  private afterOutput(work: () => Promise<void>): Promise<void> {
    const run = this.output.then(work);
    this.output = run.catch(() => undefined);
    return run;
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (this.counters) this.counters.bytesSent += bytes.length;
    await this.transport.write(bytes);
  }
}
