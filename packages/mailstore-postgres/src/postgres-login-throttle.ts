import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';

/** The throttle's rules (`AccountThrottle`'s of @mailyard/access-policy). */
export interface LoginThrottleRules {
  /** The wait the gap after the `attempts`-th attempt imposes on the next (0 while free). */
  readonly delayAfter: (attempts: number) => number;
  /** An attempt that would wait longer is refused, without a place in the line. */
  readonly maxWaitMs: number;
  /** A line untouched this long after its next start is forgotten. */
  readonly forgetAfterMs: number;
}

/** Admitted after `waitMs`, or refused: the line is longer than `maxWaitMs`. */
export type LoginThrottleVerdict =
  | { readonly admitted: true; readonly waitMs: number }
  | { readonly admitted: false; readonly retryAfterMs: number };

/** Known addresses unused this long after their `knownForMs` deleted with each login recorded. */
const EXPIRED_PER_LOGIN = 100;

/**
 * The per-account login throttle and the addresses each account logged in from, shared by
 * every server (`login_throttle`, `login_known`): an attempt takes its place in the account's
 * one line whichever server it reaches (in a transaction holding the line's row lock), and an
 * address the owner logged in from through one server is known to all.
 */
export class PostgresLoginThrottle {
  constructor(private readonly sql: Sql) {}

  /** Whether the account logged in from the address within `knownForMs` before `now`. */
  async isKnown(account: string, address: string, now: number, knownForMs: number) {
    const rows = await readOnce(
      () => this.sql`
        SELECT 1 FROM login_known
         WHERE account = ${account} AND address = ${address} AND last > ${now - knownForMs}`,
    );
    return rows.length > 0;
  }

  /** A good login: the address is known from now on (and known addresses long unused go). */
  async recordKnown(account: string, address: string, now: number, knownForMs: number) {
    await this.sql`
      INSERT INTO login_known (account, address, last) VALUES (${account}, ${address}, ${now})
      ON CONFLICT (account, address) DO UPDATE SET last = excluded.last`;
    await this.sql`
      DELETE FROM login_known WHERE (account, address) IN (
        SELECT account, address FROM login_known
         WHERE last <= ${now - knownForMs} LIMIT ${EXPIRED_PER_LOGIN})`;
  }

  /** Gives an attempt its place in the account's line, or refuses it. */
  async reserve(account: string, rules: LoginThrottleRules, now: number) {
    return this.sql.begin(async (tx): Promise<LoginThrottleVerdict> => {
      await tx`
        INSERT INTO login_throttle (account, attempts, next_at) VALUES (${account}, 0, ${now})
        ON CONFLICT (account) DO NOTHING`;
      const [row] = await tx<{ attempts: number; next_at: string }[]>`
        SELECT attempts, next_at FROM login_throttle WHERE account = ${account} FOR UPDATE`;
      const forgotten = !row || now >= Number(row.next_at) + rules.forgetAfterMs;
      const attempts = forgotten ? 0 : row.attempts;
      const start = Math.max(now, forgotten ? now : Number(row.next_at));
      const waitMs = start - now;
      if (waitMs > rules.maxWaitMs)
        return { admitted: false, retryAfterMs: waitMs - rules.maxWaitMs };
      await tx`
        UPDATE login_throttle
           SET attempts = ${attempts + 1}, next_at = ${start + rules.delayAfter(attempts + 1)}
         WHERE account = ${account}`;
      return { admitted: true, waitMs };
    });
  }

  /** The account's password was given right from a new place: its line starts again. */
  async reset(account: string): Promise<void> {
    await this.sql`DELETE FROM login_throttle WHERE account = ${account}`;
  }
}
