/**
 * Issue 11, as reported: the server runs out of file descriptors (a low limit and idle TCP
 * connections to the IMAP port), and alice, with 90 mailboxes, selects her INBOX. Every client
 * must get its protocol's temporary error (IMAP `NO [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`, SMTP
 * 4xx) or a connection closed without a word, never `[SERVERBUG]`; and once descriptors are
 * back, every mailbox and message is where it was, with no `INBOX~2` anywhere.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { treeDirectory } from '@mailyard/mailstore-fs';
import {
  describeWithCommand,
  fileLimit,
  openDescriptors,
  setSoftFileLimit,
} from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { prepareDataDirectory } from './harness/prepare-data.js';
import { LineConversation } from './harness/line-conversation.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import { EPHEMERAL_PORTS } from './harness/server-process.js';

const DOMAIN = 'example.test';
const PASSWORD = 'fd-secret-1';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const CAROL = `carol@${DOMAIN}`;
const FOLDERS = 90;
/** Connections the server can still accept once its limit is lowered; idle ones take them. */
const HEADROOM = 40;

const data = temporaryDataDirectory();
const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop('SIGKILL')));
});

const message = (n: number) =>
  Buffer.from(
    `From: x@remote.test\r\nSubject: message ${n}\r\nMessage-ID: <fd${n}@x>\r\n\r\nBody ${n}\r\n`,
  );

/** Alice: 90 folders of two messages each, with flags; Bob: a message to RETR. */
async function fillStore(): Promise<void> {
  const store = new FsMailStore({ directory: join(data, 'store') });
  const alice = store.access(ALICE);
  for (let i = 1; i <= FOLDERS; i++) {
    await alice.create(`Folder ${i}`);
    await alice.append(`Folder ${i}`, [
      { content: message(2 * i), flags: ['\\Seen'] },
      { content: message(2 * i + 1), flags: ['\\Flagged', `$Label${i % 5}`] },
    ]);
  }
  await alice.append(
    'INBOX',
    [1, 2, 3, 4, 5].map((n) => ({ content: message(1000 + n) })),
  );
  await store.access(BOB).append('INBOX', [{ content: message(2000) }]);
  await store.close();
}

/** Every directory name under the store's mail directory, for "no INBOX~2 anywhere". */
function directoryNames(path = join(data, 'store', 'mail')): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? [entry.name, ...directoryNames(join(path, entry.name))] : [],
  );
}

/** A user's mailboxes as the store's tree file records them: path and folder type. */
function treeMailboxes(user: string): string[] {
  const file = join(data, 'store', treeDirectory(user), '#tree.json');
  const tree = JSON.parse(readFileSync(file, 'utf8')) as {
    mailboxes: { path: string; folderType: string }[];
  };
  return tree.mailboxes.map((m) => `${m.path} (${m.folderType})`).sort();
}

describeWithCommand('prlimit', 'a server out of file descriptors', () => {
  it('answers with temporary errors, loses nothing, and serves everything once descriptors are back', async () => {
    await prepareDataDirectory(data, {
      // Plain LOGIN and USER/PASS on the plain ports, so that the conversations stay readable.
      config: (defaults) => ({
        ...defaults,
        authentication: { ...defaults.authentication, requireSecureAuth: false },
      }),
      domains: [DOMAIN],
      users: [ALICE, BOB, CAROL].map((address) => ({ address, password: PASSWORD })),
    });
    await fillStore();
    const aliceBefore = treeMailboxes(ALICE);
    expect(aliceBefore).toHaveLength(FOLDERS + 9);

    const server = await startServer(data, EPHEMERAL_PORTS);
    running.push(server);
    const { imap, pop3, smtp } = server.ports as Record<string, number>;

    // Sessions opened while descriptors last. Alice's LOGIN does not read her tree, so her
    // first SELECT reads it from disk, as after an eviction.
    const aliceImap = (await LineConversation.open(imap!, /^\* OK/m))!;
    await aliceImap.ask(`a0 LOGIN ${ALICE} ${PASSWORD}\r\n`, /^a0 OK/m);
    const bobPop = (await LineConversation.open(pop3!, /^\+OK/m))!;
    await bobPop.ask(`USER ${BOB}\r\n`, /^\+OK/m);
    await bobPop.ask(`PASS ${PASSWORD}\r\n`, /^\+OK/m);
    const carolPop = (await LineConversation.open(pop3!, /^\+OK/m))!;
    await carolPop.ask(`USER ${CAROL}\r\n`, /^\+OK/m);
    const sender = (await LineConversation.open(smtp!, /^220 /m))!;
    await sender.ask('EHLO fd.test\r\n', /^250 /m);
    await sender.ask('MAIL FROM:<x@remote.test>\r\n', /^250 /m);
    await sender.ask(`RCPT TO:<${BOB}>\r\n`, /^250 /m);

    // The attack: the limit lowered to just above what the server has open, and idle
    // connections to the IMAP port until the server cannot accept another one.
    const { soft } = fileLimit(server.pid);
    setSoftFileLimit(server.pid, Math.max(...openDescriptors(server.pid)) + 1 + HEADROOM);
    const idle: LineConversation[] = [];
    for (;;) {
      const connection = await LineConversation.open(imap!, /^\* OK/m);
      if (!connection) break;
      idle.push(connection);
      if (idle.length > 10 * HEADROOM + 1000) throw new Error('the server never ran out');
    }

    const seen: Record<string, string> = {};
    try {
      seen.select = await aliceImap.ask('a1 SELECT INBOX\r\n', /^a1 /m);
      seen.status = await aliceImap.ask('a2 STATUS "Folder 1" (MESSAGES)\r\n', /^a2 /m);
      seen.list = await aliceImap.ask('a3 LIST "" "*"\r\n', /^a3 /m);
      const appended = message(9001);
      seen.append = await aliceImap.ask(
        `a4 APPEND INBOX {${appended.length}+}\r\n${appended.toString('latin1')}\r\n`,
        /^a4 /m,
      );
      seen.retr = await bobPop.ask('RETR 1\r\n', /^[+-]/m);
      seen.pop3Login = await carolPop.ask(`PASS ${PASSWORD}\r\n`, /^[+-]/m);
      await sender.ask('DATA\r\n', /^354 /m);
      seen.smtpData = await sender.ask(`${message(3000).toString('latin1')}.\r\n`, /^\d{3} /m);
      await sender.ask('MAIL FROM:<x@remote.test>\r\n', /^250 /m);
      seen.smtpRcptAlice = await sender.ask(`RCPT TO:<${ALICE}>\r\n`, /^\d{3} /m);
      for (const [name, port, greeting] of [
        ['newImap', imap!, /^\* OK/m],
        ['newPop3', pop3!, /^\+OK/m],
        ['newSmtp', smtp!, /^220 /m],
      ] as const) {
        const connection = await LineConversation.open(port, greeting);
        seen[name] = connection ? 'greeted' : 'closed without a greeting';
        connection?.close();
      }
    } finally {
      setSoftFileLimit(server.pid, soft);
    }
    if (process.env.MAILYARD_SHOW_CLIENTS) console.log({ idle: idle.length, ...seen });

    expect(seen.select).toMatch(/^a1 NO \[UNAVAILABLE\]/m);
    expect(seen.status).toMatch(/^a2 NO \[UNAVAILABLE\]/m);
    expect(seen.list).toMatch(/^a3 NO \[UNAVAILABLE\]/m);
    expect(seen.append).toMatch(/^a4 NO \[UNAVAILABLE\]/m);
    expect(seen.retr).toMatch(/^-ERR \[SYS\/TEMP\]/m);
    expect(seen.pop3Login).toMatch(/^-ERR \[SYS\/TEMP\]/m);
    expect(seen.smtpData).toMatch(/^4\d\d 4\.\d\.\d /m);
    expect(seen.smtpRcptAlice).toMatch(/^4\d\d 4\.\d\.\d /m);
    expect(Object.values(seen).join('')).not.toContain('SERVERBUG');
    expect([seen.newImap, seen.newPop3, seen.newSmtp]).toEqual([
      'closed without a greeting',
      'closed without a greeting',
      'closed without a greeting',
    ]);

    // Descriptors back (the limit restored; the idle connections may stay): nothing was lost.
    expect(await aliceImap.ask('a5 SELECT INBOX\r\n', /^a5 /m)).toMatch(/^\* 5 EXISTS/m);
    const list = await aliceImap.ask('a6 LIST "" "*"\r\n', /^a6 OK/m);
    // IMAP lists the mail folders (Kerio's calendars and contacts are not mail).
    expect(list.match(/^\* LIST /gm)).toHaveLength(
      aliceBefore.filter((m) => m.endsWith('(mail)')).length,
    );
    expect(await aliceImap.ask('a7 STATUS "Folder 90" (MESSAGES)\r\n', /^a7 OK/m)).toContain(
      '(MESSAGES 2)',
    );
    const flags = await aliceImap.ask('a8 EXAMINE "Folder 7"\r\n', /^a8 OK/m);
    expect(flags).toMatch(/^\* 2 EXISTS/m);
    expect(await aliceImap.ask('a9 FETCH 1:2 (FLAGS)\r\n', /^a9 OK/m)).toMatch(
      /\* 1 FETCH \(FLAGS \(\\Seen\)\)\r\n\* 2 FETCH \(FLAGS \(\\Flagged \$Label2\)\)/,
    );
    expect(await bobPop.ask('RETR 1\r\n', /^\.\r$/m)).toContain('Subject: message 2000');
    const carolAgain = (await LineConversation.open(pop3!, /^\+OK/m))!;
    await carolAgain.ask(`USER ${CAROL}\r\n`, /^\+OK/m);
    expect(await carolAgain.ask(`PASS ${PASSWORD}\r\n`, /^[+-]/m)).toMatch(/^\+OK/m);
    // A delivery to alice arrives: wait for it in her INBOX.
    await aliceImap.ask('b1 SELECT INBOX\r\n', /^b1 OK/m);
    aliceImap.send('b2 IDLE\r\n');
    await aliceImap.reply(/^\+ /m);
    await sender.ask('RSET\r\n', /^250 /m);
    await sender.ask('MAIL FROM:<x@remote.test>\r\n', /^250 /m);
    await sender.ask(`RCPT TO:<${ALICE}>\r\n`, /^250 /m);
    await sender.ask('DATA\r\n', /^354 /m);
    expect(await sender.ask(`${message(3001).toString('latin1')}.\r\n`, /^\d{3} /m)).toMatch(
      /^250 /m,
    );
    await aliceImap.reply(/^\* 6 EXISTS/m);
    await aliceImap.ask('DONE\r\n', /^b2 OK/m);

    for (const connection of [...idle, aliceImap, bobPop, carolPop, carolAgain, sender])
      connection.close();
    await server.stop();
    expect(treeMailboxes(ALICE)).toEqual(aliceBefore);
    expect(directoryNames().filter((name) => name.includes('~'))).toEqual([]);
    expect(existsSync(join(data, 'store', treeDirectory(CAROL), 'INBOX'))).toBe(true);
    expect(server.stderr()).not.toMatch(/uncaught|unhandled/i);
  });
});
