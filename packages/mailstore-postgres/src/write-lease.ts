import { AsyncLocalStorage } from 'node:async_hooks';
import type postgres from 'postgres';
import type { ReservedSql, Sql } from 'postgres';
import { staleMailbox } from './write-conflicts.js';

/** What statements can be sent on: the pool, a transaction, a reserved connection. */
export type Queries = postgres.ISql;

/**
 * A write made again after it lost a race with another node, holding the mailbox's row lock
 * from the read of its index to the commit of its write, so that no node can write in between
 * and it cannot lose again. Everything the write sends about a mailbox (the index read, the
 * write statements) goes on one reserved connection in one transaction, which locks each
 * mailbox (`SELECT … FOR UPDATE`) the first time it is touched.
 *
 * The lock is taken lazily, by the first statement, because the engine's own lock on the
 * mailbox's tree (a process-local mutex) must be taken first: a node holding the row lock while
 * waiting for its own mutex would wait forever on a holder of the mutex that waits for the row.
 *
 * An attempt that still meets a stale index (a mailbox it had not locked when it began, such as
 * the retention mailbox an expunge copies into) is undone to a savepoint, the mailbox joins
 * those locked before the savepoint, and the attempt runs again: every mailbox it touches is
 * then locked before its index is read, and it cannot fail so again.
 */
export class WriteLease {
  /** Mailboxes to lock before the attempt's savepoint: those earlier attempts found stale. */
  readonly held = new Set<string>();
  /** Mailboxes written in this lease, whose engine copies are wrong if it does not commit. */
  readonly written = new Set<string>();
  /**
   * What the engine told subscribers during the current attempt, told only once the lease
   * commits: until then another session would read rows it cannot see yet, and an undone
   * attempt's events are news of nothing.
   */
  pendingEvents: (() => void)[] = [];
  private connection: ReservedSql | null = null;
  private reserving: Promise<ReservedSql> | null = null;
  private begun = false;
  /** Mailboxes locked in the current attempt (inside its savepoint). */
  private lockedInAttempt = new Set<string>();
  private attemptOpen = false;
  finished = false;

  constructor(private readonly sql: Sql) {}

  /**
   * The connection for statements about `mailboxId`, its row locked. What the transaction
   * needs first (BEGIN, the locks, the savepoint) is sent at once, in one round trip: the
   * server runs it in order.
   */
  async on(mailboxId?: string): Promise<Queries> {
    const connection = await this.reserve();
    const steps: Promise<unknown>[] = [];
    if (!this.begun) {
      this.begun = true;
      steps.push(connection`BEGIN`);
    }
    if (!this.attemptOpen) {
      this.attemptOpen = true;
      for (const id of [...this.held].sort()) steps.push(lock(connection, id));
      steps.push(connection`SAVEPOINT attempt`);
    }
    if (
      mailboxId !== undefined &&
      !this.held.has(mailboxId) &&
      !this.lockedInAttempt.has(mailboxId)
    ) {
      this.lockedInAttempt.add(mailboxId);
      steps.push(lock(connection, mailboxId));
    }
    const failed = (await Promise.allSettled(steps)).find((step) => step.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return connection;
  }

  /** Undoes the current attempt; `stale` will be locked before the next one's savepoint. */
  async retryWith(stale: string): Promise<void> {
    this.held.add(stale);
    this.pendingEvents = [];
    this.lockedInAttempt = new Set();
    if (!this.attemptOpen || !this.connection) return;
    this.attemptOpen = false;
    // Back to before the attempt, then out of the savepoint, so that the next locks outlive it.
    await this.connection`ROLLBACK TO SAVEPOINT attempt`;
    await this.connection`RELEASE SAVEPOINT attempt`;
  }

  async commit(): Promise<void> {
    if (this.connection && this.begun) await this.connection`COMMIT`;
  }

  async end(committed: boolean): Promise<void> {
    this.finished = true;
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    if (!committed && this.begun) await connection`ROLLBACK`.catch(() => {});
    connection.release();
  }

  private reserve(): Promise<ReservedSql> {
    this.reserving ??= this.sql.reserve().then((connection) => (this.connection = connection));
    return this.reserving;
  }
}

function lock(connection: Queries, mailboxId: string): Promise<unknown> {
  return connection`SELECT 1 FROM mailboxes WHERE id = ${mailboxId} FOR UPDATE`;
}

/** The lease of the write running in this async context, if any. */
export const writeLeases = new AsyncLocalStorage<WriteLease>();

/** Leases running in this process (every store's): while there are none, tracking is off. */
let leasesRunning = 0;

/**
 * Runs `body` with `lease` as the lease of its async context. Once an AsyncLocalStorage has
 * run, Node keeps async hooks on for every promise of the process (a cost the profile of a
 * two-node benchmark showed on every command, not just on the rare locked retry); so the
 * storage is disabled again when the last lease running ends. Code that still looks
 * afterwards finds no lease, as it would find a finished one.
 */
export async function runInLease<T>(lease: WriteLease, body: () => Promise<T>): Promise<T> {
  leasesRunning++;
  try {
    return await writeLeases.run(lease, body);
  } finally {
    if (--leasesRunning === 0) writeLeases.disable();
  }
}

/**
 * Where a statement goes: `sql` (the pool), or, inside {@link runExclusively}, the write
 * lease's connection (its transaction), with `lockMailbox`'s row locked first.
 */
export async function via(sql: Sql, lockMailbox?: string): Promise<Queries> {
  const lease = writeLeases.getStore();
  return lease && !lease.finished ? lease.on(lockMailbox) : sql;
}

/** Whether this runs inside {@link runExclusively}. */
export function inWriteLease(): boolean {
  const lease = writeLeases.getStore();
  return lease !== undefined && !lease.finished;
}

/** Holds `tell` until the write lease this runs in commits; false outside a lease. */
export function deferToCommit(tell: () => void): boolean {
  const lease = writeLeases.getStore();
  if (!lease || lease.finished) return false;
  lease.pendingEvents.push(tell);
  return true;
}

/** A transaction of its own, or, inside a lease, the lease's (with the mailbox locked). */
export async function inTransaction(
  sql: Sql,
  mailboxId: string,
  body: (tx: Queries) => Promise<void>,
): Promise<void> {
  if (inWriteLease()) return body(await via(sql, mailboxId));
  await sql.begin((tx) => body(tx));
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
export async function runExclusively<T>(
  sql: Sql,
  stale: string,
  write: () => Promise<T>,
  hooks: { beforeRetry?: () => void; undone: (mailboxIds: string[]) => void },
  maxAttempts: number,
): Promise<T> {
  const lease = new WriteLease(sql);
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
