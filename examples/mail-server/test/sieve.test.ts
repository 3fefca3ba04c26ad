/**
 * Issue 14 in the example server: a user uploads a Sieve script with Debian's sieve-connect over
 * ManageSieve (STARTTLS, PLAIN), mail sent with swaks is filed by it, and Python's imaplib reads
 * it where the script put it. A script that does not compile is refused at upload; one that fails
 * at delivery delivers to the INBOX and tells the user; redirects between two users end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesToSieve } from '@mailyard/sieve';
import { describeWithCommand, freePort } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, eventually, readWithImaplib, splitTrace, testMessage } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import { prepareDataDirectory } from './harness/prepare-data.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const alice = { user: 'alice@example.test', password: 'alice-secret' };
const bob = { user: 'bob@example.test', password: 'bob-secret' };
const carol = { user: 'carol@example.test', password: 'carol-secret' };
// Vacation: erin and hank reply; the others write to them.
const account = (name: string) => ({ user: `${name}@example.test`, password: `${name}-secret` });
const [erin, frank, gina, hank, ivan, judy, kim] = [
  'erin',
  'frank',
  'gina',
  'hank',
  'ivan',
  'judy',
  'kim',
].map(account) as [Account, Account, Account, Account, Account, Account, Account];
type Account = { user: string; password: string };
let server: ServerProcess;
const serverArgs = [
  ...EPHEMERAL_PORTS,
  ...[alice, bob, carol, erin, frank, gina, hank, ivan, judy, kim].flatMap((account) => [
    '--user',
    `${account.user}:${account.password}`,
  ]),
];

/** Postfix's smtp-sink, the catching peer for mail to phone.test (enotify's notifications). */
let sink: ChildProcess | undefined;
// Its own directory: the data directory's parent is private, and smtp-sink writes as nobody.
const sinkDirectory = mkdtempSync(join(tmpdir(), 'mailyard-sieve-sink-'));

beforeAll(async () => {
  chmodSync(sinkDirectory, 0o777);
  const sinkPort = await freePort();
  sink = spawn('smtp-sink', [
    ...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []),
    ...['-d', join(sinkDirectory, '%Y%m%d%H%M%S.'), `127.0.0.1:${sinkPort}`, '10'],
  ]);
  sink.on('error', () => undefined);
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      delivery: {
        ...defaults.delivery,
        routes: [{ domain: 'phone.test', host: '127.0.0.1', port: sinkPort }],
      },
    }),
    domains: ['example.test'],
    users: [],
  });
  server = await startServer(data, serverArgs);
});
afterAll(async () => {
  await server?.stop();
  sink?.kill();
  rmSync(sinkDirectory, { recursive: true, force: true });
});

/** sieve-connect with one action, as `account`; the password goes through file descriptor 3. */
function sieveConnect(
  account: { user: string; password: string },
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sieve-connect',
      [
        ...['--server', '127.0.0.1', '--port', String(server.ports.sieve!)],
        ...['--user', account.user, '--authmech', 'PLAIN', '--passwordfd', '3'],
        '--notlsverify',
        '--noclearauth',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], cwd: join(data, '..') },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    (child.stdio[3] as NodeJS.WritableStream).end(`${account.password}\n`);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function install(account: { user: string; password: string }, name: string, script: string) {
  const file = join(data, '..', `${name}.sieve`);
  writeFileSync(file, script);
  const upload = await sieveConnect(
    account,
    '--upload',
    '--localsieve',
    file,
    '--remotesieve',
    name,
  );
  expect(upload, upload.stderr).toMatchObject({ code: 0 });
  const activate = await sieveConnect(account, '--activate', '--remotesieve', name);
  expect(activate, activate.stderr).toMatchObject({ code: 0 });
}

async function sendWithSwaks(to: string, subject: string, id: string): Promise<void> {
  const file = join(data, '..', `${id}.eml`);
  writeFileSync(file, testMessage({ from: 'dave@elsewhere.test', to, subject, id }));
  const sent = await command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...['--from', 'dave@elsewhere.test', '--to', to, '--data', `@${file}`],
  ]);
  expect(sent.code, sent.stdout + sent.stderr).toBe(0);
}

/** A message from one local user to another with swaks; `head` goes before the header. */
async function sendFrom(
  from: string,
  to: string,
  id: string,
  options: { head?: string; headerTo?: string } = {},
): Promise<void> {
  const file = join(data, '..', `${id}.eml`);
  const message = testMessage({ from, to: options.headerTo ?? to, subject: `about ${id}`, id });
  writeFileSync(file, Buffer.concat([Buffer.from(options.head ?? ''), message]));
  const sent = await command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...['--from', from, '--to', to, '--data', `@${file}`],
  ]);
  expect(sent.code, sent.stdout + sent.stderr).toBe(0);
}

const queueEmpty = () =>
  eventually(
    async () =>
      readdirSync(join(data, 'store', 'queue')).some((name) => name.endsWith('.env'))
        ? undefined
        : true,
    'the queue to empty',
  );

/** The vacation replies in a user's INBOX (from one user, when given). */
async function repliesTo(account: Account, from?: Account) {
  return (await imaps(account)).messages.filter((m) => {
    const text = m.content.toString();
    return (
      text.includes('Auto-Submitted: auto-replied') &&
      (from === undefined || text.includes(`\r\nFrom: ${from.user}\r\n`))
    );
  });
}

/** Waits until the INBOX holds a message with each of these ids. */
async function delivered(account: Account, ...ids: string[]) {
  await eventually(
    async () => {
      const box = await imaps(account);
      return ids.every((id) => box.messages.some(withId(id))) ? box : undefined;
    },
    `${ids.join(', ')} at ${account.user}`,
  );
}

const imaps = (account: { user: string; password: string }, mailbox = 'INBOX', create = false) =>
  readWithImaplib({ port: server.ports.imaps!, cafile, ...account, mailbox, create });

const withId = (id: string) => (m: { content: Buffer }) =>
  splitTrace(m.content).original.toString().includes(`Message-ID: <${id}>`);

describeWithCommand(
  'sieve-connect',
  'Sieve scripts uploaded over ManageSieve, run at delivery',
  () => {
    it('files mail sent with swaks where the script says, and imaplib reads it there', async () => {
      expect(await imaps(alice, 'Orders', true)).toMatchObject({ messages: [] });
      await install(
        alice,
        'rules',
        'require "fileinto";\r\nif header :contains "subject" "order" { fileinto "Orders"; }\r\n',
      );
      await sendWithSwaks(alice.user, 'A new ORDER', 'order@elsewhere.test');
      await sendWithSwaks(alice.user, 'Hello', 'hello@elsewhere.test');
      const orders = await eventually(async () => {
        const box = await imaps(alice, 'Orders');
        return box.messages.length > 0 ? box : undefined;
      }, 'the order in Orders');
      expect(orders.messages.filter(withId('order@elsewhere.test'))).toHaveLength(1);
      const inbox = await eventually(async () => {
        const box = await imaps(alice);
        return box.messages.some(withId('hello@elsewhere.test')) ? box : undefined;
      }, 'the other message in the INBOX');
      expect(inbox.messages.some(withId('order@elsewhere.test'))).toBe(false);
    });

    it('refuses a script that does not compile, saying where', async () => {
      const file = join(data, '..', 'broken.sieve');
      writeFileSync(file, 'require "fileinto";\r\nfrobnicate;\r\n');
      const upload = await sieveConnect(
        alice,
        '--upload',
        '--localsieve',
        file,
        '--remotesieve',
        'broken',
      );
      expect(upload.code).not.toBe(0);
      expect(upload.stdout + upload.stderr).toContain('line 2');
    });

    it('delivers to the INBOX when the script fails at delivery, and tells the user once', async () => {
      // Two redirects are fine; a budget of 4 (Pigeonhole's) makes the fifth a runtime error.
      const redirects = Array.from({ length: 5 }, (_, i) => `redirect "r${i}@elsewhere.test";`);
      await install(carol, 'many', `${redirects.join('\r\n')}\r\n`);
      await sendWithSwaks(carol.user, 'first', 'fail1@elsewhere.test');
      await sendWithSwaks(carol.user, 'second', 'fail2@elsewhere.test');
      const inbox = await eventually(async () => {
        const box = await imaps(carol);
        return box.messages.filter(
          (m) => withId('fail1@elsewhere.test')(m) || withId('fail2@elsewhere.test')(m),
        ).length === 2
          ? box
          : undefined;
      }, 'both messages in the INBOX');
      const reports = inbox.messages.filter((m) =>
        m.content.toString().includes('Subject: Mail filter error'),
      );
      expect(reports).toHaveLength(1);
      expect(reports[0]!.content.toString()).toContain('"many" failed');
    });

import { rulesToSieve } from '@mailyard/sieve';
import { describeWithCommand, freePort } from '@mailyard/test-kit';
    });

    it('ends a redirect loop between two users', async () => {
      await install(alice, 'loop', `redirect "${bob.user}";\r\n`);
      await install(bob, 'loop', `redirect "${alice.user}";\r\nkeep;\r\n`);
      await sendWithSwaks(alice.user, 'round and round', 'loop@elsewhere.test');
      // alice sends it to bob, who keeps a copy and sends it back to alice, who has had it: the
      // queue entry settles (its file goes) with one copy at bob's, none at alice's.
      const queue = join(data, 'store', 'queue');
      await eventually(
        async () => (readdirSync(queue).some((name) => name.endsWith('.env')) ? undefined : true),
        'the queue to empty',
      );
      const copies = (await imaps(bob)).messages.filter(withId('loop@elsewhere.test'));
      expect(copies).toHaveLength(1);
      expect((await imaps(alice)).messages.filter(withId('loop@elsewhere.test'))).toHaveLength(0);
    });

    it('keeps vacation tracking across a restart', async () => {
      await server.stop();
      server = await startServer(data, serverArgs);
      await sendFrom(frank.user, erin.user, 'v4@example.test');
      await delivered(erin, 'v4@example.test');
      await queueEmpty();
      expect(await repliesTo(frank, erin)).toHaveLength(1);
    });
  },
);
