import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresServer, describeWithCommand, describeWithPostgres } from '@mailyard/test-kit';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  command,
  eventually,
  readWithImaplib,
  readWithPoplib,
  splitTrace,
  testMessage,
} from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const alice = { user: 'alice@example.test', password: 'alice-secret' };

/** An IMAPS client of one node, with that node's own self-signed certificate. */
function imapClient(node: ServerProcess): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: node.ports.imaps!,
    secure: true,
    auth: { user: alice.user, pass: alice.password },
    tls: { ca: readFileSync(join(node.data, 'sslcert', 'server.crt')), servername: 'localhost' },
    logger: false,
  });
}

describeWithPostgres('two servers over one PostgreSQL (--store postgres://)', () => {
  const database = new PostgresServer();
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    await database.start();
    // Two data directories (each node its own configuration, certificate, queue and logs), one
    // store: the database.
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startServer(temporaryDataDirectory(), [
          ...EPHEMERAL_PORTS,
          '--store',
          database.url(),
          '--user',
          `${alice.user}:${alice.password}`,
        ]),
      );
    }
    [a, b] = nodes as [ServerProcess, ServerProcess];
  }, 90_000);
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await database.close();
  });

  describeWithCommand('swaks', 'mail accepted by node A', () => {
    const sent = testMessage({
      from: 'carol@elsewhere.test',
      to: alice.user,
      subject: 'through node A',
      id: 'node-a@elsewhere.test',
    });

    it('is accepted by node A from swaks and read from node B over IMAP (imaplib) and POP3 (poplib)', async () => {
      const file = join(a.data, '..', 'swaks.eml');
      writeFileSync(file, sent.subarray(0, -2));
      const result = await command('swaks', [
        '--server',
        `127.0.0.1:${a.ports.smtp}`,
        '--ehlo',
        'swaks.test',
        '--from',
        'carol@elsewhere.test',
        '--to',
        alice.user,
        '--data',
        `@${file}`,
      ]);
      expect(result.stdout).toMatch(/<- {2}250 2\.0\.0 Ok: queued as /);
      const cafile = join(b.data, 'sslcert', 'server.crt');
      const viaImap = await eventually(async () => {
        const read = await readWithImaplib({ port: b.ports.imaps!, cafile, ...alice });
        return read.messages.length === 1 ? read : undefined;
      }, 'the message in the INBOX, seen from node B');
      expect(splitTrace(viaImap.messages[0]!.content).original.equals(sent)).toBe(true);
      const viaPop3 = await readWithPoplib({ port: b.ports.pop3s!, cafile, ...alice });
      expect(viaPop3.count).toBe(1);
      expect(splitTrace(viaPop3.messages[0]!.content).original.equals(sent)).toBe(true);
    });
  });

  it('tells a client in IDLE on node A of an APPEND made through node B', async () => {
    const idler = imapClient(a);
    const appender = imapClient(b);
    await idler.connect();
    await appender.connect();
    try {
      const inbox = await idler.mailboxOpen('INBOX');
      const before = inbox.exists;
      const heard = new Promise<number>((resolve) =>
        idler.on('exists', (update: { count: number }) => resolve(update.count)),
      );
      void idler.idle();
      const appended = await appender.append(
        'INBOX',
        testMessage({
          from: alice.user,
          to: alice.user,
          subject: 'appended through node B',
          id: 'node-b@example.test',
        }),
      );
      expect(appended).toMatchObject({ destination: 'INBOX' });
      expect(await heard).toBe(before + 1);
    } finally {
      await idler.logout();
      await appender.logout();
    }
  });

  it('shares the directory: a user created on a third node logs in on node A, users.cfg untouched', async () => {
    const dave = { user: 'dave@example.test', password: 'dave-secret' };
    const c = await startServer(temporaryDataDirectory(), [
      ...EPHEMERAL_PORTS,
      '--store',
      database.url(),
      '--user',
      `${dave.user}:${dave.password}`,
    ]);
    nodes.push(c);
    const cafile = join(a.data, 'sslcert', 'server.crt');
    // Node A hears of the change (NOTIFY) and reads the directory again.
    const inbox = await eventually(
      () => readWithImaplib({ port: a.ports.imaps!, cafile, ...dave }),
      'dave logged in on node A',
    );
    expect(inbox.messages).toEqual([]);
    // Over PostgreSQL the directory is the database's, not a file of each node.
    expect(existsSync(join(c.data, 'users.cfg'))).toBe(false);
  });
});
