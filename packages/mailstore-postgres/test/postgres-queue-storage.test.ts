import {
  DeliveryQueue,
  type DeliveryAttempt,
  type Envelope,
  type MessageSource,
  QueueError,
  type QueueDeliveryAgent,
  type RecipientResult,
} from '@mailyard/smtp-core';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PostgresQueueStorage } from '../src/index.js';
import { until } from './wait-until.js';

const message = (n: number) =>
  Buffer.from(`From: alice@a.test\r\nMessage-ID: <${n}@a.test>\r\n\r\nbody ${n}\r\n`);

async function* oneChunk(content: Uint8Array): AsyncIterable<Uint8Array> {
  yield content;
}

async function readAll(source: MessageSource): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source.read()) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * A delivery agent that records what it delivered (Queue-ID and bytes) and answers delivered;
 * with `journalled`, it writes a journal note first, as local delivery does before it stores.
 */
class RecordingAgent implements QueueDeliveryAgent {
  readonly delivered: { queueId: string; content: Buffer; note: unknown }[] = [];
  constructor(private readonly journalled = false) {}
  async deliver(
    envelope: Envelope,
    source: MessageSource,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult[]> {
    const note = attempt.journal?.get('target');
    if (this.journalled) await attempt.journal!.intend('target', { node: 'this' });
    this.delivered.push({ queueId: attempt.queueId, content: await readAll(source), note });
    return envelope.recipients.map((r) => ({
      recipient: r.address,
      status: 'delivered',
      code: 250,
      enhancedCode: '2.0.0',
      diagnostic: '250 2.0.0 ok',
    }));
  }
}

/**
 * An agent that writes its journal note and then never answers (a node dying mid-delivery),
 * until its attempt is aborted.
 */
class DyingAgent implements QueueDeliveryAgent {
  readonly started: string[] = [];
  async deliver(_e: Envelope, _s: MessageSource, attempt: DeliveryAttempt): Promise<never> {
    await attempt.journal!.intend('target', { uidValidity: 7, uidNext: 42 });
    this.started.push(attempt.queueId);
    return new Promise<never>((_resolve, reject) =>
      attempt.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  }
}

describeWithPostgres('PostgresQueueStorage: one delivery queue for several nodes', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  let schemas = 0;
  const opened: { queue: DeliveryQueue; storage: PostgresQueueStorage }[] = [];

  beforeAll(async () => {
    await server.start();
    admin = postgres(server.url(), { onnotice: () => {} });
  }, 60_000);
  afterEach(async () => {
    for (const { queue, storage } of opened.splice(0)) {
      await queue.stop(0);
      await storage.close();
    }
  });
  afterAll(async () => {
    await admin?.end();
    await server.close();
  });

  async function node(
    schema: string,
    agent: QueueDeliveryAgent,
    options: { node?: string; mode?: 'online' | 'offline'; leaseSeconds?: number } = {},
  ) {
    const storage = await PostgresQueueStorage.open({
      url: server.url(),
      schema,
      leaseSeconds: options.leaseSeconds ?? 1,
      ...(options.node ? { node: options.node } : {}),
    });
    const queue = await DeliveryQueue.open({
      storage,
      agent,
      hostname: 'mail.a.test',
      mode: options.mode ?? 'online',
    });
    opened.push({ queue, storage });
    return { queue, storage };
  }

  /** A node killed: its queue stops attempting and its lease is no longer renewed. */
  async function kill(dead: { queue: DeliveryQueue; storage: PostgresQueueStorage }) {
    opened.splice(opened.indexOf(dead), 1);
    await dead.storage.close();
    void dead.queue.stop(0);
  }

  const envelope = (to: string): Envelope => ({
    from: 'alice@a.test',
    recipients: [{ address: to }],
  });

  it('keeps each message in the database before enqueue resolves, with Queue-IDs unique across nodes', async () => {
    const schema = `queue_${++schemas}`;
    const a = await node(schema, new RecordingAgent(), { mode: 'offline' });
    const b = await node(schema, new RecordingAgent(), { mode: 'offline' });
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).queue.enqueue(envelope('bob@b.test'), oneChunk(message(i)), {
          service: 'SMTP',
        }),
      ),
    );
    expect(new Set(ids.map((id) => id.queueId)).size).toBe(20);
    for (const { queueId } of ids) expect(queueId).toMatch(/^[0-9a-f]{8}-[0-9]{8}$/);
    const rows = await admin<{ id: string; owner: string; content: Buffer }[]>`
      SELECT id, owner, content FROM ${admin(schema)}.queue ORDER BY id`;
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((row) => row.owner))).toEqual(
      new Set([a.storage.node, b.storage.node]),
    );
  });

  it('refuses a message over maxMessageSize as too-big, and keeps nothing', async () => {
    const schema = `queue_${++schemas}`;
    const storage = await PostgresQueueStorage.open({
      url: server.url(),
      schema,
      maxMessageSize: 1024,
    });
    const queue = await DeliveryQueue.open({
      storage,
      agent: new RecordingAgent(),
      hostname: 'mail.a.test',
      mode: 'offline',
    });
    opened.push({ queue, storage });
    await expect(
      queue.enqueue(envelope('bob@b.test'), oneChunk(Buffer.alloc(1025)), { service: 'SMTP' }),
    ).rejects.toSatisfy(
      (error: unknown) => error instanceof QueueError && error.code === 'too-big',
    );
    await queue.enqueue(envelope('bob@b.test'), oneChunk(Buffer.alloc(1024)), { service: 'SMTP' });
    const rows = await admin<{ size: string }[]>`SELECT size FROM ${admin(schema)}.queue`;
    expect(rows.map((row) => Number(row.size))).toEqual([1024]);
  });

  it('hands the messages of a node that stopped to one live node, which delivers each once', async () => {
    const schema = `queue_${++schemas}`;
    // A accepts 30 messages and is killed before it delivers any (Offline: it holds them).
    const a = await node(schema, new RecordingAgent(), { mode: 'offline' });
    const queued: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { queueId } = await a.queue.enqueue(envelope('bob@b.test'), oneChunk(message(i)), {
        service: 'SMTP',
      });
      queued.push(queueId);
    }
    const b = new RecordingAgent();
    const c = new RecordingAgent();
    // Two nodes live, both looking for orphans.
    await node(schema, b);
    await node(schema, c);
    expect(b.delivered.length + c.delivered.length).toBe(0);
    await kill(a);
    await until(() => b.delivered.length + c.delivered.length >= 30, 'the 30 messages');
    const all = [...b.delivered, ...c.delivered];
    expect(all.map((d) => d.queueId).sort()).toEqual([...queued].sort());
    for (const { queueId, content } of all) {
      expect(content.equals(message(queued.indexOf(queueId)))).toBe(true);
    }
    // Delivered, so gone from the table.
    await until(
      async () => (await admin`SELECT id FROM ${admin(schema)}.queue`).length === 0,
      'the rows to go',
    );
  });

  it('resumes a delivery from the journal the dead node wrote', async () => {
    const schema = `queue_${++schemas}`;
    const dying = new DyingAgent();
    const a = await node(schema, dying);
    const { queueId } = await a.queue.enqueue(envelope('bob@b.test'), oneChunk(message(1)), {
      service: 'SMTP',
    });
    await until(() => dying.started.length === 1, 'the first attempt');
    const b = new RecordingAgent();
    await node(schema, b);
    await kill(a);
    await until(() => b.delivered.length === 1, 'the adoption');
    expect(b.delivered[0]!.queueId).toBe(queueId);
    // What local delivery reads to find out whether the dead node had stored the message.
    expect(b.delivered[0]!.note).toEqual({
      state: 'intended',
      note: { uidValidity: 7, uidNext: 42 },
    });
  });

  it('takes its own messages back at once when it starts again under the same name', async () => {
    const schema = `queue_${++schemas}`;
    const a = await node(schema, new RecordingAgent(), {
      node: 'node-a',
      mode: 'offline',
      leaseSeconds: 3600,
    });
    await a.queue.enqueue(envelope('bob@b.test'), oneChunk(message(1)), { service: 'SMTP' });
    await kill(a);
    const again = await node(schema, new RecordingAgent(), {
      node: 'node-a',
      mode: 'offline',
      leaseSeconds: 3600,
    });
    expect(again.queue.list()).toHaveLength(1);
  });

  it('a node thought stopped that comes back drops what another node took over, without delivering it', async () => {
    const schema = `queue_${++schemas}`;
    const slowAgent = new RecordingAgent(true);
    const a = await node(schema, slowAgent, { mode: 'offline', leaseSeconds: 3600 });
    const { queueId } = await a.queue.enqueue(envelope('bob@b.test'), oneChunk(message(1)), {
      service: 'SMTP',
    });
    // A's lease passes (a long pause, a partition), and B takes its message over.
    await admin`UPDATE ${admin(schema)}.queue_nodes SET alive_until = now() - interval '1 second'
                WHERE node = ${a.storage.node}`;
    const b = new RecordingAgent(true);
    await node(schema, b);
    await until(() => b.delivered.length === 1, 'the adoption');
    // A comes back and tries: its journal write is refused before it delivers, and it forgets
    // the message.
    await a.queue.runQueue();
    expect(slowAgent.delivered).toEqual([]);
    expect(a.queue.list().map((item) => item.id)).not.toContain(queueId);
  });
});
