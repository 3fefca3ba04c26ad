import {
  type FlagOperation,
  applyFlagOperation,
  hasFlag,
  normalizeFlags,
  sameFlags,
} from '../flags.js';
import type { MailboxStatus, MessageState } from '../mail-store.js';

/** What an index keeps per message: everything but the summary and the bytes. */
export interface IndexEntry extends MessageState {
  readonly internalDate: number;
  /**
   * The zone the internal date was given in, minutes east of UTC (an IMAP APPEND's date-time
   * carries one); absent when none was given, and the server shows its own.
   */
  readonly internalDateZone?: number;
  readonly saveDate: number;
  readonly size: number;
  readonly emailId: string;
}

/** An index as persisted: enough to rebuild a {@link MailboxIndex} exactly. */
export interface IndexSnapshot {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModSeq: number;
  readonly entries: readonly IndexEntry[];
  /** Expunged UIDs with the mod-sequence of their expunge, for QRESYNC. */
  readonly expunged: readonly { readonly uid: number; readonly modSeq: number }[];
}

/** What changed in a mailbox after a mod-sequence (another process's writes), as storage read it. */
export interface IndexChanges {
  readonly uidNext: number;
  readonly highestModSeq: number;
  /** Messages added or changed after the mod-sequence: full index entries. */
  readonly changed: readonly IndexEntry[];
  readonly expunged: readonly { readonly uid: number; readonly modSeq: number }[];
}

/**
 * The bookkeeping of one mailbox, in memory: messages in UID order with flags and
 * mod-sequences, the UID and mod-sequence counters, and the expunge log. Every change returns
 * what changed, so callers can persist it and tell subscribers. No I/O, no clock.
 */
/** UIDs are 32-bit (RFC 9051 2.3.1.1). */
const MAX_UID = 0xffffffff;

export class MailboxIndex {
  private entries: IndexEntry[];
  private readonly positions = new Map<number, number>();
  private expungeLog: { uid: number; modSeq: number }[];
  private recentWatermark: number;
  /**
   * The counters STATUS and SELECT report, kept as the index changes so that asking costs
   * nothing whatever the mailbox's size (a profile of a busy node showed recounting them on
   * every SELECT among its heaviest work).
   */
  private unseenCount = 0;
  private deletedCount = 0;
  private totalSize = 0;
  /** The messages' states as {@link states} last gave them; null once the index changed. */
  private statesCache: readonly MessageState[] | null = null;
  uidNext: number;
  highestModSeq: number;

  constructor(
    readonly uidValidity: number,
    snapshot?: Omit<IndexSnapshot, 'uidValidity'>,
  ) {
    this.entries = [...(snapshot?.entries ?? [])];
    this.expungeLog = [...(snapshot?.expunged ?? [])];
    this.uidNext = snapshot?.uidNext ?? 1;
    this.highestModSeq = snapshot?.highestModSeq ?? 1;
    // Messages that exist when an index is loaded are no session's news any more.
    this.recentWatermark = this.uidNext - 1;
    this.reindex();
    for (const entry of this.entries) this.countIn(entry, 1);
  }

  snapshot(): IndexSnapshot {
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      highestModSeq: this.highestModSeq,
      entries: this.entries,
      expunged: this.expungeLog,
    };
  }

  get count(): number {
    return this.entries.length;
  }

  all(): readonly IndexEntry[] {
    return this.entries;
  }

  /**
   * Every message's UID, flags and mod-sequence, in UID order. The same frozen array until the
   * index changes: a session opening an unchanged mailbox costs no copy of the whole index.
   */
  states(): readonly MessageState[] {
    this.statesCache ??= Object.freeze(
      this.entries.map(({ uid, flags, modSeq }) => ({ uid, flags, modSeq })),
    );
    return this.statesCache;
  }

  get(uid: number): IndexEntry | undefined {
    const at = this.positions.get(uid);
    return at === undefined ? undefined : this.entries[at];
  }

  /** Entries of the given UIDs that exist, in UID order. */
  select(uids: readonly number[]): IndexEntry[] {
    const found: IndexEntry[] = [];
    for (const uid of new Set(uids)) {
      const entry = this.get(uid);
      if (entry) found.push(entry);
    }
    return found.sort((a, b) => a.uid - b.uid);
  }

  /**
   * Assigns the next UID and a new mod-sequence to each new message, in order; a message that
   * asks for a UID (a restore) gets it if it is not below UIDNEXT, which then moves past it.
   */
  append(
    messages: readonly (Omit<IndexEntry, 'uid' | 'modSeq'> & { readonly uid?: number })[],
  ): IndexEntry[] {
    const added = messages.map(({ uid, ...message }) => {
      if (uid !== undefined && Number.isSafeInteger(uid) && uid >= this.uidNext && uid <= MAX_UID)
        this.uidNext = uid;
      return {
        ...message,
        flags: normalizeFlags(message.flags),
        uid: this.uidNext++,
        modSeq: ++this.highestModSeq,
      };
    });
    for (const entry of added) {
      this.positions.set(entry.uid, this.entries.length);
      this.entries.push(entry);
      this.countIn(entry, 1);
    }
    if (added.length > 0) this.statesCache = null;
    return added;
  }

  /**
   * Takes in messages that storage numbered (see `StorePersistence.appendAllocating`), once
   * what others wrote before them is applied: their UIDs and mod-sequences are above all held.
   */
  appendNumbered(entries: readonly IndexEntry[]): void {
    for (const entry of entries) {
      this.positions.set(entry.uid, this.entries.length);
      this.entries.push(entry);
      this.countIn(entry, 1);
      this.uidNext = Math.max(this.uidNext, entry.uid + 1);
      this.highestModSeq = Math.max(this.highestModSeq, entry.modSeq);
    }
    if (entries.length > 0) this.statesCache = null;
  }

  /**
   * Takes in flag changes that storage computed and numbered (see
   * `StorePersistence.updateFlagsAllocating`), once what others wrote before them is applied.
   */
  applyFlagStates(states: readonly MessageState[]): void {
    for (const { uid, flags, modSeq } of states) {
      const at = this.positions.get(uid);
      if (at !== undefined) {
        const entry = this.entries[at]!;
        const changed = { ...entry, flags, modSeq };
        this.entries[at] = changed;
        this.countIn(entry, -1);
        this.countIn(changed, 1);
      }
      this.highestModSeq = Math.max(this.highestModSeq, modSeq);
    }
    if (states.length > 0) this.statesCache = null;
  }

  /**
   * Applies a flag operation. Messages whose flags would not change keep their mod-sequence and
   * are not reported (RFC 7162 3.1.3 allows either; not bumping keeps QRESYNC resyncs small).
   * With `unchangedSince`, messages modified after it are left alone and reported as modified.
   * Flags for which `locked` is true keep their state whatever the operation (ACL rights the
   * user lacks, RFC 4314 section 4).
   */
  updateFlags(
    uids: readonly number[],
    operation: FlagOperation,
    flags: readonly string[],
    unchangedSince?: number,
    locked: (flag: string) => boolean = () => false,
  ): { updated: IndexEntry[]; modified: number[] } {
    const normal = normalizeFlags(flags).filter((flag) => !locked(flag));
    const updated: IndexEntry[] = [];
    const modified: number[] = [];
    for (const entry of this.select(uids)) {
      if (unchangedSince !== undefined && entry.modSeq > unchangedSince) {
        modified.push(entry.uid);
        continue;
      }
      const kept = operation === 'replace' ? entry.flags.filter(locked) : [];
      const next = normalizeFlags([...applyFlagOperation(entry.flags, operation, normal), ...kept]);
      if (sameFlags(next, entry.flags)) continue;
      const changed = { ...entry, flags: next, modSeq: ++this.highestModSeq };
      this.entries[this.positions.get(entry.uid)!] = changed;
      this.countIn(entry, -1);
      this.countIn(changed, 1);
      updated.push(changed);
    }
    if (updated.length > 0) this.statesCache = null;
    return { updated, modified };
  }

  /** Removes messages; returns the UIDs removed, ascending, and the expunge's mod-sequence. */
  expunge(uids: readonly number[]): { uids: number[]; modSeq: number } {
    return this.expungeAt(uids, this.highestModSeq + 1);
  }

  /**
   * Removes messages whose expunge storage numbered (see `StorePersistence.removeAllocating`),
   * once what others wrote before it is applied.
   */
  expungeAt(uids: readonly number[], modSeq: number): { uids: number[]; modSeq: number } {
    const entries = this.select(uids);
    const removed = new Set(entries.map((entry) => entry.uid));
    if (removed.size === 0) return { uids: [], modSeq: this.highestModSeq };
    for (const entry of entries) this.countIn(entry, -1);
    this.statesCache = null;
    this.highestModSeq = Math.max(this.highestModSeq, modSeq);
    this.entries = this.entries.filter((entry) => !removed.has(entry.uid));
    for (const uid of removed) this.expungeLog.push({ uid, modSeq });
    this.reindex();
    return { uids: [...removed].sort((a, b) => a - b), modSeq };
  }

  /**
   * Brings the index to what storage says changed after its mod-sequence (another process's
   * writes): messages expunged, messages added or changed, and UIDNEXT and HIGHESTMODSEQ. Costs
   * what changed rather than the mailbox's size, but for expunges, which move the messages after
   * them. As in an index read afresh, the messages there afterwards are no session's news.
   */
  applyChanges(changes: IndexChanges): void {
    const gone = new Set(changes.expunged.map((entry) => entry.uid));
    const removed = this.select([...gone]);
    if (removed.length > 0) {
      for (const entry of removed) this.countIn(entry, -1);
      this.entries = this.entries.filter((entry) => !gone.has(entry.uid));
      this.reindex();
    }
    let outOfOrder = false;
    for (const entry of changes.changed) {
      const at = this.positions.get(entry.uid);
      if (at !== undefined) {
        this.countIn(this.entries[at]!, -1);
        this.entries[at] = entry;
      } else {
        const last = this.entries[this.entries.length - 1];
        if (last && last.uid > entry.uid) outOfOrder = true;
        this.positions.set(entry.uid, this.entries.length);
        this.entries.push(entry);
      }
      this.countIn(entry, 1);
    }
    if (outOfOrder) {
      this.entries.sort((a, b) => a.uid - b.uid);
      this.reindex();
    }
    this.expungeLog.push(...changes.expunged);
    this.uidNext = changes.uidNext;
    this.highestModSeq = changes.highestModSeq;
    this.recentWatermark = this.uidNext - 1;
    this.statesCache = null;
  }

  /** UIDs with `\Deleted` among the given ones (all when omitted). */
  deletedAmong(uids?: readonly number[]): number[] {
    const candidates = uids ? this.select(uids) : this.entries;
    return candidates
      .filter((entry) => hasFlag(entry.flags, '\\Deleted'))
      .map((entry) => entry.uid);
  }

  vanishedSince(modSeq: number): number[] {
    return this.expungeLog
      .filter((entry) => entry.modSeq > modSeq)
      .map((entry) => entry.uid)
      .sort((a, b) => a - b);
  }

  /** Of the given UIDs (default all), those above the recent watermark; raises it past them. */
  claimRecent(uids?: readonly number[]): number[] {
    const candidates = (uids ? this.select(uids) : this.entries).map((entry) => entry.uid);
    const claimed = candidates.filter((uid) => uid > this.recentWatermark);
    if (claimed.length > 0) this.recentWatermark = Math.max(...claimed);
    return claimed;
  }

  /** Messages no session has claimed as recent. */
  unclaimedRecent(): number {
    let count = 0;
    for (
      let i = this.entries.length - 1;
      i >= 0 && this.entries[i]!.uid > this.recentWatermark;
      i--
    )
      count++;
    return count;
  }

  /** The mailbox's counters, as STATUS reports them. */
  status(): MailboxStatus {
    return {
      ...this.counters(),
      uidNext: this.uidNext,
      uidValidity: this.uidValidity,
      highestModSeq: this.highestModSeq,
      recent: this.unclaimedRecent(),
    };
  }

  counters(): { messages: number; unseen: number; deleted: number; size: number } {
    return {
      messages: this.entries.length,
      unseen: this.unseenCount,
      deleted: this.deletedCount,
      size: this.totalSize,
    };
  }

  /** Adds (`sign` 1) or takes away (-1) one message's share of the counters. */
  private countIn(entry: IndexEntry, sign: 1 | -1): void {
    if (!hasFlag(entry.flags, '\\Seen')) this.unseenCount += sign;
    if (hasFlag(entry.flags, '\\Deleted')) this.deletedCount += sign;
    this.totalSize += sign * entry.size;
  }

  private reindex(): void {
    this.positions.clear();
    this.entries.forEach((entry, i) => this.positions.set(entry.uid, i));
  }
}
