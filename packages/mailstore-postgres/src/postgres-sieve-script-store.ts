import {
  type SieveQuota,
  type SievePutOutcome,
  type SieveScriptList,
  type SieveScriptStore,
  quotaOutcome,
  scriptSize,
} from '@mailyard/managesieve';
import type { Sql } from 'postgres';
import { readOnce } from './connection-errors.js';

/** SQLSTATEs the store turns into ManageSieve's answers rather than failures. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Users' Sieve scripts in the database (`sieve_scripts`, and the active one in `sieve_active`),
 * so that a script uploaded over ManageSieve on one server filters the mail every server
 * delivers from its next delivery on. Each change is one statement or one transaction:
 * switching the active script is one upsert; renaming the active script keeps it active by the
 * foreign key's cascade; deleting it is refused by the same key; a `put` checks the quota and
 * writes under a per-user advisory lock, so that two sessions on two servers cannot pass the
 * quota together. A failed query throws (the session answers `NO (TRYLATER)`; delivery is
 * deferred); only a missing row means "no such script".
 */
export class PostgresSieveScriptStore implements SieveScriptStore {
  constructor(private readonly sql: Sql) {}

  async list(user: string): Promise<SieveScriptList> {
    const rows = await readOnce(
      () => this.sql<{ name: string; size: number; active: boolean }[]>`
        SELECT s.name, s.size, a.owner IS NOT NULL AS active
          FROM sieve_scripts s LEFT JOIN sieve_active a USING (owner, name)
         WHERE s.owner = ${user}`,
    );
    // Sorted here, by code unit as the other stores do, not by the database's collation.
    const scripts = rows
      .map(({ name, size }) => ({ name, size }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { scripts, active: rows.find((row) => row.active)?.name ?? null };
  }

  async get(user: string, name: string): Promise<string | null> {
    const rows = await readOnce(
      () => this.sql<{ content: Buffer }[]>`
        SELECT content FROM sieve_scripts WHERE owner = ${user} AND name = ${name}`,
    );
    return rows[0] ? rows[0].content.toString('utf8') : null;
  }

  async getActive(user: string): Promise<{ name: string; content: string } | null> {
    const rows = await readOnce(
      () => this.sql<{ name: string; content: Buffer }[]>`
        SELECT s.name, s.content
          FROM sieve_active a JOIN sieve_scripts s USING (owner, name)
         WHERE a.owner = ${user}`,
    );
    const row = rows[0];
    return row ? { name: row.name, content: row.content.toString('utf8') } : null;
  }

  async put(
    user: string,
    name: string,
    content: string,
    quota: SieveQuota,
  ): Promise<SievePutOutcome> {
    const bytes = Buffer.from(content, 'utf8');
    const size = scriptSize(content);
    return this.sql.begin(async (tx) => {
      // Absent rows cannot be locked: the user's lock serialises the quota's check and write.
      await tx`SELECT pg_advisory_xact_lock(hashtext(${`mailyard-sieve:${user}`}))`;
      if (quota.maxScripts > 0 || quota.maxStorage > 0) {
        const scripts = await tx<{ name: string; size: number }[]>`
          SELECT name, size FROM sieve_scripts WHERE owner = ${user}`;
        const outcome = quotaOutcome(scripts, name, size, quota);
        if (outcome !== 'stored') return outcome;
      }
      await tx`
        INSERT INTO sieve_scripts (owner, name, content, size)
        VALUES (${user}, ${name}, ${bytes}, ${size})
        ON CONFLICT (owner, name) DO UPDATE SET content = excluded.content, size = excluded.size`;
      return 'stored' as const;
    });
  }

  async delete(user: string, name: string): Promise<'deleted' | 'nonexistent' | 'active'> {
    try {
      const rows = await this.sql`
        DELETE FROM sieve_scripts WHERE owner = ${user} AND name = ${name} RETURNING name`;
      return rows.length > 0 ? 'deleted' : 'nonexistent';
    } catch (error) {
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) return 'active';
      throw error;
    }
  }

  async rename(
    user: string,
    from: string,
    to: string,
  ): Promise<'renamed' | 'nonexistent' | 'exists'> {
    try {
      const rows = await this.sql`
        UPDATE sieve_scripts SET name = ${to} WHERE owner = ${user} AND name = ${from}
        RETURNING name`;
      return rows.length > 0 ? 'renamed' : 'nonexistent';
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) return 'exists';
      throw error;
    }
  }

  async setActive(user: string, name: string | null): Promise<'done' | 'nonexistent'> {
    if (name === null) {
      await this.sql`DELETE FROM sieve_active WHERE owner = ${user}`;
      return 'done';
    }
    // One statement: the script must exist as it is made active, and the previous active
    // one stops being so in the same step.
    const rows = await this.sql`
      INSERT INTO sieve_active (owner, name)
      SELECT owner, name FROM sieve_scripts WHERE owner = ${user} AND name = ${name}
      ON CONFLICT (owner) DO UPDATE SET name = excluded.name
      RETURNING name`;
    return rows.length > 0 ? 'done' : 'nonexistent';
  }
}
