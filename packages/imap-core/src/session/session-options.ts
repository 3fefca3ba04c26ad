import type { Clock, Logger, MailStore } from '@mailyard/mailstore-interface';
import type { ChannelBinding, LoginGuard, SaslCredentials, SaslServer } from '@mailyard/sasl';
import type { ParserLimits } from '../protocol/parser-limits.js';
import type { ConnectionCensus } from './connection-census.js';
import type { ImapCounters } from './imap-counters.js';
import type { LiteralBudget } from './literal-budget.js';
import type { MessageRecordCache } from './record-cache.js';

/** What a spam filter learns from: a user moved or copied messages into or out of Junk. */
export interface SpamTrainingEvent {
  readonly user: string;
  /** `spam` when messages went into the Junk folder, `ham` when they came out of it. */
  readonly verdict: 'spam' | 'ham';
  readonly source: string;
  readonly destination: string;
  /** The messages' UIDs in the destination, with its UIDVALIDITY, to read them from the store. */
  readonly destinationUids: readonly number[];
  readonly uidValidity: number;
}

/** A login that did not succeed, for Kerio's Security log ("Failed IMAP login from ..."). */
export interface LoginFailureEvent {
  readonly remoteAddress: string;
  /** The login name the client gave, when it gave one. */
  readonly login: string | null;
  /** `LOGIN`, or the SASL mechanism after `AUTHENTICATE`. */
  readonly method: string;
  /**
   * `invalid-credentials`, a SASL failure reason (`malformed`, `cancelled`, ...), or why the
   * login guard refused (`address-locked`, `account-locked`, `throttled`).
   */
  readonly reason: string;
  /** This failure locked the address (the guard's `justLocked`): log the lock once. */
  readonly justLocked: boolean;
  /** This failure locked the account (Kerio 7.1's account lockout): log it once. */
  readonly accountJustLocked: boolean;
}

/** Changes a quota root's limits (IMAP SETQUOTA); the store contract has no setter of its own. */
export type QuotaSetter = (
  user: string,
  root: string,
  limits: { readonly storage?: number; readonly messages?: number },
) => Promise<void>;

/** The engine's limits beyond the parser's, with their defaults in {@link DEFAULT_SESSION_LIMITS}. */
export interface SessionLimits extends ParserLimits {
  /** Octets of one APPENDed message (advertised as APPENDLIMIT, RFC 7889). */
  readonly appendLimit: number;
  /** Octets of all the messages of one MULTIAPPEND together. */
  readonly maxAppendTotal: number;
  /**
   * Octets of literals (APPEND's messages and any other) that one user's sessions may hold in
   * memory at once, over all their connections; past it a literal is refused with
   * `NO [LIMIT]` before it is sent. 0 = unlimited. Shared only by sessions that share a
   * {@link LiteralBudget} (`createImapServer` gives its sessions one).
   */
  readonly maxInFlightPerUser: number;
  /** The same, for all the sessions of a server together. */
  readonly maxInFlightPerServer: number;
  /**
   * Connections from one IP address at once; the next one gets `* BYE [UNAVAILABLE]` instead of
   * a greeting. 0 = unlimited. This and the two below count the sessions that share a
   * {@link ConnectionCensus} (`createImapServer` gives its sessions one).
   */
  readonly maxConnectionsPerIp: number;
  /** Connections from one IP address that have not logged in; the next one gets `* BYE`. */
  readonly maxUnauthenticatedPerIp: number;
  /**
   * Sessions of one user from one IP address (Dovecot's `mail_max_userip_connections`); a login
   * past it is refused with `NO [LIMIT]`.
   */
  readonly maxSessionsPerUserIp: number;
  /** Failed LOGIN/AUTHENTICATE attempts on one connection before it is closed. */
  readonly maxAuthFailures: number;
  /** Commands that fail to parse, in a row, before the connection is closed. */
  readonly maxBadCommands: number;
  /**
   * Octets received and not yet consumed before the session asks its transport to stop reading
   * (a client pipelining faster than the server answers).
   */
  readonly inputHighWater: number;
  /** Flag changes kept per session between two reports; past it, the session rescans instead. */
  readonly maxPendingFlagChanges: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxLineLength: 65_536,
  maxLiteralSize: 1_048_576,
  maxCommandSize: 2_097_152,
  maxNestingDepth: 100,
  maxArguments: 10_000,
  appendLimit: 64 * 1024 * 1024,
  maxAppendTotal: 128 * 1024 * 1024,
  maxInFlightPerUser: 128 * 1024 * 1024,
  maxInFlightPerServer: 256 * 1024 * 1024,
  maxConnectionsPerIp: 50,
  maxUnauthenticatedPerIp: 10,
  maxSessionsPerUserIp: 10,
  maxAuthFailures: 3,
  maxBadCommands: 20,
  inputHighWater: 256 * 1024,
  maxPendingFlagChanges: 10_000,
};

/**
 * The SASL mechanisms offered unless told otherwise: those that work with hashed passwords (a
 * client that picks CRAM-MD5 from the list would fail against a directory without reversible
 * passwords, and most do not fall back), and token and certificate ones where they can work.
 */
export const DEFAULT_MECHANISMS: readonly string[] = [
  'SCRAM-SHA-256-PLUS',
  'SCRAM-SHA-256',
  'SCRAM-SHA-1-PLUS',
  'SCRAM-SHA-1',
  'EXTERNAL',
  'OAUTHBEARER',
  'XOAUTH2',
  'LOGIN',
  'PLAIN',
];

export interface ImapSessionOptions {
  readonly store: MailStore;
  /**
   * Checks LOGIN passwords and is the SASL credential store: a `Directory` from
   * `@mailyard/mailstore-interface` serves as it is, or anything with `verifyPassword`.
   */
  readonly directory: SaslCredentials;
  /** The server's name, in the greeting and SASL. */
  readonly hostname: string;
  /** The SASL side; default: every mechanism `@mailyard/sasl` has, over `directory`. */
  readonly sasl?: SaslServer;
  /**
   * SASL mechanism names to offer when `sasl` is not given; default
   * {@link DEFAULT_MECHANISMS}. CRAM-MD5 and DIGEST-MD5 need passwords kept reversibly (Kerio's
   * non-SHA storage): name them here when the directory has them.
   */
  readonly mechanisms?: readonly string[];
  /**
   * Allow LOGIN and plaintext SASL mechanisms without TLS (Kerio "No restrictions"). Off by
   * default: before STARTTLS the server advertises LOGINDISABLED (RFC 9051 6.2.3).
   */
  readonly allowPlaintextAuth?: boolean;
  readonly clock?: Clock;
  /**
   * The server's zone at a moment, in minutes east of UTC: INTERNALDATE of mail that came without
   * a zone of its own (delivered, not APPENDed with one) and SAVEDATE are shown in it, as Kerio
   * shows them. Default: the process's local zone (`TZ`).
   */
  readonly timeZoneOffset?: (time: number) => number;
  readonly logger?: Logger;
  readonly limits?: Partial<SessionLimits>;
  /** Advertise LITERAL- (RFC 7888: non-synchronizing literals up to 4096 octets) instead of LITERAL+. */
  readonly literalMinus?: boolean;
  /**
   * Brute-force protection, shared with SMTP and POP3: consulted before every credential check
   * (LOGIN, and inside every SASL mechanism), told of every outcome. `@mailyard/access-policy`'s
   * `LoginGuard` fits; the engine imports no policy.
   */
  readonly loginGuard?: LoginGuard;
  /** A user logged in (Kerio's login statistics). */
  readonly onLogin?: (event: { readonly user: string; readonly remoteAddress: string }) => void;
  /** A login failed, or was refused because the address is locked out. */
  readonly onLoginFailed?: (event: LoginFailureEvent) => void;
  /** Called when messages are moved or copied into or out of the Junk folder. */
  readonly onSpamTraining?: (event: SpamTrainingEvent) => void;
  readonly counters?: ImapCounters;
  /** Kerio's IMAPFullListing: show calendar, contact, task and note folders as mail folders. */
  readonly fullListing?: boolean;
  /** What ID (RFC 2971) tells clients about the server; default name and vendor only. */
  readonly serverId?: Readonly<Record<string, string>>;
  /** Lets SETQUOTA change limits; without it SETQUOTA is refused and QUOTASET not advertised. */
  readonly setQuota?: QuotaSetter;
  /** Greeting text after `* OK [CAPABILITY ...]`. */
  readonly greeting?: string;
  /**
   * Who is connected, for the per-address and per-user caps of `limits`, shared by sessions;
   * `createImapServer` gives its sessions one. Without it a session counts only itself.
   */
  readonly census?: ConnectionCensus;
  /**
   * Addresses the per-address caps do not apply to (Kerio's "Do not apply these limits to IP
   * address group"); used by the census `createImapServer` makes.
   */
  readonly connectionLimitsExempt?: (ip: string) => boolean;
  /**
   * The memory budget for literals being received, shared by sessions; `createImapServer` gives
   * its sessions one. Without it a session has a budget of its own, from its `limits`.
   */
  readonly literalBudget?: LiteralBudget;
  /**
   * Message records (summaries) shared by sessions; `createImapServer` gives its sessions one.
   * Without it every FETCH and SEARCH reads the summaries it needs from the store.
   */
  readonly recordCache?: MessageRecordCache;
}

/** What the transport knows about the connection. */
export interface ConnectionInfo {
  readonly remoteAddress: string;
  /** Protected by TLS already (implicit TLS, or after STARTTLS). */
  readonly secure: boolean;
  /** STARTTLS can be offered. */
  readonly tlsAvailable: boolean;
  /** COMPRESS=DEFLATE can be offered. */
  readonly compressionAvailable: boolean;
  /** TLS channel binding, for SCRAM-*-PLUS, when the connection is TLS from the start. */
  readonly channelBinding?: ChannelBinding;
  /** Names the connection in every log entry of its session (`createImapServer` gives one). */
  readonly id?: string;
}
