/**
 * Issue 15: what the sender and the administrator hear about a filtered message, in the example
 * server, driven by swaks and read with imaplib. Kerio's "Send bounce message to the sender"
 * (13.1): a DSN for a message the spam filter blocked. Kerio 14.4 and 14.5: the antivirus (a real
 * clamd with the test's own signature) and the attachment filter warn the sender, and copy the
 * original and the filtered message to administrator addresses.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClamdScanner } from '@mailyard/spam-scoring';
import { type ClamdServer, clamdPeer, startClamd } from '@mailyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, eventually, readWithImaplib, testMessage } from './harness/peers.js';
import { invoiceMessage } from './harness/invoice-message.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  runProgram,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import type { MailServerConfig } from '../src/server-config.js';

const alice = { user: 'alice@example.test', password: 'alice-secret' };
const bob = { user: 'bob@example.test', password: 'bob-secret' };
const admin = { user: 'admin@example.test', password: 'admin-secret' };
const audit = { user: 'audit@example.test', password: 'audit-secret' };
const VIRUS_TEXT = 'MAILYARD-TEST-VIRUS-SIGNATURE-0123456789';
const CLAMD = clamdPeer.available;
let clamd: ClamdServer | undefined;
const data = temporaryDataDirectory();
let server: ServerProcess;

beforeAll(async () => {
  if (CLAMD) {
    clamd = await startClamd({ 'Mailyard.Test.Signature': VIRUS_TEXT });
    const scanner = new ClamdScanner({ port: clamd.port });
    await eventually(async () => ((await scanner.ping()) ? true : undefined), 'clamd to answer');
  }
  await prepareDataDirectory(data, {
    config: (defaults): MailServerConfig => ({
      ...defaults,
      hostname: 'mx.mailyard.test',
      spam: {
        ...defaults.spam,
        // Loopback is one of Kerio's whitelisted local clients: rated here, as the internet is.
        whitelistGroup: '',
        contentRules: 'none',
        bayes: false,
        // A Subject rule is decided after DATA: a Reject there discards the message.
        customRules: [
          { header: 'Subject', type: 'substring', content: 'Lottery', action: { kind: 'reject' } },
        ],
        bounceBlocked: true,
        antivirus: {
          ...defaults.spam.antivirus,
          enabled: CLAMD,
          clamd: clamd ? `127.0.0.1:${clamd.port}` : defaults.spam.antivirus.clamd,
          action: 'strip',
          warnSender: true,
          forwardOriginal: admin.user,
          forwardFiltered: audit.user,
        },
        attachments: {
          enabled: true,
          rules: [{ type: 'filename', pattern: '*.exe', action: 'block', enabled: true }],
        },
      },
    }),
    domains: ['example.test'],
    users: [alice, bob, admin, audit].map((a) => ({ address: a.user, password: a.password })),
  });
  server = await startServer(data, EPHEMERAL_PORTS);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await clamd?.stop();
});

function swaks(from: string, id: string, message: Buffer) {
  const file = join(data, '..', `${id}.eml`);
  writeFileSync(file, message);
  return command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...['--from', from, '--to', bob.user, '--data', `@${file}`],
  ]);
}

/** The first message in the account's INBOX that contains `text`, once it is there. */
const found = (account: typeof alice, text: string) =>
  eventually(async () => {
    const box = await readWithImaplib({
      port: server.ports.imaps!,
      cafile: join(data, 'sslcert', 'server.crt'),
      ...account,
      mailbox: 'INBOX',
    });
    return box.messages.map((m) => m.content.toString('latin1')).find((m) => m.includes(text));
  }, `"${text}" in ${account.user}'s INBOX`);

/** A message from alice to bob with a text part and one attachment. */
function withAttachment(id: string, name: string, content: string): Buffer {
  return invoiceMessage({ from: alice.user, to: bob.user, id, attachment: { name, content } });
}

describe('notices about filtered mail in the example server', () => {
  it('bounces a message the spam filter blocked to its sender (a DSN, 5.7.1, its header returned)', async () => {
    const id = 'lottery-bounce@example.test';
    const sent = await swaks(
      alice.user,
      id,
      testMessage({ from: alice.user, to: bob.user, subject: 'You won the Lottery', id }),
    );
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/<-\s+250 2\.0\.0 Ok: message discarded by the spam filter/);
    const dsn = await found(alice, `Message-ID: <${id}>`);
    expect(dsn).toContain('Subject: Undelivered Mail Returned to Sender\r\n');
    expect(dsn).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(dsn).toContain(
      'Final-Recipient: rfc822; bob@example.test\r\nAction: failed\r\nStatus: 5.7.1\r\n',
    );
    expect(dsn).toMatch(/Diagnostic-Code: smtp; 550 5\.7\.1 Message rejected as spam/);
    expect(dsn).toContain('Content-Type: text/rfc822-headers');
    expect(dsn).toContain('Subject: You won the Lottery\r\n');
    // The bounce itself came from <>: nothing can bounce it back.
    expect(dsn).toMatch(/^Return-Path: <>\r\n/);
  });

  it('warns the sender of a blocked attachment and copies the original and the filtered message to the administrators', async () => {
    const id = 'exe-notice@example.test';
    const sent = await swaks(
      alice.user,
      id,
      withAttachment(id, 'invoice.exe', 'MZ harmless bytes'),
    );
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const encoded = Buffer.from('MZ harmless bytes').toString('base64');
    const delivered = await found(bob, `<${id}>`);
    expect(delivered).not.toContain(encoded);
    const original = await found(admin, `<${id}>`);
    expect(original).toContain(encoded);
    const filtered = await found(audit, `<${id}>`);
    expect(filtered).toContain(
      'The attachment "invoice.exe" (application/octet-stream) was removed',
    );
    expect(filtered).not.toContain(encoded);
    const warning = await found(alice, `(Message-ID <${id}>)`);
    expect(warning).toContain('Subject: Warning: parts of your message were removed\r\n');
    expect(warning).toContain('  - the attachment "invoice.exe" (application/octet-stream)\r\n');
    expect(warning).toMatch(/^Return-Path: <>\r\n/);
  });

  it.skipIf(!CLAMD)(
    'warns the sender of a virus clamd found and removed, and copies the original and the filtered message',
    async () => {
      const id = 'virus-notice@example.test';
      const sent = await swaks(alice.user, id, withAttachment(id, 'invoice.bin', VIRUS_TEXT));
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      const encoded = Buffer.from(VIRUS_TEXT).toString('base64');
      expect(await found(bob, `<${id}>`)).toContain('X-Virus-Status: Removed');
      expect(await found(admin, `<${id}>`)).toContain(encoded);
      const filtered = await found(audit, `<${id}>`);
      expect(filtered).toContain('was removed: it carries the virus');
      expect(filtered).not.toContain(encoded);
      const warning = await found(alice, `(Message-ID <${id}>)`);
      expect(warning).toContain('  - the virus Mailyard.Test.Signature.UNOFFICIAL\r\n');
      expect(warning).toContain('The message was delivered without them');
    },
  );

  it('shows the spam statistics of the running server, and resets them (mailyard-server spam-statistics)', async () => {
    const checked = CLAMD ? 3 : 2;
    const shown = await runProgram(['spam-statistics', '--data', data]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      [
        `Messages checked: ${checked}`,
        'Spams detected (tagged): 0',
        'Spams detected (rejected): 1',
        'Messages marked by users as spam: 0',
        'Messages marked by users as not spam: 0',
        // The .exe, and the virus's attachment when clamd runs.
        `Attachments checked: ${CLAMD ? 2 : 1}`,
        `Viruses found: ${CLAMD ? 1 : 0}`,
        'Prohibited filenames / MIME types found: 1',
        '',
      ].join('\n'),
    );
    const reset = await runProgram(['spam-statistics', '--data', data, '--reset']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`Messages checked: ${checked}\n`);
    expect(reset.stdout).toContain('The counters were reset.\n');
    const after = await runProgram(['spam-statistics', '--data', data]);
    expect(after.stdout).toMatch(/^Messages checked: 0\n/);
    expect(after.stdout).toMatch(/\nAttachments checked: 0\nViruses found: 0\n/);
    // The server's own file says so too: a restart does not bring the old counts back.
    const file = join(data, 'store', 'spam', 'statistics.json');
    await eventually(
      async () =>
        (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>).messagesChecked === 0
          ? true
          : undefined,
      'the reset counters on disk',
    );
  });
});

describe('mailyard-server spam-statistics with the server stopped', () => {
  it('reads the counters from the store, and resets them there', async () => {
    const stopped = temporaryDataDirectory();
    await prepareDataDirectory(stopped, { domains: ['example.test'], users: [] });
    const directory = join(stopped, 'store', 'spam');
    mkdirSync(directory, { recursive: true });
    const counters = {
      messagesChecked: 7,
      spamTagged: 2,
      spamRejected: 1,
      markedSpamByUsers: 3,
      markedHamByUsers: 4,
    };
    writeFileSync(join(directory, 'statistics.json'), JSON.stringify(counters));
    writeFileSync(
      join(directory, 'antivirus-statistics.json'),
      JSON.stringify({ attachmentsChecked: 9, virusesFound: 5, prohibitedFound: 6 }),
    );
    const shown = await runProgram(['spam-statistics', '--data', stopped]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      [
        'Messages checked: 7',
        'Spams detected (tagged): 2',
        'Spams detected (rejected): 1',
        'Messages marked by users as spam: 3',
        'Messages marked by users as not spam: 4',
        'Attachments checked: 9',
        'Viruses found: 5',
        'Prohibited filenames / MIME types found: 6',
        '',
      ].join('\n'),
    );
    const reset = await runProgram(['spam-statistics', '--data', stopped, '--reset']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(directory, 'statistics.json'), 'utf8'))).toEqual({
      messagesChecked: 0,
      spamTagged: 0,
      spamRejected: 0,
      markedSpamByUsers: 0,
      markedHamByUsers: 0,
    });
    expect(JSON.parse(readFileSync(join(directory, 'antivirus-statistics.json'), 'utf8'))).toEqual({
      attachmentsChecked: 0,
      virusesFound: 0,
      prohibitedFound: 0,
    });
    const refused = await runProgram(['spam-statistics', '--data', stopped, '--rest']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Unknown option '--rest'");
  });
});
