import type { MessageSummary } from '@mailyard/mime';
import type { AclEntry } from '../acl.js';
import type { FlagOperation } from '../flags.js';
import type { FolderType, MessageState, SpecialUse } from '../mail-store.js';
import type { IndexChanges, IndexEntry, IndexSnapshot } from './mailbox-index.js';

/**
 * A tree of mailboxes: a user's own (`alice@example.com`), a domain's public folders
 * (`#public@example.com`) or the server's global public folders (`#public`).
 */
export type TreeKey = string;

/** What a store keeps about a mailbox besides its messages. */
export interface MailboxMeta {
  /** Stable across renames (MAILBOXID). */
  readonly id: string;
  /** The path within its tree (`INBOX`, `Work/Projects`, `Info`). */
  readonly path: string;
  readonly uidValidity: number;
  readonly folderType: FolderType;
  readonly specialUse: SpecialUse | null;
  /** Entries for others than the owner; the owner of a personal tree has every right. */
  readonly acl: readonly AclEntry[];
}

/** Everything about a tree but its messages: small, read once, rewritten whole. */
export interface TreeRecord {
  readonly mailboxes: readonly MailboxMeta[];
  readonly subscriptions: readonly string[];
}

/** One mailbox of a rename, and where it goes. */
export interface MailboxMove {
  readonly mailbox: MailboxMeta;
  readonly path: string;
}

/** A message on its way into a mailbox, with the index entry it will get. */
export interface StoredMessage {
  readonly entry: IndexEntry;
  readonly content: Uint8Array;
  readonly summary: MessageSummary;
}

/** A message on its way into a mailbox whose persistence gives it its UID and mod-sequence. */
export interface UnnumberedMessage {
  readonly entry: Omit<IndexEntry, 'uid' | 'modSeq'>;
  readonly content: Uint8Array;
  readonly summary: MessageSummary;
  /**
   * The UID a restore asks for (`AppendInput.uid`): given when it is a whole number at least
   * the mailbox's UIDNEXT at that point (so above the batch's earlier ones) and at most
   * 4,294,967,295, as `MailboxIndex.append` gives it; otherwise the next UID, as for any message.
   */
  readonly uid?: number;
}

/** What {@link StorePersistence.appendAllocating} stored, and what others wrote before it. */
export interface AllocatedAppend {
  /** The messages' index entries, in the order given, with the UIDs and mod-sequences they got. */
  readonly entries: readonly IndexEntry[];
  /**
   * What other writers (other processes) changed after the caller's known mod-sequence and
   * before the first of these messages: `highestModSeq` is the mod-sequence just below the
   * first entry's, `uidNext` its UID. Null when nothing did.
   */
  readonly changes: IndexChanges | null;
}

/** A flag change for a persistence that computes it from the flags it holds. */
export interface FlagChangeRequest {
  readonly uids: readonly number[];
  readonly operation: FlagOperation;
  /** Normalised, and without the flags the writer may not change. */
  readonly flags: readonly string[];
  /** Messages whose mod-sequence is above it are left alone and reported modified (RFC 7162). */
  readonly unchangedSince?: number;
  /**
   * Which flags the writer may not change (ACL rights it lacks: `s` for `\Seen`, `t` for
   * `\Deleted`, `w` for the others, RFC 4314): a replace keeps them as they are.
   */
  readonly locked: { readonly seen: boolean; readonly deleted: boolean; readonly other: boolean };
}

/** What {@link StorePersistence.updateFlagsAllocating} changed, and what others wrote before. */
export interface AllocatedFlagChange {
  /** The messages whose flags changed, in UID order, each with its new mod-sequence. */
  readonly updated: readonly MessageState[];
  /** The UIDs left alone because they changed after `unchangedSince`, ascending. */
  readonly modified: readonly number[];
  /** As {@link AllocatedAppend.changes}: what others changed before this write. */
  readonly changes: IndexChanges | null;
}

/** What {@link StorePersistence.removeAllocating} removed, and what others wrote before. */
export interface AllocatedRemoval {
  /** The UIDs removed (those of the ones asked that were stored), ascending. */
  readonly uids: readonly number[];
  /** The mod-sequence of the expunge; when nothing was removed, the mailbox's, unchanged. */
  readonly modSeq: number;
  /** As {@link AllocatedAppend.changes}: what others changed before this write. */
  readonly changes: IndexChanges | null;
}

/**
 * How a store keeps its data. The store engine does everything else: namespaces, ACLs, quotas,
 * UIDs and mod-sequences, events, and locking (the engine never runs two mutations of one mailbox
 * at once, nor two writes of one tree record). Every write must be durable when its promise
 * resolves. Implement this to put Mailyard's store on other storage, or implement `MailStore`
 * directly.
 */
export interface StorePersistence {
  /** Every tree that exists (for finding folders other users share). */
  listTrees(): Promise<TreeKey[]>;
  /** The tree's record, or null when the tree does not exist yet. */
  readTree(tree: TreeKey): Promise<TreeRecord | null>;
  /** Replaces the tree's record atomically. */
  writeTree(tree: TreeKey, record: TreeRecord): Promise<void>;
  /** Removes a tree and everything in it. */
  deleteTree(tree: TreeKey): Promise<void>;

  /** Makes room for a new, empty mailbox. */
  createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void>;
  /** Removes a mailbox's messages and index. */
  deleteMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void>;
  /**
   * Moves mailboxes to new paths, possibly into another tree, each with its messages. A moved
   * mailbox's children are in the list too, after it, so storage that nests folders (as the
   * on-disk layout does) can move a whole subtree at once.
   */
  moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void>;

  /** The mailbox's index; an empty one for a mailbox that has no messages yet. */
  readIndex(tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot>;
  /** Stores new messages and their index entries; all or nothing. */
  addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void>;
  /**
   * Optional, for storage that several processes write at once (a database): stores new
   * messages, giving them the next UIDs (or those a restore asks for, see
   * {@link UnnumberedMessage.uid}) and mod-sequences itself, in the write (one after the
   * other, in the order given), so that a write cannot lose a race with another process's and
   * need making again. `knownModSeq` is the highest mod-sequence of the caller's copy of the
   * index; the answer brings back what changed after it, before these messages, which the
   * engine applies first. All or nothing. Without it the engine numbers messages itself and
   * calls {@link addMessages}.
   */
  appendAllocating?(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly UnnumberedMessage[],
    knownModSeq: number,
  ): Promise<AllocatedAppend>;
  /**
   * Optional, as {@link appendAllocating} for flag changes: computes the new flags from those
   * stored (as `MailboxIndex.updateFlags` does: normalised, a message whose flags would not
   * change keeps its mod-sequence), checks `unchangedSince` against the stored mod-sequences and
   * gives each changed message the next mod-sequence, in UID order, all in its write; brings
   * back what others changed after `knownModSeq`, before it. Without it the engine computes the
   * change on its copy of the index and calls {@link updateFlags}.
   */
  updateFlagsAllocating?(
    tree: TreeKey,
    mailbox: MailboxMeta,
    request: FlagChangeRequest,
    knownModSeq: number,
  ): Promise<AllocatedFlagChange>;
  /** Records new flags and mod-sequences. */
  updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void>;
  /**
   * Optional, as {@link appendAllocating} for expunges: removes those of the messages that are
   * stored and records their expunge under the next mod-sequence, given out in the write; brings
   * back what others changed after `knownModSeq`, before it. Without it the engine numbers the
   * expunge and calls {@link removeMessages}.
   */
  removeAllocating?(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    knownModSeq: number,
  ): Promise<AllocatedRemoval>;
  /** Removes messages, recording their expunge at `modSeq`. */
  removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void>;

  /** The message's bytes, or a range of them. */
  readContent(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array>;
  /**
   * Several messages' bytes at once, each a range of a message, in the order asked; null where a
   * message's bytes are not there. For readers of many small messages (IMAP FETCH or SEARCH of a
   * mailbox): a persistence may get them in one trip (a thread of its own, one query). Optional:
   * without it the engine reads them one by one.
   */
  readContents?(
    tree: TreeKey,
    mailbox: MailboxMeta,
    requests: readonly ContentRequest[],
  ): Promise<(Uint8Array | null)[]>;
  /** The summaries of the given messages, in the order asked. */
  readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]>;

  /** Releases open files, handles, connections. */
  close(): Promise<void>;
}

/** A range of a message's bytes: `[start, end)`. */
export interface ContentRequest {
  readonly uid: number;
  readonly start: number;
  readonly end: number;
}
