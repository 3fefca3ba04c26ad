import { FailingReads } from '@mailyard/mailstore-conformance';
import { StoreEngine, isMailStoreError } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openPool } from '../src/connection-pool.js';
import { PostgresPersistence } from '../src/index.js';

const ALICE = 'alice@example.com';
const message = (n: number) => Buffer.from(`Subject: message ${n}\r\n\r\nbody ${n}\r\n`);

/**
 * The writes the engine numbers (`addMessages`, `updateFlags`, `removeMessages`), which every
 * persistence must have: PostgresMailStore's engine never calls them (the persistence numbers
 * every write itself), but an engine over a wrapper that hides the allocating writes does.
 * Over two nodes, a write built on a copy of the index another node wrote after is refused
 * whole (`unavailable`, nothing retries it), and the next one, on the index read again, goes in.
 */
describeWithPostgres('engine-numbered writes of PostgresPersistence (the generic contract)', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  const open: StoreEngine[] = [];
  const node = (schema: string) => {
    const sql = openPool({
      url: server.url(),
      schema,
      maxConnections: 2,
      connectTimeoutSeconds: 10,
      reconnectDelayMs: 50,
      statementTimeoutMs: 30_000,
      applicationName: 'engine-numbered-test',
    });
    // FailingReads passes every read and write through, and has no allocating writes.
    const engine = new StoreEngine({
      persistence: new FailingReads(new PostgresPersistence(sql, schema)),
    });
    open.push(engine);
    return engine;
  };

  beforeAll(async () => {
    await server.start();
    admin = postgres(server.url(), { onnotice: () => {} });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await server.close();
  });

  it('refuses an append, a flag change and an expunge made on a stale index, writing nothing, then writes on the index read again', async () => {
    const schema = 'engine_numbered_1';
    const a = node(schema);
    const b = node(schema);
    await a.provision(ALICE);
    const inA = await a.access(ALICE).open('INBOX');
    expect(await inA.messages()).toEqual([]);
    const inB = await b.access(ALICE).open('INBOX');
    await b.access(ALICE).append('INBOX', [{ content: message(1) }]);

    const refused = (write: Promise<unknown>) =>
      write.then(
        () => 'written',
        (error: unknown) => (isMailStoreError(error, 'unavailable') ? 'unavailable' : error),
      );
    // A's copy does not know B's append: the append it builds on it is refused.
    expect(await refused(a.access(ALICE).append('INBOX', [{ content: message(2) }]))).toBe(
      'unavailable',
    );
    const rows = () =>
      admin<{ uid: string; modseq: string; flags: string[] }[]>`
        SELECT uid, modseq, flags FROM ${admin(schema)}.messages ORDER BY uid`;
    expect((await rows()).map((row) => Number(row.uid))).toEqual([1]);
    // On the index read again, the next one goes in, after B's.
    const [appended] = await a.access(ALICE).append('INBOX', [{ content: message(3) }]);
    expect(appended!.uid).toBe(2);

    // A flag change on B's stale copy: refused, nothing written; made again, it goes in.
    const flags = async () => (await rows()).map((row) => [...row.flags]);
    expect(await refused(inB.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] }))).toBe(
      'unavailable',
    );
    expect(await flags()).toEqual([[], []]);
    await inB.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    expect(await flags()).toEqual([['\\Deleted'], []]);
    // A's copy is stale now: its flag change is refused once too.
    expect(await refused(inA.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] }))).toBe(
      'unavailable',
    );
    await inA.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
    // An expunge on B's copy, which does not know A's flag change: refused, nothing removed.
    expect(await refused(inB.expunge())).toBe('unavailable');
    expect((await rows()).map((row) => Number(row.uid))).toEqual([1, 2]);
    expect(await inB.expunge()).toEqual([1, 2]);
    expect(await rows()).toEqual([]);
    // Six writes went in, each with its own mod-sequence; no UID was given twice.
    const counters = await admin<{ uid_next: string; highest_modseq: string }[]>`
      SELECT uid_next, highest_modseq FROM ${admin(schema)}.mailboxes WHERE uid_next > 1`;
    expect(counters.map((row) => [Number(row.uid_next), Number(row.highest_modseq)])).toEqual([
      [3, 6],
    ]);
  });
});
