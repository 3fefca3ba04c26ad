import type {
  Clock,
  Logger,
  MailAccess,
  MailStore,
  MailboxInfo,
  MessageRecord,
  MessageState,
} from '@mailyard/mailstore-interface';
import type { SaslServer, SaslTransport } from '@mailyard/sasl';
import type { Command } from '../protocol/command.js';
import type { OutputChunk, ResponseBuilder } from '../protocol/response-builder.js';
import type { ImapCounters } from './imap-counters.js';
import type { SelectedMailbox } from './selected-mailbox.js';
import type { ImapSessionOptions, SessionLimits } from './session-options.js';

/** RFC 9051 section 3: the states of a connection. */
export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export type Status = 'OK' | 'NO' | 'BAD';

/**
 * What command handlers see of their session: its state and dialect, the store as the logged-in
 * user, the selected mailbox, and the ways to answer. The session (`ImapSession`) is the only
 * implementation; handlers depend on this, not on it.
 */
export interface SessionContext {
  readonly options: ImapSessionOptions;
  readonly limits: SessionLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: ImapCounters | null;
  readonly store: MailStore;
  readonly sasl: SaslServer;
  readonly remoteAddress: string;

  readonly state: SessionState;
  /** The logged-in user's id, or null. */
  readonly user: string | null;
  /** The store as the logged-in user; throws when not authenticated. */
  readonly access: MailAccess;
  readonly selected: SelectedMailbox | null;
  /** The transport is TLS (implicit, or since STARTTLS). */
  readonly secure: boolean;
  readonly compressed: boolean;
  /** What SASL knows of the transport (TLS, channel binding). */
  readonly saslTransport: SaslTransport;

  /** `ENABLE IMAP4rev2` was issued. */
  readonly rev2: boolean;
  /** UTF-8 in quoted strings and mailbox names (IMAP4rev2 or UTF8=ACCEPT). */
  readonly utf8: boolean;
  /** CONDSTORE is on: enabled, or a CONDSTORE-enabling command was used (RFC 7162 3.1). */
  readonly condstore: boolean;
  readonly qresync: boolean;
  readonly enabled: ReadonlySet<string>;

  /** A response builder with the session's string rules. */
  builder(): ResponseBuilder;
  send(chunks: readonly OutputChunk[]): Promise<void>;
  /** Sends one line of protocol text; CRLF is added. */
  sendLine(text: string): Promise<void>;
  /** Reports pending mailbox changes (if any), then sends the tagged completion. */
  finish(command: Command, status: Status, text: string, code?: string | null): Promise<void>;
  /** Reports pending mailbox changes where the command allows it. */
  reportChanges(includeExpunges: boolean): Promise<void>;
  /** Reads one raw line from the client (AUTHENTICATE responses, IDLE's DONE); null when gone. */
  readLine(): Promise<Uint8Array | 'too-long' | null>;
  /** A line the client sent already, without waiting; null when there is none yet. */
  pollLine(): Uint8Array | 'too-long' | null;
  readonly isClosed: boolean;
  /** Resolves when the client sent something or the selected mailbox changed; for IDLE. */
  waitForActivity(): Promise<void>;

  /** The mailboxes the user sees over IMAP (non-mail folders only with IMAPFullListing). */
  mailboxes(): Promise<readonly MailboxInfo[]>;
  /** A mailbox the user sees, by store name (INBOX case-insensitively), or null. */
  mailboxInfo(name: string): Promise<MailboxInfo | null>;

  /** Records of messages of the selected mailbox, through the server's record cache if any. */
  records(
    uids: readonly number[],
    states?: ReadonlyMap<number, MessageState>,
  ): Promise<MessageRecord[]>;

  capabilityList(): string[];
  /** A store name from a mailbox argument; refuses (NO) names that do not decode. */
  storeName(wire: string): string;
  wireName(name: string): string;

  /**
   * The user logged in; refuses (throws a `NO [LIMIT]` refusal, the state unchanged) when the
   * user has as many sessions from this address as `maxSessionsPerUserIp` allows.
   */
  logIn(user: string): void;
  logOut(): void;
  /** Back to not authenticated (UNAUTHENTICATE, RFC 8437): mailbox closed, extensions reset. */
  unauthenticate(): void;
  select(mailbox: SelectedMailbox): void;
  /** Deselects (CLOSE, UNSELECT, a failed SELECT); returns whether a mailbox was selected. */
  deselect(): boolean;
  enable(capability: string): boolean;
  /** Turns CONDSTORE on for the rest of the session (a CONDSTORE-enabling command was used). */
  useCondstore(): Promise<void>;
  /**
   * Answers STARTTLS with OK and upgrades: input received before the OK is discarded (RFC 9051
   * 6.2.1: a client must not pipeline past STARTTLS, and what it did is an injection attempt).
   */
  startTls(command: Command): Promise<void>;
  /** Answers COMPRESS with OK and turns DEFLATE on in both directions (RFC 4978). */
  startCompression(command: Command): Promise<void>;
  /** Counts a failed authentication; closes the connection past the limit. */
  authFailed(): Promise<void>;
  close(): void;
}
