import type { TreeKey } from '@mailyard/mailstore-interface';
import { NOTICE_PAYLOAD_MAX, type NoticeChange, noticeText } from './notice-change.js';
import type { Queries } from './queries.js';

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

/**
 * How this node's writes tell the other nodes what they changed: a `pg_notify` on the store's
 * channel inside the write's transaction (NOTIFY is transactional: delivered when, and only if,
 * it commits). Every text starts with this node's id, so a listener skips its own notices by
 * their first characters (see ChangeFeed).
 */
export class ChangeNotifier {
  /**
   * @param node this process's id in change notifications, so it can skip its own.
   * @param channel the LISTEN/NOTIFY channel of the store's schema.
   */
  constructor(
    readonly node: string,
    readonly channel: string,
  ) {}

  /**
   * Tells the other nodes, when the transaction commits (NOTIFY is transactional), that a
   * mailbox's index (`i`) or a tree's record (`t`) changed, with the change itself when it fits
   * (`carried`): a listener whose copy is at its base applies it without a read; any other
   * reads what changed since the last mod-sequence it saw, so a lost notification costs nothing
   * that the next one, or a reconnection, does not bring back.
   */
  notify(tx: Queries, change: ChangeNotice, carried?: NoticeChange): Promise<unknown> {
    return tx`SELECT pg_notify(${this.channel}, ${this.text(change, carried)})`;
  }

  /**
   * The notice of a write numbered by the engine, sent from its `counters` (nothing when that
   * is empty: the write was refused), the text built here.
   */
  ifWritten(db: Queries, change: ChangeNotice, carried?: NoticeChange) {
    return db`SELECT pg_notify(${this.channel}, ${this.text(change, carried)}) FROM counters`;
  }

  /** With the change itself when it fits (see {@link NoticeChange}): most listeners need no read. */
  text(change: ChangeNotice, carried?: NoticeChange): string {
    // The node first: a listener skips its own notices by their first characters.
    return noticeText({ n: this.node, ...change }, carried);
  }

  /**
   * The notice of a write whose mod-sequence the database gives, sent from its `counters`
   * (nothing when that is empty): `s` the SQL expression of the mod-sequence it reached, and
   * `change` the one of its {@link NoticeChange} as JSON, built from the rows the statement
   * wrote. The change is left out when the whole would not fit in a NOTIFY payload (the length
   * is measured in SQL): the listener then reads, so correctness never depends on it. The text
   * is put together as {@link text} writes it, the node first, so that a node still skips
   * its own notices by their first characters.
   */
  fromCounters(
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
}
