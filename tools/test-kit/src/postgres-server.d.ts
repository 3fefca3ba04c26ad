import { type Peer } from './peer.js';
export declare const POSTGRES: Peer;
/** `describe` for suites that need a PostgreSQL server (skipped where none is installed; CI fails). */
export declare function describeWithPostgres(name: string, body: () => void): void;
/**
 * A PostgreSQL cluster of our own: `initdb` in a temporary directory, the server on a free
 * loopback port, trust authentication for the `postgres` role. `stop()`/`start()` restart it over
 * the same data (for tests of a database that goes away), `close()` removes everything.
 */
export declare class PostgresServer {
  private readonly settings;
  readonly home: string;
  private readonly data;
  private readonly socketDirectory;
  private readonly user;
  private child;
  private exited;
  private portNumber;
  /**
   * @param settings more `-c name=value` server settings, e.g. `shared_preload_libraries`
   *   for a benchmark that reads `pg_stat_statements`.
   */
  constructor(settings?: Readonly<Record<string, string>>);
  get port(): number;
  /** The postmaster's process id while it runs: its children are the server's backends. */
  get pid(): number | undefined;
  /** A connection URL for a database of this cluster (`postgres` by default). */
  url(database?: string): string;
  /** Creates the cluster and starts the server; resolves once it accepts connections. */
  start(): Promise<this>;
  /** Stops the server (a fast shutdown: sessions are ended), keeping its data. */
  stop(): Promise<void>;
  close(): Promise<void>;
  private waitUntilAccepting;
  /** Whether the server answers `pg_isready`: it accepts connections, not merely the port. */
  private ready;
}
