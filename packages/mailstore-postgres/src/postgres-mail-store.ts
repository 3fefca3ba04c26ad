import { randomUUID } from 'node:crypto';
import { StoreEngine, type StoreEngineOptions } from '@mailyard/mailstore-interface';
import { ChangeFeed } from './change-feed.js';
import { DEFAULT_RECONNECT_DELAY_MS, openPool } from './connection-pool.js';
import { PostgresPersistence, StaleIndexError } from './postgres-persistence.js';

/**
 * The largest message by default: 64 MiB. Messages are kept in a `bytea` column, which holds at
 * most 1 GiB, and each is sent to the server as one parameter; the limit keeps that well within
 * what a server and a node hold in memory at once.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/** How many times a write built on a stale copy of an index is built again on a fresh one. */
const STALE_RETRIES = 20;

/**
 * A random pause before trying again, growing with the attempts (at most 100 ms), so that two
 * nodes racing on one mailbox stop colliding.
 */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type AppendArgs = Parameters<StoreEngine['appendUnlocked']>;
type RemoveArgs = Parameters<StoreEngine['removeUnlocked']>;

/** Whether an error comes from a {@link StaleIndexError} (through the engine's wrapping). */
function isStale(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof StaleIndexError) return true;
  }
  return false;
}

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
      ...engine
    } = options;
    if (!(maxMessageSize > 0 && maxMessageSize <= BYTEA_LIMIT)) {
      throw new RangeError(`maxMessageSize must be between 1 and ${BYTEA_LIMIT} octets`);
    }
    const sql = openPool({
      url,
      schema,
      maxConnections,
      connectTimeoutSeconds,
      reconnectDelayMs,
      statementTimeoutMs,
      applicationName,
    });
    const persistence = new PostgresPersistence(sql, schema, randomUUID());
    super({ ...engine, maxMessageSize, persistence });
    this.persistenceOverPostgres = persistence;
    this.feed = changeFeed ? new ChangeFeed(this, persistence, onFeedError) : null;
  }

  override async close(): Promise<void> {
    await this.feed?.stop();
    await super.close();
  }

  /**
   * Appends under the tree's lock, as the engine does. Another node may have appended to the
   * mailbox since this one read its index: the write is then refused whole (nothing stored), the
   * engine drops its copy of the index, and the append is made again on a fresh one, with the
   * next free UIDs and a fresh quota count.
   */
  override appendUnlocked(...args: AppendArgs): ReturnType<StoreEngine['appendUnlocked']> {
    return this.retrying(
      () => super.appendUnlocked(...args),
      () => (args[0].usage = null),
    );
  }

  /** Expunges as the engine does, again on a fresh index when another node changed the mailbox. */
  override removeUnlocked(...args: RemoveArgs): Promise<number[]> {
    return this.retrying(
      () => super.removeUnlocked(...args),
      () => (args[0].usage = null),
    );
  }

  /**
   * Runs a write again, on a fresh copy of the index (the engine drops its copy when a write
   * fails), while it fails because another node wrote to the mailbox first: appends, expunges
   * and flag changes, so that clients never see those races.
   */
  override async retrying<T>(mutation: () => Promise<T>, beforeRetry?: () => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await mutation();
      } catch (error) {
        if (!isStale(error) || attempt >= STALE_RETRIES) throw error;
        beforeRetry?.();
        await backOff(attempt);
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
