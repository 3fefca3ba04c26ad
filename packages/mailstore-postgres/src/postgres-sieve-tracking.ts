import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';

/** One record of what the Sieve extensions remember for a user (a reply sent, an id seen). */
export interface SieveTrackingEntry {
  readonly key: string;
  /** When it was recorded, ms since the epoch. */
  readonly at: number;
  /** When it stops counting, ms since the epoch. */
  readonly until: number;
}

/** A record to write: `exclusive` ones (vacation replies) are written only if none counts now. */
export interface SieveTrackingClaim extends SieveTrackingEntry {
  readonly exclusive: boolean;
}

/** The default of `maxEntries`: records kept per user, as the on-disk file keeps. */
export const DEFAULT_SIEVE_TRACKING_ENTRIES = 10_000;

/**
 * What the Sieve extensions remember between deliveries (vacation replies, RFC 5230 4.2;
 * duplicate ids, RFC 7352), in `sieve_tracking`, shared by every server: a sender answered
 * from one server is not answered again by another within the period. A vacation record is a
 * claim: of two servers delivering to one user from one sender at once, only the one whose
 * row is written gets `true` back and sends the reply. Expired records, and the oldest past
 * `maxEntries`, are deleted whenever a user's records are written.
 */
export class PostgresSieveTracking {
  private readonly maxEntries: number;

  constructor(
    private readonly sql: Sql,
    options: { readonly maxEntries?: number } = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_SIEVE_TRACKING_ENTRIES;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new RangeError('maxEntries must be a whole number of at least 1');
    }
  }

  /** The user's records that still count at `now`. */
  async entries(user: string, now: number): Promise<SieveTrackingEntry[]> {
    const rows = await readOnce(
      () => this.sql<{ key: Buffer; at: string; until: string }[]>`
        SELECT key, at, until FROM sieve_tracking WHERE owner = ${user} AND until > ${now}`,
    );
    return rows.map((row) => ({
      key: row.key.toString('utf8'),
      at: Number(row.at),
      until: Number(row.until),
    }));
  }

  /**
   * Writes the records, in one transaction; resolves with, for each, whether it was written.
   * A non-exclusive record always is (a duplicate id's time is renewed). An exclusive one is
   * written only over a record older than its own period (`until - at`): else another delivery
   * replied within the period and this one must not.
   */
  async record(
    user: string,
    claims: readonly SieveTrackingClaim[],
    now: number,
  ): Promise<boolean[]> {
    if (claims.length === 0) return [];
    return this.sql.begin(async (tx) => {
      const written: boolean[] = [];
      for (const claim of claims) {
        const rows = claim.exclusive
          ? await tx`
              INSERT INTO sieve_tracking (owner, key, at, until)
              VALUES (${user}, ${Buffer.from(claim.key, 'utf8')}, ${claim.at}, ${claim.until})
              ON CONFLICT (owner, key) DO UPDATE SET at = excluded.at, until = excluded.until
                WHERE sieve_tracking.at + (excluded.until - excluded.at) <= excluded.at
                   OR sieve_tracking.at > excluded.at
              RETURNING key`
          : await tx`
              INSERT INTO sieve_tracking (owner, key, at, until)
              VALUES (${user}, ${Buffer.from(claim.key, 'utf8')}, ${claim.at}, ${claim.until})
              ON CONFLICT (owner, key) DO UPDATE SET at = excluded.at, until = excluded.until
              RETURNING key`;
        written.push(rows.length > 0);
      }
      await tx`
        DELETE FROM sieve_tracking
         WHERE owner = ${user}
           AND (until <= ${now}
                OR key IN (SELECT key FROM sieve_tracking WHERE owner = ${user}
                            ORDER BY at DESC, key OFFSET ${this.maxEntries}))`;
      return written;
    });
  }
}
