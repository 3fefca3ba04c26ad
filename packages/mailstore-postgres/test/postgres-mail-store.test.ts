import { isMailStoreError } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BYTEA_LIMIT,
  CACHED_MESSAGE_MAX,
  DEFAULT_CONTENT_CACHE_BYTES,
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

  it('serves a message read before from its cache of bytes, which never holds more than contentCacheBytes', async () => {
    expect(DEFAULT_CONTENT_CACHE_BYTES).toBe(32 * 1024 * 1024);
    const schema = freshSchema();
    // Four messages of 1,000 octets, a cache of 3,000: the fourth read pushes the first out.
    const store = await PostgresMailStore.open({
      url: server.url(),
      schema,
      contentCacheBytes: 3000,
    });
    const body = (n: number) =>
      Buffer.concat([message(n), Buffer.alloc(1000 - message(n).length, 'x')]);
    for (let n = 1; n <= 4; n++) await store.deliver(ALICE, { content: body(n) });
    const inbox = await store.access(ALICE).open('INBOX');
    const readPart = async (uid: number) =>
      Buffer.from((await inbox.readMany!([{ uid, start: 0, end: 40 }]))[0]!).toString();
    const cache = store.persistenceOverPostgres.contents;
    for (let uid = 1; uid <= 3; uid++)
      expect(await readPart(uid)).toBe(body(uid).subarray(0, 40).toString());
    await Promise.all([1, 2, 3].map(readPart));
    expect(cache.size).toBe(3);
    // Rewritten behind the store's back (bytes never change, so the cache may serve them):
    // a kept message comes from memory, one the cache let go of from the database.
    await admin`UPDATE ${admin(schema)}.messages SET content = convert_to(repeat('Z', 1000), 'UTF8')`;
    expect(await readPart(2)).toBe(body(2).subarray(0, 40).toString());
    const streamed: Uint8Array[] = [];
    for await (const chunk of inbox.read(3, { start: 10, end: 20 })) streamed.push(chunk);
    expect(Buffer.concat(streamed).toString()).toBe(body(3).subarray(10, 20).toString());
    // The fourth read is over the limit with the other three kept: the least recently used
    // (UID 1) goes, and is read from the database again.
    expect(await readPart(4)).toBe('Z'.repeat(40));
    expect(cache.bytes).toBeLessThanOrEqual(3000);
    expect(cache.size).toBe(3);
    // UID 1 read again pushes out UID 2, now the least recently used; UID 3 stays.
    expect(await readPart(1)).toBe('Z'.repeat(40));
    expect(await readPart(3)).toBe(body(3).subarray(0, 40).toString());
    expect(await readPart(2)).toBe('Z'.repeat(40));
    expect(cache.bytes).toBeLessThanOrEqual(3000);
    inbox.close();
    await store.close();
  });

  it('keeps the bytes of a message it appended (numbered by the database), not those of another node', async () => {
    const schema = freshSchema();
    // A hears nothing of B (no change feed): its append is numbered after B's by the database.
    const a = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    const b = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.messages();
    await b.access(ALICE).append('INBOX', [{ content: message(1) }]);
    const [result] = await a.access(ALICE).append('INBOX', [{ content: message(2) }]);
    expect(result!.uid).toBe(2);
    const cache = a.persistenceOverPostgres.contents;
    expect(cache.size).toBe(1);
    await admin`UPDATE ${admin(schema)}.messages SET content = convert_to('Subject: rewritten', 'UTF8')`;
    const parts = await onA.readMany!([
      { uid: 1, start: 0, end: 18 },
      { uid: 2, start: 0, end: 18 },
    ]);
    // UID 1 is read from the database (B's message, as rewritten); UID 2 comes from memory.
    expect(parts.map((part) => Buffer.from(part!).toString())).toEqual([
      'Subject: rewritten',
      message(2).subarray(0, 18).toString(),
    ]);
    onA.close();
    await a.close();
    await b.close();
  });

  it('tells a reader of kept bytes that another node expunged the message, as without them', async () => {
    const schema = freshSchema();
    // A hears nothing of B: its index keeps the message, its cache the bytes; storage tells.
    const a = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    const b = await PostgresMailStore.open({ url: server.url(), schema, changeFeed: false });
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.readMany!([1, 2].map((uid) => ({ uid, start: 0, end: 10 })));
    expect(a.persistenceOverPostgres.contents.size).toBe(2);
    const onB = await b.access(ALICE).open('INBOX');
    await onB.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    expect(await onB.expunge()).toEqual([1]);
    // Never the kept bytes of a message that is gone: without a change feed to bring the
    // index up to date, a batch read is refused whole (`unavailable`, as it was without the
    // cache; with the feed, the index catches up and the message is left out, tested in
    // concurrent-writers.test.ts); a read of the one message is told `expunged`.
    await expect(
      onA.readMany!([1, 2].map((uid) => ({ uid, start: 0, end: 10 }))),
    ).rejects.toSatisfy((error: unknown) => isMailStoreError(error));
    const reading = (async () => {
      for await (const chunk of onA.read(1, { start: 0, end: 10 })) void chunk;
    })();
    await expect(reading).rejects.toSatisfy((error: unknown) =>
      isMailStoreError(error, 'expunged'),
    );
    onA.close();
    onB.close();
    await a.close();
    await b.close();
  });

  it('keeps no bytes with contentCacheBytes 0, nor messages over CACHED_MESSAGE_MAX', async () => {
    const schema = freshSchema();
    const none = await PostgresMailStore.open({ url: server.url(), schema, contentCacheBytes: 0 });
    const big = Buffer.concat([message(1), Buffer.alloc(CACHED_MESSAGE_MAX, 'y')]);
    await none.deliver(ALICE, { content: message(2) });
    await none.deliver(ALICE, { content: big });
    const inbox = await none.access(ALICE).open('INBOX');
    const parts = await inbox.readMany!([
      { uid: 1, start: 0, end: 10 },
      { uid: 2, start: 0, end: 10 },
    ]);
    expect(parts.map((part) => Buffer.from(part!).toString())).toEqual([
      message(2).subarray(0, 10).toString(),
      big.subarray(0, 10).toString(),
    ]);
    expect(none.persistenceOverPostgres.contents.size).toBe(0);
    inbox.close();
    await none.close();
    const some = await PostgresMailStore.open({ url: server.url(), schema });
    const again = await some.access(ALICE).open('INBOX');
    await again.readMany!([
      { uid: 1, start: 0, end: 10 },
      { uid: 2, start: 0, end: 10 },
    ]);
    // The small one only.
    expect(some.persistenceOverPostgres.contents.size).toBe(1);
    again.close();
    await some.close();
    for (const contentCacheBytes of [-1, 1.5, Number.NaN]) {
      expect(() => new PostgresMailStore({ url: server.url(), contentCacheBytes })).toThrow(
        RangeError,
      );
    }
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
