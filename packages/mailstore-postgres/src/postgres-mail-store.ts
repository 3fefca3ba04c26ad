import { randomUUID } from 'node:crypto';
import { StoreEngine, type StoreEngineOptions } from '@mailyard/mailstore-interface';
import { ChangeFeed } from './change-feed.js';
import { ContentCache, DEFAULT_CONTENT_CACHE_BYTES } from './content-cache.js';
import { DEFAULT_RECONNECT_DELAY_MS, openPool } from './connection-pool.js';
import { changeChannel } from './change-notifier.js';
import { PostgresPersistence } from './postgres-persistence.js';

/**
 * The largest message by default: 64 MiB. Messages are kept in a `bytea` column, which holds at
 * most 1 GiB, and each is sent to the server as one parameter; the limit keeps that well within
 * what a server and a node hold in memory at once.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
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
