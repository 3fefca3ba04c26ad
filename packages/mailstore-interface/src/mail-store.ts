import type { MessageSummary } from '@mailyard/mime';
import type { AclEntry, Rights } from './acl.js';
import type { FlagOperation } from './flags.js';
import type { MailboxEvent } from './mailbox-events.js';
import type { QuotaLimits, QuotaUsage } from './quota.js';

/**
 * A message store: every user's mailbox tree, the shared and public folders, and the messages in
 * them. Protocol engines reach it only through this interface, so any storage that implements it
 * (memory, the on-disk Kerio layout, a database) serves IMAP, POP3 and SMTP delivery alike.
 *
 * Everything a user does goes through {@link MailStore.access}, which applies the user's
 * namespaces and ACLs. Promises resolve only once the change is durable: an append that resolved
 * survives a crash.
 */
export interface MailStore {
  /** Operations on behalf of `user` (a lower-case `local@domain`), with that user's rights. */
  access(user: string): MailAccess;

  /** Creates a user's mailbox tree (INBOX and the special folders) if it does not exist yet. */
  provision(user: string): Promise<void>;

  /** Removes a user's mailbox tree, or moves it under another user's tree (Kerio 8.5). */
  removeUser(user: string, options?: { moveTo?: string }): Promise<void>;

  /**
   * Delivers a message into a user's mailbox (INBOX unless `mailbox` names another of the user's
   * own folders), or into a public folder when `mailbox` starts with `#public/`. ACLs do not
   * apply: this is the local delivery agent. Quota does.
   */
  deliver(user: string, message: AppendInput & { mailbox?: string }): Promise<AppendResult>;

  /**
   * Deleted-items retention (Kerio 7.4): forgets, for good, the messages the user expunged longer
   * ago than the retention time. A scheduler calls it; returns how many went.
   */
  purgeRetained(user: string): Promise<number>;

  /** Releases whatever the store holds open. */
  close(): Promise<void>;
}

/** A user's view of the store: own folders, folders others share, public folders. */
export interface MailAccess {
  readonly user: string;

  /** Every mailbox the user may see (the `l` right), in name order. */
  list(): Promise<MailboxInfo[]>;

  /**
   * One mailbox the user may see, as {@link list} would show it; throws `not-found` otherwise.
   * Optional for stores of their own: an engine falls back to `list()`, which costs more.
   */
  info?(mailbox: string): Promise<MailboxInfo>;

  /** A mailbox's counters (IMAP STATUS), without opening it. */
  status(mailbox: string): Promise<MailboxStatus>;

  create(mailbox: string, options?: CreateOptions): Promise<MailboxInfo>;
  /** Deletes a mailbox and its messages; its children stay (RFC 9051 6.3.9). INBOX cannot be deleted. */
  delete(mailbox: string): Promise<void>;
  /** Renames a mailbox and every mailbox below it; UIDVALIDITY and messages move along. */
  rename(from: string, to: string): Promise<void>;

  subscribe(mailbox: string): Promise<void>;
  unsubscribe(mailbox: string): Promise<void>;
  /** Names the user subscribed to, existing or not (IMAP LSUB / LIST (SUBSCRIBED)). */
  subscriptions(): Promise<string[]>;

  /** Opens a mailbox to work with its messages (IMAP SELECT / EXAMINE, POP3 on INBOX). */
  open(mailbox: string, options?: { readOnly?: boolean }): Promise<OpenMailbox>;

  /**
   * Appends messages to a mailbox. Each message is stored atomically and durably; the batch as a
   * whole is atomic too (IMAP MULTIAPPEND): when one fails, none is kept.
   */
  append(mailbox: string, messages: readonly AppendInput[]): Promise<AppendResult[]>;

  /** The user's quota root, usage and limits (IMAP GETQUOTAROOT: one root per user). */
  quota(): Promise<QuotaReport>;

  /** The ACL of a mailbox (needs the `a` right, or ownership). */
  getAcl(mailbox: string): Promise<AclEntry[]>;
  /** Sets, or with empty rights removes, an identifier's rights (needs `a`). */
  setAcl(mailbox: string, identifier: string, rights: Rights): Promise<void>;
  /** The user's own rights on a mailbox (IMAP MYRIGHTS). */
  myRights(mailbox: string): Promise<Rights>;

  /**
   * Deleted-items retention (Kerio 7.4): moves messages the user expunged within the last `days`
   * days back into Deleted Items. Returns how many came back.
   */
  recoverDeleted(days: number): Promise<number>;
}

export type FolderType = 'mail' | 'contacts' | 'calendar' | 'tasks' | 'notes';

/** RFC 6154 special-use attributes, mapped to Kerio's folders by the stores. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

export interface CreateOptions {
  readonly specialUse?: SpecialUse;
  readonly folderType?: FolderType;
  /**
   * The UIDVALIDITY of the mailbox created (not of parents created with it), for a restore that
   * keeps a backup's; a positive 32-bit number. Default: a new one.
   */
  readonly uidValidity?: number;
}

export interface MailboxInfo {
  /** The name as the user sees it (`INBOX/Work`, `~bob@example.com/Shared`, `#public/Info`). */
  readonly name: string;
  /** A stable id that survives renames (RFC 8474 MAILBOXID). */
  readonly id: string;
  readonly namespace: 'personal' | 'other' | 'public';
  readonly folderType: FolderType;
  readonly specialUse: SpecialUse | null;
  readonly subscribed: boolean;
  /** Whether any mailbox below this one is visible to the user. */
  readonly hasChildren: boolean;
  /** The user's rights on it. */
  readonly rights: Rights;
}

export interface MailboxStatus {
  readonly messages: number;
  readonly unseen: number;
  /** Messages flagged `\Deleted` (STATUS DELETED, RFC 9051). */
  readonly deleted: number;
  readonly uidNext: number;
  readonly uidValidity: number;
  readonly highestModSeq: number;
  /** Total octets of the messages (STATUS SIZE, RFC 8438). */
  readonly size: number;
  /** Messages no session has claimed as recent yet (IMAP4rev1 `\Recent`). */
  readonly recent: number;
}

/** The flags and modification sequence of a message, all a session tracks for every message. */
export interface MessageState {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly modSeq: number;
}

/** Everything a store keeps about a message but its bytes. */
export interface MessageRecord extends MessageState {
  /** When the message arrived (IMAP INTERNALDATE), UTC milliseconds. */
  readonly internalDate: number;
  /** The zone the internal date was given in (an APPEND's), minutes east of UTC; else absent. */
  readonly internalDateZone?: number;
  /** When it was put into this mailbox (RFC 8514 SAVEDATE; Kerio's clean-out clock). */
  readonly saveDate: number;
  readonly size: number;
  /** A stable id of the message content, kept across copies and moves (RFC 8474 EMAILID). */
  readonly emailId: string;
  /** The summary computed when the message was stored. */
  readonly summary: MessageSummary;
}

export interface AppendInput {
  /** The raw RFC 5322 message. */
  readonly content: Uint8Array;
  readonly flags?: readonly string[];
  /** UTC milliseconds; defaults to now. */
  readonly internalDate?: number;
  /** The zone `internalDate` was given in, minutes east of UTC, to show it in again. */
  readonly internalDateZone?: number;
  /**
   * The UID asked for, by a restore that keeps a backup's UIDs (protocol sessions never set
   * it): given when it is at least UIDNEXT (and above the batch's earlier ones), so UIDs still
   * only ever grow; otherwise the message gets the next UID as usual.
   */
  readonly uid?: number;
}

export interface AppendResult {
  readonly uid: number;
  readonly uidValidity: number;
  readonly mailboxId: string;
}

/** What COPY and MOVE report (RFC 4315 COPYUID). */
export interface CopyResult {
  readonly uidValidity: number;
  /** Source UIDs, ascending, and the UIDs each got in the destination, in the same order. */
  readonly sourceUids: readonly number[];
  readonly destinationUids: readonly number[];
}

export interface FlagUpdate {
  readonly operation: FlagOperation;
  readonly flags: readonly string[];
  /**
   * CONDSTORE (RFC 7162 3.1.3): messages whose mod-sequence is above this are not changed and
   * are reported in {@link FlagUpdateResult.modified}.
   */
  readonly unchangedSince?: number;
}

export interface FlagUpdateResult {
  /** The messages whose flags changed, with their new flags and mod-sequences. */
  readonly updated: readonly MessageState[];
  /** UIDs refused because of `unchangedSince`. */
  readonly modified: readonly number[];
}

export interface QuotaReport {
  /** The quota root: the owning user. */
  readonly root: string;
  readonly usage: QuotaUsage;
  readonly limits: QuotaLimits;
}

/**
 * A mailbox opened by a session. Its methods always see the current state of the store; the
 * session decides when to tell its client about changes, from the events it subscribes to.
 */
export interface OpenMailbox {
  readonly name: string;
  readonly id: string;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  /** The opening user's rights. */
  readonly rights: Rights;

  /**
   * Every message's UID, flags and mod-sequence, in UID order. Read-only: a store may hand every
   * caller the same array until the mailbox changes.
   */
  messages(): Promise<readonly MessageState[]>;
  status(): Promise<MailboxStatus>;

  /** Full records of the given messages, in UID order; UIDs that do not exist are skipped. */
  fetch(uids: readonly number[]): Promise<MessageRecord[]>;

  /** The message's bytes, or the range `[start, end)` of them, streamed in chunks. */
  read(uid: number, range?: { start: number; end: number }): AsyncIterable<Uint8Array>;
  /**
   * Ranges of several messages at once, in the order asked (each clamped to its message), for a
   * reader of many small messages: the store may fetch them in one trip. Null for a message
   * expunged meanwhile. Optional: without it, a reader reads message by message.
   */
  readMany?(
    requests: readonly { readonly uid: number; readonly start: number; readonly end: number }[],
  ): Promise<(Uint8Array | null)[]>;

  /** Changes flags; needs `s`, `w` and/or `t` for the flags concerned. */
  updateFlags(uids: readonly number[], update: FlagUpdate): Promise<FlagUpdateResult>;

  /**
   * Removes messages for good (`e`). With `uids`, only those of them that are `\Deleted`
   * (UID EXPUNGE); without, every `\Deleted` message. Returns the UIDs removed, ascending.
   */
  expunge(uids?: readonly number[]): Promise<number[]>;

  /** Copies messages into another mailbox (`r` here, `i` there). */
  copy(uids: readonly number[], destination: string): Promise<CopyResult>;
  /** Moves messages into another mailbox, atomically per message (RFC 6851). */
  move(uids: readonly number[], destination: string): Promise<CopyResult>;

  /** UIDs expunged after `modSeq`, ascending (QRESYNC VANISHED (EARLIER)). */
  vanishedSince(modSeq: number): Promise<number[]>;

  /**
   * Claims `\Recent` for this session: of the given UIDs (default: every message), those no
   * session claimed before. Every new message is recent in exactly one session (RFC 3501 2.3.2).
   */
  claimRecent(uids?: readonly number[]): number[];

  /** Calls `listener` with every change of this mailbox, whoever made it; returns an unsubscribe. */
  subscribe(listener: (event: MailboxEvent) => void): () => void;

  close(): void;
}
