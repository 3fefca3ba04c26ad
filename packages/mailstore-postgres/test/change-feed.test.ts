import type { MailboxEvent, OpenMailbox } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CARRIED_NOTICES_MAX, NOTICE_PAYLOAD_MAX, PostgresMailStore } from '../src/index.js';
import { until } from './wait-until.js';

const ALICE = 'alice@example.com';
const message = (n: number) => Buffer.from(`Subject: message ${n}\r\n\r\nbody ${n}\r\n`);

/** The events a mailbox's subscribers hear, and a way to wait for one that matches. */
function recorder(mailbox: OpenMailbox) {
  const events: MailboxEvent[] = [];
  const waiters: { match: (event: MailboxEvent) => boolean; resolve: (e: MailboxEvent) => void }[] =
    [];
  mailbox.subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  return {
    events,
    next(match: (event: MailboxEvent) => boolean): Promise<MailboxEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** Counts the catch-up reads a node makes from now on. */
function countReads(store: PostgresMailStore): () => number {
  const persistence = store.persistenceOverPostgres;
  const changesSince = persistence.changesSince.bind(persistence);
  let reads = 0;
  persistence.changesSince = (mailboxId, modSeq) => {
    reads++;
    return changesSince(mailboxId, modSeq);
  };
  return () => reads;
}

describeWithPostgres('the change feed across nodes (LISTEN/NOTIFY)', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  let schemas = 0;
  const open: PostgresMailStore[] = [];
  const twoNodes = async () => {
    const schema = `feed_test_${++schemas}`;
    const a = await PostgresMailStore.open({
      url: server.url(),
      schema,
      applicationName: `a_${schema}`,
    });
    const b = await PostgresMailStore.open({
      url: server.url(),
      schema,
      applicationName: `b_${schema}`,
    });
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

  it('tells a session on node A of an append, a flag change and an expunge made through node B', async () => {
    const { a, b } = await twoNodes();
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    const heard = recorder(onA);
    await b.deliver(ALICE, { content: message(1) });
    const appended = await heard.next((e) => e.type === 'appended');
    expect(appended).toMatchObject({ type: 'appended', messages: [{ uid: 1, flags: [] }] });
    // Node A's own view has the message: its index was brought up to date.
    expect((await onA.messages()).map((m) => m.uid)).toEqual([1]);

    const onB = await b.access(ALICE).open('INBOX');
    await onB.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    const flags = await heard.next((e) => e.type === 'flags');
    expect(flags).toMatchObject({ type: 'flags', messages: [{ uid: 1, flags: ['\\Deleted'] }] });
    await onB.expunge();
    const expunged = await heard.next((e) => e.type === 'expunged');
    expect(expunged).toMatchObject({ type: 'expunged', uids: [1] });
    expect(await onA.messages()).toEqual([]);
    expect((await onA.status()).highestModSeq).toBe((await onB.status()).highestModSeq);
    // And A writes on top of B's changes without a conflict.
    const [result] = await a.access(ALICE).append('INBOX', [{ content: message(2) }]);
    expect(result!.uid).toBe(2);
  });

  it('applies an append, a flag change and an expunge from what their notices carry, without a read', async () => {
    const { a, b } = await twoNodes();
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.messages();
    const heard = recorder(onA);
    const reads = countReads(a);
    await b.access(ALICE).append('INBOX', [{ content: message(1), flags: ['\\Seen'] }]);
    await heard.next((e) => e.type === 'appended');
    const onB = await b.access(ALICE).open('INBOX');
    await onB.updateFlags([1], { operation: 'add', flags: ['\\Deleted', 'urgent'] });
    await heard.next((e) => e.type === 'flags');
    await b.deliver(ALICE, { content: message(2) });
    await heard.next((e) => e.type === 'appended' && e.messages[0]!.uid === 2);
    await onB.expunge();
    await heard.next((e) => e.type === 'expunged');
    expect(heard.events.map((e) => e.type)).toEqual(['appended', 'flags', 'appended', 'expunged']);
    // A's copy is the database's, entry for entry, and not one catch-up read was made.
    expect(await onA.messages()).toEqual(await onB.messages());
    // \Recent is each node's own.
    expect({ ...(await onA.status()), recent: 0 }).toEqual({ ...(await onB.status()), recent: 0 });
    expect(reads()).toBe(0);
    expect(a.noticesAppliedWithoutRead).toBe(4);
    // A's known copy followed too: A's own write goes through at once, on top of them.
    const [result] = await a.access(ALICE).append('INBOX', [{ content: message(3) }]);
    expect(result!.uid).toBe(3);
    expect(reads()).toBe(0);
  });

  it('reads what changed when a notice was missed, or its change too big to carry', async () => {
    const { a, b, schema } = await twoNodes();
    await a.provision(ALICE);
    await b.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const onA = await a.access(ALICE).open('INBOX');
    await until(async () => (await onA.messages()).length === 2, 'A to see both messages');
    const heard = recorder(onA);
    const reads = countReads(a);
    // A change whose notice never came (made behind both nodes' backs, as by a lost notice):
    // B's next notice carries a change whose base A's copy is not at.
    await admin`
      WITH counters AS (
        UPDATE ${admin(schema)}.mailboxes SET highest_modseq = highest_modseq + 1
        RETURNING id, highest_modseq)
      UPDATE ${admin(schema)}.messages AS m SET flags = ARRAY[${'\\Answered'}]::text[], modseq = counters.highest_modseq
      FROM counters WHERE m.mailbox_id = counters.id AND m.uid = 1`;
    const onB = await b.access(ALICE).open('INBOX');
    await onB.updateFlags([2], { operation: 'add', flags: ['\\Flagged'] });
    const flagsOf = (uid: number) =>
      heard.events.some((e) => e.type === 'flags' && e.messages.some((m) => m.uid === uid));
    await until(() => flagsOf(1) && flagsOf(2), 'A to hear both flag changes');
    expect(reads()).toBe(1);
    const onADb = (await onA.messages()).map((m) => [m.uid, m.flags]);
    expect(onADb).toEqual([
      [1, ['\\Answered']],
      [2, ['\\Flagged']],
    ]);
    // A change too big for a notice (PostgreSQL takes under 8,000 bytes) goes without it.
    const keywords = Array.from({ length: 400 }, (_, i) => `keyword-number-${i}`);
    await onB.updateFlags([1, 2], { operation: 'add', flags: keywords });
    await until(
      async () => (await onA.messages()).every((m) => m.flags.includes('keyword-number-399')),
      'A to see the keywords',
    );
    expect(reads()).toBe(2);
    expect(await onA.messages()).toEqual(await onB.messages());
  });

  it('applies the database-numbered writes of the other node from their notices, and reads when one is too big', async () => {
    const { a, b } = await twoNodes();
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.messages();
    // What B's writes notify, as any listener hears it.
    const notices: string[] = [];
    const listening = await admin.listen(b.persistenceOverPostgres.channel, (payload) => {
      notices.push(payload);
    });
    const heard = recorder(onA);
    const reads = countReads(a);
    // Two messages in one write, then one, each numbered by the database.
    await b.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    await heard.next((e) => e.type === 'appended' && e.messages.some((m) => m.uid === 2));
    await b.access(ALICE).append('INBOX', [{ content: message(3), flags: ['\\Flagged'] }]);
    await heard.next((e) => e.type === 'appended' && e.messages[0]!.uid === 3);
    const onB = await b.access(ALICE).open('INBOX');
    await onB.updateFlags([1, 3], { operation: 'add', flags: ['\\Deleted', 'urgent'] });
    await heard.next((e) => e.type === 'flags');
    await onB.expunge();
    await heard.next((e) => e.type === 'expunged');
    expect(await onA.messages()).toEqual(await onB.messages());
    expect(reads()).toBe(0);
    expect(a.noticesAppliedWithoutRead).toBe(4);
    // A change whose notice would pass NOTIFY's limit goes without it: A reads it.
    const keywords = Array.from({ length: 400 }, (_, i) => `keyword-number-${i}`);
    await b.access(ALICE).append('INBOX', [{ content: message(4), flags: keywords }]);
    await heard.next((e) => e.type === 'appended' && e.messages[0]!.uid === 4);
    expect(reads()).toBe(1);
    await onB.updateFlags([2], { operation: 'add', flags: ['another'] });
    await heard.next((e) => e.type === 'flags' && e.messages[0]!.flags.includes('another'));
    expect(reads()).toBe(1);
    await onB.updateFlags([2], { operation: 'add', flags: keywords });
    await until(
      async () => (await onA.messages())[0]!.flags.includes('keyword-number-399'),
      'A to see the keywords',
    );
    expect(reads()).toBe(2);
    expect(await onA.messages()).toEqual(await onB.messages());
    expect(a.noticesAppliedWithoutRead).toBe(5);
    // Every notice fits, begins with its node (how a node skips its own) and carries a change
    // unless that would not fit.
    await until(() => notices.length >= 7, 'the seven notices of B’s writes');
    await listening.unlisten();
    const fromB = notices.map((text) => JSON.parse(text) as { n: string; c?: unknown });
    expect(notices.every((text) => Buffer.byteLength(text) <= NOTICE_PAYLOAD_MAX)).toBe(true);
    expect(notices.every((text) => text.startsWith(`{"n":${JSON.stringify(fromB[0]!.n)},`))).toBe(
      true,
    );
    expect(fromB.map((notice) => notice.c !== undefined)).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it('tells node A of a rename and a delete made through node B', async () => {
    const { a, b } = await twoNodes();
    await a.access(ALICE).create('Projects');
    await a.access(ALICE).create('Old');
    const projects = await a.access(ALICE).open('Projects');
    const old = await a.access(ALICE).open('Old');
    const heardProjects = recorder(projects);
    const heardOld = recorder(old);
    await b.access(ALICE).rename('Projects', 'Archive/Projects');
    await heardProjects.next((e) => e.type === 'renamed');
    // The open mailbox follows it: still usable under its new name.
    expect(await projects.messages()).toEqual([]);
    const names = (await a.access(ALICE).list()).map((m) => m.name);
    expect(names).toContain('Archive/Projects');
    expect(names).not.toContain('Projects');
    await b.access(ALICE).delete('Old');
    await heardOld.next((e) => e.type === 'deleted');
    expect((await a.access(ALICE).list()).map((m) => m.name)).not.toContain('Old');
  });

  it('catches up from the last mod-sequence seen after its listening connection is killed', async () => {
    // Node A logs in as a role of its own, so that it can be kept from reconnecting for a while.
    const role = `node_a_${++schemas}`;
    await admin`CREATE ROLE ${admin(role)} LOGIN SUPERUSER`;
    const schema = `feed_test_${schemas}`;
    const url = server.url().replace('postgres@', `${role}@`);
    const a = await PostgresMailStore.open({ url, schema });
    const b = await PostgresMailStore.open({ url: server.url(), schema });
    open.push(a, b);
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    const heard = recorder(onA);
    await admin`ALTER ROLE ${admin(role)} NOLOGIN`;
    const killed = await admin`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE usename = ${role} AND query ILIKE 'listen%'`;
    expect(killed.length).toBe(1);
    // Made while A cannot listen: the notices are lost, the changes are not.
    await b.deliver(ALICE, { content: message(1) });
    await b.deliver(ALICE, { content: message(2) });
    await admin`ALTER ROLE ${admin(role)} LOGIN`;
    await heard.next((e) => e.type === 'appended' && e.messages.some((m) => m.uid === 2));
    expect((await onA.messages()).map((m) => m.uid)).toEqual([1, 2]);
    const uids = heard.events.flatMap((e) =>
      e.type === 'appended' ? e.messages.map((m) => m.uid) : [],
    );
    expect(uids.sort()).toEqual([1, 2]);
  });

  it('reads once for a burst of the other node’s writes, and still tells every change', async () => {
    const { a, b, schema } = await twoNodes();
    await a.provision(ALICE);
    const onB = await b.access(ALICE).open('INBOX');
    await b.access(ALICE).append(
      'INBOX',
      Array.from({ length: 40 }, (_, i) => ({ content: message(i) })),
    );
    const onA = await a.access(ALICE).open('INBOX');
    await until(async () => (await onA.messages()).length === 40, 'A to see the 40 messages');
    const heard = recorder(onA);
    // Every notice B's writes send, heard by a listener of the test's own.
    let notices = 0;
    const listening = await admin.listen(`mailyard_changes:${schema}`, () => notices++);
    // The catch-up reads A makes from now on.
    const persistence = a.persistenceOverPostgres;
    const changesSince = persistence.changesSince.bind(persistence);
    let reads = 0;
    persistence.changesSince = (mailboxId, modSeq) => {
      reads++;
      return changesSince(mailboxId, modSeq);
    };
    // A is busy in the tree (its lock held, as by a long write) while B writes 40 times.
    let release!: () => void;
    const busy = a.mutex.run([ALICE], () => new Promise<void>((resolve) => (release = resolve)));
    for (let uid = 1; uid <= 40; uid++)
      await onB.updateFlags([uid], { operation: 'add', flags: ['\\Flagged'] });
    await until(() => notices >= 40, 'the 40 notices');
    release();
    await busy;
    const flagged = () =>
      new Set(
        heard.events.flatMap((event) =>
          event.type === 'flags'
            ? event.messages.filter((m) => m.flags.includes('\\Flagged')).map((m) => m.uid)
            : [],
        ),
      );
    await until(() => flagged().size === 40, 'A to hear the 40 flag changes');
    expect((await onA.status()).highestModSeq).toBe((await onB.status()).highestModSeq);
    // One read per notice before (40); now the notices that came while A was busy share one,
    // and a notice of a change A's copy already holds reads nothing.
    expect(reads).toBeLessThan(5);
    await listening.unlisten();
  });

  it('holds at most CARRIED_NOTICES_MAX changes for a catch-up waiting for the lock, and reads the rest', async () => {
    const { a, b, schema } = await twoNodes();
    await a.provision(ALICE);
    await b.access(ALICE).append('INBOX', [{ content: message(1) }]);
    const onA = await a.access(ALICE).open('INBOX');
    await until(async () => (await onA.messages()).length === 1, 'A to see the message');
    const onB = await b.access(ALICE).open('INBOX');
    // Counted on A's own connection, after its feed's listener (as below): a notice counted here
    // has reached A's feed. (Counted on another connection, the notices could still be on their
    // way to A when the lock is released, and be applied one by one with no read: seen once.)
    const persistence = a.persistenceOverPostgres;
    let notices = 0;
    const listening = await persistence.sql.listen(`mailyard_changes:${schema}`, (payload) => {
      if ((JSON.parse(payload) as { n: string }).n !== persistence.node) notices++;
    });
    const reads = countReads(a);
    const applied = a.noticesAppliedWithoutRead;
    // A's tree lock held while B makes one flag change more than a waiting catch-up holds.
    let release!: () => void;
    const busy = a.mutex.run([ALICE], () => new Promise<void>((resolve) => (release = resolve)));
    for (let i = 0; i <= CARRIED_NOTICES_MAX; i++)
      await onB.updateFlags([1], { operation: i % 2 === 0 ? 'add' : 'remove', flags: ['\\Seen'] });
    await until(() => notices > CARRIED_NOTICES_MAX, 'the notices');
    release();
    await busy;
    const target = (await onB.status()).highestModSeq;
    await until(async () => (await onA.status()).highestModSeq === target, 'A to catch up');
    expect(await onA.messages()).toEqual(await onB.messages());
    // The changes past the bound were dropped, and the catch-up read them all at once.
    expect(reads()).toBe(1);
    expect(a.noticesAppliedWithoutRead - applied).toBe(0);
    await listening.unlisten();
  });

  it('applies a notice that waits for the tree’s lock before a write, which goes through at once', async () => {
    const { a, b, schema } = await twoNodes();
    await a.provision(ALICE);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.messages();
    // Registered after the feed's, on its connection: called right after the feed saw a notice.
    // Only B's: A's own (its tree's creation) may arrive late.
    const persistence = a.persistenceOverPostgres;
    let heardAtA = 0;
    const listening = await persistence.sql.listen(`mailyard_changes:${schema}`, (payload) => {
      if ((JSON.parse(payload) as { n: string }).n !== persistence.node) heardAtA++;
    });
    let attempts = 0;
    const addMessages = persistence.addMessages.bind(persistence);
    persistence.addMessages = (tree, mailbox, messages) => {
      attempts++;
      return addMessages(tree, mailbox, messages);
    };
    const appendAllocating = persistence.appendAllocating.bind(persistence);
    persistence.appendAllocating = (tree, mailbox, messages, knownModSeq) => {
      attempts++;
      return appendAllocating(tree, mailbox, messages, knownModSeq);
    };
    // A appends while holding the tree's lock, after B's append reached it: the catch-up the
    // notice asked for waits behind A's write.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const appended = a.mutex.run([ALICE], async () => {
      await gate;
      const tree = (await a.cachedTree(ALICE))!;
      return a.appendUnlocked(tree, tree.mailboxes.get('INBOX')!, [{ content: message(2) }]);
    });
    await b.access(ALICE).append('INBOX', [{ content: message(1) }]);
    await until(() => heardAtA >= 1, 'A to hear of B’s append');
    open();
    const [result] = await appended;
    expect(result!.uid).toBe(2);
    // One statement: not a refused one first (2 before).
    expect(attempts).toBe(1);
    expect((await onA.messages()).map((m) => m.uid)).toEqual([1, 2]);
    await listening.unlisten();
  });

  it('applies a notice that waits for the tree’s lock before a flag change, which goes through at once', async () => {
    const { a, b, schema } = await twoNodes();
    await a.provision(ALICE);
    await a.access(ALICE).append('INBOX', [{ content: message(1) }]);
    const onA = await a.access(ALICE).open('INBOX');
    await onA.messages();
    const persistence = a.persistenceOverPostgres;
    // Only B's notices: A's own append sends one too, which may arrive late.
    let heardAtA = 0;
    const listening = await persistence.sql.listen(`mailyard_changes:${schema}`, (payload) => {
      if ((JSON.parse(payload) as { n: string }).n !== persistence.node) heardAtA++;
    });
    let attempts = 0;
    const updateFlags = persistence.updateFlags.bind(persistence);
    persistence.updateFlags = (tree, mailbox, changes, highestModSeq) => {
      attempts++;
      return updateFlags(tree, mailbox, changes, highestModSeq);
    };
    const updateFlagsAllocating = persistence.updateFlagsAllocating.bind(persistence);
    persistence.updateFlagsAllocating = (tree, mailbox, request, knownModSeq) => {
      attempts++;
      return updateFlagsAllocating(tree, mailbox, request, knownModSeq);
    };
    // The tree's lock is held while A's flag change queues for it, then B's append reaches A:
    // the catch-up its notice asks for queues behind the flag change.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const holding = a.mutex.run([ALICE], () => gate);
    const stored = onA.updateFlags([1], { operation: 'add', flags: ['\\Seen'] });
    await b.access(ALICE).append('INBOX', [{ content: message(2) }]);
    await until(() => heardAtA >= 1, 'A to hear of B’s append');
    open();
    await holding;
    const { updated } = await stored;
    expect(updated.map((m) => [m.uid, m.flags])).toEqual([[1, ['\\Seen']]]);
    // One statement: not a refused one first (2 before).
    expect(attempts).toBe(1);
    expect((await onA.messages()).map((m) => m.uid)).toEqual([1, 2]);
    await listening.unlisten();
  });
});
