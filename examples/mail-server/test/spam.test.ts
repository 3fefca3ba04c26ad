/**
 * Issue 15 in the example server: Kerio's spam filter between SMTP and delivery, driven by real
 * clients. swaks sends the GTUBE string: one server (block score 10, "never block") tags it, files
 * it to Junk E-mail and imaplib reads it there; the other (Kerio's block score, action reject)
 * refuses it and swaks sees the 5xx. A blacklisted IP, a custom From rule and greylisting are
 * refused in the SMTP dialogue, and greylisting lets the retry through once the delay passed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, eventually, python, readWithImaplib, testMessage } from './harness/peers.js';
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
    users: [{ address: alice.user, password: alice.password }],
  });
}

beforeAll(async () => {
  await prepare(tagging, (spam) => ({
    ...spam,
    blockScore: 10,
    blacklistGroup: 'Spammers',
    blacklistAction: 'block',
    customRules: [
      { header: 'From', type: 'domain', content: '*.spam.test', action: { kind: 'reject' } },
    ],
    greylisting: {
      ...spam.greylisting,
      enabled: true,
      delaySeconds: 1,
      exemptGroup: 'Greylist exempt',
    },
  }));
  await prepare(blocking, (spam) => ({ ...spam, blockAction: 'reject' }));
  [taggingServer, blockingServer] = await Promise.all([
    startServer(tagging, EPHEMERAL_PORTS),
    startServer(blocking, EPHEMERAL_PORTS),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([taggingServer?.stop(), blockingServer?.stop()]);
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
  },
) {
  const from = options.from ?? 'dave@elsewhere.test';
  const file = join(server.data, '..', `${options.id}.eml`);
  const message = testMessage({
    from,
    to: alice.user,
    subject: options.subject,
    id: options.id,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  writeFileSync(file, Buffer.concat([Buffer.from(options.head ?? ''), message]));
  return command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...(options.localAddress ? ['--local-interface', options.localAddress] : []),
    ...['--from', from, '--to', alice.user, '--data', `@${file}`],
  ]);
}

const imaps = (server: ServerProcess, mailbox: string) =>
  readWithImaplib({
    port: server.ports.imaps!,
    cafile: join(server.data, 'sslcert', 'server.crt'),
    ...alice,
    // imaplib sends the name as given: a name with a space must come quoted.
    mailbox: mailbox.includes(' ') ? `"${mailbox}"` : mailbox,
  });

/** The message with this Message-ID in a mailbox, once it is there. */
const storedIn = (server: ServerProcess, mailbox: string, id: string) =>
  eventually(async () => {
    const box = await imaps(server, mailbox);
    return box.messages.find((m) => m.content.toString('latin1').includes(`<${id}>`))?.content;
  }, `${id} in ${mailbox}`);

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
});
