import type { Sql } from 'postgres';

/** A triplet's record, as `GreylistPolicy` (@mailyard/spam-scoring) keeps it. */
export interface GreylistTripletRow {
  readonly first: number;
  readonly last: number;
  readonly passed: boolean;
}

/** A client network's record: how often it passed, and when it was last seen. */
export interface GreylistClientRow {
  readonly passes: number;
  readonly last: number;
}

/** The two records one check reads, and writes back (null: nothing to write). */
export interface GreylistRows {
  readonly triplet: GreylistTripletRow | null;
  readonly client: GreylistClientRow | null;
}

/** Rows unused for `maxAgeMs` deleted with each check: the tables stay bounded without a timer. */
const EXPIRED_PER_CHECK = 100;

/**
 * Greylisting's state shared by every server (`greylist_triplets`, `greylist_clients`): a
 * sender deferred by one server and retrying through another after the delay is let through,
 * as by a single server. A check reads the triplet's and the client network's rows and writes
 * what the policy decided in one transaction that holds an advisory lock on the client network
 * (every triplet is of one network): two servers checking one triplet at once decide one after
 * the other, and a network's pass count loses no pass.
 */
export class PostgresGreylist {
  constructor(private readonly sql: Sql) {}

  async decide<T>(
    keys: { readonly triplet: string; readonly client: string },
    now: number,
    maxAgeMs: number,
    policy: (rows: GreylistRows) => { readonly result: T; readonly rows: GreylistRows },
  ): Promise<T> {
    const tripletKey = Buffer.from(keys.triplet, 'utf8');
    return this.sql.begin(async (tx) => {
      // A triplet is of one network: the network's lock serialises both rows' readers and writers.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${`mailyard-greylist:${keys.client}`}))`;
      const [triplet] = await tx<{ first: string; last: string; passed: boolean }[]>`
        SELECT first, last, passed FROM greylist_triplets WHERE key = ${tripletKey}`;
      const [client] = await tx<{ passes: number; last: string }[]>`
        SELECT passes, last FROM greylist_clients WHERE network = ${keys.client}`;
      const { result, rows } = policy({
        triplet: triplet
          ? { first: Number(triplet.first), last: Number(triplet.last), passed: triplet.passed }
          : null,
        client: client ? { passes: client.passes, last: Number(client.last) } : null,
      });
      if (rows.triplet) {
        const { first, last, passed } = rows.triplet;
        await tx`
          INSERT INTO greylist_triplets (key, first, last, passed)
          VALUES (${tripletKey}, ${first}, ${last}, ${passed})
          ON CONFLICT (key) DO UPDATE
            SET first = excluded.first, last = excluded.last, passed = excluded.passed`;
      }
      if (rows.client) {
        const { passes, last } = rows.client;
        await tx`
          INSERT INTO greylist_clients (network, passes, last)
          VALUES (${keys.client}, ${passes}, ${last})
          ON CONFLICT (network) DO UPDATE SET passes = excluded.passes, last = excluded.last`;
      }
      const cutoff = now - maxAgeMs;
      await tx`
        DELETE FROM greylist_triplets WHERE key IN (
          SELECT key FROM greylist_triplets WHERE last < ${cutoff} LIMIT ${EXPIRED_PER_CHECK})`;
      await tx`
        DELETE FROM greylist_clients WHERE network IN (
          SELECT network FROM greylist_clients WHERE last < ${cutoff} LIMIT ${EXPIRED_PER_CHECK})`;
      return result;
    }) as Promise<T>;
  }
}
