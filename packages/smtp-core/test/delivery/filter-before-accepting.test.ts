/**
 * A user's filter run before the SMTP server answers the data (RFC 5429 2.2.1): a reject of the
 * message's one recipient is an SMTP refusal with nothing stored, and any other decision is queued
 * with the message so that local delivery carries it out without running the filter again.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MemoryDirectory,
  MemoryMailStore,
  directoryAccountPolicy,
} from '@mailyard/mailstore-interface';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY,
  DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE,
  FilterRejection,
  filterBeforeAccepting,
} from '../../src/delivery/filter-before-accepting.js';
import { localDeliveryAgent } from '../../src/delivery/local-delivery-agent.js';
import type { FilterDecision, FilterInput } from '../../src/delivery/mailbox-filter.js';
import type { Envelope } from '../../src/envelope.js';
import { DeliveryQueue } from '../../src/queue/delivery-queue.js';

const MESSAGE =
  'Received: by mx.a.test\r\nFrom: sender@remote.test\r\nSubject: hi\r\n\r\nHello.\r\n';

let directory: MemoryDirectory;
let store: MemoryMailStore;
let asked: FilterInput[];
let queueDirectory: string;
let queue: DeliveryQueue | null;

beforeEach(async () => {
  directory = new MemoryDirectory();
  await directory.addDomain('a.test');
  await directory.addUser('alice@a.test');
  await directory.addUser('bob@a.test');
  await directory.addAlias('a.test', 'team', 'alice@a.test');
  await directory.addAlias('a.test', 'team', 'bob@a.test');
  await directory.addAlias('a.test', 'ally', 'alice@a.test');
  store = new MemoryMailStore({ policy: directoryAccountPolicy(directory) });
  await store.access('alice@a.test').create('Orders');
  asked = [];
  queueDirectory = mkdtempSync(join(tmpdir(), 'mailyard-prefilter-'));
  queue = null;
});
afterEach(async () => {
  await queue?.stop(0);
  rmSync(queueDirectory, { recursive: true, force: true });
});

const KEEP: FilterDecision = { fileInto: [{ mailbox: 'INBOX' }], redirect: [], send: [] };

function filter(decide: (input: FilterInput) => FilterDecision) {
  return async (input: FilterInput) => {
    asked.push(input);
    return decide(input);
  };
}

/** A real queue in a temporary directory, delivering locally through the same filter. */
async function openQueue(decide: (input: FilterInput) => Promise<FilterDecision>) {
  queue = await DeliveryQueue.open({
    directory: queueDirectory,
    hostname: 'mail.a.test',
    agent: localDeliveryAgent({ store, directory, hostname: 'mail.a.test', filter: decide }),
  });
  return queue;
}

/** What the SMTP server does: the message through the filter and into the queue. */
async function accept(
  decide: (input: FilterInput) => Promise<FilterDecision>,
  to: Envelope,
  options: { maxSize?: number; memoryBudget?: number } = {},
) {
  const open = queue ?? (await openQueue(decide));
  const accepting = await filterBeforeAccepting({ directory, filter: decide, ...options })(to);
  return open.enqueue(to, stream(), { service: 'SMTP' }, accepting);
}

/** The queue directory's entries (message and envelope files, temporary ones too). */
const queueFiles = () =>
  readdirSync(queueDirectory).filter((name) => /\.(eml|env)|\.tmp$/.test(name));

async function rejection(promise: Promise<unknown>): Promise<FilterRejection> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  if (!(error instanceof FilterRejection))
    throw new Error(`expected a rejection: ${String(error)}`);
  return error;
}
const envelope = (...to: string[]): Envelope => ({
  from: 'sender@remote.test',
  recipients: to.map((address) => ({ address })),
});
async function* stream(text = MESSAGE) {
  // In pieces, as the session hands a message over.
  for (let i = 0; i < text.length; i += 7) yield Buffer.from(text.slice(i, i + 7));
}
async function folder(user: string, mailbox: string): Promise<string[]> {
  const box = await store.access(user).open(mailbox, { readOnly: true });
  try {
    const out = [];
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

describe('filterBeforeAccepting', () => {
  it("refuses with 550 5.7.1 and the reason when the one recipient's filter rejects; nothing queued", async () => {
    const notice = { from: '', to: ['alice@phone.test'], content: Buffer.from('x') };
    const decide = filter(() => ({
      ...KEEP,
      fileInto: [],
      reject: 'Not wanted here',
      send: [notice],
    }));
    const refused = await rejection(accept(decide, envelope('alice@a.test')));
    expect(refused.reply).toEqual({ code: 550, enhanced: '5.7.1', lines: ['Not wanted here'] });
    expect(refused.send).toEqual([notice]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ user: 'alice@a.test', recipients: ['alice@a.test'] });
    // The filter read the message the client sent, from the queue's spool.
    expect(asked[0]!.content.toString()).toBe(MESSAGE);
    expect(queue!.list()).toEqual([]);
    expect(queueFiles()).toEqual([]);
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
  });

  it('asks the user an alias leads to, for that alias', async () => {
    await accept(
      filter(() => KEEP),
      envelope('ally@a.test'),
    );
    expect(asked).toMatchObject([{ user: 'alice@a.test', recipients: ['ally@a.test'] }]);
  });

  it('keeps the reason in US-ASCII reply lines unless the client used SMTPUTF8', async () => {
    const reject = (reason: string) => filter(() => ({ ...KEEP, fileInto: [], reject: reason }));
    const ascii = await rejection(
      accept(reject('Zu viele Nachrichten,\r\nbitte später.\r\n'), envelope('alice@a.test')),
    );
    expect(ascii.reply.lines).toEqual(['Zu viele Nachrichten,', 'bitte sp?ter.']);
    const utf8 = await rejection(
      accept(reject('bitte später'), { ...envelope('alice@a.test'), smtpUtf8: true }),
    );
    expect(utf8.reply.lines).toEqual(['bitte später']);
    const long = await rejection(
      accept(reject(`${'x'.repeat(1000)}\n`.repeat(40)), envelope('alice@a.test')),
    );
    expect(long.reply.lines).toEqual(Array.from({ length: 16 }, () => 'x'.repeat(400)));
  });

  it('leaves messages with several recipients, or an alias of several users, to delivery', async () => {
    for (const to of [['alice@a.test', 'bob@a.test'], ['team@a.test'], ['someone@b.test']]) {
      expect(
        await filterBeforeAccepting({ directory, filter: filter(() => KEEP) })(envelope(...to)),
      ).toEqual({});
    }
    expect(asked).toEqual([]);
  });

  it('has local delivery carry out the decision taken before the 250, without asking again', async () => {
    const decide = filter(() => ({
      fileInto: [{ mailbox: 'Orders', flags: ['$Work'] }],
      redirect: [],
      send: [],
    }));
    await accept(decide, envelope('alice@a.test'));
    await queue!.idle();
    expect(queue!.list()).toEqual([]);
    // Asked once, at SMTP time: vacation replies and duplicate records are not made twice.
    expect(asked).toHaveLength(1);
    const orders = await folder('alice@a.test', 'Orders');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toContain(MESSAGE);
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
  });

  it('queues without a decision when the filter cannot decide now, and delivery asks again', async () => {
    let calls = 0;
    const decide = async (input: FilterInput) => {
      asked.push(input);
      if (++calls === 1) throw new Error('EIO: the script cannot be read');
      return KEEP;
    };
    await accept(decide, envelope('alice@a.test'));
    await queue!.idle();
    expect(asked).toHaveLength(2);
    expect(await folder('alice@a.test', 'INBOX')).toHaveLength(1);
  });

  it.each(['maxSize', 'memoryBudget'] as const)(
    'leaves a message to delivery when it is past %s (defaults 16 and 64 MiB)',
    async (option) => {
      expect(DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE).toBe(16 * 1024 * 1024);
      expect(DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY).toBe(64 * 1024 * 1024);
      const decide = filter(() => ({ ...KEEP, fileInto: [], reject: 'No.' }));
      await accept(decide, envelope('alice@a.test'), { [option]: MESSAGE.length - 1 });
      await queue!.idle();
      // Asked once, at delivery: the reject fails the recipient there (a DSN to the sender).
      expect(asked).toHaveLength(1);
      expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
    },
  );

  it('gives its memory back: messages one after another each fit the budget', async () => {
    const decide = filter(() => ({ ...KEEP, fileInto: [], reject: 'No.' }));
    const accepting = filterBeforeAccepting({
      directory,
      filter: decide,
      memoryBudget: MESSAGE.length,
    });
    const open = await openQueue(decide);
    for (let i = 0; i < 3; i++) {
      const to = envelope('alice@a.test');
      await rejection(open.enqueue(to, stream(), { service: 'SMTP' }, await accepting(to)));
    }
    expect(asked).toHaveLength(3);
  });
});
