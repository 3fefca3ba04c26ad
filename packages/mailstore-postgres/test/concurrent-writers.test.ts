import { type MailboxEvent, isMailStoreError } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PostgresMailStore } from '../src/index.js';
import { until } from './wait-until.js';

const ALICE = 'alice@example.com';
const message = (n: number) => Buffer.from(`Subject: message ${n}\r\n\r\nbody ${n}\r\n`);

/**
 * Counts, over the nodes, the calls of the named persistence methods (the writes of one kind,
 * whichever way the store makes them: those a node lacks are skipped).
 */
function countCalls(
  nodes: readonly PostgresMailStore[],
  methods: readonly string[],
): { attempts: number } {
  const counted = { attempts: 0 };
  for (const node of nodes) {
    const persistence = node.persistenceOverPostgres as unknown as Record<
      string,
      ((...args: unknown[]) => unknown) | undefined
    >;
    const wrap = (name: string, count: () => void) => {
      const original = persistence[name]?.bind(persistence);
      if (!original) return;
      persistence[name] = (...args: unknown[]) => {
        count();
        return original(...args);
      };
    };
    for (const name of methods) wrap(name, () => counted.attempts++);
  }
  return counted;
}

/**
 * Two store instances (two pools, as two server processes have) writing to one mailbox at once:
 * whoever loses a race is never told so, nothing one writes is lost by the other's write, and
 * UIDs and mod-sequences are never given twice.
 */
describeWithPostgres('concurrent writers on one mailbox from two nodes', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  let schemas = 0;
  const open: PostgresMailStore[] = [];
  const twoNodes = async (changeFeed: boolean) => {
    const schema = `writers_test_${++schemas}`;
    const a = await PostgresMailStore.open({ url: server.url(), schema, changeFeed });
    const b = await PostgresMailStore.open({ url: server.url(), schema, changeFeed });
    open.push(a, b);
    return { a, b, schema };
  };

  beforeAll(async () => {
    await server.start();
    admin = postgres(server.url(), { onnotice: () => {} });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await server.close();
  });

  it('makes a write that keeps losing to the other node’s writes, never answering unavailable', async () => {
    // No change feed: A's copy of the index is stale after every write of B's, and A learns
    // of it only from its own write being refused. A large mailbox makes reading the index
    // take far longer than one of B's writes, so a write that merely reads again and retries
    // keeps losing (it gave up after 20 attempts with `unavailable`).
    const { a, b } = await twoNodes(false);
    await a.provision(ALICE);
    await a.access(ALICE).append(
      'INBOX',
      Array.from({ length: 3000 }, (_, i) => ({ content: message(i) })),
    );
    const inA = await a.access(ALICE).open('INBOX');
    const inB = await b.access(ALICE).open('INBOX');
    await inA.messages();
    await inB.messages();

    let done = false;
    let written = 0;
    let bWriting!: () => void;
    const started = new Promise<void>((resolve) => (bWriting = resolve));
    // B flags message 1 on and off for as long as A's write is under way: one write after
    // another, each one making A's copy stale again.
    const hammer = (async () => {
      while (!done) {
        const operation = written % 2 === 0 ? 'add' : 'remove';
        await inB.updateFlags([1], { operation, flags: ['\\Flagged'] });
        if (++written === 3) bWriting();
      }
    })();
    // A starts once B is writing.
    await started;
    const flagged = inA
      .updateFlags([2], { operation: 'add', flags: ['\\Seen'] })
      .finally(() => (done = true));
    const appended = flagged.then(() =>
      a.access(ALICE).append('INBOX', [{ content: message(3001) }]),
    );
    await expect(flagged).resolves.toMatchObject({ updated: [{ uid: 2 }] });
    // Stored, under the next UID or one further: B's last flag change may commit after A's,
    // and A's first attempt, refused, keeps the UID it took (as any refused append does).
    const [stored] = await appended;
    expect(stored!.uid).toBeGreaterThanOrEqual(3001);
    expect(stored!.uid).toBeLessThanOrEqual(3002);
    await hammer;

    const [row] = await admin`
      SELECT flags FROM ${admin(open[0]!.persistenceOverPostgres.schema)}.messages WHERE uid = 2`;
    expect([...row!.flags]).toEqual(['\\Seen']);
  }, 60_000);

  it('loses no update, gives no UID or mod-sequence twice, and refuses nothing under mixed load', async () => {
    const { a, b, schema } = await twoNodes(true);
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(0) }]);
    const WORKERS = 4;
    const ROUNDS = 12;
    const appendedUids: number[] = [];
    const keywords: string[] = [];
    const heard = new Map<PostgresMailStore, MailboxEvent[]>();

    const worker = async (node: PostgresMailStore, name: string) => {
      const inbox = await node.access(ALICE).open('INBOX');
      let lastModSeq = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const [appended] = await node.access(ALICE).append('INBOX', [{ content: message(round) }]);
        appendedUids.push(appended!.uid);
        // Every worker adds a keyword of its own to message 1: each must survive the others.
        const keyword = `k-${name}-${round}`;
        keywords.push(keyword);
        const { updated } = await inbox.updateFlags([1], { operation: 'add', flags: [keyword] });
        // What one writer sees of the mailbox's mod-sequence only grows.
        expect(updated[0]!.modSeq).toBeGreaterThan(lastModSeq);
        lastModSeq = updated[0]!.modSeq;
        if (round % 2 === 1) {
          await inbox.updateFlags([appended!.uid], { operation: 'add', flags: ['\\Deleted'] });
          await inbox.expunge([appended!.uid]);
        }
      }
    };
    const listening = await Promise.all(
      [a, b].map(async (node) => {
        const events: MailboxEvent[] = [];
        heard.set(node, events);
        const inbox = await node.access(ALICE).open('INBOX');
        inbox.subscribe((event) => events.push(event));
        return inbox;
      }),
    );
    await Promise.all(
      Array.from({ length: WORKERS * 2 }, (_, i) =>
        worker(i % 2 === 0 ? a : b, `${i % 2 === 0 ? 'a' : 'b'}${i}`),
      ),
    );

    // No UID given twice, and every append got one.
    expect(new Set(appendedUids).size).toBe(WORKERS * 2 * ROUNDS);
    const messages = await admin`
      SELECT uid, modseq, flags FROM ${admin(schema)}.messages ORDER BY uid`;
    const expunged = await admin`SELECT uid, modseq FROM ${admin(schema)}.expunged`;
    const [counters] = await admin`SELECT uid_next, highest_modseq FROM ${admin(schema)}.mailboxes
      WHERE id = ${listening[0]!.id}`;
    // Nothing lost: every keyword is on message 1, and every append is there or was expunged.
    const first = messages.find((row) => Number(row.uid) === 1)!;
    expect([...first.flags].sort()).toEqual([...keywords].sort());
    const present = messages.map((row) => Number(row.uid));
    const gone = expunged.map((row) => Number(row.uid));
    expect([...present, ...gone].sort((x, y) => x - y)).toEqual(
      [1, ...appendedUids].sort((x, y) => x - y),
    );
    expect(gone).toHaveLength((WORKERS * 2 * ROUNDS) / 2);
    // Mod-sequences: each row's its own, none above the mailbox's highest.
    const modSeqs = messages.map((row) => Number(row.modseq));
    expect(new Set(modSeqs).size).toBe(modSeqs.length);
    expect(Math.max(...modSeqs, ...expunged.map((row) => Number(row.modseq)))).toBeLessThanOrEqual(
      Number(counters!.highest_modseq),
    );
    expect(Number(counters!.uid_next)).toBe(Math.max(...appendedUids) + 1);
    // Each node's subscribers heard mod-sequences that only grow.
    for (const events of heard.values()) {
      const seen = events.flatMap((event) => ('modSeq' in event ? [event.modSeq] : []));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
    }
  }, 60_000);

  it('tells a reader of a message another node expunged `expunged`, never `unavailable`', async () => {
    // Without a change feed A's index keeps messages B expunged: storage is what tells.
    const { a, b } = await twoNodes(false);
    await a.provision(ALICE);
    await a.access(ALICE).append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n) })),
    );
    const inA = await a.access(ALICE).open('INBOX');
    expect((await inA.messages()).map((m) => m.uid)).toEqual([1, 2, 3]);
    const inB = await b.access(ALICE).open('INBOX');
    await inB.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
    expect(await inB.expunge()).toEqual([2]);
    const code = (error: unknown) => (isMailStoreError(error) ? error.code : error);
    await expect(inA.fetch([1, 2, 3]).catch(code)).resolves.toBe('expunged');
    const reading = (async () => {
      for await (const chunk of inA.read(2)) void chunk;
    })();
    await expect(reading.catch(code)).resolves.toBe('expunged');
  });

  it('fetches what is left of messages another node expunged, once the change feed is on', async () => {
    const { a, b } = await twoNodes(true);
    await a.provision(ALICE);
    await a.access(ALICE).append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n) })),
    );
    const inA = await a.access(ALICE).open('INBOX');
    expect((await inA.messages()).map((m) => m.uid)).toEqual([1, 2, 3]);
    const inB = await b.access(ALICE).open('INBOX');
    await inB.updateFlags([1, 3], { operation: 'add', flags: ['\\Deleted'] });
    expect(await inB.expunge()).toEqual([1, 3]);
    // Whether A's feed has applied B's expunge yet or not, the answer is the same.
    expect((await inA.fetch([1, 2, 3])).map((record) => record.uid)).toEqual([2]);
    const contents = await inA.readMany!([1, 2].map((uid) => ({ uid, start: 0, end: 10 })));
    expect(contents[0]).toBeNull();
    expect(Buffer.from(contents[1]!).toString()).toBe('Subject: m');
  });

  it('makes a read of a message appended on this node wait for its row, not answer unavailable', async () => {
    // The engine's index shows a new message before its row is committed: a session that
    // fetches it meanwhile (it heard of it, or counted it) found no row and was told
    // `unavailable`. A big message keeps the row uncommitted for a while.
    const { a } = await twoNodes(false);
    await a.provision(ALICE);
    const reader = await a.access(ALICE).open('INBOX');
    expect(await reader.messages()).toEqual([]);
    const big = Buffer.concat([message(1), Buffer.alloc(32 * 1024 * 1024, 0x61)]);
    const appending = a.access(ALICE).append('INBOX', [{ content: big }]);
    // Until the engine's index has it: the row's INSERT (32 MiB) is still on its way then.
    while ((await reader.messages()).length === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const [record] = await reader.fetch([1]);
    expect(record!.summary).toBeDefined();
    const [bytes] = await reader.readMany!([{ uid: 1, start: 0, end: 9 }]);
    expect(Buffer.from(bytes!).toString()).toBe('Subject: ');
    await expect(appending).resolves.toMatchObject([{ uid: 1 }]);
  }, 60_000);

  it('restores through the database numbering: a message keeps the UID it asks for when free, and no attempt is refused', async () => {
    // A restore (messages that ask for their UIDs) was numbered by the engine and written
    // optimistically: refused when another node had written first, and made again.
    // No change feed: A learns of B's appends only from what its own writes bring back.
    const { a, b } = await twoNodes(false);
    await a.provision(ALICE);
    const inA = await a.access(ALICE).open('INBOX');
    await inA.messages();
    const numbered = countCalls([a], ['appendAllocating']);
    const engineNumbered = countCalls([a], ['addMessages']);
    await b.access(ALICE).append('INBOX', [{ content: message(1) }]);
    const [kept] = await a.access(ALICE).append('INBOX', [{ content: message(5), uid: 5 }]);
    expect(kept!.uid).toBe(5);
    // A UID below UIDNEXT is never given again: the next one is.
    const [next] = await a.access(ALICE).append('INBOX', [{ content: message(3), uid: 3 }]);
    expect(next!.uid).toBe(6);
    await b.access(ALICE).append('INBOX', [{ content: message(7) }]);
    // Several at once: each the one it asks for when not below the one before, else the next.
    const batch = await a
      .access(ALICE)
      .append('INBOX', [
        { content: message(10), uid: 10 },
        { content: message(9), uid: 9 },
        { content: message(12) },
        { content: message(20), uid: 20 },
      ]);
    expect(batch.map((result) => result.uid)).toEqual([10, 11, 12, 20]);
    const [after] = await b.access(ALICE).append('INBOX', [{ content: message(21) }]);
    expect(after!.uid).toBe(21);
    expect(numbered.attempts).toBe(3);
    expect(engineNumbered.attempts).toBe(0);
    // A's index has B's appends too, brought back by its own, and the database agrees.
    expect((await inA.messages()).map((m) => m.uid)).toEqual([1, 5, 6, 7, 10, 11, 12, 20]);
    const inB = await b.access(ALICE).open('INBOX');
    expect((await inB.messages()).map((m) => m.uid)).toEqual([1, 5, 6, 7, 10, 11, 12, 20, 21]);
  });

  it('a flag change behind another node’s writes brings them back in its own statement, without a read of its own', async () => {
    // No change feed: A learns of B's writes only from what its own write brings back.
    const { a, b, schema } = await twoNodes(false);
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const inA = await a.access(ALICE).open('INBOX');
    await inA.messages();
    const inB = await b.access(ALICE).open('INBOX');
    await inB.updateFlags([1], { operation: 'add', flags: ['\\Flagged'] });
    await b.access(ALICE).append('INBOX', [{ content: message(3) }]);
    const persistence = a.persistenceOverPostgres;
    const changesSince = persistence.changesSince.bind(persistence);
    let reads = 0;
    persistence.changesSince = (mailboxId, modSeq) => {
      reads++;
      return changesSince(mailboxId, modSeq);
    };
    await inA.updateFlags([1], { operation: 'add', flags: ['\\Seen'] });
    expect(reads).toBe(0);
    // Both nodes' changes are kept, and A's copy has B's append.
    const [row] = await admin`
      SELECT flags FROM ${admin(schema)}.messages WHERE uid = 1`;
    expect([...row!.flags].sort()).toEqual(['\\Flagged', '\\Seen']);
    expect((await inA.messages()).map((m) => m.uid)).toEqual([1, 2, 3]);
    const [appended] = await a.access(ALICE).append('INBOX', [{ content: message(4) }]);
    expect(appended!.uid).toBe(4);
  });
  it('numbers concurrent appends from two nodes in the database: none refused or made again, no UID skipped', async () => {
    const { a, b, schema } = await twoNodes(true);
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(0) }]);
    const WORKERS = 4;
    const ROUNDS = 15;
    const total = WORKERS * 2 * ROUNDS;
    // Every attempt at storing an append, whichever way the store makes it.
    const calls = countCalls([a, b], ['addMessages', 'appendAllocating']);
    // Each node's subscribers: the UIDs they hear appended, in the order heard.
    const heard = new Map<PostgresMailStore, number[]>();
    for (const node of [a, b]) {
      const uids: number[] = [];
      heard.set(node, uids);
      const inbox = await node.access(ALICE).open('INBOX');
      inbox.subscribe((event) => {
        if (event.type === 'appended') uids.push(...event.messages.map((m) => m.uid));
      });
    }
    const uids: number[] = [];
    await Promise.all(
      Array.from({ length: WORKERS * 2 }, async (_, i) => {
        const node = i % 2 === 0 ? a : b;
        for (let round = 0; round < ROUNDS; round++) {
          const [stored] = await node.access(ALICE).append('INBOX', [{ content: message(round) }]);
          uids.push(stored!.uid);
        }
      }),
    );
    expect(calls.attempts).toBe(total);
    // UIDs 2 to total + 1, each once: no refused attempt took one and left a gap.
    const expected = Array.from({ length: total }, (_, i) => i + 2);
    expect([...uids].sort((x, y) => x - y)).toEqual(expected);
    const rows = await admin`SELECT uid, modseq FROM ${admin(schema)}.messages ORDER BY uid`;
    expect(rows.map((row) => Number(row.uid))).toEqual([1, ...expected]);
    // The database gave UIDs and mod-sequences in one order.
    const modSeqs = rows.map((row) => Number(row.modseq));
    expect(modSeqs).toEqual([...modSeqs].sort((x, y) => x - y));
    // Each node's subscribers hear every append, in UID order, each once.
    for (const node of [a, b]) {
      await until(() => heard.get(node)!.length >= total, 'every append heard');
      expect(heard.get(node)).toEqual(expected);
    }
  }, 60_000);

  it('brings back the other node’s writes with an append, applied and told before it', async () => {
    // No change feed: A learns of B's writes only from its own append.
    const { a, b } = await twoNodes(false);
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const inA = await a.access(ALICE).open('INBOX');
    await inA.messages();
    const heard: MailboxEvent[] = [];
    inA.subscribe((event) => heard.push(event));
    const inB = await b.access(ALICE).open('INBOX');
    await inB.updateFlags([1], { operation: 'add', flags: ['\\Flagged'] });
    await inB.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
    await inB.expunge([2]);
    await b.access(ALICE).append('INBOX', [{ content: message(3) }]);
    const [stored] = await a.access(ALICE).append('INBOX', [{ content: message(4) }]);
    expect(stored!.uid).toBe(4);
    const summary = (event: MailboxEvent) =>
      event.type === 'appended' || event.type === 'flags'
        ? { type: event.type, uids: event.messages.map((m) => m.uid), modSeq: event.modSeq }
        : event.type === 'expunged'
          ? { type: event.type, uids: event.uids, modSeq: event.modSeq }
          : { type: event.type };
    // B's expunge, flag change and append, then A's own append: in mod-sequence order.
    expect(heard.map(summary)).toEqual([
      { type: 'expunged', uids: [2], modSeq: 7 },
      { type: 'flags', uids: [1], modSeq: 7 },
      { type: 'appended', uids: [3], modSeq: 7 },
      { type: 'appended', uids: [4], modSeq: 8 },
    ]);
    expect((await inA.messages()).map((m) => [m.uid, m.flags])).toEqual([
      [1, ['\\Flagged']],
      [3, []],
      [4, []],
    ]);
  });
  it('computes concurrent flag changes from two nodes in the database: none refused or made again, none lost', async () => {
    const { a, b, schema } = await twoNodes(true);
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const WORKERS = 4;
    const ROUNDS = 10;
    const calls = countCalls([a, b], ['updateFlags', 'updateFlagsAllocating']);
    const heard = new Map<PostgresMailStore, number[]>();
    for (const node of [a, b]) {
      const modSeqs: number[] = [];
      heard.set(node, modSeqs);
      const inbox = await node.access(ALICE).open('INBOX');
      inbox.subscribe((event) => {
        if (event.type === 'flags') modSeqs.push(event.modSeq);
      });
    }
    const keywords: string[] = [];
    await Promise.all(
      Array.from({ length: WORKERS * 2 }, async (_, i) => {
        const node = i % 2 === 0 ? a : b;
        const inbox = await node.access(ALICE).open('INBOX');
        for (let round = 0; round < ROUNDS; round++) {
          const keyword = `k-${i}-${round}`;
          keywords.push(keyword);
          await inbox.updateFlags([1], { operation: 'add', flags: [keyword] });
          await inbox.updateFlags([2], {
            operation: round % 2 === 0 ? 'add' : 'remove',
            flags: ['\\Flagged'],
          });
        }
      }),
    );
    expect(calls.attempts).toBe(WORKERS * 2 * ROUNDS * 2);
    const rows = await admin`SELECT uid, modseq, flags FROM ${admin(schema)}.messages ORDER BY uid`;
    expect([...rows[0]!.flags].sort()).toEqual([...keywords].sort());
    const [counters] = await admin`SELECT highest_modseq FROM ${admin(schema)}.mailboxes
      WHERE id = ${(await a.access(ALICE).open('INBOX')).id}`;
    const highest = Number(counters!.highest_modseq);
    for (const node of [a, b]) {
      // Each node's subscribers hear mod-sequences that only grow, up to the mailbox's.
      await until(async () => {
        const inbox = await node.access(ALICE).open('INBOX');
        return (await inbox.status()).highestModSeq >= highest;
      }, 'the other node’s changes');
      const seen = heard.get(node)!;
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(seen[seen.length - 1]).toBe(highest);
    }
  }, 60_000);
  it('numbers concurrent expunges from two nodes in the database: none refused or made again, each told once', async () => {
    const { a, b, schema } = await twoNodes(true);
    await a.provision(ALICE);
    const COUNT = 40;
    await a.access(ALICE).append(
      'INBOX',
      Array.from({ length: COUNT }, (_, i) => ({ content: message(i), flags: ['\\Deleted'] })),
    );
    const counted = countCalls([a, b], ['removeMessages', 'removeAllocating']);
    const heard = new Map<PostgresMailStore, number[]>();
    const inboxes = new Map<
      PostgresMailStore,
      Awaited<ReturnType<ReturnType<PostgresMailStore['access']>['open']>>
    >();
    for (const node of [a, b]) {
      const uids: number[] = [];
      heard.set(node, uids);
      const inbox = await node.access(ALICE).open('INBOX');
      await inbox.messages();
      inboxes.set(node, inbox);
      inbox.subscribe((event) => {
        if (event.type === 'expunged') uids.push(...event.uids);
      });
    }
    // Each UID expunged from both nodes at once: one of the two removes it.
    let calls = 0;
    await Promise.all(
      [a, b].map(async (node) => {
        const inbox = await node.access(ALICE).open('INBOX');
        for (let uid = 1; uid <= COUNT; uid++) {
          calls++;
          await inbox.expunge([uid]);
        }
      }),
    );
    // At most one attempt per call; a call that finds the message gone here sends nothing.
    expect(counted.attempts).toBeLessThanOrEqual(calls);
    const all = Array.from({ length: COUNT }, (_, i) => i + 1);
    const logged = await admin`SELECT uid, modseq FROM ${admin(schema)}.expunged ORDER BY uid`;
    expect(logged.map((row) => Number(row.uid))).toEqual(all);
    const [counters] = await admin`SELECT highest_modseq FROM ${admin(schema)}.mailboxes
      WHERE id = ${inboxes.get(a)!.id}`;
    const highest = Number(counters!.highest_modseq);
    expect(new Set(logged.map((row) => Number(row.modseq))).size).toBe(COUNT);
    for (const node of [a, b]) {
      const inbox = inboxes.get(node)!;
      await until(async () => (await inbox.status()).highestModSeq >= highest, 'every expunge');
      // Each UID told gone once, and QRESYNC's log has every one.
      expect([...heard.get(node)!].sort((x, y) => x - y)).toEqual(all);
      expect(await inbox.vanishedSince(1)).toEqual(all);
      expect(await inbox.messages()).toEqual([]);
    }
  }, 60_000);
});
