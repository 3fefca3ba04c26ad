import type { Sql } from 'postgres';
import { openMigratedPool } from './connection-pool.js';
import { PostgresGreylist } from './postgres-greylist.js';
import { PostgresLoginFailures } from './postgres-login-failures.js';
import { PostgresLoginThrottle } from './postgres-login-throttle.js';
import { PostgresSieveScriptStore } from './postgres-sieve-script-store.js';
import { PostgresSieveTracking } from './postgres-sieve-tracking.js';

export interface PostgresServerStateOptions {
  /** A connection URL: `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** The schema of the tables (the store's: `mailyard` by default). */
  readonly schema?: string;
  /** Connections in the pool; default 2. */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection; default 10. Then the operation fails. */
  readonly connectTimeoutSeconds?: number;
  /** The server cancels a longer statement; default 10 000 ms (a login waits on it). */
  readonly statementTimeoutMs?: number;
  /** Pause after a failed connection attempt, as the store's; default 50 ms. */
  readonly reconnectDelayMs?: number;
  /** Vacation and duplicate records kept per user; default 10,000. */
  readonly maxSieveTrackingEntries?: number;
}

/**
 * What a mail server keeps besides mail, users and the queue, when several servers share one
 * database: users' Sieve scripts, what their vacation and duplicate tests remember, failed
 * logins, the login throttle and known addresses, and greylisting. One pool (two connections
 * by default) for all of it.
 */
export class PostgresServerState {
  readonly sieveScripts: PostgresSieveScriptStore;
  readonly sieveTracking: PostgresSieveTracking;
  readonly loginFailures: PostgresLoginFailures;
  readonly greylist: PostgresGreylist;
  readonly loginThrottle: PostgresLoginThrottle;

  private constructor(
    private readonly sql: Sql,
    options: PostgresServerStateOptions,
  ) {
    this.sieveScripts = new PostgresSieveScriptStore(sql);
    this.sieveTracking = new PostgresSieveTracking(
      sql,
      options.maxSieveTrackingEntries !== undefined
        ? { maxEntries: options.maxSieveTrackingEntries }
        : {},
    );
    this.loginFailures = new PostgresLoginFailures(sql);
    this.greylist = new PostgresGreylist(sql);
    this.loginThrottle = new PostgresLoginThrottle(sql);
  }

  /** Connects and brings the schema up to date (nodes may open it at once). */
  static async open(options: PostgresServerStateOptions): Promise<PostgresServerState> {
    const sql = await openMigratedPool({
      url: options.url,
      schema: options.schema ?? 'mailyard',
      maxConnections: options.maxConnections ?? 2,
      connectTimeoutSeconds: options.connectTimeoutSeconds,
      reconnectDelayMs: options.reconnectDelayMs,
      statementTimeoutMs: options.statementTimeoutMs ?? 10_000,
      applicationName: 'mailyard-state',
    });
    return new PostgresServerState(sql, options);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
