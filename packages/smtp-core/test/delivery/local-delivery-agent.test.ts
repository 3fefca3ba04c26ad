import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryDirectory,
  MemoryMailStore,
  MemoryPersistence,
  StoreEngine,
  directoryAccountPolicy,
  silentLogger,
} from '@mailyard/mailstore-interface';
import { FailingReads } from '@mailyard/mailstore-conformance';
import { FsPersistence } from '@mailyard/mailstore-fs';
import { parseHeaders } from '@mailyard/mime';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  localDeliveryAgent,
  type LocalDeliveryOptions,
} from '../../src/delivery/local-delivery-agent.js';
import type {
  DeliveryJournal,
  Envelope,
  EnvelopeRecipient,
  JournalEntry,
  MessageSource,
} from '../../src/envelope.js';

const MESSAGE = 'From: sender@remote.test\r\nSubject: local\r\n\r\nHello there.\r\n';
const source = (text = MESSAGE): MessageSource => ({
  size: text.length,
  async *read() {
    yield Buffer.from(text);
  },
});
const T0 = Date.UTC(2005, 10, 30, 16, 57, 14);
const QUEUE_ID = '438dd9ea-00000007';

/** A journal like the queue's, in memory, that can be told to "crash" before a note is written. */
class TestJournal implements DeliveryJournal {
  readonly entries = new Map<string, JournalEntry>();
  readonly added: { target: string; recipients: readonly EnvelopeRecipient[] }[] = [];
  crashBeforeDone = false;
  get(target: string) {
    return this.entries.get(target);
  }
  async intend(target: string, note: Record<string, string | number | boolean | null>) {
    this.entries.set(target, { state: 'intended', note });
  }
  async done(target: string) {
    if (this.crashBeforeDone) throw new Error('killed');
    this.entries.set(target, { state: 'done' });
  }
  async addRecipients(target: string, recipients: readonly EnvelopeRecipient[]) {
    this.added.push({ target, recipients });
    this.entries.set(target, { state: 'done' });
  }
}

let directory: MemoryDirectory;
let store: MemoryMailStore;
let journal: TestJournal;

beforeEach(async () => {
  directory = new MemoryDirectory();
  await directory.addDomain('a.test', { aliases: ['alias-domain.test'] });
  await directory.addUser('alice@a.test');
  await directory.addUser('bob@a.test');
  await directory.addUser('tiny@a.test', { quota: { storage: 10, messages: 0 } });
  await directory.addUser('admin@a.test', { publicFolderAdmin: true });
  await directory.addUser('fwd@a.test', {
    forwarding: { addresses: ['out@remote.test'], keepCopy: true },
  });
  await directory.addAlias('a.test', 'team', 'alice@a.test');
  await directory.addAlias('a.test', 'team', 'bob@a.test');
  await directory.addAlias('a.test', 'sales', '#public/Sales');
  store = new MemoryMailStore({
    policy: directoryAccountPolicy(directory),
    clock: { now: () => T0 },
  });
  await store.access('admin@a.test').create('#public/Sales');
  journal = new TestJournal();
});

const agent = (extra: Partial<LocalDeliveryOptions> = {}) =>
  localDeliveryAgent({
    store,
    directory,
    hostname: 'mail.a.test',
    clock: { now: () => T0 },
    utcOffset: 60,
    ...extra,
  });
const envelope = (...to: string[]): Envelope => ({
  from: 'sender@remote.test',
  recipients: to.map((address) => ({ address })),
});
const attempt = () => ({ queueId: QUEUE_ID, number: 1, journal });

async function inbox(user: string, mailbox = 'INBOX'): Promise<string[]> {
  const box = await store.access(user).open(mailbox, { readOnly: true });
  try {
    const out: string[] = [];
    for (const { uid } of await box.messages()) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of box.read(uid)) chunks.push(chunk);
      out.push(Buffer.concat(chunks).toString());
    }
    return out;
  } finally {
    box.close();
  }
}

describe('localDeliveryAgent', () => {
  it('delivers into the INBOX with Return-Path and a Received trace naming the Queue-ID', async () => {
    const results = await agent().deliver(envelope('alice@a.test'), source(), attempt());
    expect(results).toEqual([
      {
        recipient: 'alice@a.test',
        status: 'delivered',
        code: 250,
        enhancedCode: '2.0.0',
        diagnostic: '250 2.0.0 delivered to the mailbox',
      },
    ]);
    const [stored] = await inbox('alice@a.test');
    const headers = parseHeaders(Buffer.from(stored!));
    expect(headers.get('return-path')).toBe('<sender@remote.test>');
    expect(headers.get('received')!.replace(/\s+/g, ' ')).toBe(
      `by mail.a.test (Mailyard) id ${QUEUE_ID} for <alice@a.test>; Wed, 30 Nov 2005 17:57:14 +0100`,
    );
    expect(headers.has('x-envelope-to')).toBe(false);
    expect(stored!.endsWith(MESSAGE)).toBe(true);
  });

  it('inserts X-Envelope-To when the option is on (Kerio advanced option)', async () => {
    await agent({ insertEnvelopeTo: true }).deliver(
      envelope('Alice@alias-domain.test'),
      source(),
      attempt(),
    );
    const [stored] = await inbox('alice@a.test');
    expect(parseHeaders(Buffer.from(stored!)).get('x-envelope-to')).toBe('Alice@alias-domain.test');
  });

  it('fails unknown local recipients with 5.1.1, and addresses of other domains with 5.1.2', async () => {
    const results = await agent().deliver(
      envelope('nobody@a.test', 'x@elsewhere.test', 'bob@a.test'),
      source(),
      attempt(),
    );
    expect(results.map((r) => [r.recipient, r.status, r.code, r.enhancedCode])).toEqual([
      ['nobody@a.test', 'failed', 550, '5.1.1'],
      ['x@elsewhere.test', 'failed', 550, '5.1.2'],
      ['bob@a.test', 'delivered', 250, '2.0.0'],
    ]);
  });

  it("delivers the bare <Postmaster> to the primary domain's postmaster", async () => {
    await directory.addAlias('a.test', 'postmaster', 'bob@a.test');
    const results = await agent().deliver(envelope('Postmaster'), source(), attempt());
    expect(results.map((r) => [r.recipient, r.status, r.enhancedCode])).toEqual([
      ['Postmaster', 'delivered', '2.0.0'],
    ]);
    expect(await inbox('bob@a.test')).toHaveLength(1);
  });

  it('delivers once per mailbox however many recipients lead there (aliases)', async () => {
    const results = await agent({ insertEnvelopeTo: true }).deliver(
      envelope('team@a.test', 'alice@a.test'),
      source(),
      attempt(),
    );
    expect(results.map((r) => [r.status, r.diagnostic])).toEqual([
      ['delivered', '250 2.0.0 delivered to 2 mailboxes'],
      ['delivered', '250 2.0.0 delivered to the mailbox'],
    ]);
    const alice = await inbox('alice@a.test');
    expect(alice).toHaveLength(1);
    expect(parseHeaders(Buffer.from(alice[0]!)).get('x-envelope-to')).toBe(
      'team@a.test, alice@a.test',
    );
    expect(await inbox('bob@a.test')).toHaveLength(1);
  });

  it('delivers to public folders (#public/ alias targets)', async () => {
    const results = await agent().deliver(envelope('sales@a.test'), source(), attempt());
    expect(results[0]!.status).toBe('delivered');
    expect(await inbox('admin@a.test', '#public/Sales')).toHaveLength(1);
  });

  it('a full mailbox defers with 4.2.2 by default, fails with 5.2.2 when so configured', async () => {
    const deferred = await agent().deliver(envelope('tiny@a.test'), source(), attempt());
    expect(deferred[0]).toMatchObject({ status: 'deferred', code: 452, enhancedCode: '4.2.2' });
    const failed = await agent({ overQuota: 'fail' }).deliver(
      envelope('tiny@a.test'),
      source(),
      attempt(),
    );
    expect(failed[0]).toMatchObject({ status: 'failed', code: 552, enhancedCode: '5.2.2' });
    expect(await inbox('tiny@a.test')).toEqual([]);
  });

  it('holds at most memoryBudget octets of messages at once; a bigger message goes alone', async () => {
    let active = 0;
    let most = 0;
    const deliver = store.deliver.bind(store);
    store.deliver = async (user, input) => {
      most = Math.max(most, ++active);
      // Each store write takes a few turns of the event loop, as a file store's does.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      active--;
      return deliver(user, input);
    };
    const text = (n: number) => `Subject: ${n}\r\n\r\n${'x'.repeat(40)}\r\n`;
    const budgeted = agent({ memoryBudget: 100 });
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        budgeted.deliver(envelope('alice@a.test'), source(text(n)), {
          queueId: `438dd9ea-0000000${n}`,
          number: 1,
        }),
      ),
    );
    expect(results.flat().map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // Each message is 56 octets: one in memory at a time under 100, all three without a budget.
    expect(most).toBe(1);
    expect(await inbox('alice@a.test')).toHaveLength(3);
    most = 0;
    await Promise.all(
      [4, 5, 6].map((n) =>
        agent({ memoryBudget: 0 }).deliver(envelope('bob@a.test'), source(text(n)), {
          queueId: `438dd9ea-0000000${n}`,
          number: 1,
        }),
      ),
    );
    expect(most).toBe(3);
    // A message over the whole budget is not refused: it waits until it is alone.
    most = 0;
    const big = await budgeted.deliver(envelope('bob@a.test'), source(text(7).repeat(3)), {
      queueId: '438dd9ea-00000007',
      number: 1,
    });
    expect(big[0]!.status).toBe('delivered');
  });

  it('hands forwards to outside addresses back to the queue, keeping ORCPT and NOTIFY', async () => {
    const results = await agent().deliver(
      { from: 'sender@remote.test', recipients: [{ address: 'fwd@a.test', notify: ['FAILURE'] }] },
      source(),
      attempt(),
    );
    expect(results[0]).toMatchObject({ status: 'delivered', enhancedCode: '2.1.5' });
    expect(journal.added).toEqual([
      {
        target: 'forward:fwd@a.test',
        recipients: [
          {
            address: 'out@remote.test',
            notify: ['FAILURE'],
            originalRecipient: 'rfc822;fwd@a.test',
          },
        ],
      },
    ]);
    expect(await inbox('fwd@a.test')).toHaveLength(1);
  });

  it('without a queue journal, forwards go to the forward callback, or are deferred', async () => {
    const forwarded: Envelope[] = [];
    const withCallback = await agent({ forward: async (env) => void forwarded.push(env) }).deliver(
      envelope('fwd@a.test'),
      source(),
      { queueId: QUEUE_ID, number: 1 },
    );
    expect(withCallback[0]!.status).toBe('delivered');
    expect(forwarded.map((e) => e.recipients.map((r) => r.address))).toEqual([['out@remote.test']]);
    const without = await agent().deliver(envelope('fwd@a.test'), source(), {
      queueId: QUEUE_ID,
      number: 1,
    });
    expect(without[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.3.0' });
  });

  it('defers when the directory cannot answer', async () => {
    const broken = {
      ...directory,
      resolveRecipient: async () => {
        throw new Error('LDAP down');
      },
    } as unknown as MemoryDirectory;
    const results = await agent({ directory: broken }).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.3.0' });
    expect(results[0]!.diagnostic).toContain('LDAP down');
  });

  it('defers (451 4.3.0) while the store cannot read its storage, and delivers once it can', async () => {
    const persistence = new FailingReads(new MemoryPersistence());
    const failing = new StoreEngine({ persistence });
    await failing.provision('alice@a.test');
    // A restart: nothing of Alice's tree is cached, and the storage fails (EMFILE).
    const restarted = new StoreEngine({ persistence });
    persistence.failing = true;
    const during = await agent({ store: restarted }).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(during[0]).toMatchObject({ status: 'deferred', code: 451, enhancedCode: '4.3.0' });
    expect(during[0]!.diagnostic).toContain('EMFILE');
    persistence.failing = false;
    const after = await agent({ store: restarted }).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(after[0]).toMatchObject({ status: 'delivered' });
    const box = await restarted.access('alice@a.test').open('INBOX');
    expect((await box.messages()).length).toBe(1);
    box.close();
  });
});

describe('exactly once across a crash between the store and the journal', () => {
  it('a crash after the store took the message: the next attempt finds it and does not deliver again', async () => {
    journal.crashBeforeDone = true;
    const first = await agent().deliver(
      envelope('alice@a.test', 'sales@a.test'),
      source(),
      attempt(),
    );
    expect(first.map((r) => r.status)).toEqual(['deferred', 'deferred']);
    expect(journal.get('mailbox:alice@a.test')).toMatchObject({
      state: 'intended',
      note: { uidNext: 1 },
    });
    expect(await inbox('alice@a.test')).toHaveLength(1);
    journal.crashBeforeDone = false;
    const second = await agent().deliver(envelope('alice@a.test', 'sales@a.test'), source(), {
      ...attempt(),
      number: 2,
    });
    expect(second.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(await inbox('alice@a.test')).toHaveLength(1);
    expect(await inbox('admin@a.test', '#public/Sales')).toHaveLength(1);
    expect(journal.get('mailbox:alice@a.test')).toEqual({ state: 'done' });
  });

  it('a crash before the store took it: the next attempt delivers it', async () => {
    const status = await store.access('bob@a.test').status('INBOX');
    await journal.intend('mailbox:bob@a.test', {
      uidValidity: status.uidValidity,
      uidNext: status.uidNext,
    });
    const results = await agent().deliver(envelope('bob@a.test'), source(), attempt());
    expect(results[0]!.status).toBe('delivered');
    expect(await inbox('bob@a.test')).toHaveLength(1);
  });

  it('another message of the mailbox with a different Queue-ID does not count', async () => {
    await agent().deliver(envelope('bob@a.test'), source(), {
      queueId: '438dd9ea-00000001',
      number: 1,
      journal: new TestJournal(),
    });
    await journal.intend('mailbox:bob@a.test', {
      uidValidity: (await store.access('bob@a.test').status('INBOX')).uidValidity,
      uidNext: 1,
    });
    await agent().deliver(envelope('bob@a.test'), source(), attempt());
    expect(await inbox('bob@a.test')).toHaveLength(2);
  });

  it('a done target is never delivered again', async () => {
    await agent().deliver(envelope('alice@a.test'), source(), attempt());
    await agent().deliver(envelope('alice@a.test', 'team@a.test'), source(), {
      ...attempt(),
      number: 2,
    });
    expect(await inbox('alice@a.test')).toHaveLength(1);
    expect(await inbox('bob@a.test')).toHaveLength(1);
  });
});

/** The on-disk persistence, whose next append can be held and then made to fail (a full disk). */
class HeldAppends extends FsPersistence {
  private held: { entered: () => void; release: Promise<void> } | null = null;

  /** Holds the next append until `release` is called, then fails it; `entered` says it began. */
  holdNextAppend(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const began = new Promise<void>((resolve) => (entered = resolve));
    this.held = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    return { entered: began, release };
  }

  override async addMessages(...args: Parameters<FsPersistence['addMessages']>): Promise<void> {
    const held = this.held;
    if (!held) return super.addMessages(...args);
    this.held = null;
    held.entered();
    await held.release;
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  }
}

/** A test journal that says when a mailbox's UIDNEXT has been noted. */
class WatchedJournal extends TestJournal {
  private waiting: (() => void) | null = null;
  readonly noted = new Promise<void>((resolve) => (this.waiting = resolve));
  override async intend(target: string, note: Record<string, string | number | boolean | null>) {
    await super.intend(target, note);
    this.waiting?.();
  }
}

describe('exactly once when another delivery to the mailbox fails meanwhile', () => {
  it('a UIDNEXT noted while a failing append held the next UID still finds the message after a crash', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mailyard-held-append-'));
    const policy = directoryAccountPolicy(directory);
    const persistence = new HeldAppends(root, silentLogger);
    const before = new StoreEngine({ persistence, policy });
    const after = new StoreEngine({ persistence: new FsPersistence(root, silentLogger), policy });
    try {
      await before.provision('alice@a.test');
      // Entry A's append has taken UID 1 and waits for the disk, which will fail it.
      const held = persistence.holdNextAppend();
      const a = agent({ store: before }).deliver(envelope('alice@a.test'), source(), {
        queueId: '438dd9ea-0000000a',
        number: 1,
        journal: new TestJournal(),
      });
      await held.entered;
      // Entry B notes the UIDNEXT the store reports meanwhile, then waits for A's append.
      const journalB = new WatchedJournal();
      journalB.crashBeforeDone = true;
      const b = agent({ store: before }).deliver(envelope('alice@a.test'), source(), {
        queueId: '438dd9ea-0000000b',
        number: 1,
        journal: journalB,
      });
      await journalB.noted;
      held.release();
      expect((await a)[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.3.0' });
      // B's message is stored, and the process dies before the journal says so.
      expect((await b)[0]).toMatchObject({ status: 'deferred' });
      // After the restart B is tried again: its message is there, and must not come twice.
      journalB.crashBeforeDone = false;
      const retried = await agent({ store: after }).deliver(envelope('alice@a.test'), source(), {
        queueId: '438dd9ea-0000000b',
        number: 2,
        journal: journalB,
      });
      expect(retried[0]).toMatchObject({ status: 'delivered' });
      const box = await after.access('alice@a.test').open('INBOX', { readOnly: true });
      const traces: string[] = [];
      for (const { uid } of await box.messages()) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of box.read(uid)) chunks.push(chunk);
        traces.push(parseHeaders(Buffer.concat(chunks)).get('received') ?? '');
      }
      box.close();
      expect(traces).toHaveLength(1);
      expect(traces[0]).toContain('id 438dd9ea-0000000b');
    } finally {
      await before.close();
      await after.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
