import {
  type AllocatedAppend,
  type AllocatedFlagChange,
  type AllocatedRemoval,
  type FlagChangeRequest,
  type ContentRequest,
  type IndexEntry,
  type IndexSnapshot,
  type MailboxMeta,
  type MailboxMove,
  type MessageState,
  type StorePersistence,
  type StoredMessage,
  type TreeKey,
  type TreeRecord,
  type UnnumberedMessage,
  MailStoreError,
  SYSTEM_FLAGS,
  isMailStoreError,
  type IndexChanges,
} from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';
import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';
import { CACHED_MESSAGE_MAX, ContentCache } from './content-cache.js';
import { KnownIndex } from './known-index.js';
import { migrate } from './migrations.js';
import { NOTICE_PAYLOAD_MAX, type NoticeChange, noticeText } from './notice-change.js';
import {
  type JsonChanges,
  changesAbove,
  changesJson,
  changesUpTo,
  changesVia,
  parseChanges,
  readWholeIndex,
} from './index-queries.js';
import { entryJson, insertFromCounters, messageRow } from './message-rows.js';
import { StaleIndexError, StaleTreeError, staleMailbox } from './write-conflicts.js';
import { type Queries, WriteLease, runInLease, writeLeases } from './write-lease.js';

/** Bytes of a message fetched per query when it is streamed. */
const CHUNK = 1024 * 1024;

/**
 * How many UIDs given out by appends that were then refused (see `neverStored`) a node
 * remembers: a reader needs one only while the failed attempt's entry was in the engine's
 * index, a matter of milliseconds, so the oldest are forgotten beyond this.
 */
const NEVER_STORED_KEPT = 10_000;

/**
 * A change notification's payload: `n` the node, `t` the tree, `m` the mailbox, `s` the
 * mailbox's mod-sequence once the write committed (a node whose copy of the index is there
 * already, having caught up on its own, reads nothing).
 */
export type ChangeNotice =
  { k: 'i'; t: TreeKey; m: string; s: number; c?: NoticeChange } | { k: 't'; t: TreeKey };

/** The LISTEN/NOTIFY channel of a store's schema. */
export function changeChannel(schema: string): string {
  return `mailyard_changes:${schema}`;
}

/** A part of a message asked for: 1-based `start`, and the bytes this node keeps, if it does. */
interface PartRequest {
  readonly i: number;
  readonly uid: number;
  readonly start: number;
  readonly length: number;
  readonly kept: Buffer | null;
}

/** What a write statement answers: whether it wrote, and what changed if it did not. */
interface WriteRow {
  ok: string;
  changes: JsonChanges | null;
}

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
 * The store's data in PostgreSQL: tree records, mailbox counters, messages (index entry,
 * summary and bytes in one row) and the expunge log. Every write is one transaction that first
 * locks the mailbox's row and checks that its counters are those the engine's copy of the index
 * started from, so two nodes can never give out one UID or mod-sequence twice: the second
 * writer gets a {@link StaleIndexError} and nothing is written.
 */
export class PostgresPersistence implements StorePersistence {
  /** The version of each tree record as last read or written here. */
  private readonly treeVersions = new Map<TreeKey, number>();
  /** Each index read here, as last known committed: what a stale index is caught up from. */
  private readonly known = new Map<string, KnownIndex>();
  /**
   * `mailbox:uid` of messages whose append was refused here (another node wrote first): the
   * engine's index showed them while the attempt ran, so a session may have listed them
   * (SELECT reads the index without waiting for writes), and the retry stored them under the
   * next free UIDs. No row and no expunge record, like a lost message; but the reader must be
   * told `expunged` (they are gone), not `unavailable`. Insertion order: oldest first.
   */
  private readonly neverStored = new Set<string>();
  /** Mailboxes whose known copy a stale write just brought up to date (see `stale`). */
  private readonly caughtUpByStale = new Set<string>();
  private ready: Promise<void> | null = null;
  /**
   * Brings the engine's copy of a mailbox's index up to date with what other nodes did (the
   * change feed's catch-up, which takes the tree's lock): set by the store. Called only from
   * reads made without that lock.
   */
  catchUpMailbox: ((tree: TreeKey, mailboxId: string) => Promise<void>) | null = null;
  /**
   * Resolves once the writes this node has under way in a tree are done (the engine's lock of
   * the tree is free): set by the store. The engine's index shows a new message before its row
   * is committed; a read that finds no row waits for that, once, before it says anything. Called
   * only from reads made without that lock.
   */
  localWritesDone: ((tree: TreeKey) => Promise<void>) | null = null;
  /** Hears the UIDs of an append that was refused (see `neverStored`): set by the store. */
  onNeverStored: ((mailboxId: string, uids: readonly number[]) => void) | null = null;

  /**
   * @param node this process's id in change notifications, so it can skip its own.
   * @param channel the LISTEN/NOTIFY channel of the store's schema.
   * @param contents the node's cache of message bytes (see {@link ContentCache}).
   */
  constructor(
    readonly sql: Sql,
    readonly schema: string,
    readonly node: string = '',
    readonly channel: string = changeChannel(schema),
    readonly contents: ContentCache = new ContentCache(),
  ) {}

  /**
   * Tells the other nodes, when the transaction commits (NOTIFY is transactional), that a
   * mailbox's index (`i`) or a tree's record (`t`) changed, with the change itself when it fits
   * (`carried`): a listener whose copy is at its base applies it without a read; any other
   * reads what changed since the last mod-sequence it saw, so a lost notification costs nothing
   * that the next one, or a reconnection, does not bring back.
   */
  private notify(tx: Queries, change: ChangeNotice, carried?: NoticeChange): Promise<unknown> {
    return tx`SELECT pg_notify(${this.channel}, ${this.notice(change, carried)})`;
  }

  /** With the change itself when it fits (see {@link NoticeChange}): most listeners need no read. */
  private notice(change: ChangeNotice, carried?: NoticeChange): string {
    // The node first: a listener skips its own notices by their first characters.
    return noticeText({ n: this.node, ...change }, carried);
  }

  /**
   * Brings a change the change feed applied without a read (it rode in a notice) into this
   * node's known copy of the index, as a catch-up read's would be.
   */
  heard(mailboxId: string, since: number, changes: IndexChanges): void {
    this.known.get(mailboxId)?.merge(since, changes);
  }

  /**
   * The notice of a write whose mod-sequence the database gives, sent from its `counters`
   * (nothing when that is empty): `s` the SQL expression of the mod-sequence it reached, and
   * `change` the one of its {@link NoticeChange} as JSON, built from the rows the statement
   * wrote. The change is left out when the whole would not fit in a NOTIFY payload (the length
   * is measured in SQL): the listener then reads, so correctness never depends on it. The text
   * is put together as {@link notice} writes it, the node first, so that a node still skips
   * its own notices by their first characters.
   */
  private noticeFromCounters(
    db: Queries,
    tree: TreeKey,
    mailboxId: string,
    s: ReturnType<Queries>,
    change: ReturnType<Queries>,
  ) {
    const head = noticeText({ n: this.node, k: 'i', t: tree, m: mailboxId }).slice(0, -1);
    return db`
      SELECT pg_notify(${this.channel},
                       CASE WHEN octet_length(whole) <= ${NOTICE_PAYLOAD_MAX} THEN whole
                            ELSE bare END)
      FROM (SELECT ${head} || ',"s":' || (${s})::text AS start,
                   (${change})::text AS change
            FROM counters) AS parts,
           LATERAL (SELECT start || '}' AS bare,
                           start || ',"c":' || change || '}' AS whole) AS texts`;
  }

  /**
   * Where a statement goes: the pool, or, inside {@link exclusively}, the write lease's
   * connection (its transaction), with `lockMailbox`'s row locked first.
   */
  private async via(lockMailbox?: string): Promise<Queries> {
    const lease = writeLeases.getStore();
    return lease && !lease.finished ? lease.on(lockMailbox) : this.sql;
  }

  /** Whether this runs inside {@link exclusively}. */
  inWriteLease(): boolean {
    const lease = writeLeases.getStore();
    return lease !== undefined && !lease.finished;
  }

  /** Holds `tell` until the write lease this runs in commits; false outside a lease. */
  deferToCommit(tell: () => void): boolean {
    const lease = writeLeases.getStore();
    if (!lease || lease.finished) return false;
    lease.pendingEvents.push(tell);
    return true;
  }

  /**
   * Runs a write that lost a race on `stale` (a mailbox another node wrote first) again, in one
   * transaction that holds the row lock of every mailbox whose index it reads again, from that
   * read to the commit (see {@link WriteLease}): it cannot lose again. An attempt that meets
   * another stale mailbox is undone and made again with that one locked too (at most
   * `maxAttempts`; each adds a mailbox, so that bound is never reached by contention).
   * `undone` hears the mailboxes whose writes were undone: the engine's copies of their
   * indexes hold writes that are not in the database.
   */
  async exclusively<T>(
    stale: string,
    write: () => Promise<T>,
    hooks: { beforeRetry?: () => void; undone: (mailboxIds: string[]) => void },
    maxAttempts = 10,
  ): Promise<T> {
    const lease = new WriteLease(this.sql);
    lease.held.add(stale);
    let committed = false;
    try {
      const result = await runInLease(lease, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await write();
          } catch (error) {
            const next = staleMailbox(error);
            if (next === null || attempt >= maxAttempts) throw error;
            await lease.retryWith(next);
            hooks.undone([...lease.written]);
            lease.written.clear();
            hooks.beforeRetry?.();
          }
        }
      });
      await lease.commit();
      committed = true;
      for (const tell of lease.pendingEvents.splice(0)) tell();
      return result;
    } finally {
      if (!committed && lease.written.size > 0) hooks.undone([...lease.written]);
      await lease.end(committed);
    }
  }

  /**
   * Records a committed write in this node's known copy of the index; inside a lease, once the
   * lease commits (with its events: an attempt undone records nothing), so that the known copy
   * keeps following this node's writes after a locked retry instead of lagging behind them
   * (every later catch-up and stale write would then bring back all that happened since).
   */
  private recordWrite(mailboxId: string, record: (known: KnownIndex) => void): void {
    const lease = writeLeases.getStore();
    const recordNow = () => {
      const known = this.known.get(mailboxId);
      if (known) record(known);
    };
    if (!lease || lease.finished) return recordNow();
    lease.written.add(mailboxId);
    lease.pendingEvents.push(recordNow);
  }

  /**
   * The mod-sequence from which a write statement brings back what changed, should it find the
   * mailbox stale: this node's last known one. Not inside a lease (its reads stay under its
   * lock) nor without a known copy (the retry reads the index whole).
   */
  private sinceIfStale(mailboxId: string): number | null {
    // What an earlier stale write brought back is good for the read right after it only.
    this.caughtUpByStale.delete(mailboxId);
    if (this.inWriteLease()) return null;
    return this.known.get(mailboxId)?.modSeq ?? null;
  }

  /**
   * The last column of a write statement: when the counters were not where this node thought
   * (another node wrote first), what changed since, read in the same round trip, so that the
   * retry needs no read of its own (one round trip saved on every lost race). Evaluated only
   * then: an uncorrelated subquery in a CASE branch not taken is not run.
   */
  private changesIfStale(db: Queries, mailboxId: string, since: number | null) {
    return since === null
      ? db`NULL::json`
      : db`CASE WHEN NOT EXISTS (SELECT 1 FROM counters) THEN ${changesJson(db, mailboxId, since)} END`;
  }

  /**
   * The error of a write that found the mailbox stale; what the statement brought back of the
   * other nodes' writes goes into this node's known copy first, and the next read of the index
   * (the retry's) is served from it without a query. Only when the statement's snapshot shows
   * the mailbox past `expected`, the mod-sequence the write was built on: else the write that
   * beat it committed while the statement ran, after its snapshot, and a retry on what it
   * brought would lose again (and skip a UID): the retry then reads.
   */
  private stale(
    mailboxId: string,
    since: number | null,
    row: WriteRow | undefined,
    expected: number,
  ): Error {
    const known = this.known.get(mailboxId);
    if (since !== null && known && row?.changes) {
      const changes = parseChanges(row.changes);
      if (changes.highestModSeq > expected && known.merge(since, changes))
        this.caughtUpByStale.add(mailboxId);
    }
    return new StaleIndexError(mailboxId);
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
    const db = await this.via(mailboxId);
    const since = this.sinceIfStale(mailboxId);
    const [row] = await db<WriteRow[]>`
      WITH counters AS (
        UPDATE mailboxes SET uid_next = ${entry.uid + 1}, highest_modseq = ${entry.modSeq}
        WHERE id = ${mailboxId} AND uid_next <= ${entry.uid}
          AND highest_modseq = ${entry.modSeq - 1}
        RETURNING id
      ), added AS (
        ${insertFromCounters(db, db`${entry.uid}, ${entry.modSeq}`, { entry, content, summary })}
      ), notified AS (
        SELECT pg_notify(${this.channel}, ${this.notice({ k: 'i', t: tree, m: mailboxId, s: entry.modSeq }, { b: entry.modSeq - 1, u: entry.uid + 1, e: [entry] })})
        FROM counters
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM added) AS added,
             (SELECT count(*) FROM notified) AS notified,
             ${this.changesIfStale(db, mailboxId, since)} AS changes`;
    if (Number(row?.ok) !== 1) throw this.stale(mailboxId, since, row, entry.modSeq - 1);
    this.recordWrite(mailboxId, (known) => known.recordAppend([entry]));
    this.keepContents(mailboxId, [{ entry, content, summary }]);
  }

  /**
   * Keeps the bytes of messages this node stored, once their write committed (a locked retry's
   * when the lease commits; an attempt undone or refused keeps nothing: its UID may be another
   * node's message): a FETCH of a message just appended reads only its row's look-up.
   */
  private keepContents(mailboxId: string, messages: readonly StoredMessage[]): void {
    const kept = messages.filter(({ content }) => this.contents.keeps(content.byteLength));
    if (kept.length === 0) return;
    const keep = () => {
      // A copy: the caller's buffer is not this cache's to hold on to.
      for (const { entry, content } of kept)
        this.contents.set(mailboxId, entry.uid, Buffer.from(content));
    };
    if (!this.deferToCommit(keep)) keep();
  }

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
    await this.open();
    // What an earlier stale write brought back is good for the read right after it only.
    this.caughtUpByStale.delete(mailbox.id);
    const stored =
      messages.length === 1
        ? await this.allocateOne(tree, mailbox.id, messages[0]!, knownModSeq)
        : await this.allocateMany(tree, mailbox.id, messages, knownModSeq);
    this.recordWrite(mailbox.id, (known) => {
      if (stored.changes) known.merge(knownModSeq, stored.changes);
      known.recordAppend(stored.entries);
    });
    // As a numbered append's: a FETCH of a message just appended needs no statement.
    this.keepContents(
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
    { entry, content, summary }: UnnumberedMessage,
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    const db = await this.via(mailboxId);
    const [row] = await db<{ uid: string; modseq: string; changes: JsonChanges | null }[]>`
      WITH counters AS (
        UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
        WHERE id = ${mailboxId}
        RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq
      ), added AS (
        ${insertFromCounters(db, db`counters.uid, counters.modseq`, { entry, content, summary })}
      ), notified AS (
        ${this.noticeFromCounters(
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
   */
  private async allocateMany(
    tree: TreeKey,
    mailboxId: string,
    messages: readonly UnnumberedMessage[],
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    const n = messages.length;
    let stored: AllocatedAppend | null = null;
    await this.transaction(mailboxId, async (tx) => {
      const [counters] = await tx<{ uid: string; modseq: string }[]>`
        UPDATE mailboxes SET uid_next = uid_next + ${n}, highest_modseq = highest_modseq + ${n}
        WHERE id = ${mailboxId}
        RETURNING uid_next - ${n} AS uid, highest_modseq - ${n} AS modseq`;
      if (!counters) throw new Error(`no storage for mailbox ${mailboxId}`);
      const firstUid = Number(counters.uid);
      const base = Number(counters.modseq);
      const entries = messages.map(({ entry }, i) => ({
        ...entry,
        uid: firstUid + i,
        modSeq: base + 1 + i,
      }));
      const rows = messages.map(({ content, summary }, i) =>
        messageRow(mailboxId, { entry: entries[i]!, content, summary }),
      );
      const [row] = await tx<{ changes: JsonChanges | null }[]>`
        WITH added AS (INSERT INTO messages ${tx(rows)} RETURNING 1)
        SELECT (SELECT count(*) FROM added) AS added,
               ${base > knownModSeq ? changesJson(tx, mailboxId, knownModSeq) : tx`NULL::json`} AS changes`;
      await this.notify(
        tx,
        { k: 'i', t: tree, m: mailboxId, s: base + n },
        { b: base, u: firstUid + n, e: entries },
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
   * What changed in a mailbox after `modSeq`: its counters, the messages added or changed (full
   * index entries) and the expunges, as one snapshot. For the change feed's catch-up.
   */
  async changesSince(mailboxId: string, modSeq: number): Promise<IndexChanges | null> {
    await this.open();
    const changes = await readOnce(() => changesVia(this.sql, mailboxId, modSeq));
    if (changes) this.known.get(mailboxId)?.merge(modSeq, changes);
    return changes;
  }

  /** Applies the schema's migrations (once; a failed attempt is retried on the next call). */
  open(): Promise<void> {
    if (!this.ready) {
      const opening = migrate(this.sql, this.schema).then(() => undefined);
      opening.catch(() => {
        if (this.ready === opening) this.ready = null;
      });
      this.ready = opening;
    }
    return this.ready;
  }

  async listTrees(): Promise<TreeKey[]> {
    await this.open();
    const rows = await readOnce(
      () => this.sql<{ tree: string }[]>`SELECT tree FROM trees ORDER BY tree`,
    );
    return rows.map((row) => row.tree);
  }

  async readTree(tree: TreeKey): Promise<TreeRecord | null> {
    await this.open();
    const rows = await readOnce(
      () => this.sql<{ record: string; version: string }[]>`
        SELECT record, version FROM trees WHERE tree = ${tree}`,
    );
    const row = rows[0];
    // Only a missing row means "no tree": a failed query has thrown already.
    if (!row) {
      this.treeVersions.delete(tree);
      return null;
    }
    this.treeVersions.set(tree, Number(row.version));
    return JSON.parse(row.record) as TreeRecord;
  }

  /** The version of a tree's record as this node last saw it (for the change feed). */
  treeVersion(tree: TreeKey): number | undefined {
    return this.treeVersions.get(tree);
  }

  async writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    await this.open();
    const text = JSON.stringify(record);
    const known = this.treeVersions.get(tree);
    const version = await this.sql.begin(async (tx) => {
      const rows =
        known === undefined
          ? await tx<{ version: string }[]>`
              INSERT INTO trees (tree, record) VALUES (${tree}, ${text})
              ON CONFLICT (tree) DO NOTHING RETURNING version`
          : await tx<{ version: string }[]>`
              UPDATE trees SET record = ${text}, version = version + 1
              WHERE tree = ${tree} AND version = ${known} RETURNING version`;
      if (rows.length === 0) throw new StaleTreeError(tree);
      await this.notify(tx, { k: 't', t: tree });
      return Number(rows[0]!.version);
    });
    this.treeVersions.set(tree, version);
  }

  async deleteTree(tree: TreeKey): Promise<void> {
    await this.open();
    await this.sql.begin(async (tx) => {
      await tx`DELETE FROM mailboxes WHERE tree = ${tree}`;
      await tx`DELETE FROM trees WHERE tree = ${tree}`;
      await this.notify(tx, { k: 't', t: tree });
    });
    this.treeVersions.delete(tree);
  }

  async createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    await this.open();
    await this.sql`INSERT INTO mailboxes (id, tree) VALUES (${mailbox.id}, ${tree})`;
  }

  async deleteMailbox(_tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    await this.open();
    await this.sql`DELETE FROM mailboxes WHERE id = ${mailbox.id}`;
    this.known.delete(mailbox.id);
  }

  async moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    await this.open();
    // Paths live in the tree records; the rows only know their tree.
    if (into === tree || moves.length === 0) return;
    const ids = moves.map((move) => move.mailbox.id);
    await this.sql`UPDATE mailboxes SET tree = ${into} WHERE id = ANY(${ids})`;
  }

  async readIndex(_tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    await this.open();
    const known = this.known.get(mailbox.id);
    // Good for this read only, whichever way it goes.
    const caughtUp = this.caughtUpByStale.delete(mailbox.id);
    const lease = writeLeases.getStore();
    if (lease && !lease.finished) {
      // Under the lease's lock when the write lost on this mailbox: what is read stays true
      // until the write commits. Other nodes' committed writes, so remembered even if this
      // transaction is undone (a whole index read in it is not: it is not one snapshot).
      const db = await lease.on(lease.held.has(mailbox.id) ? mailbox.id : undefined);
      if (!known) return readWholeIndex(db, mailbox);
      const since = known.modSeq;
      const changes = await changesVia(db, mailbox.id, since);
      if (!changes) throw new Error(`no storage for mailbox ${mailbox.id}`);
      known.merge(since, changes);
      return known.snapshot(mailbox.uidValidity);
    }
    if (known && caughtUp) {
      // A write just found it stale and brought back what changed: as fresh as a read now.
      return known.snapshot(mailbox.uidValidity);
    }
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

  async addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    if (messages.length === 0) return;
    await this.open();
    try {
      await this.addMessagesOnce(tree, mailbox, messages);
    } catch (error) {
      for (const { entry } of messages) this.neverStored.add(`${mailbox.id}:${entry.uid}`);
      this.onNeverStored?.(
        mailbox.id,
        messages.map(({ entry }) => entry.uid),
      );
      for (const key of this.neverStored) {
        if (this.neverStored.size <= NEVER_STORED_KEPT) break;
        this.neverStored.delete(key);
      }
      throw error;
    }
  }

  private async addMessagesOnce(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    const first = messages[0]!.entry;
    const last = messages[messages.length - 1]!.entry;
    if (messages.length === 1) return this.addOneMessage(tree, mailbox.id, messages[0]!);
    await this.transaction(mailbox.id, async (tx) => {
      await this.lockCounters(tx, mailbox.id, first.modSeq, first.uid);
      const rows = messages.map((message) => messageRow(mailbox.id, message));
      await tx`INSERT INTO messages ${tx(rows)}`;
      await tx`UPDATE mailboxes SET uid_next = ${last.uid + 1}, highest_modseq = ${last.modSeq}
               WHERE id = ${mailbox.id}`;
      await this.notify(
        tx,
        { k: 'i', t: tree, m: mailbox.id, s: last.modSeq },
        { b: first.modSeq - 1, u: last.uid + 1, e: messages.map((message) => message.entry) },
      );
    });
    this.recordWrite(mailbox.id, (known) =>
      known.recordAppend(messages.map((message) => message.entry)),
    );
    this.keepContents(mailbox.id, messages);
  }

  /** A transaction of its own, or, inside a lease, the lease's (with the mailbox locked). */
  private async transaction(
    mailboxId: string,
    body: (tx: Queries) => Promise<void>,
  ): Promise<void> {
    if (this.inWriteLease()) return body(await this.via(mailboxId));
    await this.sql.begin((tx) => body(tx));
  }

  async updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.open();
    const firstModSeq = Math.min(...changes.map((change) => change.modSeq));
    const updates = changes.map((change) => ({
      uid: change.uid,
      modseq: change.modSeq,
      flags: [...change.flags],
    }));
    // One statement, so one round trip: the counters' row is updated only if it is where this
    // node's copy says (the row lock makes a concurrent writer wait, then see the new values).
    const db = await this.via(mailbox.id);
    const since = this.sinceIfStale(mailbox.id);
    const [row] = await db<WriteRow[]>`
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
        SELECT pg_notify(${this.channel}, ${this.notice({ k: 'i', t: tree, m: mailbox.id, s: highestModSeq }, { b: firstModSeq - 1, f: updates.map((u) => [u.uid, u.modseq, u.flags] as const) })})
        FROM counters
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM changed) AS changed,
             (SELECT count(*) FROM notified) AS notified,
             ${this.changesIfStale(db, mailbox.id, since)} AS changes`;
    if (Number(row?.ok) !== 1) throw this.stale(mailbox.id, since, row, firstModSeq - 1);
    this.recordWrite(mailbox.id, (known) => known.recordFlags(changes, highestModSeq));
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
    await this.open();
    this.caughtUpByStale.delete(mailbox.id);
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
        ${this.noticeFromCounters(
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
    const [row] = await this.lockedWrite(id, write);
    if (!row) throw new Error(`no storage for mailbox ${id}`);
    const base = Number(row.base);
    const updated = row.updated.map((entry) => ({
      uid: Number(entry.uid),
      flags: entry.flags,
      modSeq: Number(entry.modseq),
    }));
    const changes = changesUpTo(row.changes, base, knownModSeq);
    this.recordWrite(id, (known) => {
      if (changes) known.merge(knownModSeq, changes);
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
    await this.open();
    this.caughtUpByStale.delete(mailbox.id);
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
        ${this.noticeFromCounters(
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
    const [row] = await this.lockedWrite(id, write);
    if (!row) throw new Error(`no storage for mailbox ${id}`);
    const base = Number(row.base);
    const removed = row.gone.map(Number);
    const modSeq = removed.length > 0 ? base + 1 : base;
    const changes = changesUpTo(row.changes, base, knownModSeq);
    this.recordWrite(id, (known) => {
      if (changes) known.merge(knownModSeq, changes);
      if (removed.length > 0) known.recordExpunge(removed, modSeq);
    });
    return { uids: removed, modSeq, changes };
  }

  /**
   * Runs a statement with the mailbox's row locked first, in a transaction of its own sent in
   * one round trip (BEGIN, the lock, the statement, COMMIT: the server runs them in order; a
   * failed statement turns the COMMIT into a rollback), or inside a write lease, in its
   * transaction.
   */
  private async lockedWrite<T extends readonly unknown[]>(
    mailboxId: string,
    statement: (db: Queries) => Promise<T>,
  ): Promise<T> {
    if (this.inWriteLease()) return statement(await this.via(mailboxId));
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

  async removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    if (uids.length === 0) return;
    await this.open();
    const list = [...uids];
    const db = await this.via(mailbox.id);
    const since = this.sinceIfStale(mailbox.id);
    const [row] = await db<WriteRow[]>`
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
        SELECT pg_notify(${this.channel}, ${this.notice({ k: 'i', t: tree, m: mailbox.id, s: modSeq }, { b: modSeq - 1, x: list })})
        FROM counters
      )
      SELECT (SELECT count(*) FROM counters) AS ok, (SELECT count(*) FROM gone) AS gone,
             (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM notified) AS notified,
             ${this.changesIfStale(db, mailbox.id, since)} AS changes`;
    if (Number(row?.ok) !== 1) throw this.stale(mailbox.id, since, row, modSeq - 1);
    this.recordWrite(mailbox.id, (known) => known.recordExpunge(list, modSeq));
  }

  async *readContent(
    _tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    await this.open();
    const cached = this.contents.get(mailbox.id, uid);
    let start = range?.start ?? 0;
    let end = range?.end;
    // Kept bytes are served once the row is known to be there: another node may have expunged
    // the message, which the reader is to be told (see `missing`), not given its bytes.
    if (end === undefined || cached) {
      const db = await this.via();
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
    const db = await this.via();
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
    await this.open();
    const results: (Uint8Array | null)[] = requests.map(() => null);
    const wanted: PartRequest[] = requests.map((request, i) => ({
      i,
      uid: request.uid,
      start: request.start + 1,
      length: request.end - request.start,
      kept: this.contents.get(mailbox.id, request.uid) ?? null,
    }));
    await this.readParts(await this.via(), mailbox.id, wanted, results);
    if (results.includes(null) && this.localWritesDone && !this.inWriteLease()) {
      // Perhaps appended here and not committed yet: once it is, read what was missing again.
      await this.localWritesDone(tree);
      await this.readParts(
        this.sql,
        mailbox.id,
        wanted.filter((request) => results[request.i] === null),
        results,
      );
    }
    if (results.includes(null)) {
      const absent = requests.filter((_, i) => results[i] === null).map((r) => r.uid);
      // Expunged through another node: the engine's index learns it before it looks again
      // (a message missing from storage that its index still has is answered `unavailable`).
      if (isMailStoreError(await this.missing(mailbox, absent), 'expunged'))
        await this.catchUpMailbox?.(tree, mailbox.id);
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
    if (uids.length === 0) return [];
    await this.open();
    const list = [...uids];
    const db = await this.via();
    const rows = await readOnce(
      () => db<{ uid: string; summary: string }[]>`
        SELECT uid, summary FROM messages WHERE mailbox_id = ${mailbox.id} AND uid = ANY(${list})`,
    );
    const byUid = new Map(rows.map((row) => [Number(row.uid), row.summary]));
    let absent = list.filter((uid) => !byUid.has(uid));
    if (absent.length > 0 && this.localWritesDone && !this.inWriteLease()) {
      // Perhaps appended here and not committed yet: once it is, read what was missing again.
      await this.localWritesDone(tree);
      const late = await readOnce(
        () => this.sql<{ uid: string; summary: string }[]>`
          SELECT uid, summary FROM messages WHERE mailbox_id = ${mailbox.id} AND uid = ANY(${absent})`,
      );
      for (const row of late) byUid.set(Number(row.uid), row.summary);
      absent = list.filter((uid) => !byUid.has(uid));
    }
    if (absent.length > 0) {
      const error = await this.missing(mailbox, absent);
      if (isMailStoreError(error, 'expunged')) await this.catchUpMailbox?.(tree, mailbox.id);
      throw error;
    }
    return list.map((uid) => JSON.parse(byUid.get(uid)!) as MessageSummary);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  /**
   * Why messages the engine's index has are not in storage: expunged through another node whose
   * notice this one has not applied yet (a race the reader is told of as `expunged`, which IMAP
   * answers as RFC 2180 and RFC 5530 say), or lost (any other error: `unavailable`).
   */
  private async missing(mailbox: MailboxMeta, uids: readonly number[]): Promise<Error> {
    const list = uids.filter((uid) => !this.neverStored.has(`${mailbox.id}:${uid}`));
    if (list.length === 0) {
      return new MailStoreError(
        'expunged',
        `message ${uids[0]} was never stored (its append lost a race and took another UID)`,
      );
    }
    const db = await this.via();
    const rows = await readOnce(
      () => db<{ uid: string }[]>`
        SELECT uid FROM expunged WHERE mailbox_id = ${mailbox.id} AND uid = ANY(${list})`,
    );
    if (rows.length === 0) return new Error(`message ${list[0]} has no row`);
    return new MailStoreError('expunged', `message ${rows[0]!.uid} was expunged by another node`);
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
