import { randomUUID } from 'node:crypto';
import {
  type MessageSource,
  QueueError,
  type QueueRecord,
  type QueueStorage,
} from '@mailyard/smtp-core';
import type { Sql } from 'postgres';
import { openMigratedPool } from './connection-pool.js';
import { BYTEA_LIMIT, DEFAULT_MAX_MESSAGE_SIZE } from './postgres-mail-store.js';

/** Bytes of a queued message fetched per query when it is delivered. */
const CHUNK = 1024 * 1024;
/** Kerio's Queue-ID counter has 8 digits. */
const COUNTER_RANGE = 100_000_000;

/** The default of `leaseSeconds`: a node silent for 30 s is taken for stopped. */
export const DEFAULT_QUEUE_LEASE_SECONDS = 30;

export interface PostgresQueueStorageOptions {
  /** A connection URL: `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** The schema of the tables (the store's: `mailyard` by default). */
  readonly schema?: string;
  /**
   * This server's name among the nodes; default a random one. A server that keeps its name
   * across restarts (the example server keeps it in its data directory) takes its own entries
   * back at once when it starts again, instead of after `leaseSeconds`.
   */
  readonly node?: string;
  /**
   * How long a node is taken for alive after it last said so; default 30. A node renews it every
   * third of that; the entries of a node silent for longer are taken over by another node.
   */
  readonly leaseSeconds?: number;
  /** The largest message queued, in octets; default 64 MiB, at most 1 GiB (bytea's limit). */
  readonly maxMessageSize?: number;
  /** Connections in the pool; default 4. */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection before an operation fails; default 10. */
  readonly connectTimeoutSeconds?: number;
  /** Pause after a failed connection attempt, as the store's; default 50 ms. */
  readonly reconnectDelayMs?: number;
  /**
   * Where a failed renewal of this node's lease is reported (the database unreachable); default
   * ignored. The next beat tries again; a lease that lapses meanwhile hands this node's entries
   * to another, and its own writes of them then fail `taken`.
   */
  readonly onLeaseError?: (error: unknown) => void;
}

/**
 * The delivery queue of several servers in one PostgreSQL database (smtp-core's
 * {@link QueueStorage}). Each entry is a row with its record (envelope, delivery state, the
 * local delivery journal) and its bytes, and an owner: the node that delivers it, the one that
 * accepted it. Nodes renew a lease in `queue_nodes`; when a node stops renewing (killed, cut
 * off), the others take its entries over with `FOR UPDATE SKIP LOCKED`, so each orphan goes to
 * exactly one of them; it resumes from the journal, so a local delivery the dead node made is
 * not made again. Every write of a record checks that this node still owns the entry: a node
 * thought stopped that comes back finds its entries gone (`QueueError('taken')`) and drops them.
 */
export class PostgresQueueStorage implements QueueStorage {
  readonly node: string;
  readonly adoptEveryMs: number;
  private readonly leaseSeconds: number;
  private readonly maxMessageSize: number;
  /** Messages written and not yet recorded: the first record inserts them with it, in one row. */
  private readonly unrecorded = new Map<string, Buffer>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly onLeaseError: (error: unknown) => void;

  private constructor(
    readonly sql: Sql,
    readonly schema: string,
    options: PostgresQueueStorageOptions,
  ) {
    this.node = options.node ?? randomUUID();
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_QUEUE_LEASE_SECONDS;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.adoptEveryMs = (this.leaseSeconds * 1000) / 3;
    this.onLeaseError = options.onLeaseError ?? (() => {});
  }

  /** Connects and applies the schema's migrations; `recover` (the queue's open) starts the lease. */
  static async open(options: PostgresQueueStorageOptions): Promise<PostgresQueueStorage> {
    const { leaseSeconds = DEFAULT_QUEUE_LEASE_SECONDS } = options;
    if (!(leaseSeconds >= 1 && leaseSeconds <= 3600)) {
      throw new RangeError('leaseSeconds must be between 1 and 3600');
    }
    const { maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE } = options;
    if (!(maxMessageSize > 0 && maxMessageSize <= BYTEA_LIMIT)) {
      throw new RangeError(`maxMessageSize must be between 1 and ${BYTEA_LIMIT} octets`);
    }
    const schema = options.schema ?? 'mailyard';
    const sql = await openMigratedPool({
      url: options.url,
      schema,
      maxConnections: options.maxConnections ?? 4,
      connectTimeoutSeconds: options.connectTimeoutSeconds,
      reconnectDelayMs: options.reconnectDelayMs,
      applicationName: 'mailyard-queue',
    });
    return new PostgresQueueStorage(sql, schema, options);
  }

  async recover(_report: (problem: string) => void): Promise<QueueRecord[]> {
    await this.renew();
    this.heartbeat ??= setInterval(
      () => void this.renew().catch(this.onLeaseError),
      this.adoptEveryMs,
    );
    this.heartbeat.unref();
    const own = await this.sql<{ record: string }[]>`
      SELECT record FROM queue WHERE owner = ${this.node} ORDER BY id`;
    return [...own.map((row) => parseRecord(row.record)), ...(await this.adopt())];
  }

  /**
   * Takes over the entries of nodes whose lease has passed. `SKIP LOCKED`: two nodes adopting
   * at once each take a different share; the owner checked again in the UPDATE: a row another
   * node took meanwhile is left to it.
   */
  async adopt(): Promise<QueueRecord[]> {
    const rows = await this.sql<{ record: string }[]>`
      WITH orphans AS (
        SELECT q.id, q.owner FROM queue AS q
        WHERE q.owner <> ${this.node}
          AND NOT EXISTS (SELECT 1 FROM queue_nodes AS n
                          WHERE n.node = q.owner AND n.alive_until > now())
        ORDER BY q.id
        LIMIT 1000
        FOR UPDATE OF q SKIP LOCKED
      )
      UPDATE queue SET owner = ${this.node} FROM orphans
      WHERE queue.id = orphans.id AND queue.owner = orphans.owner
      RETURNING queue.record`;
    return rows.map((row) => parseRecord(row.record));
  }

  /** Says this node is alive for another lease. */
  private async renew(): Promise<void> {
    await this.sql`
      INSERT INTO queue_nodes (node, alive_until)
      VALUES (${this.node}, now() + make_interval(secs => ${this.leaseSeconds}))
      ON CONFLICT (node) DO UPDATE SET alive_until = excluded.alive_until`;
  }

  async nextId(taken: (id: string) => boolean): Promise<string> {
    for (;;) {
      const [row] = await this.sql<{ n: string; seconds: string }[]>`
        SELECT nextval('queue_ids') AS n, floor(extract(epoch FROM clock_timestamp())) AS seconds`;
      const counter = Number(row!.n) % COUNTER_RANGE;
      const seconds = Number(row!.seconds) >>> 0;
      const id = `${seconds.toString(16).padStart(8, '0')}-${String(counter).padStart(8, '0')}`;
      if (!taken(id)) return id;
    }
  }

  async writeMessage(
    id: string,
    message: AsyncIterable<Uint8Array>,
    maxSize: number,
  ): Promise<number> {
    const limit = maxSize > 0 ? Math.min(maxSize, this.maxMessageSize) : this.maxMessageSize;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of message) {
      size += chunk.length;
      if (size > limit) {
        throw new QueueError('too-big', `message over the queue's limit of ${limit} octets`);
      }
      chunks.push(chunk);
    }
    this.unrecorded.set(id, Buffer.concat(chunks, size));
    return size;
  }

  async writeRecord(record: QueueRecord): Promise<void> {
    const text = JSON.stringify(record);
    const content = this.unrecorded.get(record.queueId);
    try {
      if (content) {
        await this.sql`
          INSERT INTO queue (id, owner, record, size, content)
          VALUES (${record.queueId}, ${this.node}, ${text}, ${content.length}, ${content})`;
        this.unrecorded.delete(record.queueId);
        return;
      }
      const rows = await this.sql`
        UPDATE queue SET record = ${text} WHERE id = ${record.queueId} AND owner = ${this.node}
        RETURNING 1`;
      if (rows.length === 0) {
        throw new QueueError('taken', `queue entry ${record.queueId} is another node's now`);
      }
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw new QueueError(
        'io',
        `could not write queue entry ${record.queueId}: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async remove(id: string): Promise<void> {
    this.unrecorded.delete(id);
    await this.sql`DELETE FROM queue WHERE id = ${id} AND owner = ${this.node}`;
  }

  source(id: string, size: number): MessageSource {
    return { size, read: () => this.chunks(id, size) };
  }

  private async *chunks(id: string, size: number): AsyncIterable<Uint8Array> {
    for (let start = 0; start < size; start += CHUNK) {
      const [row] = await this.sql<{ part: Buffer }[]>`
        SELECT substring(content FROM ${start + 1} FOR ${CHUNK}) AS part FROM queue WHERE id = ${id}`;
      if (!row) throw new Error(`queue entry ${id} has no row`);
      yield row.part;
    }
  }

  async readMessage(id: string, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
    const rows = Number.isFinite(limit)
      ? await this.sql<{ part: Buffer }[]>`
          SELECT substring(content FROM 1 FOR ${limit}) AS part FROM queue WHERE id = ${id}`
      : await this.sql<{ part: Buffer }[]>`SELECT content AS part FROM queue WHERE id = ${id}`;
    // Only a missing row means "gone" (ENOENT, as the file queue's readers expect).
    if (!rows[0]) throw Object.assign(new Error(`queue entry ${id} is gone`), { code: 'ENOENT' });
    return rows[0].part;
  }

  /**
   * Stops renewing the lease and closes the connections. The entries stay this node's until the
   * lease passes (or the node starts again under the same name).
   */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await this.sql.end({ timeout: 5 });
  }
}

function parseRecord(text: string): QueueRecord {
  return JSON.parse(text) as QueueRecord;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
