/**
 * Local delivery with a user's own filter (the hook the example server runs Sieve through):
 * each decision is carried out once, copies land where it says, redirects and new messages go
 * to the queue, a reject fails the recipient with its text, and a filter that cannot decide
 * defers the delivery rather than guessing.
 */
import {
  MemoryDirectory,
  MemoryMailStore,
  directoryAccountPolicy,
} from '@mailyard/mailstore-interface';
import { beforeEach, describe, expect, it } from 'vitest';
import { localDeliveryAgent } from '../../src/delivery/local-delivery-agent.js';
import {
  type FilterDecision,
  type FilterInput,
  type OutgoingMessage,
  decodeDecision,
  encodeDecision,
} from '../../src/delivery/mailbox-filter.js';
import type {
  DeliveryJournal,
  Envelope,
  EnvelopeRecipient,
  JournalEntry,
  MessageSource,
} from '../../src/envelope.js';

const MESSAGE = 'From: sender@remote.test\r\nSubject: filtered\r\n\r\nHello.\r\n';
const source = (): MessageSource => ({
  size: MESSAGE.length,
  async *read() {
    yield Buffer.from(MESSAGE);
  },
});

class Journal implements DeliveryJournal {
  readonly entries = new Map<string, JournalEntry>();
  readonly added: { target: string; recipients: readonly EnvelopeRecipient[] }[] = [];
  /** Throws on the n-th `done` (a crash between a step and its record). */
  crashOnDone = 0;
  get(target: string) {
    return this.entries.get(target);
  }
  async intend(target: string, note: Record<string, string | number | boolean | null>) {
    this.entries.set(target, { state: 'intended', note });
  }
  async done(target: string) {
    if (this.crashOnDone > 0 && --this.crashOnDone === 0) throw new Error('killed');
    this.entries.set(target, { state: 'done' });
  }
  async addRecipients(target: string, recipients: readonly EnvelopeRecipient[]) {
    this.added.push({ target, recipients });
    this.entries.set(target, { state: 'done' });
  }
}

let directory: MemoryDirectory;
let store: MemoryMailStore;
let journal: Journal;
let asked: FilterInput[];
let sent: OutgoingMessage[];

beforeEach(async () => {
  directory = new MemoryDirectory();
  await directory.addDomain('a.test');
  await directory.addUser('alice@a.test');
  await directory.addUser('bob@a.test');
  await directory.addAlias('a.test', 'team', 'alice@a.test');
  await directory.addAlias('a.test', 'team', 'bob@a.test');
  store = new MemoryMailStore({ policy: directoryAccountPolicy(directory) });
  await store.access('alice@a.test').create('Orders');
  journal = new Journal();
  asked = [];
  sent = [];
});

const NOTHING: FilterDecision = { fileInto: [], redirect: [], send: [] };

function agent(decide: (input: FilterInput) => FilterDecision | Promise<FilterDecision>) {
  return localDeliveryAgent({
    store,
    directory,
    hostname: 'mail.a.test',
    filter: async (input) => {
      asked.push(input);
      return decide(input);
    },
    submit: async (message) => void sent.push(message),
  });
}
const envelope = (...to: string[]): Envelope => ({
  from: 'sender@remote.test',
  recipients: to.map((address) => ({ address })),
});
const attempt = () => ({ queueId: '438dd9ea-00000007', number: 1, journal });

async function folder(
  user: string,
  mailbox: string,
): Promise<{ text: string; flags: readonly string[] }[]> {
  const box = await store.access(user).open(mailbox, { readOnly: true });
  try {
    const out = [];
    for (const { uid, flags } of await box.messages()) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of box.read(uid)) chunks.push(chunk);
      out.push({ text: Buffer.concat(chunks).toString(), flags: [...flags] });
    }
    return out;
  } finally {
    box.close();
  }
}

describe('localDeliveryAgent with a filter', () => {
  it('asks once per user, with the recipients that led there, and stores where it says with flags', async () => {
    const results = await agent((input) =>
      input.user === 'alice@a.test'
        ? {
            ...NOTHING,
            fileInto: [{ mailbox: 'Orders', flags: ['\\Flagged', '$Work'] }, { mailbox: 'INBOX' }],
          }
        : { ...NOTHING, fileInto: [{ mailbox: 'INBOX' }] },
    ).deliver(envelope('alice@a.test', 'team@a.test'), source(), attempt());
    expect(results.map((r) => r.code)).toEqual([250, 250]);
    expect(asked.map((a) => [a.user, a.recipients])).toEqual([
      ['alice@a.test', ['alice@a.test', 'team@a.test']],
      ['bob@a.test', ['team@a.test']],
    ]);
    expect(asked[0]!.content.toString()).toBe(MESSAGE);
    const orders = await folder('alice@a.test', 'Orders');
    expect(orders.map((m) => [...m.flags].sort())).toEqual([['$Work', '\\Flagged']]);
    expect(orders[0]!.text.endsWith(MESSAGE)).toBe(true);
    expect(await folder('alice@a.test', 'INBOX')).toHaveLength(1);
    expect(await folder('bob@a.test', 'INBOX')).toHaveLength(1);
  });

  it("stores a copy's own content when the filter changed the message, also from the journal", async () => {
    const edited = Buffer.from(`X-Edited: yes\r\n${MESSAGE}`);
    let calls = 0;
    const decide = (): FilterDecision => {
      calls++;
      return {
        ...NOTHING,
        fileInto: [{ mailbox: 'Orders' }, { mailbox: 'INBOX', content: edited }],
      };
    };
    // The crash comes after Orders is stored: the INBOX copy is made from the journal's record.
    journal.crashOnDone = 1;
    const first = await agent(decide).deliver(envelope('alice@a.test'), source(), attempt());
    expect(first[0]!.status).toBe('deferred');
    const second = await agent(decide).deliver(envelope('alice@a.test'), source(), attempt());
    expect(second[0]!.code).toBe(250);
    expect(calls).toBe(1);
    const orders = await folder('alice@a.test', 'Orders');
    expect(orders).toHaveLength(1);
    expect(orders[0]!.text).not.toContain('X-Edited');
    const inbox = await folder('alice@a.test', 'INBOX');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.text.endsWith(edited.toString())).toBe(true);
    // A copy the folder does not take goes to the INBOX as the filter made it.
    journal = new Journal();
    await agent(() => ({
      ...NOTHING,
      fileInto: [{ mailbox: 'Nowhere', content: edited }],
    })).deliver(envelope('bob@a.test'), source(), attempt());
    const bob = await folder('bob@a.test', 'INBOX');
    expect(bob[0]!.text.endsWith(edited.toString())).toBe(true);
  });

  it('discards when the decision stores nowhere', async () => {
    const results = await agent(() => NOTHING).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(results[0]!.code).toBe(250);
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
  });

  it('keeps in the INBOX what a missing folder does not take; creates it with create', async () => {
    await agent(() => ({ ...NOTHING, fileInto: [{ mailbox: 'Nowhere' }] })).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(await folder('alice@a.test', 'INBOX')).toHaveLength(1);
    journal = new Journal();
    await agent(() => ({ ...NOTHING, fileInto: [{ mailbox: 'New/Sub', create: true }] })).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(await folder('alice@a.test', 'New/Sub')).toHaveLength(1);
  });

  it('redirects through the queue entry, and sends the new messages through submit', async () => {
    const reply: OutgoingMessage = {
      from: '',
      to: ['sender@remote.test'],
      content: Buffer.from('Subject: Auto\r\n\r\nAway.\r\n'),
    };
    await agent(() => ({ ...NOTHING, redirect: ['out@remote.test'], send: [reply] })).deliver(
      envelope('alice@a.test'),
      source(),
      attempt(),
    );
    expect(journal.added).toEqual([
      { target: 'redirect:alice@a.test', recipients: [{ address: 'out@remote.test' }] },
    ]);
    expect(sent).toEqual([reply]);
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
  });

  it("redirects with the filter's DSN parameters, and its own copy as a message of its own", async () => {
    const edited = Buffer.from('X-Edited: yes\r\nSubject: filtered\r\n\r\nHello.\r\n');
    const decision: FilterDecision = {
      ...NOTHING,
      redirect: [
        'plain@remote.test',
        { address: 'quiet@remote.test', notify: 'NEVER' },
        { address: 'headers@remote.test', notify: ['SUCCESS', 'FAILURE'], ret: 'HDRS' },
        { address: 'edited@remote.test', content: edited },
      ],
    };
    // As the journal keeps it: the copy's bytes survive the round trip.
    const kept = decodeDecision(encodeDecision(decision));
    expect(kept).toEqual(decision);
    const results = await agent(() => kept).deliver(envelope('alice@a.test'), source(), attempt());
    expect(results[0]!.status).toBe('delivered');
    // NOTIFY travels with the recipient added to the queue entry.
    expect(journal.added).toEqual([
      {
        target: 'redirect:alice@a.test',
        recipients: [
          { address: 'plain@remote.test' },
          { address: 'quiet@remote.test', notify: 'NEVER' },
        ],
      },
    ]);
    // RET and an edited copy need a message of their own: from the same sender, with a trace
    // field (a loop of redirects still counts hops), the edited bytes for the edited one.
    expect(sent.map(({ content: _content, ...rest }) => rest)).toEqual([
      {
        from: 'sender@remote.test',
        to: ['headers@remote.test'],
        notify: ['SUCCESS', 'FAILURE'],
        ret: 'HDRS',
      },
      { from: 'sender@remote.test', to: ['edited@remote.test'] },
    ]);
    const [headers, copy] = sent.map((message) => message.content.toString());
    expect(headers).toMatch(
      /^Received: by mail\.a\.test \(Mailyard\) id 438dd9ea-00000007\r\n\tfor <headers@remote\.test>;\r\n\t.+\r\nFrom: sender@remote\.test\r\n/,
    );
    expect(headers!.endsWith(MESSAGE)).toBe(true);
    expect(copy!.endsWith(edited.toString())).toBe(true);
    // Carried out once: another attempt sends nothing again.
    await agent(() => kept).deliver(envelope('alice@a.test'), source(), attempt());
    expect(sent).toHaveLength(2);
  });

  it('fails a recipient its user rejects with 550 5.7.1 and the text; a group member only drops its copy', async () => {
    const results = await agent((input) =>
      input.user === 'alice@a.test'
        ? { ...NOTHING, reject: 'Not wanted.' }
        : { ...NOTHING, fileInto: [{ mailbox: 'INBOX' }] },
    ).deliver(envelope('alice@a.test', 'team@a.test'), source(), attempt());
    expect(results.map((r) => [r.recipient, r.status, r.diagnostic])).toEqual([
      ['alice@a.test', 'failed', '550 5.7.1 Not wanted.'],
      ['team@a.test', 'delivered', '250 2.0.0 delivered to 2 mailboxes'],
    ]);
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
    expect(await folder('bob@a.test', 'INBOX')).toHaveLength(1);
  });

  it('defers (451) when the filter cannot decide, and stores nothing', async () => {
    const results = await agent(() => {
      throw new Error('EIO: the script could not be read');
    }).deliver(envelope('alice@a.test'), source(), attempt());
    expect(results[0]).toMatchObject({ status: 'deferred', code: 451 });
    expect(await folder('alice@a.test', 'INBOX')).toEqual([]);
  });

  it('after a crash, carries out the recorded decision without asking again, and nothing twice', async () => {
    let calls = 0;
    const reply: OutgoingMessage = {
      from: '',
      to: ['sender@remote.test'],
      content: Buffer.from('x'),
    };
    const decide = (): FilterDecision => {
      calls++;
      return { ...NOTHING, fileInto: [{ mailbox: 'Orders' }, { mailbox: 'INBOX' }], send: [reply] };
    };
    journal.crashOnDone = 2; // after Orders is stored and recorded, the INBOX copy's record is lost
    const first = await agent(decide).deliver(envelope('alice@a.test'), source(), attempt());
    expect(first[0]!.status).toBe('deferred');
    const second = await agent(decide).deliver(envelope('alice@a.test'), source(), attempt());
    expect(second[0]!.code).toBe(250);
    expect(calls).toBe(1);
    expect(await folder('alice@a.test', 'Orders')).toHaveLength(1);
    expect(await folder('alice@a.test', 'INBOX')).toHaveLength(1);
    expect(sent).toHaveLength(1);
    const third = await agent(decide).deliver(envelope('alice@a.test'), source(), attempt());
    expect(third[0]!.code).toBe(250);
    expect(sent).toHaveLength(1);
    expect(await folder('alice@a.test', 'INBOX')).toHaveLength(1);
  });
});
