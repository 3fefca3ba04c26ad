import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';

/** What is counted: failures from a client address, or against an account. */
export type LoginFailureKind = 'address' | 'account';

/** Kerio's lockout: `maxFailures` within `windowMs` lock the key for `windowMs`. */
export interface LoginFailureLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** A failure counted: how many count now, and whether this one locked the key. */
export interface LoginFailureVerdict {
  readonly failures: number;
  /** When the lock ends (ms since the epoch), or null when the key is not locked. */
  readonly lockedUntil: number | null;
  /** True for exactly the failure that locked the key: it is logged once, server-wide. */
  readonly justLocked: boolean;
}

/** Expired rows deleted with each failure counted: the table stays bounded without a timer. */
const EXPIRED_PER_FAILURE = 100;

/**
 * Failed logins counted across every server (`login_failures`): a client gets N attempts in
 * all, not N per server. Each row holds the times of the recent failures and the lock's end;
 * a failure is counted in one transaction holding the row's lock, so two servers counting at
 * once never lose one. Times are the servers' clocks (keep them in sync, as for the queue's
 * leases). The rules are `AuthLockout`'s (@mailyard/access-policy): a failure counts for
 * `windowMs`; a lock lasts `windowMs` from the failure that made it; failures while locked
 * neither count nor extend it; a success clears the count but not a lock.
 */
export class PostgresLoginFailures {
  constructor(private readonly sql: Sql) {}

  /** When the key's lock ends, or null when it is not locked at `now`. */
  async lockedUntil(kind: LoginFailureKind, key: string, now: number): Promise<number | null> {
    const rows = await readOnce(
      () => this.sql<{ locked_until: string }[]>`
        SELECT locked_until FROM login_failures
         WHERE kind = ${kind} AND key = ${key} AND locked_until > ${now}`,
    );
    return rows[0] ? Number(rows[0].locked_until) : null;
  }

  async recordFailure(
    kind: LoginFailureKind,
    key: string,
    limits: LoginFailureLimits,
    now: number,
  ): Promise<LoginFailureVerdict> {
    if (limits.maxFailures === 0) return { failures: 0, lockedUntil: null, justLocked: false };
    return this.sql.begin(async (tx) => {
      await tx`
        INSERT INTO login_failures (kind, key, failures, locked_until, expires)
        VALUES (${kind}, ${key}, '{}', NULL, ${now}) ON CONFLICT (kind, key) DO NOTHING`;
      const [row] = await tx<{ failures: string[]; locked_until: string | null }[]>`
        SELECT failures, locked_until FROM login_failures
         WHERE kind = ${kind} AND key = ${key} FOR UPDATE`;
      const lockedUntil = row?.locked_until == null ? null : Number(row.locked_until);
      if (lockedUntil !== null && lockedUntil > now) {
        return { failures: limits.maxFailures, lockedUntil, justLocked: false };
      }
      const recent = (row?.failures ?? [])
        .map(Number)
        .filter((at) => at > now - limits.windowMs)
        .concat(now)
        .slice(-limits.maxFailures);
      const justLocked = recent.length >= limits.maxFailures;
      const newLock = justLocked ? now + limits.windowMs : null;
      const kept = justLocked ? [] : recent;
      await tx`
        UPDATE login_failures
           SET failures = ${kept.map(String)}::bigint[], locked_until = ${newLock},
               expires = ${now + limits.windowMs}
         WHERE kind = ${kind} AND key = ${key}`;
      await tx`
        DELETE FROM login_failures WHERE ctid IN (
          SELECT ctid FROM login_failures WHERE expires <= ${now} LIMIT ${EXPIRED_PER_FAILURE})`;
      return { failures: recent.length, lockedUntil: newLock, justLocked };
    });
  }

  /** A good login: the key's failures stop counting (a lock stays until it ends). */
  async recordSuccess(kind: LoginFailureKind, key: string, now: number): Promise<void> {
    await this.sql`
      DELETE FROM login_failures
       WHERE kind = ${kind} AND key = ${key} AND (locked_until IS NULL OR locked_until <= ${now})`;
  }

  /** Kerio's "Unlock all accounts now", for every server: every lock and count forgotten. */
  async unlockAll(): Promise<void> {
    await this.sql`DELETE FROM login_failures`;
  }
}
