import type { IndexChanges, IndexSnapshot, MailboxMeta } from '@mailyard/mailstore-interface';
import { type MessageRow, entryOf } from './message-rows.js';
import type { Queries } from './queries.js';

/** The mailbox's whole index, read on `db` (a snapshot, or under the mailbox's lock). */
export async function readWholeIndex(db: Queries, mailbox: MailboxMeta): Promise<IndexSnapshot> {
  const counters = await db<{ uid_next: string; highest_modseq: string }[]>`
    SELECT uid_next, highest_modseq FROM mailboxes WHERE id = ${mailbox.id}`;
  if (!counters[0]) throw new Error(`no storage for mailbox ${mailbox.id}`);
  const rows = await db<MessageRow[]>`
    SELECT uid, modseq, flags, internal_date, internal_date_zone, save_date, size, email_id
    FROM messages WHERE mailbox_id = ${mailbox.id} ORDER BY uid`;
  const expunged = await db<{ uid: string; modseq: string }[]>`
    SELECT uid, modseq FROM expunged WHERE mailbox_id = ${mailbox.id} ORDER BY modseq, uid`;
  return {
    uidValidity: mailbox.uidValidity,
    uidNext: Number(counters[0].uid_next),
    highestModSeq: Number(counters[0].highest_modseq),
    entries: rows.map(entryOf),
    expunged: expunged.map((row) => ({ uid: Number(row.uid), modSeq: Number(row.modseq) })),
  };
}

/**
 * What changed in a mailbox after `modSeq`, read on `db`: its counters, the messages added or
 * changed (full index entries), the expunges; null when the mailbox has no row. One statement,
 * so one round trip and one snapshot: a node catches up after every write of another's.
 */
export async function changesVia(
  db: Queries,
  mailboxId: string,
  modSeq: number,
): Promise<IndexChanges | null> {
  const [row] = await db<{ changes: JsonChanges | null }[]>`
    SELECT ${changesJson(db, mailboxId, modSeq)} AS changes`;
  return row?.changes ? parseChanges(row.changes) : null;
}

/**
 * What changed in a mailbox after `modSeq`, as one JSON value (null when the mailbox has no
 * row): a fragment that a write statement also carries, for when it finds itself stale.
 */
export function changesJson(db: Queries, mailboxId: string, modSeq: number) {
  return db`(
    SELECT json_build_object('uid_next', uid_next, 'highest_modseq', highest_modseq,
      'changed', (SELECT coalesce(json_agg(json_build_object(
                'uid', uid, 'modseq', modseq, 'flags', flags, 'internal_date', internal_date,
                'internal_date_zone', internal_date_zone, 'save_date', save_date, 'size', size,
                'email_id', email_id) ORDER BY uid), '[]'::json)
       FROM messages WHERE mailbox_id = ${mailboxId} AND modseq > ${modSeq}),
      'expunged', (SELECT coalesce(json_agg(json_build_object('uid', uid, 'modseq', modseq)
                ORDER BY modseq, uid), '[]'::json)
       FROM expunged WHERE mailbox_id = ${mailboxId} AND modseq > ${modSeq}))
    FROM mailboxes WHERE id = ${mailboxId})`;
}

/**
 * A write's column of what changed after `known`, read only when the mod-sequence before the
 * write (`base`, an SQL expression) is above it: else nothing did.
 */
export function changesAbove(
  db: Queries,
  mailboxId: string,
  known: number,
  base: ReturnType<Queries>,
) {
  return db`CASE WHEN ${base} > ${known} THEN ${changesJson(db, mailboxId, known)} END`;
}

/**
 * What a write read under the mailbox's lock of the changes after `known`: complete up to
 * `base`, the mod-sequence before the write; null when nothing changed.
 */
export function changesUpTo(
  json: JsonChanges | null,
  base: number,
  known: number,
): IndexChanges | null {
  return json && base > known ? { ...parseChanges(json), highestModSeq: base } : null;
}

export interface JsonChanges {
  uid_next: number;
  highest_modseq: number;
  changed: JsonRow[];
  expunged: JsonRow[];
}

export function parseChanges(json: JsonChanges): IndexChanges {
  return {
    uidNext: Number(json.uid_next),
    highestModSeq: Number(json.highest_modseq),
    changed: json.changed.map((entry) => entryOf(entry as unknown as MessageRow)),
    expunged: json.expunged.map((entry) => ({
      uid: Number(entry.uid),
      modSeq: Number(entry.modseq),
    })),
  };
}

/** A row as `json_build_object` gives it: numbers as JSON numbers. */
type JsonRow = Record<string, unknown>;
