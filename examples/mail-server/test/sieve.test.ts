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
import { sieveConnect as runSieveConnect } from './harness/sieve-connect.js';

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
// Reject: lena refuses, mike shares a message with her, nora sends.
const [lena, mike, nora] = ['lena', 'mike', 'nora'].map(account) as [Account, Account, Account];
// Redirects: olga redirects, pete receives.
const [olga, pete] = ['olga', 'pete'].map(account) as [Account, Account];
// An edited redirect loop: quinn and rita tag the message and send it to each other.
const [quinn, rita] = ['quinn', 'rita'].map(account) as [Account, Account];
type Account = { user: string; password: string };
let server: ServerProcess;
const serverArgs = [
  ...EPHEMERAL_PORTS,
  ...[
    alice,
    bob,
    carol,
    erin,
    frank,
    gina,
    hank,
    ivan,
    judy,
    kim,
    lena,
    mike,
    nora,
    olga,
    pete,
    quinn,
    rita,
  ].flatMap((account) => ['--user', `${account.user}:${account.password}`]),
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

/** sieve-connect with one action, as `account`, against the server under test. */
function sieveConnect(account: { user: string; password: string }, ...args: string[]) {
  return runSieveConnect({ port: server.ports.sieve!, cwd: join(data, '..') }, account, ...args);
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

    it('answers a sender once with vacation, through the queue, and never list mail', async () => {
      await install(
        erin,
        'away',
        'require "vacation";\r\nvacation :days 7 :subject "Away" "I am away until Monday.";\r\n',
      );
      await sendFrom(frank.user, erin.user, 'v1@example.test');
      const [reply] = await eventually(async () => {
        const replies = await repliesTo(frank);
        return replies.length > 0 ? replies : undefined;
      }, 'the vacation reply at frank');
      await sendFrom(frank.user, erin.user, 'v2@example.test');
      await sendFrom(gina.user, erin.user, 'v3@example.test', {
        head: 'List-Id: <team.example.test>\r\n',
      });
      await delivered(erin, 'v1@example.test', 'v2@example.test', 'v3@example.test');
      await queueEmpty();
      expect(await repliesTo(frank, erin)).toHaveLength(1);
      expect(await repliesTo(gina)).toHaveLength(0);
      const text = splitTrace(reply!.content).original.toString();
      expect(splitTrace(reply!.content).trace.join('\n')).toMatch(/Return-Path: <>/i);
      expect(text).toMatch(/^From: erin@example\.test\r$/m);
      expect(text).toMatch(/^To: .*frank@example\.test.*\r$/m);
      expect(text).toMatch(/^Subject: Away\r$/m);
      expect(text).toMatch(/^Auto-Submitted: auto-replied \(vacation\)\r$/m);
      expect(text).toMatch(/^In-Reply-To: <v1@example\.test>\r$/m);
      expect(text).toMatch(/^References: <v1@example\.test>\r$/m);
      expect(text).toContain('\r\n\r\nI am away until Monday.\r\n');
    });

    it("runs Kerio's out of office from the rule model (rules.md items 25, 26, 28)", async () => {
      const script = rulesToSieve({
        rules: [
          {
            kind: 'out-of-office',
            enabled: true,
            text: 'I am out of the office this week.',
            addresses: [hank.user, 'h.alias@example.test'],
          },
        ],
      });
      await install(hank, 'rules', script);
      await sendFrom(frank.user, hank.user, 'o1@example.test');
      await sendFrom(frank.user, hank.user, 'o2@example.test');
      await sendFrom(gina.user, hank.user, 'o3@example.test', { head: 'Precedence: bulk\r\n' });
      await sendFrom(ivan.user, hank.user, 'o4@example.test', { headerTo: 'h.alias@example.test' });
      await sendFrom(judy.user, hank.user, 'o5@example.test', { headerTo: 'nobody@example.test' });
      const ids = ['o1', 'o2', 'o3', 'o4', 'o5'].map((id) => `${id}@example.test`);
      await delivered(hank, ...ids);
      await eventually(
        async () => ((await repliesTo(ivan)).length > 0 ? true : undefined),
        'the reply to the alias',
      );
      await queueEmpty();
      const toFrank = await repliesTo(frank, hank);
      expect(toFrank[0]!.content.toString()).toContain('I am out of the office this week.');
      expect(toFrank).toHaveLength(1);
      expect(toFrank[0]!.content.toString()).toMatch(/^In-Reply-To: <o1@example\.test>\r$/m);
      expect(await repliesTo(gina)).toHaveLength(0);
      expect(await repliesTo(judy)).toHaveLength(0);
      expect((await repliesTo(ivan))[0]!.content.toString()).toMatch(
        /^From: h\.alias@example\.test\r$/m,
      );
    });

    it('stores the flags of imap4flags (fileinto :flags, keep :flags, the internal variable)', async () => {
      await install(
        kim,
        'flags',
        [
          'require ["imap4flags", "fileinto", "mailbox"];',
          'addflag "$Internal";',
          'fileinto :create "Archive";',
          'fileinto :create :flags "\\\\Flagged $Work" "Work";',
          'keep :flags "$Label1";',
          '',
        ].join('\r\n'),
      );
      await sendFrom(frank.user, kim.user, 'f1@example.test');
      const copy = async (mailbox: string) =>
        eventually(async () => {
          const box = await imaps(kim, mailbox);
          return box.messages.find(withId('f1@example.test'));
        }, `the message in ${mailbox}`);
      // \Recent is the IMAP session's own, not the script's.
      const stored = async (mailbox: string) =>
        [...(await copy(mailbox)).flags].filter((flag) => flag !== '\\Recent').sort();
      expect(await stored('Work')).toEqual(['$Work', '\\Flagged']);
      expect(await stored('Archive')).toEqual(['$Internal']);
      expect(await stored('INBOX')).toEqual(['$Label1']);
    });

    it('files a second copy of one message as a duplicate (RFC 7352, tracked on disk)', async () => {
      await install(
        judy,
        'dedupe',
        'require ["duplicate", "fileinto", "mailbox"];\r\nif duplicate { fileinto :create "Duplicates"; }\r\n',
      );
      await sendFrom(frank.user, judy.user, 'dup@example.test');
      await delivered(judy, 'dup@example.test');
      await sendFrom(gina.user, judy.user, 'dup@example.test');
      const duplicates = await eventually(async () => {
        const box = await imaps(judy, 'Duplicates');
        return box.messages.length > 0 ? box : undefined;
      }, 'the second copy in Duplicates');
      expect(duplicates.messages.filter(withId('dup@example.test'))).toHaveLength(1);
      expect((await imaps(judy)).messages.filter(withId('dup@example.test'))).toHaveLength(1);
    });

    it('stores the copy as editheader made it, Received untouched', async () => {
      await install(
        carol,
        'tag',
        [
          'require ["editheader", "variables"];',
          'if header :matches "subject" "*" { set "s" "${1}"; }',
          'deleteheader "subject";',
          'addheader :last "Subject" "[sieve] ${s}";',
          'addheader "X-Filtered" "yes";',
          'deleteheader "received";',
          '',
        ].join('\r\n'),
      );
      await sendWithSwaks(carol.user, 'tagged', 'edit@elsewhere.test');
      const inbox = await eventually(async () => {
        const box = await imaps(carol);
        return box.messages.some(withId('edit@elsewhere.test')) ? box : undefined;
      }, 'the edited message in the INBOX');
      const stored = inbox.messages.find(withId('edit@elsewhere.test'))!;
      const { trace, original } = splitTrace(stored.content);
      expect(trace.some((field) => field.startsWith('Received: '))).toBe(true);
      expect(original.toString()).toMatch(/^X-Filtered: yes\r\n/);
      expect(original.toString()).toContain('Subject: [sieve] tagged\r\n');
      expect(original.toString()).not.toContain('Subject: tagged');
    });

    it("sends enotify's notification through the queue to the catching peer, macros expanded", async () => {
      await install(
        bob,
        'notify',
        'require "enotify";\r\nif header :contains "subject" "urgent" {\r\n' +
          '  notify :importance "1" :message "$from$: $subject$" "mailto:bob@phone.test";\r\n}\r\n',
      );
      await sendWithSwaks(bob.user, 'urgent: call me', 'notify@elsewhere.test');
      // smtp-sink writes the transaction as it goes (its own line endings): wait for the body.
      const body = '\n\ndave@elsewhere.test: urgent: call me\n';
      const dumped = await eventually(async () => {
        const files = readdirSync(sinkDirectory);
        const text = files.length > 0 ? readFileSync(join(sinkDirectory, files[0]!), 'utf8') : '';
        return text.includes(body) ? text : undefined;
      }, 'the notification at the catching peer');
      expect(dumped).toContain('X-Mail-Args: <>\n');
      expect(dumped).toContain('X-Rcpt-Args: <bob@phone.test>\n');
      expect(dumped).toContain('\nFrom: bob@example.test\n');
      expect(dumped).toContain('\nSubject: dave@elsewhere.test: urgent: call me\n');
      expect(dumped).toContain('\nAuto-Submitted: auto-notified; owner-email="bob@example.test"\n');
      expect(dumped).toContain('\nImportance: high\n');
      // The message itself is kept: notify leaves the implicit keep alone.
      const inbox = await eventually(async () => {
        const box = await imaps(bob);
        return box.messages.some(withId('notify@elsewhere.test')) ? box : undefined;
      }, 'the message in the INBOX');
      expect(inbox.messages.filter(withId('notify@elsewhere.test'))).toHaveLength(1);
    });

    it('redirects the message as editheader made it (RFC 5293 7)', async () => {
      await install(
        olga,
        'edit-and-redirect',
        [
          'require ["editheader"];',
          'addheader "X-Sieve-Tag" "seen by olga";',
          `redirect "${pete.user}";`,
          '',
        ].join('\r\n'),
      );
      await sendFrom(frank.user, olga.user, 'e1@example.test');
      await delivered(pete, 'e1@example.test');
      const copy = (await imaps(pete)).messages.find(withId('e1@example.test'))!;
      expect(splitTrace(copy.content).original.toString()).toMatch(
        /^X-Sieve-Tag: seen by olga\r\n/,
      );
      await queueEmpty();
      expect((await imaps(olga)).messages.filter(withId('e1@example.test'))).toHaveLength(0);
    });

    it("passes redirect-dsn's NOTIFY and RET on to the next hop; DELIVERBY has no queue support", async () => {
      await install(
        olga,
        'dsn-redirects',
        [
          'require ["redirect-dsn", "redirect-deliverby"];',
          'redirect :notify "NEVER" "plain@phone.test";',
          'redirect :notify "SUCCESS,FAILURE" :ret "HDRS" "full@phone.test";',
          'redirect :bytimerelative 600 :bymode "notify" "late@phone.test";',
          '',
        ].join('\r\n'),
      );
      await sendFrom(frank.user, olga.user, 'd1@example.test');
      // smtp-sink writes each transaction as it goes (its own line endings): wait for the bodies.
      const transactions = async () =>
        readdirSync(sinkDirectory)
          .map((name) => readFileSync(join(sinkDirectory, name), 'utf8'))
          .filter((text) => text.includes('Message-ID: <d1@example.test>\n'));
      const seen = await eventually(async () => {
        const texts = await transactions();
        const all = texts.join('\n');
        return ['plain', 'full', 'late'].every((name) => all.includes(`<${name}@phone.test>`))
          ? texts
          : undefined;
      }, 'the three redirects at the catching peer');
      const full = seen.find((text) => text.includes('<full@phone.test>'))!;
      expect(full).toMatch(/X-Mail-Args: <frank@example\.test>.* RET=HDRS/);
      expect(full).toMatch(/X-Rcpt-Args: <full@phone\.test> NOTIFY=SUCCESS,FAILURE/);
      const plain = seen.find((text) => text.includes('<plain@phone.test>'))!;
      expect(plain).toMatch(/X-Rcpt-Args: <plain@phone\.test> NOTIFY=NEVER/);
      for (const text of seen) expect(text).not.toMatch(/X-Mail-Args: .* BY=/);
      await queueEmpty();
    });

    it("includes the user's other scripts, and files by special use into Kerio's Junk E-mail", async () => {
      const file = join(data, '..', 'junk-rules.sieve');
      writeFileSync(
        file,
        'require ["fileinto", "special-use"];\r\nif header :contains "subject" "offer" { fileinto :specialuse "\\\\Junk" "Spam"; }\r\n',
      );
      const upload = await sieveConnect(
        carol,
        '--upload',
        '--localsieve',
        file,
        '--remotesieve',
        'junk-rules',
      );
      expect(upload, upload.stderr).toMatchObject({ code: 0 });
      await install(carol, 'main', 'require "include";\r\ninclude :personal "junk-rules";\r\n');
      await sendWithSwaks(carol.user, 'A special offer', 'offer@elsewhere.test');
      const junk = await eventually(async () => {
        // imaplib sends a mailbox name as given: one with a space goes quoted.
        const box = await imaps(carol, '"Junk E-mail"');
        return box.messages.some(withId('offer@elsewhere.test')) ? box : undefined;
      }, 'the offer in Junk E-mail');
      expect(junk.messages.filter(withId('offer@elsewhere.test'))).toHaveLength(1);
    });

    it('rejects at SMTP time a message for one recipient: swaks sees the 550, nothing is stored', async () => {
      await install(
        lena,
        'refuse',
        'require "reject";\r\nif header :contains "subject" "refuse" {\r\n  reject "I do not take mail about that.";\r\n}\r\n',
      );
      const file = join(data, '..', 'refused.eml');
      writeFileSync(
        file,
        testMessage({
          from: nora.user,
          to: lena.user,
          subject: 'refuse me',
          id: 'r1@example.test',
        }),
      );
      const sent = await command('swaks', [
        ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
        ...['--from', nora.user, '--to', lena.user, '--data', `@${file}`],
      ]);
      expect(sent.code).not.toBe(0);
      expect(sent.stdout).toMatch(/<\*\* +550 5\.7\.1 I do not take mail about that\.\r?\n/);
      expect(sent.stdout).not.toMatch(/<- +250 .*queued/);
      // The same script lets other mail through, and carries out its decision once.
      await sendFrom(nora.user, lena.user, 'r2@example.test');
      await delivered(lena, 'r2@example.test');
      await queueEmpty();
      expect((await imaps(lena)).messages.filter(withId('r1@example.test'))).toHaveLength(0);
      // No DSN either: the refusal was the answer.
      expect((await imaps(nora)).messages).toHaveLength(0);
    });

    it('rejects a message for two recipients with a DSN after accepting it, the other gets it', async () => {
      const file = join(data, '..', 'refused-two.eml');
      writeFileSync(
        file,
        testMessage({
          from: nora.user,
          to: lena.user,
          subject: 'refuse this',
          id: 'r3@example.test',
        }),
      );
      const sent = await command('swaks', [
        ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
        ...['--from', nora.user, '--to', `${lena.user},${mike.user}`, '--data', `@${file}`],
      ]);
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      await delivered(mike, 'r3@example.test');
      const [dsn] = await eventually(async () => {
        const box = await imaps(nora);
        return box.messages.length > 0 ? box.messages : undefined;
      }, 'the DSN at nora');
      const text = dsn!.content.toString();
      expect(text).toContain('Content-Type: multipart/report; report-type=delivery-status');
      expect(text).toMatch(/Final-Recipient: rfc822; ?lena@example\.test/i);
      expect(text).toContain('I do not take mail about that.');
      expect(text).not.toMatch(/Final-Recipient: rfc822; ?mike@example\.test/i);
      await queueEmpty();
      expect((await imaps(lena)).messages.filter(withId('r3@example.test'))).toHaveLength(0);
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

    it('ends a loop of edited redirects on the hop count (each copy is a new queue entry)', async () => {
      const tagAndSend = (to: Account) =>
        `require ["editheader"];\r\naddheader "X-Tag" "x";\r\nredirect "${to.user}";\r\n`;
      await install(quinn, 'loop', tagAndSend(rita));
      await install(rita, 'loop', tagAndSend(quinn));
      await sendFrom(frank.user, quinn.user, 'edit-loop@example.test');
      // Each hop adds a Received field; past 100 the script's redirect keeps the message instead.
      const kept = await eventually(async () => {
        const copies = [...(await imaps(quinn)).messages, ...(await imaps(rita)).messages].filter(
          withId('edit-loop@example.test'),
        );
        return copies.length > 0 ? copies : undefined;
      }, 'the looping message kept at last');
      await queueEmpty();
      expect(kept).toHaveLength(1);
      const received = kept[0]!.content.toString().match(/^Received: /gm) ?? [];
      expect(received.length).toBeGreaterThan(100);
    }, 120_000);

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
