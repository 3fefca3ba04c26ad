import type { IndexChanges, IndexSnapshot, MailboxMeta } from '@mailyard/mailstore-interface';
import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';
import { changesVia, readWholeIndex } from './index-queries.js';
import { KnownIndex } from './known-index.js';
import type { KnownIndexes } from './known-indexes.js';

/**
 * Reads of a mailbox's index: whole the first time (one snapshot), then as this node's known
 * copy caught up from the rows changed since (a few rows, not the whole mailbox).
 */
export class IndexReads {
  constructor(
    private readonly sql: Sql,
    private readonly known: KnownIndexes,
  ) {}

  /**
   * What changed in a mailbox after `modSeq`: its counters, the messages added or changed (full
   * index entries) and the expunges, as one snapshot. For the change feed's catch-up.
   */
  async changesSince(mailboxId: string, modSeq: number): Promise<IndexChanges | null> {
    const changes = await readOnce(() => changesVia(this.sql, mailboxId, modSeq));
    if (changes) this.known.heard(mailboxId, modSeq, changes);
    return changes;
  }

  async readIndex(mailbox: MailboxMeta): Promise<IndexSnapshot> {
    const known = this.known.get(mailbox.id);
    if (known) {
      // Caught up from what this node knew: the rows changed since, not the whole mailbox.
      const since = known.modSeq;
      const changes = await this.changesSince(mailbox.id, since);
      if (!changes) throw new Error(`no storage for mailbox ${mailbox.id}`);
      return known.snapshot(mailbox.uidValidity);
    }
    // One snapshot of the counters, the messages and the log, whatever other nodes commit meanwhile.
    const snapshot = await readOnce(() =>
      this.sql.begin('isolation level repeatable read read only', (tx) =>
        readWholeIndex(tx, mailbox),
      ),
    );
    this.known.set(mailbox.id, new KnownIndex(snapshot));
    return snapshot;
  }
}
