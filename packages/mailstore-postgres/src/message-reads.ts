import {
  type ContentRequest,
  type MailboxMeta,
  MailStoreError,
  type TreeKey,
  isMailStoreError,
} from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';
import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';
import { CACHED_MESSAGE_MAX, type ContentCache } from './content-cache.js';
import type { Queries } from './queries.js';

/** Bytes of a message fetched per query when it is streamed. */
const CHUNK = 1024 * 1024;

/** A part of a message asked for: 1-based `start`, and the bytes this node keeps, if it does. */
interface PartRequest {
  readonly i: number;
  readonly uid: number;
  readonly start: number;
  readonly length: number;
  readonly kept: Buffer | null;
}

/** What the reads ask of the store when a message is not there: set by the store. */
export interface MissingMessageHooks {
  /**
   * Brings the engine's copy of a mailbox's index up to date with what other nodes did (the
   * change feed's catch-up, which takes the tree's lock). Called only from reads made without
   * that lock.
   */
  catchUpMailbox: ((tree: TreeKey, mailboxId: string) => Promise<void>) | null;
}

/**
 * Reads of messages' bytes and summaries (`readContent`, `readContents`, `readSummaries`),
 * served from the node's {@link ContentCache} where it can once the row is known to be there,
 * and what a reader is told of a message the engine's index has and storage does not
 * (`expunged` or `unavailable`).
 */
export class MessageReads {
  constructor(
    private readonly sql: Sql,
    private readonly contents: ContentCache,
    private readonly hooks: MissingMessageHooks,
  ) {}

  async *readContent(
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    const cached = this.contents.get(mailbox.id, uid);
    let start = range?.start ?? 0;
    let end = range?.end;
    // Kept bytes are served once the row is known to be there: another node may have expunged
    // the message, which the reader is to be told (see `missing`), not given its bytes.
    if (end === undefined || cached) {
      const db = this.sql;
      const rows = await readOnce(
        () => db<{ size: string }[]>`
          SELECT size FROM messages WHERE mailbox_id = ${mailbox.id} AND uid = ${uid}`,
      );
      if (!rows[0]) throw await this.missing(mailbox, [uid]);
      end ??= Number(rows[0].size);
    }
    if (cached) {
      const part = cached.subarray(start, end);
      if (part.length > 0) yield part;
      return;
    }
    // A big message comes in chunks, so that neither side holds it whole.
    const db = this.sql;
    while (start < end) {
      const length = Math.min(CHUNK, end - start);
      const from = start + 1;
      const rows = await readOnce(
        () => db<{ part: Buffer }[]>`
          SELECT substring(content FROM ${from} FOR ${length}) AS part
          FROM messages WHERE mailbox_id = ${mailbox.id} AND uid = ${uid}`,
      );
      if (!rows[0]) throw await this.missing(mailbox, [uid]);
      if (rows[0].part.length === 0) return;
      yield rows[0].part;
      start += rows[0].part.length;
    }
  }

  async readContents(
    tree: TreeKey,
    mailbox: MailboxMeta,
    requests: readonly ContentRequest[],
  ): Promise<(Uint8Array | null)[]> {
    const results: (Uint8Array | null)[] = requests.map(() => null);
    const wanted: PartRequest[] = requests.map((request, i) => ({
      i,
      uid: request.uid,
      start: request.start + 1,
      length: request.end - request.start,
      kept: this.contents.get(mailbox.id, request.uid) ?? null,
    }));
    await this.readParts(this.sql, mailbox.id, wanted, results);
    if (results.includes(null)) {
      const absent = requests.filter((_, i) => results[i] === null).map((r) => r.uid);
      // Expunged through another node: the engine's index learns it before it looks again
      // (a message missing from storage that its index still has is answered `unavailable`).
      if (isMailStoreError(await this.missing(mailbox, absent), 'expunged'))
        await this.hooks.catchUpMailbox?.(tree, mailbox.id);
    }
    return results;
  }

  /**
   * Reads the asked parts into `results`, in one statement. A message whose bytes this node
   * keeps costs the database only the look-up that says its row is still there (another node
   * may have expunged it: the reader is then told, as for any read); one small enough to keep
   * is read whole (no dearer for the database: the same few chunks) and kept.
   */
  private async readParts(
    db: Queries,
    mailboxId: string,
    wanted: readonly PartRequest[],
    results: (Uint8Array | null)[],
  ): Promise<void> {
    // -1 when nothing is kept: no message is read whole then.
    const whole =
      this.contents.maxBytes > 0 ? Math.min(CACHED_MESSAGE_MAX, this.contents.maxBytes) : -1;
    const asked = wanted.map(({ i, uid, start, length, kept }) => ({
      i,
      uid,
      start,
      length,
      kept: kept !== null,
    }));
    const rows = await readOnce(
      () => db<{ i: number; uid: string; whole: boolean; part: Buffer | null }[]>`
        SELECT r.i, m.uid, m.size <= ${whole} AS whole,
               CASE WHEN r.kept THEN NULL
                    WHEN m.size <= ${whole} THEN m.content
                    ELSE substring(m.content FROM r.start FOR r.length) END AS part
        FROM jsonb_to_recordset(${db.json(asked)})
             AS r (i int, uid bigint, start int, length int, kept boolean)
        JOIN messages AS m ON m.mailbox_id = ${mailboxId} AND m.uid = r.uid`,
    );
    const byIndex = new Map(wanted.map((request) => [request.i, request]));
    for (const row of rows) {
      const { start, length, kept } = byIndex.get(row.i)!;
      const content = kept ?? row.part;
      if (content === null) continue;
      if (!kept && !row.whole) {
        results[row.i] = content;
        continue;
      }
      if (!kept) this.contents.set(mailboxId, Number(row.uid), content);
      results[row.i] = content.subarray(start - 1, start - 1 + length);
    }
  }

  async readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    const list = [...uids];
    const db = this.sql;
    const rows = await readOnce(
      () => db<{ uid: string; summary: string }[]>`
        SELECT uid, summary FROM messages WHERE mailbox_id = ${mailbox.id} AND uid = ANY(${list})`,
    );
    const byUid = new Map(rows.map((row) => [Number(row.uid), row.summary]));
    const absent = list.filter((uid) => !byUid.has(uid));
    if (absent.length > 0) {
      const error = await this.missing(mailbox, absent);
      if (isMailStoreError(error, 'expunged')) await this.hooks.catchUpMailbox?.(tree, mailbox.id);
      throw error;
    }
    return list.map((uid) => JSON.parse(byUid.get(uid)!) as MessageSummary);
  }

  /**
   * Why messages the engine's index has are not in storage: expunged through another node whose
   * notice this one has not applied yet (a race the reader is told of as `expunged`, which IMAP
   * answers as RFC 2180 and RFC 5530 say), or lost (any other error: `unavailable`).
   */
  private async missing(mailbox: MailboxMeta, list: readonly number[]): Promise<Error> {
    const db = this.sql;
    const rows = await readOnce(
      () => db<{ uid: string }[]>`
        SELECT uid FROM expunged WHERE mailbox_id = ${mailbox.id} AND uid = ANY(${[...list]})`,
    );
    if (rows.length === 0) return new Error(`message ${list[0]} has no row`);
    return new MailStoreError('expunged', `message ${rows[0]!.uid} was expunged by another node`);
  }
}
