import postgres, { type Sql } from 'postgres';
import { migrate } from './migrations.js';

/** The default of `reconnectDelayMs`: 50 ms between connection attempts to a database that is down. */
export const DEFAULT_RECONNECT_DELAY_MS = 50;

export interface PoolOptions {
  readonly url: string;
  /** The schema the connections' `search_path` names. */
  readonly schema: string;
  readonly maxConnections: number;
  readonly connectTimeoutSeconds?: number | undefined;
  readonly reconnectDelayMs?: number | undefined;
  readonly applicationName: string;
  /** `statement_timeout` of the connections, or none. */
  readonly statementTimeoutMs?: number;
}

/**
 * The connection pool of a store, a queue or a directory: the one place where this package
 * tells the `postgres` client how to behave when the database goes away.
 */
export function openPool(options: PoolOptions): Sql {
  const { reconnectDelayMs = DEFAULT_RECONNECT_DELAY_MS } = options;
  if (!(reconnectDelayMs >= 0 && reconnectDelayMs <= 60_000)) {
    throw new RangeError('reconnectDelayMs must be between 0 and 60 000');
  }
  return postgres(options.url, {
    max: options.maxConnections,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    // The client's own pause grows to 20 s after failed attempts, and until it is over the pool
    // answers every query with the last connection error without trying: after a database
    // restart, a node that kept working through the outage went on failing for seconds while
    // the server accepted again. A short constant pause bounds that (and the relistening of
    // LISTEN connections) to reconnectDelayMs.
    backoff: reconnectDelayMs / 1000,
    // Idle connections go, so that a quiet node holds no server slots.
    idle_timeout: 60,
    onnotice: () => {},
    connection: {
      search_path: options.schema,
      application_name: options.applicationName,
      ...(options.statementTimeoutMs !== undefined
        ? { statement_timeout: options.statementTimeoutMs }
        : {}),
    },
  });
}

/** A pool over a schema brought up to date ({@link migrate}); closed again if that fails. */
export async function openMigratedPool(options: PoolOptions): Promise<Sql> {
  const sql = openPool(options);
  try {
    await migrate(sql, options.schema);
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  }
  return sql;
}
