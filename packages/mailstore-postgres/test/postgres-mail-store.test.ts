import { isMailStoreError } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BYTEA_LIMIT,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_RECONNECT_DELAY_MS,
  MIGRATIONS,
  PostgresMailStore,
  SCHEMA_VERSION,
} from '../src/index.js';

const ALICE = 'alice@example.com';
const message = (n: number) =>
  Buffer.from(`From: bob@example.com\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n`);

describeWithPostgres('PostgresMailStore', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  let schemas = 0;
  const freshSchema = () => `node_test_${++schemas}`;

  beforeAll(async () => {
    await server.start();
    admin = postgres(server.url(), { onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await server.close();
  });

  it('migrates a new schema once, even when two nodes open it at the same moment', async () => {
    const schema = freshSchema();
    const nodes = await Promise.all(
      [1, 2, 3].map(() => PostgresMailStore.open({ url: server.url(), schema })),
    );
    const rows =
      await admin`SELECT version FROM ${admin(schema)}.schema_migrations ORDER BY version`;
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // Opening again applies nothing and loses nothing.
    await nodes[0]!.deliver(ALICE, { content: message(1) });
    await Promise.all(nodes.map((node) => node.close()));
    const again = await PostgresMailStore.open({ url: server.url(), schema });
    const inbox = await again.access(ALICE).open('INBOX');
    expect((await inbox.messages()).map((m) => m.uid)).toEqual([1]);
    await again.close();
  });

  it('refuses a schema newer than it knows, and writes nothing to it', async () => {
    const schema = freshSchema();
    await (await PostgresMailStore.open({ url: server.url(), schema })).close();
    await admin`INSERT INTO ${admin(schema)}.schema_migrations (version, name)
                VALUES (${SCHEMA_VERSION + 1}, 'from the future')`;
    await expect(PostgresMailStore.open({ url: server.url(), schema })).rejects.toThrow(
      /newer than this package/,
    );
  });

  it('never gives one UID twice when two nodes append to one mailbox', async () => {
    const schema = freshSchema();
    const a = await PostgresMailStore.open({ url: server.url(), schema });
    const b = await PostgresMailStore.open({ url: server.url(), schema });
    await a.provision(ALICE);
    // Both nodes have read the (empty) index before either appends.
    const inA = await a.access(ALICE).open('INBOX');
    const inB = await b.access(ALICE).open('INBOX');
    expect(await inA.messages()).toEqual([]);
    expect(await inB.messages()).toEqual([]);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).access(ALICE).append('INBOX', [{ content: message(i) }]),
      ),
    );
    const uids = results.map(([result]) => result!.uid).sort((x, y) => x - y);
    expect(uids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const rows = await admin`SELECT uid, modseq FROM ${admin(schema)}.messages ORDER BY uid`;
    expect(rows.map((row) => Number(row.uid))).toEqual(uids);
    expect(new Set(rows.map((row) => Number(row.modseq))).size).toBe(20);
    await a.close();
    await b.close();
  });

  it('applies a flag change built on another node’s outdated index on a fresh one, keeping both', async () => {
    const schema = freshSchema();
    const a = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    const b = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    await a.deliver(ALICE, { content: message(1) });
    const inA = await a.access(ALICE).open('INBOX');
    const inB = await b.access(ALICE).open('INBOX');
    await inB.messages();
    await inA.updateFlags([1], { operation: 'add', flags: ['\\Seen'] });
    // B's copy still has the old mod-sequence (no change feed here to refresh it): its write
    // would reuse one. It is refused by the database, and made again on a fresh copy.
    const result = await inB.updateFlags([1], { operation: 'add', flags: ['\\Flagged'] });
    expect(result.updated).toHaveLength(1);
    const [state] = await inB.messages();
    expect(state!.flags).toEqual(expect.arrayContaining(['\\Seen', '\\Flagged']));
    const [row] = await admin`SELECT flags, modseq FROM ${admin(schema)}.messages WHERE uid = 1`;
    expect([...row!.flags].sort()).toEqual(['\\Flagged', '\\Seen']);
    expect(Number(row!.modseq)).toBe(state!.modSeq);
    await a.close();
    await b.close();
  });

  it('records expunges for QRESYNC, across nodes', async () => {
    const schema = freshSchema();
    const a = await PostgresMailStore.open({ url: server.url(), schema });
    for (let i = 0; i < 3; i++) await a.deliver(ALICE, { content: message(i) });
    const inbox = await a.access(ALICE).open('INBOX');
    const before = (await inbox.status()).highestModSeq;
    await inbox.updateFlags([1, 3], { operation: 'add', flags: ['\\Deleted'] });
    expect(await inbox.expunge()).toEqual([1, 3]);
    const b = await PostgresMailStore.open({ url: server.url(), schema });
    const seen = await b.access(ALICE).open('INBOX');
    expect(await seen.vanishedSince(before)).toEqual([1, 3]);
    expect((await seen.messages()).map((m) => m.uid)).toEqual([2]);
    await a.close();
    await b.close();
  });

  it('keeps message bytes and summaries in the database, read whole or by range', async () => {
    const schema = freshSchema();
    const store = await PostgresMailStore.open({ url: server.url(), schema });
    // Over two chunks of a streamed read (1 MiB each).
    const big = Buffer.concat([
      Buffer.from('Subject: big\r\n\r\n'),
      Buffer.alloc(2.5 * 1024 * 1024, 'abcdefghij'),
    ]);
    await store.deliver(ALICE, { content: big });
    const inbox = await store.access(ALICE).open('INBOX');
    const chunks: Uint8Array[] = [];
    for await (const chunk of inbox.read(1)) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    const part: Uint8Array[] = [];
    for await (const chunk of inbox.read(1, { start: 14, end: 30 })) part.push(chunk);
    expect(Buffer.concat(part).toString()).toBe(big.subarray(14, 30).toString());
    const [record] = await inbox.fetch([1]);
    expect(record!.summary.subject).toBe('big');
    await store.close();
  });

  it('refuses a message over maxMessageSize as too-big, storing nothing', async () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(64 * 1024 * 1024);
    const schema = freshSchema();
    const store = await PostgresMailStore.open({
      url: server.url(),
      schema,
      maxMessageSize: 1000,
    });
    await expect(store.deliver(ALICE, { content: Buffer.alloc(1001, 'a') })).rejects.toSatisfy(
      (error: unknown) => isMailStoreError(error, 'too-big'),
    );
    await store.deliver(ALICE, { content: Buffer.alloc(1000, 'a') });
    const [row] = await admin`SELECT count(*)::int AS count FROM ${admin(schema)}.messages`;
    expect(row!.count).toBe(1);
    await store.close();
    expect(
      () => new PostgresMailStore({ url: server.url(), maxMessageSize: BYTEA_LIMIT + 1 }),
    ).toThrow(RangeError);
  });

  it('answers unavailable while the database is down, and works again once it is back', async () => {
    const schema = freshSchema();
    const store = await PostgresMailStore.open({
      url: server.url(),
      schema,
      connectTimeoutSeconds: 2,
    });
    await store.deliver(ALICE, { content: message(1) });
    await server.stop();
    try {
      await expect(store.deliver(ALICE, { content: message(2) })).rejects.toSatisfy(
        (error: unknown) => isMailStoreError(error, 'unavailable'),
      );
    } finally {
      await server.start();
    }
    await admin`SELECT 1`;
    // Every pooled connection died with the server; the store does not stay broken.
    await store.deliver(ALICE, { content: message(3) });
    const inbox = await store.access(ALICE).open('INBOX');
    // The failed append took no UID: the database gives them out in the write, and the
    // engine's index (so UIDNEXT as reported) never moved past 2.
    expect((await inbox.messages()).map((m) => m.uid)).toEqual([1, 2]);
    await store.close();
  });

  it('works again with the first operation after a restart, however long clients kept trying during the outage', async () => {
    const schema = freshSchema();
    const store = await PostgresMailStore.open({ url: server.url(), schema });
    await store.deliver(ALICE, { content: message(1) });
    await server.stop();
    try {
      // Clients go on through the outage: each operation is a failed connection attempt. With
      // the client's growing pause (its default), the pool then answered ECONNREFUSED without
      // trying for seconds after the server was back.
      const until = Date.now() + 1_500;
      while (Date.now() < until) {
        await expect(store.deliver(ALICE, { content: message(2) })).rejects.toSatisfy(
          (error: unknown) => isMailStoreError(error, 'unavailable'),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await server.start();
    }
    await store.deliver(ALICE, { content: message(3) });
    const inbox = await store.access(ALICE).open('INBOX');
    // Both messages are there; the second's UID may skip numbers, since an append that failed
    // keeps the UIDs it took (docs/mailstore.md, "UIDs").
    const uids = (await inbox.messages()).map((m) => m.uid);
    expect(uids).toHaveLength(2);
    expect(uids[0]).toBe(1);
    expect(uids[1]).toBeGreaterThan(1);
    inbox.close();
    await store.close();
  });

  it('refuses a reconnectDelayMs outside 0 to 60 000', () => {
    for (const reconnectDelayMs of [-1, 60_001, Number.NaN]) {
      expect(() => new PostgresMailStore({ url: server.url(), reconnectDelayMs })).toThrow(
        RangeError,
      );
    }
    expect(DEFAULT_RECONNECT_DELAY_MS).toBe(50);
  });
});
