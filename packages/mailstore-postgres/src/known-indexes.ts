import type { IndexChanges } from '@mailyard/mailstore-interface';
import { type JsonChanges, parseChanges } from './index-queries.js';
import type { KnownIndex } from './known-index.js';

/**
 * This node's {@link KnownIndex} of each mailbox whose index it read: what a stale index is
 * caught up from. Followed by this node's committed writes, by what the change feed hears and
 * reads, and by what a write that found its mailbox stale brought back.
 */
export class KnownIndexes {
  /** Each index read here, as last known committed. */
  private readonly byMailbox = new Map<string, KnownIndex>();
  /** Mailboxes whose known copy a stale write just brought up to date (see `mergeStale`). */
  private readonly caughtUpByStale = new Set<string>();

  get(mailboxId: string): KnownIndex | undefined {
    return this.byMailbox.get(mailboxId);
  }

  set(mailboxId: string, known: KnownIndex): void {
    this.byMailbox.set(mailboxId, known);
  }

  forget(mailboxId: string): void {
    this.byMailbox.delete(mailboxId);
  }

  /**
   * Brings what changed after `since` (a catch-up read's, or a change that rode in a notice)
   * into the mailbox's known copy, if this node has one.
   */
  heard(mailboxId: string, since: number, changes: IndexChanges): void {
    this.byMailbox.get(mailboxId)?.merge(since, changes);
  }

  /**
   * Whether a stale write just brought the mailbox's known copy up to date; forgotten in the
   * asking: what it brought back is good for the read right after it only.
   */
  takeCaughtUp(mailboxId: string): boolean {
    return this.caughtUpByStale.delete(mailboxId);
  }

  /** Records a committed write of this node's in its known copy of the index, if it has one. */
  recordWrite(mailboxId: string, record: (known: KnownIndex) => void): void {
    const known = this.byMailbox.get(mailboxId);
    if (known) record(known);
  }

  /**
   * The mod-sequence from which a write statement brings back what changed, should it find the
   * mailbox stale: this node's last known one; none without a known copy.
   */
  sinceIfStale(mailboxId: string): number | null {
    // What an earlier stale write brought back is good for the read right after it only.
    this.caughtUpByStale.delete(mailboxId);
    return this.byMailbox.get(mailboxId)?.modSeq ?? null;
  }

  /**
   * What a write that found the mailbox stale brought back of the other nodes' writes goes into
   * this node's known copy, and the next read of the index (the retry's) is served from it
   * without a query. Only when the statement's snapshot shows the mailbox past `expected`, the
   * mod-sequence the write was built on: else the write that beat it committed while the
   * statement ran, after its snapshot, and a retry on what it brought would lose again (and
   * skip a UID): the retry then reads.
   */
  mergeStale(
    mailboxId: string,
    since: number | null,
    brought: JsonChanges | null | undefined,
    expected: number,
  ): void {
    const known = this.byMailbox.get(mailboxId);
    if (since !== null && known && brought) {
      const changes = parseChanges(brought);
      if (changes.highestModSeq > expected && known.merge(since, changes))
        this.caughtUpByStale.add(mailboxId);
    }
  }
}
