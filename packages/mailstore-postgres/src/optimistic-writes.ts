import type {
  MailboxMeta,
  MessageState,
  StoredMessage,
  TreeKey,
} from '@mailyard/mailstore-interface';
import type { Sql } from 'postgres';
import type { ChangeNotifier } from './change-notifier.js';
import type { ContentCache } from './content-cache.js';
import { type JsonChanges, changesJson } from './index-queries.js';
import { keepStoredContents } from './keep-stored-contents.js';
import type { KnownIndexes } from './known-indexes.js';
import { messageRow, insertFromCounters } from './message-rows.js';
import { StaleIndexError } from './write-conflicts.js';
import type { Queries } from './queries.js';

/** What a write statement answers: whether it wrote, and what changed if it did not. */
interface WriteRow {
  ok: string;
  changes: JsonChanges | null;
}

/**
 * The writes numbered by the engine (the interface's `addMessages`, `updateFlags`,
 * `removeMessages`, which the engine calls only for a persistence without the allocating ones:
 * this store's engine does not, restores included): optimistic, each writes only if the
 * mailbox's counters are where the engine's copy of the index says; if another node wrote
 * first, nothing is written and the write fails {@link StaleIndexError}, and the store makes it
 * again (on the index caught up, then inside a write lease, where it cannot lose). Callers pass
 * at least one message, change or UID.
 */
export class OptimisticWrites {
  constructor(
    private readonly sql: Sql,
    private readonly notices: ChangeNotifier,
    private readonly known: KnownIndexes,
    private readonly contents: ContentCache,
  ) {}

  /**
   * Sends a write statement built on the engine's copy of the index, and fails
   * {@link StaleIndexError} if it wrote nothing: its `counters` (the mailbox's row, updated only
   * where the copy says; `expected` the mod-sequence the write was built on) came back empty,
   * another node having written first. The statement answers `ok`, the counters' count, and
   * `changes`, the column given to it: what changed since this node's last known mod-sequence,
   * read only when nothing was written (an uncorrelated subquery in a CASE branch not taken is
   * not run), in the same round trip, so that the retry needs no read of its own (one round
   * trip saved on every lost race). It goes into this node's known copy (see
   * {@link KnownIndexes.mergeStale}).
   */
  private async writeIfCurrent(
    mailboxId: string,
    expected: number,
    statement: (db: Queries, changesIfStale: ReturnType<Queries>) => Promise<WriteRow[]>,
  ): Promise<void> {
    const db = this.sql;
    const since = this.known.sinceIfStale(mailboxId);
    const changesIfStale: ReturnType<Queries> =
      since === null
        ? db`NULL::json`
        : db`CASE WHEN NOT EXISTS (SELECT 1 FROM counters) THEN ${changesJson(db, mailboxId, since)} END`;
    const [row] = await statement(db, changesIfStale);
    if (Number(row?.ok) === 1) return;
    this.known.mergeStale(mailboxId, since, row?.changes, expected);
    throw new StaleIndexError(mailboxId);
  }

  /**
   * One message (an APPEND, a delivery) in one statement, so one round trip: the counters move,
   * the row goes in and the notice goes out only if the counters were where the engine's copy
   * of the index says (the mod-sequence exactly; the UID not below UIDNEXT, since a restore may
   * keep a higher one).
   */
  private async addOneMessage(
    tree: TreeKey,
    mailboxId: string,
    { entry, content, summary }: StoredMessage,
  ): Promise<void> {
    await this.writeIfCurrent(
      mailboxId,
      entry.modSeq - 1,
      (db, changesIfStale) => db<WriteRow[]>`
      WITH counters AS (
        UPDATE mailboxes SET uid_next = ${entry.uid + 1}, highest_modseq = ${entry.modSeq}
        WHERE id = ${mailboxId} AND uid_next <= ${entry.uid}
          AND highest_modseq = ${entry.modSeq - 1}
        RETURNING id
      ), added AS (
        ${insertFromCounters(db, db`${entry.uid}, ${entry.modSeq}`, { entry, content, summary })}
      ), notified AS (
        ${this.notices.ifWritten(db, { k: 'i', t: tree, m: mailboxId, s: entry.modSeq }, { b: entry.modSeq - 1, u: entry.uid + 1, e: [entry] })}
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM added) AS added,
             (SELECT count(*) FROM notified) AS notified,
             ${changesIfStale} AS changes`,
    );
    this.known.recordWrite(mailboxId, (known) => known.recordAppend([entry]));
    keepStoredContents(this.contents, mailboxId, [{ entry, content, summary }]);
  }

  async addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    const first = messages[0]!.entry;
    const last = messages[messages.length - 1]!.entry;
    if (messages.length === 1) return this.addOneMessage(tree, mailbox.id, messages[0]!);
    await this.sql.begin(async (tx) => {
      await this.lockCounters(tx, mailbox.id, first.modSeq, first.uid);
      const rows = messages.map((message) => messageRow(mailbox.id, message));
      await tx`INSERT INTO messages ${tx(rows)}`;
      await tx`UPDATE mailboxes SET uid_next = ${last.uid + 1}, highest_modseq = ${last.modSeq}
               WHERE id = ${mailbox.id}`;
      await this.notices.notify(
        tx,
        { k: 'i', t: tree, m: mailbox.id, s: last.modSeq },
        { b: first.modSeq - 1, u: last.uid + 1, e: messages.map((message) => message.entry) },
      );
    });
    this.known.recordWrite(mailbox.id, (known) =>
      known.recordAppend(messages.map((message) => message.entry)),
    );
    keepStoredContents(this.contents, mailbox.id, messages);
  }

  async updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    const firstModSeq = Math.min(...changes.map((change) => change.modSeq));
    const updates = changes.map((change) => ({
      uid: change.uid,
      modseq: change.modSeq,
      flags: [...change.flags],
    }));
    // One statement, so one round trip: the counters' row is updated only if it is where this
    // node's copy says (the row lock makes a concurrent writer wait, then see the new values).
    await this.writeIfCurrent(
      mailbox.id,
      firstModSeq - 1,
      (db, changesIfStale) => db<WriteRow[]>`
      WITH counters AS (
        UPDATE mailboxes SET highest_modseq = ${highestModSeq}
        WHERE id = ${mailbox.id} AND highest_modseq = ${firstModSeq - 1}
        RETURNING id
      ), changed AS (
        UPDATE messages AS m
        SET modseq = u.modseq, flags = ARRAY(SELECT jsonb_array_elements_text(u.flags))
        FROM counters,
             jsonb_to_recordset(${db.json(updates)}) AS u (uid bigint, modseq bigint, flags jsonb)
        WHERE m.mailbox_id = counters.id AND m.uid = u.uid
        RETURNING 1
      ), notified AS (
        ${this.notices.ifWritten(db, { k: 'i', t: tree, m: mailbox.id, s: highestModSeq }, { b: firstModSeq - 1, f: updates.map((u) => [u.uid, u.modseq, u.flags] as const) })}
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM changed) AS changed,
             (SELECT count(*) FROM notified) AS notified,
             ${changesIfStale} AS changes`,
    );
    this.known.recordWrite(mailbox.id, (known) => known.recordFlags(changes, highestModSeq));
  }

  async removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    const list = [...uids];
    await this.writeIfCurrent(
      mailbox.id,
      modSeq - 1,
      (db, changesIfStale) => db<WriteRow[]>`
      WITH counters AS (
        UPDATE mailboxes SET highest_modseq = ${modSeq}
        WHERE id = ${mailbox.id} AND highest_modseq = ${modSeq - 1}
        RETURNING id
      ), gone AS (
        DELETE FROM messages AS m USING counters
        WHERE m.mailbox_id = counters.id AND m.uid = ANY(${list})
        RETURNING m.uid
      ), logged AS (
        INSERT INTO expunged (mailbox_id, uid, modseq)
        SELECT counters.id, uid, ${modSeq} FROM counters, unnest(${list}::bigint[]) AS uid
        ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq
        RETURNING 1
      ), notified AS (
        ${this.notices.ifWritten(db, { k: 'i', t: tree, m: mailbox.id, s: modSeq }, { b: modSeq - 1, x: list })}
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM gone) AS gone,
             (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM notified) AS notified,
             ${changesIfStale} AS changes`,
    );
    this.known.recordWrite(mailbox.id, (known) => known.recordExpunge(list, modSeq));
  }

  /**
   * Locks the mailbox's row for the rest of the transaction and checks that the database is where
   * the writer's copy of the index was: the next mod-sequence (and UID) are the ones it gave out.
   */
  private async lockCounters(
    tx: Queries,
    mailboxId: string,
    firstModSeq: number,
    firstUid?: number,
  ): Promise<void> {
    const rows = await tx<{ uid_next: string; highest_modseq: string }[]>`
      SELECT uid_next, highest_modseq FROM mailboxes WHERE id = ${mailboxId} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw new StaleIndexError(mailboxId);
    if (
      Number(row.highest_modseq) !== firstModSeq - 1 ||
      // A UID may jump forward (a restore keeps the UIDs it is given), never back: the
      // mod-sequence is what tells another node's write, the UID only that none is reused.
      (firstUid !== undefined && Number(row.uid_next) > firstUid)
    ) {
      throw new StaleIndexError(mailboxId);
    }
  }
}
