import type { IndexChanges } from '@mailyard/mailstore-interface';
import type { KnownIndex } from './known-index.js';

/**
 * This node's {@link KnownIndex} of each mailbox whose index it read: what a stale index is
 * caught up from. Followed by this node's committed writes (with what other nodes wrote before
 * them, which those writes bring back) and by what the change feed hears and reads.
 */
export class KnownIndexes {
  /** Each index read here, as last known committed. */
  private readonly byMailbox = new Map<string, KnownIndex>();

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

  /** Records a committed write of this node's in its known copy of the index, if it has one. */
  recordWrite(mailboxId: string, record: (known: KnownIndex) => void): void {
    const known = this.byMailbox.get(mailboxId);
    if (known) record(known);
  }
}
