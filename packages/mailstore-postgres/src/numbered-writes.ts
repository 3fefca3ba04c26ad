import {
  type AllocatedAppend,
  type AllocatedFlagChange,
  type AllocatedRemoval,
  type FlagChangeRequest,
  type IndexChanges,
  type IndexEntry,
  type MailboxMeta,
  SYSTEM_FLAGS,
  type TreeKey,
  type UnnumberedMessage,
} from '@mailyard/mailstore-interface';
import type { Sql } from 'postgres';
import type { ChangeNotifier } from './change-notifier.js';
import { readOnce } from './connection-errors.js';
import type { ContentCache } from './content-cache.js';
import {
  type JsonChanges,
  changesAbove,
  changesJson,
  changesUpTo,
  changesVia,
  parseChanges,
} from './index-queries.js';
import { keepStoredContents } from './keep-stored-contents.js';
import type { KnownIndex } from './known-index.js';
import type { KnownIndexes } from './known-indexes.js';
import { entryJson, insertFromCounters, messageRow } from './message-rows.js';
import type { Queries } from './queries.js';

/** What a flag change computed by the database answers. */
interface FlagWriteRow {
  base: string;
  updated: { uid: number; flags: string[]; modseq: number }[];
  modified: number[];
  changes: JsonChanges | null;
}

/** What an expunge numbered by the database answers. */
interface RemoveWriteRow {
  base: string;
  gone: number[];
  changes: JsonChanges | null;
}

/**
 * The writes whose UIDs and mod-sequences the database gives out (the interface's
 * `appendAllocating`, `updateFlagsAllocating`, `removeAllocating`): one statement advances the
 * mailbox's row, writes the rows, sends the notice and reads what other nodes changed after the
 * writer's known mod-sequence. PostgreSQL's row lock puts concurrent writers in order, so none
 * is refused or made again.
 */
export class NumberedWrites {
  constructor(
    private readonly sql: Sql,
    private readonly notices: ChangeNotifier,
    private readonly known: KnownIndexes,
    private readonly contents: ContentCache,
  ) {}

  /**
   * Stores messages under the next UIDs and mod-sequences, which the database gives out in the
   * write itself: the mailbox's row is advanced (`uid_next + n`, `highest_modseq + n`) by the
   * statement that inserts the rows and sends the notice, so concurrent appends from several
   * nodes are put in order by PostgreSQL's row lock, and none is refused or made again. What
   * other nodes wrote after `knownModSeq` and before these messages comes back with them.
   */
  async appendAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly UnnumberedMessage[],
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    const stored =
      messages.length === 1
        ? await this.allocateOne(tree, mailbox.id, messages[0]!, knownModSeq)
        : await this.allocateMany(tree, mailbox.id, messages, knownModSeq);
    this.recordAllocated(mailbox.id, knownModSeq, stored.changes, (known) =>
      known.recordAppend(stored.entries),
    );
    // As a numbered append's: a FETCH of a message just appended needs no statement.
    keepStoredContents(
      this.contents,
      mailbox.id,
      stored.entries.map((entry, i) => ({ ...messages[i]!, entry })),
    );
    return stored;
  }

  /**
   * One message in one statement (one round trip). The statement waits for the mailbox's row
   * lock if another node's write holds it, and then continues from the counters that write
   * left. What changed since `knownModSeq` is read in the same statement, but in its snapshot,
   * taken before any such wait: when that snapshot does not reach the mod-sequence below this
   * message's (a write committed while this one waited), the changes are read again, once the
   * statement committed (a read, a few rows; not the write made again).
   */
  private async allocateOne(
    tree: TreeKey,
    mailboxId: string,
    { entry, content, summary, uid }: UnnumberedMessage,
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    const db = this.sql;
    const asked = askedUid(uid);
    // A restore's UID when it is not below UIDNEXT; RETURNING's `uid_next - 1` is then it.
    const next = asked === null ? db`uid_next + 1` : db`greatest(uid_next, ${asked}) + 1`;
    const [row] = await db<{ uid: string; modseq: string; changes: JsonChanges | null }[]>`
      WITH counters AS (
        UPDATE mailboxes SET uid_next = ${next}, highest_modseq = highest_modseq + 1
        WHERE id = ${mailboxId}
        RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq
      ), added AS (
        ${insertFromCounters(db, db`counters.uid, counters.modseq`, { entry, content, summary })}
      ), notified AS (
        ${this.notices.fromCounters(
          db,
          tree,
          mailboxId,
          db`counters.modseq`,
          db`(SELECT json_build_object('b', counters.modseq - 1, 'u', counters.uid + 1,
                                       'e', json_agg(${entryJson(db)} ORDER BY uid))
              FROM added)`,
        )}
      )
      SELECT counters.uid, counters.modseq,
             (SELECT count(*) FROM added) AS added, (SELECT count(*) FROM notified) AS notified,
             ${changesAbove(db, mailboxId, knownModSeq, db`counters.modseq - 1`)} AS changes
      FROM counters`;
    if (!row) throw new Error(`no storage for mailbox ${mailboxId}`);
    const stored = { ...entry, uid: Number(row.uid), modSeq: Number(row.modseq) };
    const changes = await this.changesBefore(db, mailboxId, knownModSeq, stored, row.changes);
    return { entries: [stored], changes };
  }

  /**
   * Several messages (a COPY, a restore into the retention mailbox) in one transaction: the
   * counters' update takes the row lock and gives out the numbers, and the next statement,
   * whose snapshot is taken under that lock, inserts the rows and reads what changed before.
   * A restore whose messages ask for UIDs locks the row first and reads UIDNEXT, from which
   * the UIDs follow (see {@link uidsFrom}), then sets the counters.
   */
  private async allocateMany(
    tree: TreeKey,
    mailboxId: string,
    messages: readonly UnnumberedMessage[],
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    const n = messages.length;
    let stored: AllocatedAppend | null = null;
    const asked = messages.map((message) => askedUid(message.uid));
    const restoring = asked.some((uid) => uid !== null);
    await this.sql.begin(async (tx) => {
      const [counters] = restoring
        ? await tx<{ uid: string; modseq: string }[]>`
            SELECT uid_next AS uid, highest_modseq AS modseq FROM mailboxes
            WHERE id = ${mailboxId} FOR UPDATE`
        : await tx<{ uid: string; modseq: string }[]>`
            UPDATE mailboxes SET uid_next = uid_next + ${n}, highest_modseq = highest_modseq + ${n}
            WHERE id = ${mailboxId}
            RETURNING uid_next - ${n} AS uid, highest_modseq - ${n} AS modseq`;
      if (!counters) throw new Error(`no storage for mailbox ${mailboxId}`);
      const uids = uidsFrom(Number(counters.uid), asked);
      const base = Number(counters.modseq);
      if (restoring) {
        await tx`UPDATE mailboxes SET uid_next = ${uids[n - 1]! + 1}, highest_modseq = ${base + n}
                 WHERE id = ${mailboxId}`;
      }
      const entries = messages.map(({ entry }, i) => ({
        ...entry,
        uid: uids[i]!,
        modSeq: base + 1 + i,
      }));
      const rows = messages.map(({ content, summary }, i) =>
        messageRow(mailboxId, { entry: entries[i]!, content, summary }),
      );
      const [row] = await tx<{ changes: JsonChanges | null }[]>`
        WITH added AS (INSERT INTO messages ${tx(rows)} RETURNING 1)
        SELECT (SELECT count(*) FROM added) AS added,
               ${base > knownModSeq ? changesJson(tx, mailboxId, knownModSeq) : tx`NULL::json`} AS changes`;
      await this.notices.notify(
        tx,
        { k: 'i', t: tree, m: mailboxId, s: base + n },
        { b: base, u: uids[n - 1]! + 1, e: entries },
      );
      const changes = row?.changes ? upTo(parseChanges(row.changes), entries[0]!) : null;
      stored = { entries, changes };
    });
    return stored!;
  }

  /**
   * What other nodes changed after `knownModSeq` and before `first` (the first message this
   * node stored), from what the write statement read in its snapshot; read again when that
   * snapshot did not reach it (see {@link allocateOne}).
   */
  private async changesBefore(
    db: Queries,
    mailboxId: string,
    knownModSeq: number,
    first: IndexEntry,
    read: JsonChanges | null,
  ): Promise<IndexChanges | null> {
    const base = first.modSeq - 1;
    if (base <= knownModSeq) return null;
    let changes = read ? parseChanges(read) : null;
    if (!changes || changes.highestModSeq < base) {
      changes = await readOnce(() => changesVia(db, mailboxId, knownModSeq));
      if (!changes) throw new Error(`no storage for mailbox ${mailboxId}`);
    }
    return upTo(changes, first);
  }

  /**
   * A flag change computed and numbered by the database, from the flags it holds, so that it
   * cannot lose a race with another node's write (see {@link appendAllocating}). Sent as one
   * pipelined transaction (one round trip): BEGIN, the lock of the mailbox's row, the write,
   * COMMIT. The write's snapshot is taken once the lock is held, so it reads the flags, the
   * mod-sequences and what changed since `knownModSeq` as the last writer left them.
   */
  async updateFlagsAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    request: FlagChangeRequest,
    knownModSeq: number,
  ): Promise<AllocatedFlagChange> {
    const id = mailbox.id;
    const uids = [...request.uids];
    const flags = [...request.flags];
    const lowered = flags.map((flag) => flag.toLowerCase());
    const { seen, deleted, other } = request.locked;
    const write = (db: Queries) => db<FlagWriteRow[]>`
      WITH base AS (
        SELECT highest_modseq AS modseq FROM mailboxes WHERE id = ${id}
      ), target AS (
        SELECT uid, modseq, flags AS old,
               ${request.unchangedSince ?? null}::bigint IS NULL
                 OR modseq <= ${request.unchangedSince ?? null}::bigint AS allowed,
               CASE ${request.operation}::text
                 WHEN 'add' THEN flags || ${flags}::text[]
                 WHEN 'remove' THEN ARRAY(SELECT f FROM unnest(flags) AS f
                                          WHERE lower(f) <> ALL(${lowered}::text[]))
                 ELSE ${flags}::text[] || ARRAY(
                   SELECT f FROM unnest(flags) AS f
                   WHERE CASE lower(f) WHEN ${'\\seen'} THEN ${seen}::boolean
                                       WHEN ${'\\deleted'} THEN ${deleted}::boolean
                                       ELSE ${other}::boolean END)
               END AS candidates
        FROM messages WHERE mailbox_id = ${id} AND uid = ANY(${uids}::bigint[])
      ), computed AS (
        -- As normalizeFlags: one spelling per flag (the first), system flags first in their
        -- order, keywords in the order they came.
        SELECT uid, modseq, old, allowed, ARRAY(
                 SELECT f FROM (
                   SELECT DISTINCT ON (lower(f)) f, pos
                   FROM unnest(candidates) WITH ORDINALITY AS c (f, pos)
                   ORDER BY lower(f), pos) AS d
                 ORDER BY array_position(
                   ${[...SYSTEM_FLAGS]}::text[], f)
                   NULLS LAST, pos) AS flags
        FROM target
      ), changed AS (
        SELECT uid, flags, base.modseq + row_number() OVER (ORDER BY uid) AS modseq
        FROM computed, base
        WHERE allowed
          AND ARRAY(SELECT lower(f) FROM unnest(flags) AS f ORDER BY 1)
              IS DISTINCT FROM ARRAY(SELECT lower(f) FROM unnest(old) AS f ORDER BY 1)
      ), stored AS (
        UPDATE messages AS m SET flags = changed.flags, modseq = changed.modseq
        FROM changed WHERE m.mailbox_id = ${id} AND m.uid = changed.uid
        RETURNING 1
      ), counters AS (
        UPDATE mailboxes
        SET highest_modseq = highest_modseq + (SELECT count(*) FROM changed)
        WHERE id = ${id} AND EXISTS (SELECT 1 FROM changed)
        RETURNING highest_modseq
      ), notified AS (
        ${this.notices.fromCounters(
          db,
          tree,
          id,
          db`counters.highest_modseq`,
          db`(SELECT json_build_object('b', base.modseq,
                                       'f', json_agg(json_build_array(changed.uid, changed.modseq,
                                                                     changed.flags)
                                                     ORDER BY changed.uid))
              FROM changed, base GROUP BY base.modseq)`,
        )}
      )
      SELECT base.modseq AS base,
             (SELECT coalesce(json_agg(json_build_object('uid', uid, 'flags', flags,
                                                         'modseq', modseq) ORDER BY uid), '[]')
              FROM changed) AS updated,
             (SELECT coalesce(json_agg(uid ORDER BY uid), '[]') FROM computed
              WHERE NOT allowed) AS modified,
             (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM notified) AS notified,
             ${changesAbove(db, id, knownModSeq, db`base.modseq`)} AS changes
      FROM base`;
    const { row, changes } = await this.lockedAllocation(id, knownModSeq, write);
    const updated = row.updated.map((entry) => ({
      uid: Number(entry.uid),
      flags: entry.flags,
      modSeq: Number(entry.modseq),
    }));
    this.recordAllocated(id, knownModSeq, changes, (known) => {
      if (updated.length > 0) known.recordFlags(updated, updated[updated.length - 1]!.modSeq);
    });
    return { updated, modified: row.modified.map(Number), changes };
  }

  /**
   * An expunge numbered by the database (see {@link appendAllocating}), in one pipelined
   * transaction that locks the row first, as a flag change: the messages still stored of
   * those asked are deleted and logged under the row's next mod-sequence.
   */
  async removeAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    knownModSeq: number,
  ): Promise<AllocatedRemoval> {
    const id = mailbox.id;
    const list = [...uids];
    const write = (db: Queries) => db<RemoveWriteRow[]>`
      WITH base AS (
        SELECT highest_modseq AS modseq FROM mailboxes WHERE id = ${id}
      ), gone AS (
        DELETE FROM messages WHERE mailbox_id = ${id} AND uid = ANY(${list}::bigint[])
        RETURNING uid
      ), logged AS (
        INSERT INTO expunged (mailbox_id, uid, modseq)
        SELECT ${id}, gone.uid, base.modseq + 1 FROM gone, base
        ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq
        RETURNING 1
      ), counters AS (
        UPDATE mailboxes SET highest_modseq = highest_modseq + 1
        WHERE id = ${id} AND EXISTS (SELECT 1 FROM gone)
        RETURNING highest_modseq
      ), notified AS (
        ${this.notices.fromCounters(
          db,
          tree,
          id,
          db`counters.highest_modseq`,
          db`(SELECT json_build_object('b', base.modseq, 'x', json_agg(uid ORDER BY uid))
              FROM gone, base GROUP BY base.modseq)`,
        )}
      )
      SELECT base.modseq AS base,
             (SELECT coalesce(json_agg(uid ORDER BY uid), '[]') FROM gone) AS gone,
             (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM notified) AS notified,
             ${changesAbove(db, id, knownModSeq, db`base.modseq`)} AS changes
      FROM base`;
    const { row, base, changes } = await this.lockedAllocation(id, knownModSeq, write);
    const removed = row.gone.map(Number);
    const modSeq = removed.length > 0 ? base + 1 : base;
    this.recordAllocated(id, knownModSeq, changes, (known) => {
      if (removed.length > 0) known.recordExpunge(removed, modSeq);
    });
    return { uids: removed, modSeq, changes };
  }

  /**
   * Runs a flag change's or an expunge's statement with the mailbox's row locked first (see
   * {@link lockedWrite}) and reads the two columns both answer: `base`, the mailbox's
   * mod-sequence before the write, and what other nodes changed after `knownModSeq`, read
   * under the lock, so complete up to `base`.
   */
  private async lockedAllocation<Row extends { base: string; changes: JsonChanges | null }>(
    mailboxId: string,
    knownModSeq: number,
    statement: (db: Queries) => Promise<Row[]>,
  ): Promise<{ row: Row; base: number; changes: IndexChanges | null }> {
    const [row] = await this.lockedWrite(mailboxId, statement);
    if (!row) throw new Error(`no storage for mailbox ${mailboxId}`);
    const base = Number(row.base);
    return { row, base, changes: changesUpTo(row.changes, base, knownModSeq) };
  }

  /**
   * Records a write the database numbered in this node's known copy of the index, once it
   * committed: first what other nodes changed before it (`changes`, from `knownModSeq`), then
   * the write itself (`record`), in mod-sequence order.
   */
  private recordAllocated(
    mailboxId: string,
    knownModSeq: number,
    changes: IndexChanges | null,
    record: (known: KnownIndex) => void,
  ): void {
    this.known.recordWrite(mailboxId, (known) => {
      if (changes) known.merge(knownModSeq, changes);
      record(known);
    });
  }

  /**
   * Runs a statement with the mailbox's row locked first, in a transaction of its own sent in
   * one round trip (BEGIN, the lock, the statement, COMMIT: the server runs them in order; a
   * failed statement turns the COMMIT into a rollback).
   */
  private async lockedWrite<T extends readonly unknown[]>(
    mailboxId: string,
    statement: (db: Queries) => Promise<T>,
  ): Promise<T> {
    const connection = await this.sql.reserve();
    try {
      const steps: Promise<unknown>[] = [
        connection`BEGIN`,
        connection`SELECT 1 FROM mailboxes WHERE id = ${mailboxId} FOR UPDATE`,
      ];
      const result = statement(connection);
      steps.push(result, connection`COMMIT`);
      const failed = (await Promise.allSettled(steps)).find((step) => step.status === 'rejected');
      if (failed) {
        await connection`ROLLBACK`.catch(() => {});
        throw (failed as PromiseRejectedResult).reason;
      }
      return await result;
    } finally {
      connection.release();
    }
  }
}

/**
 * Of what changed, what lies before `first`, the first message a write stored: the
 * mod-sequences up to the one below it, and the UIDs below it. A read made after the write
 * committed may see later writes too: those of messages below `first` are kept, in their later
 * state (a message another node appended in between and changed since must not go missing from
 * the index, and its UID is below the new message's, so it is told in UID order); later
 * expunges and the write's own rows are left to the next catch-up.
 */
function upTo(changes: IndexChanges, first: IndexEntry): IndexChanges {
  return {
    uidNext: first.uid,
    highestModSeq: first.modSeq - 1,
    changed: changes.changed.filter(
      (entry) => entry.modSeq < first.modSeq || entry.uid < first.uid,
    ),
    expunged: changes.expunged.filter((entry) => entry.modSeq < first.modSeq),
  };
}

/** The largest UID (RFC 3501: a 32-bit number), as the engine's index has it. */
const MAX_UID = 0xffffffff;

/** The UID a restore asks for, if it can be given (see `UnnumberedMessage.uid`); else null. */
function askedUid(uid: number | undefined): number | null {
  return uid !== undefined && Number.isSafeInteger(uid) && uid <= MAX_UID ? uid : null;
}

/**
 * The UIDs of messages appended from `uidNext` on, in order: the next one each, or the one a
 * message asks for when it is not below that (as `MailboxIndex.append` gives them).
 */
function uidsFrom(uidNext: number, asked: readonly (number | null)[]): number[] {
  let next = uidNext;
  return asked.map((uid) => {
    if (uid !== null && uid >= next) next = uid;
    return next++;
  });
}
