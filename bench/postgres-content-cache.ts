/**
 * What a node's cache of message bytes (`contentCacheBytes` of @mailyard/mailstore-postgres)
 * saves on a FETCH's read of message parts: 2,000 reads of the first 512 octets of 5 messages
 * (of 500, ~2 KB each), without the cache and with it, twice each in turn, on a PostgreSQL of
 * the test kit's with pg_stat_statements. Reports the client's time and PostgreSQL's execution
 * time of the read statement. The cache keeps the statement (it looks the rows up: another node
 * may have expunged a message) and saves reading the bytes.
 *
 * Usage: cd bench && npx tsx postgres-content-cache.ts
 */
import { randomBytes } from 'node:crypto';
import { PostgresMailStore } from '@mailyard/mailstore-postgres';
import { PostgresServer } from '@mailyard/test-kit';

const MESSAGES = 500;
const READS = 2000;
const server = new PostgresServer({ shared_preload_libraries: 'pg_stat_statements' });
await server.start();
try {
  const body = (n: number) =>
    Buffer.from(`Subject: ${n}\r\n\r\n${randomBytes(1500).toString('base64')}\r\n`);
  for (const [run, bytes] of [0, 32 * 1024 * 1024, 0, 32 * 1024 * 1024].entries()) {
    const store = await PostgresMailStore.open({
      url: server.url(),
      schema: `cache_probe_${run}`,
      changeFeed: false,
      contentCacheBytes: bytes,
    });
    const { sql } = store.persistenceOverPostgres;
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public`;
    const user = 'probe@example.com';
    await store.access(user).append(
      'INBOX',
      Array.from({ length: MESSAGES }, (_, i) => ({ content: body(i) })),
    );
    const inbox = await store.access(user).open('INBOX');
    const parts = (k: number) =>
      Array.from({ length: 5 }, (_, j) => ({
        uid: 1 + ((k * 5 + j) % MESSAGES),
        start: 0,
        end: 512,
      }));
    // Every message read once first: the cache is warm, as on a node that has run a while.
    for (let k = 0; k < MESSAGES / 5; k++) await inbox.readMany!(parts(k));
    await sql`SELECT public.pg_stat_statements_reset()`;
    const started = process.hrtime.bigint();
    for (let k = 0; k < READS; k++) await inbox.readMany!(parts(k));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const [row] = await sql<{ calls: string; total: number }[]>`
      SELECT calls, total_exec_time AS total FROM public.pg_stat_statements
      WHERE query LIKE '%jsonb_to_recordset%' ORDER BY calls DESC LIMIT 1`;
    console.log(
      `contentCacheBytes ${bytes}: ${READS} reads of 5 parts in ${ms.toFixed(0)} ms; ` +
        `PostgreSQL's execution ${row!.total.toFixed(0)} ms over ${row!.calls} statements`,
    );
    inbox.close();
    await store.close();
  }
} finally {
  await server.close();
}
