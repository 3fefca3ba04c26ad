import { randomUUID } from 'node:crypto';
import {
  StoreEngine,
  type StoreEngineOptions,
  type WriteTarget,
} from '@mailyard/mailstore-interface';
import { ChangeFeed } from './change-feed.js';
import { ContentCache, DEFAULT_CONTENT_CACHE_BYTES } from './content-cache.js';
import { DEFAULT_RECONNECT_DELAY_MS, openPool } from './connection-pool.js';
import { changeChannel } from './change-notifier.js';
import { PostgresPersistence } from './postgres-persistence.js';
import { isDeadlock, staleMailbox } from './write-conflicts.js';

/**
 * The largest message by default: 64 MiB. Messages are kept in a `bytea` column, which holds at
 * most 1 GiB, and each is sent to the server as one parameter; the limit keeps that well within
 * what a server and a node hold in memory at once.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/**
 * Optimistic attempts before the locked one: the second, on an index caught up from the last
 * mod-sequence known (one statement), usually wins, and costs two round trips where the locked
 * one costs four and holds the other nodes' writes back meanwhile.
 */
const OPTIMISTIC_ATTEMPTS = 2;

/** How many times a locked retry that PostgreSQL chose as a deadlock's victim runs again. */
const DEADLOCK_ROUNDS = 5;

type RemoveArgs = Parameters<StoreEngine['removeUnlocked']>;

/** What a `bytea` value can hold at most (1 GiB less a header); no option goes beyond it. */
export const BYTEA_LIMIT = 1024 * 1024 * 1024 - 1024;

export interface PostgresMailStoreOptions extends Omit<StoreEngineOptions, 'persistence'> {
  /** A connection URL: `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** The schema that holds the store's tables, created on open; default `mailyard`. */
  readonly schema?: string;
  /** Connections in the pool; default 10. */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection before the operation fails `unavailable`; default 10. */
  readonly connectTimeoutSeconds?: number;
  /** Longest a statement may run before the server cancels it (`unavailable`); default 30 000 ms. */
  readonly statementTimeoutMs?: number;
  /**
   * After a connection attempt failed, how long the client waits before it tries again, in
   * milliseconds; default 50. Operations in that window fail at once (`unavailable`), so it is
   * also the longest a node keeps answering `unavailable` after the database is back.
   */
  readonly reconnectDelayMs?: number;
  /** The largest message accepted, in octets; default 64 MiB, at most 1 GiB (bytea's limit). */
  readonly maxMessageSize?: number;
  /** The connections' `application_name` (how this node shows in `pg_stat_activity`); default `mailyard`. */
  readonly applicationName?: string;
  /**
   * Whether `open()` LISTENs for other nodes' changes (the change feed across processes);
   * default true. A store that is the database's only user can do without.
   */
  readonly changeFeed?: boolean;
  /** Where failures of the change feed's background work are reported; default: ignored. */
  readonly onFeedError?: (error: unknown) => void;
  /**
   * Octets of message bytes the node keeps in memory, so that a FETCH of a message read or
   * stored before costs the database a look-up of its row, not its bytes (messages up to
   * 64 KiB; the least recently used go first); default 32 MiB, 0 keeps none.
   */
  readonly contentCacheBytes?: number;
}

/**
 * A `MailStore` over PostgreSQL, for several servers sharing one database. The store engine's
 * logic (namespaces, ACLs, quotas, UIDs, retention) over {@link PostgresPersistence}: messages,
 * their summaries and indexes in the database, the schema migrated on open.
 */
export class PostgresMailStore extends StoreEngine {
  readonly persistenceOverPostgres: PostgresPersistence;
  private readonly feed: ChangeFeed | null;

  constructor(options: PostgresMailStoreOptions) {
    const {
      url,
      schema = 'mailyard',
      maxConnections = 10,
      connectTimeoutSeconds = 10,
      statementTimeoutMs = 30_000,
      reconnectDelayMs = DEFAULT_RECONNECT_DELAY_MS,
      maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE,
      applicationName = 'mailyard',
      changeFeed = true,
      onFeedError,
      contentCacheBytes = DEFAULT_CONTENT_CACHE_BYTES,
      ...engine
    } = options;
    if (!(maxMessageSize > 0 && maxMessageSize <= BYTEA_LIMIT)) {
      throw new RangeError(`maxMessageSize must be between 1 and ${BYTEA_LIMIT} octets`);
    }
    // Checked before the pool opens: a refused option leaves nothing to close.
    const contents = new ContentCache(contentCacheBytes);
    const sql = openPool({
      url,
      schema,
      maxConnections,
      connectTimeoutSeconds,
      reconnectDelayMs,
      statementTimeoutMs,
      applicationName,
    });
    const persistence = new PostgresPersistence(
      sql,
      schema,
      randomUUID(),
      changeChannel(schema),
      contents,
    );
    super({ ...engine, maxMessageSize, persistence });
    this.persistenceOverPostgres = persistence;
    // Events of a locked retry go out once it commits (see WriteLease.pendingEvents).
    const publish = this.events.publish.bind(this.events);
    this.events.publish = (mailboxId, event) => {
      if (!persistence.deferToCommit(() => publish(mailboxId, event))) publish(mailboxId, event);
    };
    this.feed = changeFeed ? new ChangeFeed(this, persistence, onFeedError) : null;
    const feed = this.feed;
    if (feed) persistence.catchUpMailbox = (tree, id) => feed.refreshMailbox(tree, id);
  }

  /** Other nodes' changes applied from what their notices carried, without a read. */
  get noticesAppliedWithoutRead(): number {
    return this.feed?.carriedApplied ?? 0;
  }

  override async close(): Promise<void> {
    await this.feed?.stop();
    await super.close();
  }

  /**
   * Applies the change feed's notices about the mailbox that wait for the tree's lock (which the
   * caller holds) before a write: else the write is refused, and made again. A failed read
   * here costs only that: the write finds out for itself.
   */
  private async catchUpBeforeWrite({ tree, mailbox }: WriteTarget): Promise<void> {
    await this.feed?.catchUpBeforeWrite(tree, mailbox).catch(() => {});
  }

  /**
   * Expunges as the engine does; an expunge numbered by the engine (when the persistence does
   * not number it) again on a fresh index when another node changed the mailbox.
   */
  override async removeUnlocked(...args: RemoveArgs): Promise<number[]> {
    // Numbered by the database in the write, which cannot lose: no retry.
    if (this.persistence.removeAllocating) return super.removeUnlocked(...args);
    return this.retrying(
      () => super.removeUnlocked(...args),
      { tree: args[0], mailbox: args[1] },
      () => (args[0].usage = null),
    );
  }

  /**
   * Runs a write, and once more if another node wrote to the mailbox first (appends, expunges
   * and flag changes), so that clients never see those races. The first two attempts are
   * optimistic (one statement that writes only if the mailbox is where this node's copy says;
   * the second on the index caught up from the last mod-sequence this node knew, not read
   * whole); the third holds the mailbox's row lock from the read of its index to the write's
   * commit, so it cannot lose: there is no retry budget that contention could exhaust.
   */
  override async retrying<T>(
    mutation: () => Promise<T>,
    target?: WriteTarget,
    beforeRetry?: () => void,
  ): Promise<T> {
    const persistence = this.persistenceOverPostgres;
    // A write inside another's retry (the copy an expunge makes into the retention mailbox):
    // the outer one starts again, with this mailbox locked too.
    if (persistence.inWriteLease()) return mutation();
    // Appends, expunges and flag changes alike: what the change feed heard of the mailbox
    // first, so that the first attempt is made on the copy as the database has it.
    if (target) await this.catchUpBeforeWrite(target);
    let stale: string | null = null;
    for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
      if (attempt > 1) beforeRetry?.();
      try {
        return await mutation();
      } catch (error) {
        stale = staleMailbox(error);
        if (stale === null) throw error;
      }
    }
    for (let round = 1; ; round++) {
      beforeRetry?.();
      try {
        return await persistence.exclusively(stale!, mutation, {
          ...(beforeRetry ? { beforeRetry } : {}),
          undone: (mailboxIds) => void this.forgetIndexes(mailboxIds),
        });
      } catch (error) {
        // Two locked retries that took two mailboxes' locks in opposite orders: PostgreSQL
        // undid one of them whole; it runs again.
        if (!isDeadlock(error) || round >= DEADLOCK_ROUNDS) throw error;
      }
    }
  }

  /**
   * Drops the engine's copies of these mailboxes' indexes (and their trees' quota counts): they
   * hold writes that were undone in the database. The next use reads them again.
   */
  private async forgetIndexes(mailboxIds: readonly string[]): Promise<void> {
    const ids = new Set(mailboxIds);
    for (const key of this.cachedTrees()) {
      const tree = await this.cachedTree(key);
      if (!tree) continue;
      for (const mailbox of tree.mailboxes.values()) {
        if (!ids.has(mailbox.meta.id)) continue;
        mailbox.index = null;
        tree.usage = null;
      }
    }
  }

  /**
   * Opens a store: applies the schema's migrations and starts listening for other nodes'
   * changes before it resolves.
   */
  static async open(options: PostgresMailStoreOptions): Promise<PostgresMailStore> {
    const store = new PostgresMailStore(options);
    try {
      await store.persistenceOverPostgres.open();
      await store.feed?.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
}
