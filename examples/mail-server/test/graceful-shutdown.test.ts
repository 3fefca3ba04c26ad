import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { eventually, readWithPoplib } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const password = 'shutdown-secret';
const data = temporaryDataDirectory();
const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop('SIGKILL')));
});

/** An SMTP conversation by hand, to stop the server at an exact point of it. */
class Conversation {
  private received = '';
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.received += text;
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<Conversation> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const conversation = new Conversation(socket);
    await conversation.reply(/^220 /m);
    return conversation;
  }

  /** Waits for a reply line matching `pattern` and returns everything received so far. */
  async reply(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.received)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  send(text: string): void {
    this.socket.write(text);
  }
}

describeWithCommand('python3', 'SIGTERM', () => {
  it('stops listening, lets the transaction in flight finish, and exits 0', async () => {
    const server = await startServer(data, [
      ...EPHEMERAL_PORTS,
      '--user',
      `alice@example.test:${password}`,
    ]);
    running.push(server);
    const idle = await Conversation.open(server.ports.smtp!);
    idle.send('EHLO idle.test\r\n');
    await idle.reply(/^250 /m);
    const busy = await Conversation.open(server.ports.smtp!);
    busy.send('EHLO shutdown.test\r\n');
    await busy.reply(/^250 /m);
    busy.send('MAIL FROM:<sender@shutdown.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
    await busy.reply(/^354 /m);
    busy.send(
      'Subject: half-way\r\nMessage-ID: <in-flight@shutdown.test>\r\n\r\nThe first half,\r\n',
    );

    const exited = server.stop('SIGTERM');
    // The idle session is told at once; new connections find nobody listening.
    await expect(idle.reply(/^421 /m)).resolves.toMatch(/^421 4\.3\.2 /m);
    await eventually(
      () =>
        new Promise<boolean | undefined>((resolve) => {
          const probe = connect(server.ports.smtp!, '127.0.0.1');
          probe.once('connect', () => (probe.destroy(), resolve(undefined)));
          probe.once('error', () => resolve(true));
        }),
      'the SMTP port to be closed',
    );
    // The transaction in flight still ends with its 250, then the session is closed.
    busy.send('and the second half.\r\n.\r\n');
    await expect(busy.reply(/^250 /m)).resolves.toMatch(/^250 2\.0\.0 Ok: queued as /m);
    await busy.closed;
    await expect(exited).resolves.toEqual({ code: 0, signal: null });

    // What the queue held is delivered after the next start, once.
    const again = await startServer(data);
    running.push(again);
    const mailbox = await eventually(async () => {
      const read = await readWithPoplib({
        port: again.ports.pop3s!,
        cafile: join(data, 'sslcert', 'server.crt'),
        user: 'alice@example.test',
        password,
      });
      return read.count > 0 ? read : undefined;
    }, 'the message in flight at the SIGTERM');
    expect(mailbox.count).toBe(1);
    expect(mailbox.messages[0]!.content.toString()).toMatch(
      /Message-ID: <in-flight@shutdown\.test>\r\n\r\nThe first half,\r\nand the second half\.\r\n$/,
    );
  });
});
