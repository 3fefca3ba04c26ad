import type {
  MailboxMeta,
  MessageState,
  StoredMessage,
  TreeKey,
} from '@mailyard/mailstore-interface';
import type { Sql } from 'postgres';
import type { ChangeNotifier } from './change-notifier.js';
import type { ContentCache } from './content-cache.js';
import { keepStoredContents } from './keep-stored-contents.js';
import type { KnownIndexes } from './known-indexes.js';
import { messageRow, insertFromCounters } from './message-rows.js';
import { StaleIndexError } from './write-conflicts.js';
import type { Queries } from './queries.js';

/** What a write statement answers: whether it wrote. */
interface WriteRow {
  ok: string;
}

/**
 * The writes numbered by the engine (the interface's `addMessages`, `updateFlags`,
 * `removeMessages`, which every persistence must have and the engine calls only for one without
 * the allocating ones: this store's engine never does, since PostgresPersistence has them all;
 * they stay for a caller that wraps the persistence without them). Each writes only if the
 * mailbox's counters are where the engine's copy of the index says; if another node wrote first,
 * nothing is written and the write fails {@link StaleIndexError}: the engine reads the index
 * again on next use, and the operation fails `unavailable` (nothing retries it). Two nodes
 * therefore never give out one UID or mod-sequence twice. Callers pass at least one message,
 * change or UID.
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
   * where the copy says) came back empty, another node having written first. The statement
   * answers `ok`, the counters' count.
   */
  private async writeIfCurrent(
    mailboxId: string,
    statement: (db: Queries) => Promise<WriteRow[]>,
  ): Promise<void> {
    const [row] = await statement(this.sql);
    if (Number(row?.ok) !== 1) throw new StaleIndexError(mailboxId);
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
      (db) => db<WriteRow[]>`
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
             (SELECT count(*) FROM notified) AS notified`,
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
      (db) => db<WriteRow[]>`
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
             (SELECT count(*) FROM notified) AS notified`,
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
      (db) => db<WriteRow[]>`
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
             (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM notified) AS notified`,
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
