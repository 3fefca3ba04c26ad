/**
 * Issue 15 in the example server: Kerio's spam filter between SMTP and delivery, driven by real
 * clients. swaks sends the GTUBE string: one server (block score 10, "never block") tags it, files
 * it to Junk E-mail and imaplib reads it there; the other (Kerio's block score, action reject)
 * refuses it and swaks sees the 5xx. A blacklisted IP, a custom From rule and greylisting are
 * refused in the SMTP dialogue, and greylisting lets the retry through once the delay passed.
 * A real clamd, loading a signature of the test's own, finds a "virus": one server strips the
 * attachment (and the user's Sieve `virustest` sees it), the other discards the message.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JUNK_FOLDER, rulesToSieve } from '@mailyard/sieve';
import { ClamdScanner } from '@mailyard/spam-scoring';
import {
  type ClamdServer,
  type DnsServer,
  clamdPeer,
  dnsmasqPeer,
  startClamd,
  startDnsmasq,
} from '@mailyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSieveScripts } from '../src/sieve-scripts.js';
import { command, eventually, python, readWithImaplib, testMessage } from './harness/peers.js';
import { invoiceMessage } from './harness/invoice-message.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import type { MailServerConfig, SpamConfig } from '../src/server-config.js';

// GTUBE, written so that this file itself is no test string for a scanner reading the repository.
const GTUBE = ['XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL', '*C.34X'].join('');
const alice = { user: 'alice@example.test', password: 'alice-secret' };
const bob = { user: 'bob@example.test', password: 'bob-secret' };
const carol = { user: 'carol@example.test', password: 'carol-secret' };
const quarantine = { user: 'quarantine@example.test', password: 'quarantine-secret' };
// The "virus": a signature clamd loads from the test's own database (no internet, no updates).
const VIRUS_TEXT = 'MAILYARD-TEST-VIRUS-SIGNATURE-0123456789';
const CLAMD = clamdPeer.available;
let clamd: ClamdServer | undefined;
// A DNS blacklist of the test's own, served by dnsmasq on loopback: 127.0.0.6 is listed.
let dns: DnsServer | undefined;

/** clamd with the test's signature, once it answers PING. */
async function startVirusScanner(): Promise<void> {
  clamd = await startClamd({ 'Mailyard.Test.Signature': VIRUS_TEXT });
  const scanner = new ClamdScanner({ port: clamd.port });
  await eventually(async () => ((await scanner.ping()) ? true : undefined), 'clamd to answer PING');
}

/** A message with a text part and an attachment (by default one carrying the test's signature). */
function infectedMessage(
  id: string,
  to: string,
  attachment = { name: 'invoice.bin', content: VIRUS_TEXT },
): Buffer {
  return invoiceMessage({ from: 'dave@elsewhere.test', to, id, attachment });
}

const tagging = temporaryDataDirectory();
const blocking = temporaryDataDirectory();
let taggingServer: ServerProcess;
let blockingServer: ServerProcess;

/** A server whose spam settings are Kerio's defaults changed by `spam`; loopback is rated. */
async function prepare(data: string, spam: (defaults: SpamConfig) => SpamConfig): Promise<void> {
  await prepareDataDirectory(data, {
    config: (defaults): MailServerConfig => ({
      ...defaults,
      ipGroups: {
        ...defaults.ipGroups,
        Spammers: [{ kind: 'host', address: '127.0.0.3' }],
        'Greylist exempt': [{ kind: 'host', address: '127.0.0.1' }],
      },
      // Loopback is one of Kerio's whitelisted local clients: rated here, as the internet is.
      spam: spam({ ...defaults.spam, whitelistGroup: '' }),
    }),
    domains: ['example.test'],
    users: [alice, bob, carol, quarantine].map((account) => ({
      address: account.user,
      password: account.password,
    })),
  });
  // Bob's own script reads the filters' verdicts: virustest and spamtestplus (RFC 5235).
  const scripts = openSieveScripts(join(data, 'store'));
  await scripts.put(
    bob.user,
    'verdicts',
    [
      'require ["fileinto", "mailbox", "virustest", "spamtestplus", "relational", "comparator-i;ascii-numeric"];',
      'if virustest :value "eq" "2" { fileinto :create "Cleaned"; stop; }',
      'if spamtest :percent :value "ge" "50" { fileinto :create "Spammy"; stop; }',
      '',
    ].join('\r\n'),
    { maxScripts: 0, maxStorage: 0 },
  );
  await scripts.setActive(bob.user, 'verdicts');
  // Carol's rules, as Kerio's rule editor writes them: the predefined Spam rule, then her own.
  await scripts.put(
    carol.user,
    'rules',
    rulesToSieve({
      rules: [
        {
          kind: 'spam',
          enabled: true,
          folder: JUNK_FOLDER,
          trustedSenders: ['friend@elsewhere.test'],
          trustContacts: false,
        },
      ],
    }),
    { maxScripts: 0, maxStorage: 0 },
  );
  await scripts.setActive(carol.user, 'rules');
}

const antivirus = (action: 'discard' | 'strip') => (spam: SpamConfig) =>
  clamd
    ? {
        ...spam,
        antivirus: { ...spam.antivirus, enabled: true, clamd: `127.0.0.1:${clamd.port}`, action },
      }
    : spam;

beforeAll(async () => {
  if (CLAMD) await startVirusScanner();
  if (dnsmasqPeer.available)
    dns = await startDnsmasq({ '6.0.0.127.bl.test': '127.0.0.2' }, ['bl.test']);
  await prepare(tagging, (spam) => ({
    ...antivirus('strip')(spam),
    blockScore: 10,
    blacklistGroup: 'Spammers',
    blacklistAction: 'block',
    dnsBlacklists: dns
      ? [
          {
            name: 'Test DNSBL',
            suffix: 'bl.test',
            kind: 'ip',
            action: { kind: 'block' },
            askDirectly: [dns.address],
            enabled: true,
          },
        ]
      : [],
    customRules: [
      { header: 'From', type: 'domain', content: '*.spam.test', action: { kind: 'reject' } },
      // After a Subject rule, a Reject is decided after DATA: the message is discarded.
      { header: 'Subject', type: 'substring', content: 'Lottery', action: { kind: 'reject' } },
    ],
    quarantineAddress: quarantine.user,
    greylisting: {
      ...spam.greylisting,
      enabled: true,
      delaySeconds: 1,
      exemptGroup: 'Greylist exempt',
    },
  }));
  await prepare(blocking, (spam) => ({
    ...antivirus('discard')(spam),
    blockAction: 'reject',
    attachments: {
      enabled: true,
      rules: [{ type: 'filename', pattern: '*.exe', action: 'block', enabled: true }],
    },
  }));
  // The blocking server's Bayes database was learned by an older tokenizer (no version in it).
  mkdirSync(join(blocking, 'store', 'spam'), { recursive: true });
  writeFileSync(join(blocking, 'store', 'spam', 'bayes.json'), OLD_BAYES_DATABASE);
  [taggingServer, blockingServer] = await Promise.all([
    startServer(tagging, EPHEMERAL_PORTS),
    startServer(blocking, EPHEMERAL_PORTS),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([taggingServer?.stop(), blockingServer?.stop(), dns?.stop()]);
  await clamd?.stop();
});

/** swaks from `from` (and a chosen local address) with a message of its own. */
async function swaks(
  server: ServerProcess,
  options: {
    from?: string;
    localAddress?: string;
    subject: string;
    id: string;
    body?: string;
    /** Header fields put before the message's own. */
    head?: string;
    to?: string;
    /** The whole message, instead of one made of the fields above. */
    raw?: Buffer;
  },
) {
  const to = options.to ?? alice.user;
  const from = options.from ?? 'dave@elsewhere.test';
  const file = join(server.data, '..', `${options.id}.eml`);
  const message =
    options.raw ??
    testMessage({
      from,
      to,
      subject: options.subject,
      id: options.id,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
  writeFileSync(file, Buffer.concat([Buffer.from(options.head ?? ''), message]));
  return command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...(options.localAddress ? ['--local-interface', options.localAddress] : []),
    ...['--from', from, '--to', to, '--data', `@${file}`],
  ]);
}

const imaps = (server: ServerProcess, mailbox: string, account = alice) =>
  readWithImaplib({
    port: server.ports.imaps!,
    cafile: join(server.data, 'sslcert', 'server.crt'),
    ...account,
    // imaplib sends the name as given: a name with a space must come quoted.
    mailbox: mailbox.includes(' ') ? `"${mailbox}"` : mailbox,
  });

/** The message with this Message-ID in a mailbox, once it is there. */
const storedIn = (server: ServerProcess, mailbox: string, id: string, account = alice) =>
  eventually(async () => {
    const box = await imaps(server, mailbox, account);
    return box.messages.find((m) => m.content.toString('latin1').includes(`<${id}>`))?.content;
  }, `${id} in ${mailbox}`);

/** What the Bayes database holds on disk (nothing yet: 0 and 0). */
function bayesCounts(server: ServerProcess): { spam: number; ham: number } {
  try {
    const text = readFileSync(join(server.data, 'store', 'spam', 'bayes.json'), 'utf8');
    const { spam, ham } = JSON.parse(text) as { spam: number; ham: number };
    return { spam, ham };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { spam: 0, ham: 0 };
    throw error;
  }
}

/** A Bayes database as the server wrote it before it kept the tokenizer's version. */
const OLD_BAYES_DATABASE = JSON.stringify({
  format: 'mailyard-bayes',
  version: 1,
  spam: 300,
  ham: 300,
  learned: {},
  tokens: { cheap: [300, 0], watches: [300, 0], meeting: [0, 300] },
});

/** Waits for a log line: the server writes its logs through a stream, after the reply. */
const logLine = (server: ServerProcess, name: string, pattern: RegExp) =>
  eventually(
    async () => pattern.exec(readFileSync(join(server.data, 'logs', name), 'utf8'))?.[0],
    `${pattern} in ${name}`,
  );

describe('the spam filter in the example server', () => {
  it('tags GTUBE from swaks: X-Spam headers, the Subject tag, filed to Junk E-mail', async () => {
    const sent = await swaks(taggingServer, {
      subject: 'Cheap watches',
      id: 'gtube-tag@elsewhere.test',
      body: `Buy now.\r\n${GTUBE}\r\n`,
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = (
      await storedIn(taggingServer, 'Junk E-mail', 'gtube-tag@elsewhere.test')
    ).toString('latin1');
    expect(stored).toContain('X-Spam-Flag: YES\r\n');
    expect(stored).toMatch(/X-Spam-Status: Yes, score=10\.00 required=5\.00 tests=[^\r\n]*GTUBE/);
    expect(stored).toContain('X-Spam-Score: 10.00\r\n');
    expect(stored).toMatch(/X-Spam-Report:[^]*GTUBE/);
    expect(stored).toContain('Subject: *SPAM* Cheap watches\r\n');
    expect((await imaps(taggingServer, 'INBOX')).messages).toEqual([]);
    await logLine(
      taggingServer,
      'spam.log',
      /Message marked as spam with score: 10\.00, To: alice@example\.test, Message size: \d+, From: dave@elsewhere\.test, Subject: Cheap watches/,
    );
  });

  it('delivers a plain message to the INBOX with its score, and a forged X-Spam-Flag removed', async () => {
    const sent = await swaks(taggingServer, {
      subject: 'Lunch',
      id: 'ham@elsewhere.test',
      head: 'X-Spam-Flag: YES\r\nX-Spam-Score: 10\r\n',
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = (await storedIn(taggingServer, 'INBOX', 'ham@elsewhere.test')).toString(
      'latin1',
    );
    const header = stored.slice(0, stored.indexOf('\r\n\r\n'));
    // The filter's own score, once: the sender's two fields are gone.
    expect(header.match(/X-Spam-Score: [^\r\n]*/g)).toEqual([
      expect.stringMatching(/^X-Spam-Score: [0-4]\.\d\d$/),
    ]);
    expect(header).not.toContain('X-Spam-Flag');
    expect(header).toContain('Subject: Lunch\r\n');
    if (CLAMD) expect(header).toContain('X-Virus-Status: Clean\r\n');
  });

  it('does not rate the content of mail from an authenticated user (Kerio: trusted senders)', async () => {
    const learned = () => bayesCounts(taggingServer);
    const before = learned();
    const file = join(taggingServer.data, '..', 'authenticated.eml');
    writeFileSync(
      file,
      testMessage({
        from: alice.user,
        to: alice.user,
        subject: 'A note to self',
        id: 'authenticated@example.test',
        body: `${GTUBE}\r\n`,
      }),
    );
    const sent = await command('swaks', [
      ...['--server', '127.0.0.1', '--port', String(taggingServer.ports.submission!), '--tls'],
      ...['--auth', 'PLAIN', '--auth-user', alice.user, '--auth-password', alice.password],
      ...['--from', alice.user, '--to', alice.user, '--data', `@${file}`],
    ]);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = (await storedIn(taggingServer, 'INBOX', 'authenticated@example.test')).toString(
      'latin1',
    );
    expect(stored).not.toContain('X-Spam-Flag');
    expect(stored).toContain('Subject: A note to self\r\n');
    // Nor is it auto-learned as ham: unrated, its score of 0 says nothing.
    expect(learned()).toEqual(before);
  });

  it('learns from imaplib moving mail out of Junk E-mail (ham) and copying it in (spam)', async () => {
    const move = (source: string, destination: string, id: string, copy = false) =>
      python<{ status: string }>('imap_move.py', [
        `--port=${taggingServer.ports.imaps!}`,
        `--cafile=${join(taggingServer.data, 'sslcert', 'server.crt')}`,
        `--user=${alice.user}`,
        `--password=${alice.password}`,
        `--source=${source}`,
        `--destination=${destination}`,
        `--message-id=${id}`,
        ...(copy ? ['--copy'] : []),
      ]);
    expect(await move('Junk E-mail', 'INBOX', 'gtube-tag@elsewhere.test')).toMatchObject({
      status: 'OK',
    });
    await logLine(
      taggingServer,
      'spam.log',
      /User alice@example\.test marked a message as not spam, Folder: ~alice@example\.test\/Junk E-mail, Size: \d+, From: <dave@elsewhere\.test>, Subject: \*SPAM\* Cheap watches/,
    );
    expect(await move('INBOX', 'Junk E-mail', 'ham@elsewhere.test', true)).toMatchObject({
      status: 'OK',
    });
    await logLine(
      taggingServer,
      'spam.log',
      /User alice@example\.test marked a message as spam, Folder: ~alice@example\.test\/INBOX, Size: \d+, From: <dave@elsewhere\.test>, Subject: Lunch/,
    );
    // The server-wide Bayes database has both lessons on disk.
    const bayes = JSON.parse(
      readFileSync(join(taggingServer.data, 'store', 'spam', 'bayes.json'), 'utf8'),
    ) as { spam: number; ham: number };
    expect(bayes.spam).toBeGreaterThanOrEqual(1);
    expect(bayes.ham).toBeGreaterThanOrEqual(1);
    // Kerio's counters (13.8), kept on disk across restarts.
    const counters = await eventually(async () => {
      const text = readFileSync(
        join(taggingServer.data, 'store', 'spam', 'statistics.json'),
        'utf8',
      );
      const read = JSON.parse(text) as Record<string, number>;
      return read.markedSpamByUsers === 1 && read.markedHamByUsers === 1 ? read : undefined;
    }, 'the statistics on disk');
    expect(counters).toMatchObject({ messagesChecked: 2, spamTagged: 1, spamRejected: 0 });
  });

  it('refuses GTUBE with a 5xx after DATA where the block action is reject', async () => {
    const sent = await swaks(blockingServer, {
      subject: 'Cheap watches',
      id: 'gtube-block@elsewhere.test',
      body: `${GTUBE}\r\n`,
    });
    expect(sent.code).not.toBe(0);
    expect(sent.stdout).toMatch(/<\*\* 550 5\.7\.1 Message rejected as spam/);
    await logLine(
      blockingServer,
      'security.log',
      /Message from <dave@elsewhere\.test> to <alice@example\.test> rejected by spam filter: score 10\.00, threshold 9\.50/,
    );
    expect((await imaps(blockingServer, 'INBOX')).messages).toEqual([]);
    expect((await imaps(blockingServer, 'Junk E-mail')).messages).toEqual([]);
  });

  it('refuses a client from the custom IP blacklist at MAIL FROM', async () => {
    const sent = await swaks(taggingServer, {
      localAddress: '127.0.0.3',
      subject: 'Hello',
      id: 'blacklisted@elsewhere.test',
    });
    expect(sent.code).not.toBe(0);
    expect(sent.stdout).toMatch(
      /<\*\* 554 5\.7\.1 Rejected: IP address 127\.0\.0\.3 is in the custom blacklist/,
    );
  });

  it('discards a message a custom Reject rule decides after DATA, and copies it to the quarantine address', async () => {
    const sent = await swaks(taggingServer, {
      subject: 'You won the Lottery',
      id: 'lottery@elsewhere.test',
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/<-\s+250 2\.0\.0 Ok: message discarded by the spam filter/);
    // The copy says why: every test and its score. Tagged, it is in the account's Junk E-mail.
    const copy = (
      await storedIn(taggingServer, 'Junk E-mail', 'lottery@elsewhere.test', quarantine)
    ).toString('latin1');
    expect(copy).toMatch(
      /X-Spam-Status: Yes, score=10\.00 required=5\.00 tests=[^\r\n]*CUSTOM_RULE_2/,
    );
    expect(copy).toMatch(/X-Spam-Report:[^]*CUSTOM_RULE_2/);
    expect(copy).toContain('Subject: You won the Lottery\r\n');
    expect(
      (await imaps(taggingServer, 'INBOX')).messages.some((m) =>
        m.content.toString('latin1').includes('<lottery@elsewhere.test>'),
      ),
    ).toBe(false);
  });

  it.skipIf(!dnsmasqPeer.available)(
    'refuses a client a DNS blacklist lists (asked directly, a real DNS server), and logs it',
    async () => {
      const sent = await swaks(taggingServer, {
        localAddress: '127.0.0.6',
        subject: 'Hello',
        id: 'dnsbl@elsewhere.test',
      });
      expect(sent.code).not.toBe(0);
      expect(sent.stdout).toMatch(/<\*\* 554 5\.7\.1 /);
      await logLine(
        taggingServer,
        'security.log',
        /IP address 127\.0\.0\.6 found in DNS blacklist Test DNSBL, mail from <dave@elsewhere\.test>/,
      );
    },
  );

  it('refuses a sender a custom From rule rejects, with 553 at MAIL FROM', async () => {
    const sent = await swaks(taggingServer, {
      from: 'offers@mail.spam.test',
      subject: 'Offers',
      id: 'custom-rule@elsewhere.test',
    });
    expect(sent.code).not.toBe(0);
    expect(sent.stdout).toMatch(/<\*\* 553 5\.7\.1/);
  });

  it('greylists a new sender with 451 4.7.1, and takes the retry after the delay', async () => {
    const attempt = () =>
      swaks(taggingServer, {
        localAddress: '127.0.0.5',
        from: 'newcomer@elsewhere.test',
        subject: 'First contact',
        id: 'greylisted@elsewhere.test',
      });
    const first = await attempt();
    const deferredAt = Date.now();
    expect(first.code).not.toBe(0);
    expect(first.stdout).toMatch(/<\*\* 451 4\.7\.1 Greylisted/);
    // As an MTA would: retry until taken. The first retries come too early and are deferred too.
    const accepted = await eventually(async () => {
      const retry = await attempt();
      return retry.code === 0 ? Date.now() : undefined;
    }, 'the retry to be accepted');
    expect(accepted - deferredAt).toBeGreaterThanOrEqual(1000);
    await storedIn(taggingServer, 'INBOX', 'greylisted@elsewhere.test');
    // Kept on disk: a restart does not defer the sender again.
    expect(
      readFileSync(join(taggingServer.data, 'store', 'spam', 'greylist.json'), 'utf8'),
    ).toContain('newcomer@elsewhere.test');
  });

  it("passes the score to the user's Sieve script: spamtestplus files GTUBE where it says", async () => {
    const sent = await swaks(taggingServer, {
      to: bob.user,
      subject: 'Cheap watches',
      id: 'gtube-sieve@elsewhere.test',
      body: `${GTUBE}\r\n`,
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    // Bob's script has no Spam rule: his own test decides, not the server's Junk default.
    const stored = await storedIn(taggingServer, 'Spammy', 'gtube-sieve@elsewhere.test', bob);
    expect(stored.toString('latin1')).toContain('X-Spam-Score: 10.00\r\n');
  });

  it("files tagged mail to Junk E-mail by the Kerio Spam rule of a user's rules, trusted senders aside", async () => {
    for (const from of ['dave@elsewhere.test', 'friend@elsewhere.test']) {
      const sent = await swaks(taggingServer, {
        from,
        to: carol.user,
        subject: 'Cheap watches',
        id: `spam-rule-${from}`,
        body: `${GTUBE}\r\n`,
      });
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    }
    await storedIn(taggingServer, JUNK_FOLDER, 'spam-rule-dave@elsewhere.test', carol);
    await storedIn(taggingServer, 'INBOX', 'spam-rule-friend@elsewhere.test', carol);
  });

  it.skipIf(!CLAMD)(
    'strips an attachment clamd finds a virus in, and Sieve virustest sees it removed',
    async () => {
      const sent = await swaks(taggingServer, {
        to: bob.user,
        subject: 'Your invoice',
        id: 'virus-strip@elsewhere.test',
        raw: infectedMessage('virus-strip@elsewhere.test', bob.user),
      });
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      const stored = (
        await storedIn(taggingServer, 'Cleaned', 'virus-strip@elsewhere.test', bob)
      ).toString('latin1');
      expect(stored).toContain('X-Virus-Status: Removed (Mailyard.Test.Signature.UNOFFICIAL)\r\n');
      expect(stored).toContain('See the attached invoice.');
      expect(stored).toContain('The attachment "invoice.bin" was removed: it carries the virus');
      expect(stored).not.toContain(Buffer.from(VIRUS_TEXT).toString('base64'));
      await logLine(
        taggingServer,
        'security.log',
        /Found virus in mail from <dave@elsewhere\.test> to <bob@example\.test>: Mailyard\.Test\.Signature\.UNOFFICIAL/,
      );
    },
  );

  it.skipIf(!CLAMD)(
    'discards a message clamd finds a virus in where the action is discard',
    async () => {
      const sent = await swaks(blockingServer, {
        subject: 'Your invoice',
        id: 'virus-discard@elsewhere.test',
        raw: infectedMessage('virus-discard@elsewhere.test', alice.user),
      });
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/<-\s+250 2\.0\.0 Ok: message discarded by the antivirus/);
      await logLine(
        blockingServer,
        'security.log',
        /Found virus in mail from <dave@elsewhere\.test>/,
      );
      expect((await imaps(blockingServer, 'INBOX')).messages).toEqual([]);
    },
  );

  it('replaces an attachment the attachment filter blocks (*.exe) with a notice, and delivers', async () => {
    const sent = await swaks(blockingServer, {
      subject: 'Your invoice',
      id: 'exe@elsewhere.test',
      raw: infectedMessage('exe@elsewhere.test', alice.user, {
        name: 'invoice.exe',
        content: 'MZ harmless bytes',
      }),
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = (await storedIn(blockingServer, 'INBOX', 'exe@elsewhere.test')).toString(
      'latin1',
    );
    expect(stored).toContain('See the attached invoice.');
    expect(stored).toContain(
      'The attachment "invoice.exe" (application/octet-stream) was removed: the server does not accept such attachments.',
    );
    expect(stored).not.toContain(Buffer.from('MZ harmless bytes').toString('base64'));
  });

  it('keeps the greylisting state, the Bayes database and the counters across a restart', async () => {
    const file = (name: string) => join(tagging, 'store', 'spam', name);
    const counters = () =>
      JSON.parse(readFileSync(file('statistics.json'), 'utf8')) as Record<string, number>;
    const bayes = bayesCounts(taggingServer);
    await taggingServer.stop();
    const checked = counters().messagesChecked!;
    taggingServer = await startServer(tagging, EPHEMERAL_PORTS);
    expect(bayesCounts(taggingServer)).toEqual(bayes);
    // The sender greylisted and let through before the restart is known: taken at once.
    const sent = await swaks(taggingServer, {
      localAddress: '127.0.0.5',
      from: 'newcomer@elsewhere.test',
      subject: 'Again',
      id: 'after-restart@elsewhere.test',
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    await eventually(
      async () => (counters().messagesChecked === checked + 1 ? true : undefined),
      'the counters to go on from where they were',
    );
  });

  it('says once at start that a Bayes database of an older tokenizer is not used, and leaves it as it was', async () => {
    const line = await logLine(
      blockingServer,
      'warning.log',
      /spam: \S*bayes\.json: the Bayes database was learned with tokenizer version 1, older than this one \(\d+\): Bayes gives no opinion and learns nothing until the database is relearned \(mailyard-spam learn --reset\)/,
    );
    expect(line).toBeDefined();
    // Mail rated after that is neither scored by Bayes nor learned into the database.
    const sent = await swaks(blockingServer, {
      to: bob.user,
      subject: 'Cheap watches meeting',
      id: 'old-bayes@elsewhere.test',
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = (
      await storedIn(blockingServer, 'INBOX', 'old-bayes@elsewhere.test', bob)
    ).toString('latin1');
    expect(stored).toMatch(/X-Spam-Status: No, /);
    expect(stored).not.toMatch(/BAYES_/);
    const warnings = readFileSync(join(blocking, 'logs', 'warning.log'), 'utf8');
    expect(warnings.match(/learned with tokenizer version 1/g)).toHaveLength(1);
    expect(readFileSync(join(blocking, 'store', 'spam', 'bayes.json'), 'utf8')).toBe(
      OLD_BAYES_DATABASE,
    );
  });
});
