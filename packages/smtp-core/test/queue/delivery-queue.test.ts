import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseHeaders, parseMimeTree } from '@mailyard/mime';
import { exhaustFileDescriptors } from '@mailyard/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/envelope.js';
import { formatMailLogEntry } from '../../src/log/mail-log.js';
import { DeliveryQueue } from '../../src/queue/delivery-queue.js';
import type { DeliveryQueueOptions } from '../../src/queue/queue-options.js';
import { QueueError } from '../../src/queue/queue-files.js';
import { FileQueueStorage } from '../../src/queue/queue-storage.js';
import { parseQueueRecord } from '../../src/queue/queue-record.js';
import {
  FakeTime,
  MESSAGE,
  ScriptedAgent,
  T0,
  chunks,
  collectingLog,
  settle,
  temporaryDirectory,
} from './queue-fixtures.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
let dir: ReturnType<typeof temporaryDirectory>;
let time: FakeTime;
let agent: ScriptedAgent;
let log: ReturnType<typeof collectingLog>;
const queues: DeliveryQueue[] = [];

beforeEach(() => {
  dir = temporaryDirectory();
  time = new FakeTime();
  agent = new ScriptedAgent();
  log = collectingLog();
});
afterEach(async () => {
  while (queues.length) await queues.pop()!.stop(0);
  dir.remove();
});

async function openQueue(extra: Partial<DeliveryQueueOptions> = {}): Promise<DeliveryQueue> {
  const queue = await DeliveryQueue.open({
    directory: dir.path,
    agent,
    hostname: 'mail.a.test',
    clock: time.clock,
    timers: time,
    mailLog: log,
    utcOffset: 60,
    ...extra,
  });
  queues.push(queue);
  time.quiesce = () => queue.idle();
  return queue;
}

const envelope = (from: string, ...to: string[]): Envelope => ({
  from,
  recipients: to.map((address) => ({ address })),
});
const files = () =>
  readdirSync(dir.path)
    .filter((name) => !name.startsWith('.'))
    .sort();
const record = (id: string) => parseQueueRecord(readFileSync(join(dir.path, `${id}.env`), 'utf8'))!;
const lines = () => log.entries.map(formatMailLogEntry);

describe('storage', () => {
  it('needs a directory or a storage, and says so', async () => {
    await expect(DeliveryQueue.open({ agent, hostname: 'mail.a.test' })).rejects.toThrow(TypeError);
  });

  it('keeps its entries in a given FileQueueStorage as in its directory', async () => {
    const queue = await openQueue({
      directory: undefined,
      storage: new FileQueueStorage(dir.path, () => time.clock.now()),
      mode: 'offline',
    });
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'bob@b.test'),
      chunks(MESSAGE),
      {
        service: 'SMTP',
      },
    );
    expect(files()).toEqual([`${queueId}.eml`, `${queueId}.env`]);
  });
});

describe('enqueue', () => {
  it('writes <id>.eml and <id>.env before resolving, with a Kerio Queue-ID, and logs Recv', async () => {
    const queue = await openQueue({ mode: 'offline' });
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'bob@b.test'),
      chunks(MESSAGE, 7),
      {
        service: 'SMTP',
        user: 'alice@a.test',
        senderHost: '195.39.55.2',
        ssl: true,
      },
    );
    expect(queueId).toMatch(/^438dd9ea-\d{8}$/);
    expect(files()).toEqual([`${queueId}.eml`, `${queueId}.env`]);
    expect(readFileSync(join(dir.path, `${queueId}.eml`), 'utf8')).toBe(MESSAGE);
    expect(record(queueId)).toMatchObject({
      format: 'mailyard-queue',
      version: 1,
      queueId,
      created: T0,
      size: MESSAGE.length,
      meta: { service: 'SMTP', user: 'alice@a.test', senderHost: '195.39.55.2', ssl: true },
      envelope: { from: 'alice@a.test' },
      recipients: [{ address: 'bob@b.test', state: 'pending', attempts: 0, nextTry: null }],
    });
    expect(lines()).toEqual([
      `Recv: Queue-ID: ${queueId}, Service: SMTP, From: <alice@a.test>, To: <bob@b.test>, Size: ${MESSAGE.length}, User: alice@a.test, Sender-Host: 195.39.55.2, SSL: yes`,
    ]);
  });

  it('keeps the envelope parameters (DSN, SMTPUTF8, BODY) in the .env', async () => {
    const queue = await openQueue({ mode: 'offline' });
    const full: Envelope = {
      from: 'alice@a.test',
      body: '8BITMIME',
      smtpUtf8: true,
      ret: 'HDRS',
      envelopeId: 'e1',
      recipients: [
        {
          address: 'bob@b.test',
          notify: ['SUCCESS', 'DELAY'],
          originalRecipient: 'rfc822;Bob@b.test',
        },
      ],
    };
    const { queueId } = await queue.enqueue(full, chunks(MESSAGE), { service: 'SMTP' });
    expect(record(queueId).envelope).toEqual({
      from: 'alice@a.test',
      body: '8BITMIME',
      smtpUtf8: true,
      ret: 'HDRS',
      envelopeId: 'e1',
    });
    expect(record(queueId).recipients[0]).toMatchObject({
      notify: ['SUCCESS', 'DELAY'],
      originalRecipient: 'rfc822;Bob@b.test',
    });
    await queue.runQueue();
    expect(agent.calls[0]!.envelope).toEqual(full);
  });

  it('gives unique IDs, also across a restart in the same second', async () => {
    const first = await openQueue({ mode: 'offline' });
    const a = await first.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    const b = await first.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await first.remove({ all: true });
    await first.stop(0);
    const second = await openQueue({ mode: 'offline' });
    const c = await second.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    expect(new Set([a.queueId, b.queueId, c.queueId]).size).toBe(3);
    expect([a, b, c].every(({ queueId }) => queueId.startsWith('438dd9ea-'))).toBe(true);
  });

  it('keeps nothing when the message stream fails or is over the limit', async () => {
    const queue = await openQueue({ mode: 'offline', maxMessageSize: 100 });
    async function* broken() {
      yield Buffer.from('Subject: x\r\n');
      throw new Error('client went away');
    }
    await expect(
      queue.enqueue(envelope('a@a.test', 'b@b.test'), broken(), { service: 'SMTP' }),
    ).rejects.toThrow('client went away');
    await expect(
      queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks('x'.repeat(500), 10), {
        service: 'SMTP',
      }),
    ).rejects.toMatchObject({
      name: 'QueueError',
      code: 'too-big',
    });
    await expect(
      queue.enqueue(envelope('a@a.test'), chunks(MESSAGE), { service: 'SMTP' }),
    ).rejects.toBeInstanceOf(QueueError);
    expect(readdirSync(dir.path).filter((name) => name !== '.queue-counter')).toEqual([]);
  });

  it('refuses with QueueError io, keeping nothing, while the process is out of descriptors', async () => {
    const queue = await openQueue({ mode: 'offline' });
    const restore = exhaustFileDescriptors();
    let refusal: unknown;
    try {
      refusal = await queue
        .enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), { service: 'SMTP' })
        .catch((error: unknown) => error);
    } finally {
      restore();
    }
    expect(refusal).toBeInstanceOf(QueueError);
    expect(refusal).toMatchObject({ code: 'io', message: expect.stringContaining('EMFILE') });
    expect(readdirSync(dir.path).filter((name) => name !== '.queue-counter')).toEqual([]);
    const { queueId } = await queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    expect(files()).toEqual([`${queueId}.eml`, `${queueId}.env`]);
  });
});

describe('delivery', () => {
  it('Online: delivers at once, logs Sent per recipient, and removes both files', async () => {
    const queue = await openQueue();
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'bob@b.test', 'carol@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await queue.idle();
    expect(agent.calls).toHaveLength(1);
    expect(agent.calls[0]!.attempt).toMatchObject({ queueId, number: 1 });
    expect(agent.calls[0]!.content).toBe(MESSAGE);
    expect(files()).toEqual([]);
    expect(lines().slice(1)).toEqual([
      `Sent: Queue-ID: ${queueId}, Recipient: <bob@b.test>, Result: delivered, Status: 2.0.0`,
      `Sent: Queue-ID: ${queueId}, Recipient: <carol@b.test>, Result: delivered, Status: 2.0.0`,
    ]);
  });

  it('retries deferred recipients every retry interval, keeping state on disk between attempts', async () => {
    let tries = 0;
    agent.decide = (recipient) =>
      recipient === 'slow@b.test' && ++tries < 3 ? { status: 'deferred' } : { status: 'delivered' };
    const queue = await openQueue({ retryInterval: 30 * MINUTE, warnAfter: 0 });
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'fast@b.test', 'slow@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await queue.idle();
    const afterFirst = record(queueId);
    expect(
      afterFirst.recipients.map((r) => [r.address, r.state, r.attempts, r.nextTry, r.status]),
    ).toEqual([
      ['fast@b.test', 'delivered', 1, null, '2.0.0'],
      ['slow@b.test', 'pending', 1, T0 + 30 * MINUTE, '4.4.1'],
    ]);
    expect(queue.list()[0]).toMatchObject({
      id: queueId,
      nextTry: T0 + 30 * MINUTE,
      status: '4.4.1 Cannot connect to remote host',
    });
    await time.advance(29 * MINUTE);
    expect(agent.calls).toHaveLength(1);
    await time.advance(MINUTE);
    await queue.idle();
    expect(agent.calls).toHaveLength(2);
    expect(agent.calls[1]!.envelope.recipients.map((r) => r.address)).toEqual(['slow@b.test']);
    expect(agent.calls[1]!.attempt.number).toBe(2);
    await time.advance(30 * MINUTE);
    await queue.idle();
    expect(agent.calls).toHaveLength(3);
    expect(files()).toEqual([]);
    expect(
      lines()
        .filter((l) => l.startsWith('Sent:') && l.includes('slow@'))
        .map((l) => l.split(', Result: ')[1]),
    ).toEqual(['failed, Status: 4.4.1', 'failed, Status: 4.4.1', 'delivered, Status: 2.0.0']);
  });

  it('a failed recipient gets the sender a DSN from <>, logged as Service: DSN, Report: failed', async () => {
    agent.decide = (recipient) =>
      recipient.startsWith('gone')
        ? { status: 'failed', remoteMta: 'mx.b.test', diagnostic: '550 5.1.1 no such user' }
        : { status: 'delivered' };
    const queue = await openQueue();
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'gone@b.test', 'bob@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await queue.idle();
    const dsnCall = agent.calls.find((call) => call.envelope.from === '')!;
    expect(dsnCall.envelope.recipients).toEqual([{ address: 'alice@a.test', notify: 'NEVER' }]);
    const dsn = Buffer.from(dsnCall.content);
    expect(parseHeaders(dsn).get('subject')).toBe('Undelivered Mail Returned to Sender');
    const parts = parseMimeTree(dsn).root.parts!;
    const status = dsn.subarray(parts[1]!.bodyStart, parts[1]!.end).toString();
    expect(status).toContain('Final-Recipient: rfc822; gone@b.test');
    expect(status).toContain('Diagnostic-Code: smtp; 550 5.1.1 no such user');
    expect(status).toContain('Remote-MTA: dns; mx.b.test');
    expect(status).not.toContain('bob@b.test');
    const dsnRecv = lines().find((l) => l.includes('Service: DSN'))!;
    expect(dsnRecv).toMatch(
      /^Recv: Queue-ID: [0-9a-f]{8}-\d{8}, Service: DSN, From: <>, To: <alice@a.test>, Size: \d+, Report: failed$/,
    );
    expect(lines()).toContain(
      `Sent: Queue-ID: ${queueId}, Recipient: <gone@b.test>, Result: failed, Status: 5.1.1`,
    );
    expect(files()).toEqual([]);
  });

  it('never sends a DSN about a message from <> (no bounce of a bounce)', async () => {
    agent.decide = () => ({ status: 'failed' });
    const queue = await openQueue();
    await queue.enqueue(envelope('', 'alice@a.test'), chunks(MESSAGE), {
      service: 'DSN',
      report: 'failed',
    });
    await queue.idle();
    expect(agent.calls).toHaveLength(1);
    expect(files()).toEqual([]);
  });

  it('honours NOTIFY: SUCCESS gets a delivery report, NEVER gets no bounce', async () => {
    agent.decide = (recipient) => ({
      status: recipient.startsWith('never') ? 'failed' : 'delivered',
    });
    const queue = await openQueue();
    await queue.enqueue(
      {
        from: 'alice@a.test',
        recipients: [
          { address: 'ok@b.test', notify: ['SUCCESS'] },
          { address: 'never@b.test', notify: 'NEVER' },
        ],
      },
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await queue.idle();
    const dsns = agent.calls.filter((call) => call.envelope.from === '');
    expect(dsns).toHaveLength(1);
    expect(parseHeaders(Buffer.from(dsns[0]!.content)).get('subject')).toBe(
      'Successful Mail Delivery Report',
    );
    expect(dsns[0]!.content).toContain('Action: delivered');
  });

  it('warns the sender once after warnAfter and keeps retrying; bounces after bounceAfter', async () => {
    agent.decide = (recipient) =>
      recipient === 'alice@a.test' ? { status: 'delivered' } : { status: 'deferred' };
    const queue = await openQueue({
      retryInterval: 30 * MINUTE,
      warnAfter: 45 * MINUTE,
      bounceAfter: 5 * DAY,
    });
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'bob@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await queue.idle();
    await time.advance(45 * MINUTE);
    await queue.idle();
    const warnings = () =>
      agent.calls.filter((c) => c.envelope.from === '' && c.content.includes('Action: delayed'));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.content).toContain('Will-Retry-Until: Mon, 05 Dec 2005 17:57:14 +0100');
    expect(record(queueId).recipients[0]).toMatchObject({ state: 'pending', warned: true });
    await time.advance(DAY);
    await queue.idle();
    expect(warnings()).toHaveLength(1);
    await time.advance(4 * DAY);
    await queue.idle();
    const bounces = agent.calls.filter(
      (c) => c.envelope.from === '' && c.content.includes('Action: failed'),
    );
    expect(bounces).toHaveLength(1);
    expect(bounces[0]!.content).toContain('Status: 5.4.7');
    expect(bounces[0]!.content).toContain('(delivery time expired)');
    expect(files()).toEqual([]);
    const attempts = agent.calls.filter((c) => c.envelope.from !== '').length;
    expect(attempts).toBe(1 + (5 * DAY) / (30 * MINUTE) - 1);
  });

  it('does not warn or bounce mail that goes through a relay server (Kerio 12.5)', async () => {
    agent.decide = () => ({ status: 'deferred' });
    agent.relayed = () => true;
    const queue = await openQueue({ retryInterval: 6 * 60 * MINUTE });
    const { queueId } = await queue.enqueue(
      envelope('alice@a.test', 'bob@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await time.advance(7 * DAY);
    await queue.idle();
    expect(agent.calls.every((c) => c.envelope.from !== '')).toBe(true);
    expect(agent.calls.length).toBe(1 + 28);
    expect(queue.list().map((item) => item.id)).toEqual([queueId]);
  });

  it('runs at most `concurrency` deliveries at once', async () => {
    let open!: () => void;
    agent.gate = new Promise<void>((resolve) => (open = resolve));
    const queue = await openQueue({ concurrency: 3 });
    for (let i = 0; i < 10; i++)
      await queue.enqueue(envelope('a@a.test', `r${i}@b.test`), chunks(MESSAGE), {
        service: 'SMTP',
      });
    await settle();
    expect(agent.inFlight).toBe(3);
    open();
    await queue.idle();
    expect(agent.maxInFlight).toBe(3);
    expect(agent.calls).toHaveLength(10);
    expect(files()).toEqual([]);
  });

  it('Offline: nothing goes until runQueue, and no next try is set', async () => {
    agent.decide = (recipient) => ({
      status: recipient.startsWith('later') ? 'deferred' : 'delivered',
    });
    const queue = await openQueue({ mode: 'offline', warnAfter: 0 });
    await queue.enqueue(envelope('a@a.test', 'now@b.test', 'later@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await time.advance(DAY);
    expect(agent.calls).toEqual([]);
    expect(time.pending).toBe(0);
    await queue.runQueue();
    expect(agent.calls).toHaveLength(1);
    expect(queue.list()[0]!.recipients.map((r) => [r.address, r.state, r.nextTry])).toEqual([
      ['now@b.test', 'delivered', null],
      ['later@b.test', 'pending', null],
    ]);
    await queue.runQueue();
    expect(agent.calls).toHaveLength(2);
    queue.setMode('online');
    await queue.idle();
    expect(agent.calls).toHaveLength(3);
  });

  it('passes a journal whose new recipients (a forward) are delivered in a follow-up attempt', async () => {
    agent.decide = () => ({ status: 'delivered' });
    const forwarding: ScriptedAgent['deliver'] = async (envelope, message, attempt) => {
      if (envelope.recipients.some((r) => r.address === 'fwd@a.test')) {
        await attempt.journal!.addRecipients('forward:fwd@a.test', [{ address: 'outside@c.test' }]);
      }
      return ScriptedAgent.prototype.deliver.call(agent, envelope, message, attempt);
    };
    const queue = await openQueue({ agent: { deliver: forwarding } });
    const { queueId } = await queue.enqueue(envelope('a@a.test', 'fwd@a.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await queue.idle();
    expect(agent.calls.map((c) => c.envelope.recipients.map((r) => r.address))).toEqual([
      ['fwd@a.test'],
      ['outside@c.test'],
    ]);
    expect(agent.calls.every((c) => c.attempt.queueId === queueId)).toBe(true);
    expect(files()).toEqual([]);
  });
});

describe('management', () => {
  it('lists messages as the queue view does, and removes by criteria', async () => {
    const queue = await openQueue({ mode: 'offline' });
    const a = await queue.enqueue(envelope('alice@a.test', 'bob@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    time.now += 1000;
    const b = await queue.enqueue(envelope('', 'alice@a.test'), chunks(MESSAGE), {
      service: 'DSN',
      report: 'failed',
    });
    time.now += 1000;
    const c = await queue.enqueue(
      envelope('carol@a.test', 'dave@d.test', 'bob@b.test'),
      chunks('x'),
      { service: 'SMTP' },
    );
    expect(
      queue
        .list()
        .map((item) => [
          item.id,
          item.created,
          item.size,
          item.from,
          item.to,
          item.status,
          item.nextTry,
        ]),
    ).toEqual([
      [a.queueId, T0, MESSAGE.length, 'alice@a.test', ['bob@b.test'], '', null],
      [b.queueId, T0 + 1000, MESSAGE.length, '', ['alice@a.test'], '', null],
      [c.queueId, T0 + 2000, 1, 'carol@a.test', ['dave@d.test', 'bob@b.test'], '', null],
    ]);
    expect(queue.stats()).toEqual({ messages: 3, volume: 2 * MESSAGE.length + 1 });
    expect(await queue.remove({})).toBe(0);
    expect(await queue.remove({ from: '' })).toBe(1);
    expect(await queue.remove({ to: 'BOB@b.test', createdBefore: T0 + 500 })).toBe(1);
    expect(queue.list().map((item) => item.id)).toEqual([c.queueId]);
    expect(files()).toEqual([`${c.queueId}.eml`, `${c.queueId}.env`]);
    expect(await queue.remove({ all: true })).toBe(1);
    expect(files()).toEqual([]);
    expect(agent.calls).toEqual([]);
  });

  it('removes a message in delivery once its attempt ends', async () => {
    let open!: () => void;
    agent.gate = new Promise<void>((resolve) => (open = resolve));
    agent.decide = () => ({ status: 'deferred' });
    const queue = await openQueue();
    const { queueId } = await queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await settle();
    expect(await queue.remove({ ids: [queueId] })).toBe(1);
    expect(queue.list()).toEqual([]);
    open();
    await queue.idle();
    expect(files()).toEqual([]);
  });

  it('tryNow sends the given messages at once', async () => {
    agent.decide = () => ({ status: 'deferred' });
    const queue = await openQueue();
    const a = await queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await queue.enqueue(envelope('a@a.test', 'c@b.test'), chunks(MESSAGE), { service: 'SMTP' });
    await queue.idle();
    expect(agent.calls).toHaveLength(2);
    await queue.tryNow([a.queueId]);
    expect(agent.calls).toHaveLength(3);
    expect(agent.calls[2]!.attempt).toMatchObject({ queueId: a.queueId, number: 2 });
  });

  it('holds mail for ETRN domains until release, for the domain or @domain and subdomains', async () => {
    agent.hold = (recipient) =>
      /@(branch\.test|.*\.branch\.test)$/.test(recipient) ? 'etrn' : null;
    const queue = await openQueue({ warnAfter: 0 });
    await queue.enqueue(envelope('a@a.test', 'x@branch.test', 'y@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await queue.enqueue(envelope('a@a.test', 'z@eu.branch.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await queue.idle();
    await time.advance(DAY);
    await queue.runQueue();
    expect(agent.calls.map((c) => c.envelope.recipients.map((r) => r.address))).toEqual([
      ['y@b.test'],
    ]);
    expect(queue.list()[0]!.recipients[0]).toMatchObject({
      address: 'x@branch.test',
      hold: 'etrn',
    });
    expect((await queue.release('#queue')).messages).toBe(0);
    expect((await queue.release('other.test')).messages).toBe(0);
    const exact = await queue.release('branch.test');
    expect(exact.messages).toBe(1);
    await exact.done;
    expect(agent.calls.at(-1)!.envelope.recipients.map((r) => r.address)).toEqual([
      'x@branch.test',
    ]);
    const wide = await queue.release('@branch.test');
    expect(wide.messages).toBe(1);
    await wide.done;
    expect(agent.calls.at(-1)!.envelope.recipients.map((r) => r.address)).toEqual([
      'z@eu.branch.test',
    ]);
    expect(files()).toEqual([]);
  });

  it('forgets routing answers of addresses no longer queued (bounded memory)', async () => {
    const queue = await openQueue();
    for (let i = 0; i < 20; i++) {
      await queue.enqueue(envelope('a@a.test', `r${i}@b.test`), chunks(MESSAGE), {
        service: 'SMTP',
      });
    }
    await queue.idle();
    const internals = queue as unknown as {
      routing: Map<string, unknown>;
      addressUses: Map<string, number>;
    };
    expect(internals.routing.size).toBe(0);
    expect(internals.addressUses.size).toBe(0);
  });

  it('holds scheduler domains until runQueue', async () => {
    agent.hold = (recipient) => (recipient.endsWith('@night.test') ? 'scheduler' : null);
    const queue = await openQueue();
    await queue.enqueue(envelope('a@a.test', 'x@night.test'), chunks(MESSAGE), { service: 'SMTP' });
    await queue.idle();
    expect(agent.calls).toEqual([]);
    await queue.runQueue();
    expect(agent.calls).toHaveLength(1);
  });

  it('stops gracefully: waits, then aborts deliveries still running; their mail stays queued', async () => {
    agent.gate = new Promise<void>(() => undefined);
    const queue = await openQueue({ timers: undefined });
    queues.pop();
    const { queueId } = await queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await settle();
    expect(agent.inFlight).toBe(1);
    await queue.stop(50);
    expect(agent.inFlight).toBe(0);
    await expect(
      queue.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), { service: 'SMTP' }),
    ).rejects.toMatchObject({
      code: 'stopped',
    });
    expect(record(queueId).recipients[0]).toMatchObject({ state: 'pending', status: '4.4.2' });
  });
});

describe('recovery', () => {
  it('clears half-written files and orphans, sets unreadable entries aside, and resumes the rest', async () => {
    agent.decide = () => ({ status: 'deferred' });
    const first = await openQueue();
    const kept = await first.enqueue(envelope('a@a.test', 'b@b.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await first.idle();
    await first.stop(0);
    queues.pop();
    writeFileSync(join(dir.path, '438dd9ea-00099999.eml'), 'orphan: never acknowledged');
    writeFileSync(join(dir.path, '.438dd9ea-00099998.eml.abc.tmp'), 'half');
    writeFileSync(join(dir.path, '438dd9ea-00099997.env'), '{}');
    writeFileSync(join(dir.path, '438dd9ea-00099996.eml'), MESSAGE);
    writeFileSync(join(dir.path, '438dd9ea-00099996.env'), '{ not json');
    const warnings: string[] = [];
    agent.decide = () => ({ status: 'delivered' });
    const second = await openQueue({
      logger: { info() {}, warn: (m) => warnings.push(m), error() {} },
    });
    expect(warnings).toHaveLength(3);
    await second.idle();
    await time.advance(30 * MINUTE);
    await second.idle();
    expect(agent.calls.map((c) => [c.attempt.queueId, c.attempt.number])).toEqual([
      [kept.queueId, 1],
      [kept.queueId, 2],
    ]);
    expect(readdirSync(dir.path).sort()).toEqual([
      '.queue-counter',
      '438dd9ea-00099996.eml.bad',
      '438dd9ea-00099996.env.bad',
    ]);
  });

  /**
   * What a crash between an attempt's write and its DSN leaves: an entry whose recipient failed
   * and whose DSN is owed, in a queue that is not open.
   */
  async function entryOwingDsn(): Promise<string> {
    const first = await openQueue({ mode: 'offline' });
    const { queueId } = await first.enqueue(
      envelope('alice@a.test', 'gone@b.test'),
      chunks(MESSAGE),
      { service: 'SMTP' },
    );
    await first.stop(0);
    queues.pop();
    const saved = record(queueId);
    saved.recipients[0]!.state = 'failed';
    saved.recipients[0]!.status = '5.1.1';
    saved.recipients[0]!.dsn = 'failed';
    writeFileSync(join(dir.path, `${queueId}.env`), JSON.stringify(saved));
    return queueId;
  }

  it('sends the DSN a crash kept from going out, and finishes an entry whose removal was cut short', async () => {
    const queueId = await entryOwingDsn();
    await openQueue({ mode: 'offline' });
    const left = files();
    expect(left.some((name) => name.startsWith(queueId))).toBe(false);
    expect(left).toHaveLength(2);
    const dsnId = left[0]!.slice(0, 17);
    expect(record(dsnId)).toMatchObject({
      meta: { service: 'DSN', report: 'failed' },
      envelope: { from: '' },
    });
    expect(existsSync(join(dir.path, `${dsnId}.eml`))).toBe(true);
  });

  it('sends no DSN without its original when the message cannot be read, and keeps it owed', async () => {
    const queueId = await entryOwingDsn();
    // The message cannot be read (a directory in its place: EISDIR), though it is there.
    const eml = join(dir.path, `${queueId}.eml`);
    renameSync(eml, `${eml}.aside`);
    mkdirSync(eml);
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, error: (m: string) => errors.push(m) };
    await openQueue({ mode: 'offline', logger });
    // The queue opened; the DSN was not sent, and is still owed.
    expect(files()).toEqual([`${queueId}.eml`, `${queueId}.eml.aside`, `${queueId}.env`]);
    expect(record(queueId).recipients[0]!.dsn).toBe('failed');
    expect(errors.some((m) => m.includes('EISDIR'))).toBe(true);
    await queues.pop()!.stop(0);
    // Readable again: the DSN goes, with the original's header.
    rmSync(eml, { recursive: true });
    renameSync(`${eml}.aside`, eml);
    await openQueue({ mode: 'offline' });
    const left = files();
    expect(left.some((name) => name.startsWith(queueId))).toBe(false);
    const dsn = readFileSync(
      join(
        dir.path,
        left.find((name) => name.endsWith('.eml'))!,
      ),
      'utf8',
    );
    expect(dsn).toContain(MESSAGE.slice(0, MESSAGE.indexOf('\r\n')));
  });
});
