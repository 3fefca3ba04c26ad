import { readdirSync, statSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      limits: { ...defaults.limits, inFlightPerClient: 3 * 1024 * 1024, messageSize: 0 },
    }),
    domains: ['example.test'],
    users: [{ address: 'alice@example.test', password: 'alice-secret' }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

/** A plain SMTP client that reads replies line by line. */
class Client {
  text = '';
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const client = new Client(socket);
    await client.reply();
    return client;
  }

  /** The next final reply line. */
  async reply(): Promise<string> {
    for (;;) {
      const match = /^(\d{3}) [^\r\n]*\r\n/m.exec(this.text);
      if (match) {
        this.text = this.text.slice(match.index + match[0].length);
        return match[0].trimEnd();
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async say(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
}

const queue = () => readdirSync(join(data, 'store', 'queue'));
const spooling = () => queue().filter((name) => name.endsWith('.tmp'));
const megabyte = Buffer.from(`${'m'.repeat(1022)}\r\n`.repeat(1024));

async function inTransaction(): Promise<Client> {
  const client = await Client.open(server.ports.smtp!);
  await client.say('EHLO c.test');
  expect(await client.say('MAIL FROM:<c@else.test>')).toMatch(/^250 /);
  expect(await client.say('RCPT TO:<alice@example.test>')).toMatch(/^250 /);
  return client;
}

describe('mail in flight: spooled to the queue, and nothing left of it when it does not finish', () => {
  it('spools a message into the queue directory as it comes, and removes it when the client goes', async () => {
    const client = await inTransaction();
    expect(await client.say('DATA')).toMatch(/^354 /);
    client.socket.write(Buffer.concat([Buffer.from('Subject: half\r\n\r\n'), megabyte]));
    await eventually(async () => (spooling().length === 1 ? true : undefined), 'a spool file');
    client.socket.destroy();
    await eventually(async () => (spooling().length === 0 ? true : undefined), 'no spool file');
    expect(queue().filter((name) => name.endsWith('.env'))).toEqual([]);
  });

  it('removes the spool of a message reset between BDAT chunks, and frees its octets', async () => {
    const client = await inTransaction();
    client.socket.write(`BDAT ${megabyte.length}\r\n`);
    client.socket.write(megabyte);
    expect(await client.reply()).toMatch(/^250 /);
    // The spool begins once the spam filter has rated the message's start (the header here).
    await eventually(async () => (spooling().length === 1 ? true : undefined), 'a spool file');
    expect(await client.say('RSET')).toMatch(/^250 /);
    await eventually(async () => (spooling().length === 0 ? true : undefined), 'no spool file');
    // Its octets are free again: a 2 MB message fits under the 3 MB per client.
    expect(await client.say('MAIL FROM:<c@else.test>')).toMatch(/^250 /);
    expect(await client.say('RCPT TO:<alice@example.test>')).toMatch(/^250 /);
    expect(await client.say('DATA')).toMatch(/^354 /);
    client.socket.write(Buffer.concat([Buffer.from('Subject: two\r\n\r\n'), megabyte, megabyte]));
    expect(await client.say('.')).toMatch(/^250 2\.0\.0 Ok: queued as /);
    await client.say('QUIT');
  });

  it("refuses with 452 4.3.1 what passes a client's octets in flight, over its connections together", async () => {
    const first = await inTransaction();
    expect(await first.say('DATA')).toMatch(/^354 /);
    first.socket.write(Buffer.concat([megabyte, megabyte]));
    // All of it in, spooled (the spool has the Received header on top).
    const spooled = () =>
      spooling().reduce((sum, name) => sum + statSync(join(data, 'store', 'queue', name)).size, 0);
    await eventually(
      async () => (spooled() > 2 * megabyte.length ? true : undefined),
      'the first message spooled',
    );
    const second = await inTransaction();
    expect(await second.say('DATA')).toMatch(/^354 /);
    second.socket.write(Buffer.concat([megabyte, megabyte]));
    expect(await second.say('.')).toBe('452 4.3.1 Insufficient system storage');
    expect(await first.say('.')).toMatch(/^250 2\.0\.0 /);
    await Promise.all([first.say('QUIT'), second.say('QUIT')]);
  });
});
