import type { IndexEntry, StoredMessage, UnnumberedMessage } from '@mailyard/mailstore-interface';
import type { Queries } from './queries.js';

/** A row of `messages` as a query gives it, without the summary and the bytes. */
export interface MessageRow {
  uid: string;
  modseq: string;
  flags: string[];
  internal_date: string;
  internal_date_zone: number | null;
  save_date: string;
  size: string;
  email_id: string;
}

/** A message's row, for an INSERT of several. */
export function messageRow(mailboxId: string, { entry, content, summary }: StoredMessage) {
  return {
    mailbox_id: mailboxId,
    uid: entry.uid,
    modseq: entry.modSeq,
    flags: [...entry.flags],
    internal_date: entry.internalDate,
    internal_date_zone: entry.internalDateZone ?? null,
    save_date: entry.saveDate,
    size: entry.size,
    email_id: entry.emailId,
    summary: JSON.stringify(summary),
    content: Buffer.from(content.buffer, content.byteOffset, content.byteLength),
  };
}

/**
 * The INSERT of one message's row into the mailbox of a write statement's `counters` (inserting
 * nothing when that is empty), its UID and mod-sequence `numbers`: given values, or the
 * counters' own columns when the database gives them out.
 */
export function insertFromCounters(
  db: Queries,
  numbers: ReturnType<Queries>,
  { entry, content, summary }: UnnumberedMessage,
) {
  return db`
    INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, internal_date_zone,
                          save_date, size, email_id, summary, content)
    SELECT counters.id, ${numbers}, ${[...entry.flags]}::text[],
           ${entry.internalDate}, ${entry.internalDateZone ?? null}::integer, ${entry.saveDate},
           ${entry.size}, ${entry.emailId}, ${JSON.stringify(summary)},
           ${Buffer.from(content.buffer, content.byteOffset, content.byteLength)}::bytea
    FROM counters
    RETURNING uid, modseq, flags, internal_date, internal_date_zone, save_date, size, email_id`;
}

/**
 * An inserted row's index entry as JSON, in the shape of {@link IndexEntry} (a notice's `e`):
 * a zone that was not given is left out, as the entry in memory leaves it out.
 */
export function entryJson(db: Queries) {
  return db`json_strip_nulls(json_build_object(
    'uid', uid, 'modSeq', modseq, 'flags', flags, 'internalDate', internal_date,
    'internalDateZone', internal_date_zone, 'saveDate', save_date, 'size', size,
    'emailId', email_id))`;
}

export function entryOf(row: MessageRow): IndexEntry {
  return {
    uid: Number(row.uid),
    modSeq: Number(row.modseq),
    flags: row.flags,
    internalDate: Number(row.internal_date),
    ...(row.internal_date_zone !== null ? { internalDateZone: row.internal_date_zone } : {}),
    saveDate: Number(row.save_date),
    size: Number(row.size),
    emailId: row.email_id,
  };
}
