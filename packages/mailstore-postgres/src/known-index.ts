import type {
  IndexChanges,
  IndexEntry,
  IndexSnapshot,
  MessageState,
} from '@mailyard/mailstore-interface';

/**
 * A mailbox's index as this node last knew it committed in the database: complete up to its
 * `highestModSeq`. It is what a stale index is caught up from: when another node wrote first,
 * the index is read again as this copy plus what changed after its mod-sequence (a few rows),
 * not whole (every message of the mailbox). The engine's own copy cannot serve: a write that
 * lost has already changed it.
 */
export class KnownIndex {
  private uidNext: number;
  private highestModSeq: number;
  /** By UID, in UID order: new UIDs are always above every UID held. */
  private readonly entries: Map<number, IndexEntry>;
  private readonly expunged: { uid: number; modSeq: number }[];
  private readonly gone: Set<number>;

  constructor(snapshot: Omit<IndexSnapshot, 'uidValidity'>) {
    this.uidNext = snapshot.uidNext;
    this.highestModSeq = snapshot.highestModSeq;
    this.entries = new Map(snapshot.entries.map((entry) => [entry.uid, entry]));
    this.expunged = [...snapshot.expunged];
    this.gone = new Set(this.expunged.map((entry) => entry.uid));
  }

  get modSeq(): number {
    return this.highestModSeq;
  }

  /**
   * Brings in what changed after `since` (all of it, up to `changes.highestModSeq`). Only when
   * nothing is missing in between: `since` not above what this copy holds. Entries keep the
   * newer of two versions and an expunge wins, so reads and writes that finish in another order
   * than they started leave the same copy.
   */
  merge(since: number, changes: IndexChanges): boolean {
    if (since > this.highestModSeq) return false;
    for (const { uid, modSeq } of changes.expunged) {
      if (this.gone.has(uid)) continue;
      this.gone.add(uid);
      this.entries.delete(uid);
      this.expunged.push({ uid, modSeq });
    }
    for (const entry of changes.changed) {
      if (this.gone.has(entry.uid)) continue;
      const held = this.entries.get(entry.uid);
      if (!held || held.modSeq < entry.modSeq) this.entries.set(entry.uid, entry);
    }
    this.uidNext = Math.max(this.uidNext, changes.uidNext);
    this.highestModSeq = Math.max(this.highestModSeq, changes.highestModSeq);
    return true;
  }

  /**
   * Records this node's writes once they committed, when they follow on directly from this
   * copy; otherwise another node's change lies in between, and the next catch-up (which reads
   * everything after this copy's mod-sequence, these writes included) brings both.
   */
  recordAppend(entries: readonly IndexEntry[]): void {
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (!first || !last || !this.followsOn(first.modSeq)) return;
    for (const entry of entries) this.entries.set(entry.uid, entry);
    this.uidNext = Math.max(this.uidNext, last.uid + 1);
    this.highestModSeq = last.modSeq;
  }

  recordFlags(changes: readonly MessageState[], highestModSeq: number): void {
    if (!this.followsOn(Math.min(...changes.map((change) => change.modSeq)))) return;
    for (const { uid, flags, modSeq } of changes) {
      const held = this.entries.get(uid);
      if (held) this.entries.set(uid, { ...held, flags: [...flags], modSeq });
    }
    this.highestModSeq = highestModSeq;
  }

  recordExpunge(uids: readonly number[], modSeq: number): void {
    if (!this.followsOn(modSeq)) return;
    for (const uid of uids) {
      if (this.gone.has(uid)) continue;
      this.gone.add(uid);
      this.entries.delete(uid);
      this.expunged.push({ uid, modSeq });
    }
    this.highestModSeq = modSeq;
  }

  private followsOn(firstModSeq: number): boolean {
    return firstModSeq - 1 === this.highestModSeq;
  }

  snapshot(uidValidity: number): IndexSnapshot {
    const entries = [...this.entries.values()];
    // In UID order by construction; a restore that gave an odd UID must not break that.
    if (entries.some((entry, i) => i > 0 && entries[i - 1]!.uid > entry.uid))
      entries.sort((a, b) => a.uid - b.uid);
    return {
      uidValidity,
      uidNext: this.uidNext,
      highestModSeq: this.highestModSeq,
      entries,
      expunged: [...this.expunged],
    };
  }
}
