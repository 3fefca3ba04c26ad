import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { type Peer, describeWithPeer } from './peer.js';

/** Debian's PostgreSQL server programs (package `postgresql`), newest version installed. */
function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

const BIN = postgresBinaries();

export const POSTGRES: Peer = {
  name: 'PostgreSQL',
  available: BIN !== null && existsSync(join(BIN, 'initdb')),
  install: 'apt-get install postgresql',
};

/** `describe` for suites that need a PostgreSQL server (skipped where none is installed; CI fails). */
export function describeWithPostgres(name: string, body: () => void): void {
  describeWithPeer(POSTGRES, name, body);
}

/**
 * The user the server runs as: PostgreSQL refuses to run as root, so a root test process hands
 * the data directory to Debian's `postgres` user (or `nobody`) and starts the server as that user.
 */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // Try the next one.
    }
  }
  throw new Error('running as root, and neither the postgres nor the nobody user exists');
}

/**
 * A PostgreSQL cluster of our own: `initdb` in a temporary directory, the server on a free
 * loopback port, trust authentication for the `postgres` role. `stop()`/`start()` restart it over
 * the same data (for tests of a database that goes away), `close()` removes everything.
 */
export class PostgresServer {
  readonly home = mkdtempSync(join(tmpdir(), 'mailyard-postgres-'));
  private readonly data = join(this.home, 'data');
  private readonly socketDirectory = join(this.home, 'run');
  private readonly user = serverUser();
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private portNumber = 0;

  /**
   * @param settings more `-c name=value` server settings, e.g. `shared_preload_libraries`
   *   for a benchmark that reads `pg_stat_statements`.
   */
  constructor(private readonly settings: Readonly<Record<string, string>> = {}) {}

  get port(): number {
    return this.portNumber;
  }

  /** The postmaster's process id while it runs: its children are the server's backends. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A connection URL for a database of this cluster (`postgres` by default). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.portNumber}/${database}`;
  }

  /** Creates the cluster and starts the server; resolves once it accepts connections. */
  async start(): Promise<this> {
    if (!BIN) throw new Error(`PostgreSQL is not installed (${POSTGRES.install})`);
    if (!existsSync(this.data)) {
      mkdirSync(this.socketDirectory, { recursive: true });
      if (this.user) {
        chownSync(this.home, this.user.uid, this.user.gid);
        chownSync(this.socketDirectory, this.user.uid, this.user.gid);
      }
      execFileSync(
        join(BIN, 'initdb'),
        ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
        { stdio: 'ignore', ...(this.user ?? {}) },
      );
    }
    if (this.portNumber === 0) this.portNumber = await freePort();
    const child = spawn(
      join(BIN, 'postgres'),
      [
        '-D',
        this.data,
        '-p',
        String(this.portNumber),
        '-h',
        '127.0.0.1',
        '-k',
        this.socketDirectory,
        // Tests start hundreds of stores, each with its pool and its listener.
        '-c',
        'max_connections=300',
        // A test cluster is thrown away: durability against power loss buys nothing here.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        ...Object.entries(this.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      { stdio: 'ignore', ...(this.user ?? {}) },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await this.waitUntilAccepting(child);
    return this;
  }

  /** Stops the server (a fast shutdown: sessions are ended), keeping its data. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await this.exited;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.home, { recursive: true, force: true });
  }

  private async waitUntilAccepting(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before accepting`);
      if (await this.ready()) return;
      if (Date.now() > deadline) throw new Error('postgres did not accept connections in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Whether the server answers `pg_isready`: it accepts connections, not merely the port. */
  private ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.portNumber, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => {
        socket.destroy();
        try {
          execFileSync(
            join(BIN!, 'pg_isready'),
            ['-q', '-h', '127.0.0.1', '-p', String(this.port)],
            {
              stdio: 'ignore',
            },
          );
          resolve(true);
        } catch {
          resolve(false);
        }
      });
    });
  }
}
