/**
 * Issue 15: the example server's Bayes reads the Bayes settings of the rule files it rates with
 * (`SpamAssassinRules`), as `mailyard-spam` and SpamAssassin do: a header their
 * `bayes_ignore_header` names and a word their `bayes_stopword_en` lists give no token, when it
 * rates a message (X-Spam-Status), when it auto-learns one and when a user's IMAP client copies
 * one into Junk E-mail (bayes.json on disk). Before, the server's filter used the defaults, so a
 * database learned by `mailyard-spam --rules` with the same rule files was looked up with other
 * tokens. Real swaks, real imaplib, a real server process.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAYES_TOKENIZER_VERSION } from '@mailyard/spam-scoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, eventually, python, readWithImaplib } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import type { MailServerConfig } from '../src/server-config.js';

const alice = { user: 'alice@example.test', password: 'alice-secret' };
const ID = 'campaign@elsewhere.test';
// The rule files: no rules, only what Bayes reads of them.
const rules = mkdtempSync(join(tmpdir(), 'mailyard-bayes-rules-'));
const data = temporaryDataDirectory();
let server: ServerProcess;

/** A database as the server writes it: 200 spam and 200 ham learned, so Bayes scores. */
const SEEDED = {
  format: 'mailyard-bayes',
  version: 1,
  // The tokenizer's version of the build: a database of another one is relearned, not read.
  tokenizer: BAYES_TOKENIZER_VERSION,
  spam: 200,
  ham: 200,
  learned: {},
  // The ignored header's and the stopword's tokens, seen in spam only; a word seen in ham only.
  tokens: { 'HX-Campaign:blast': [200, 0], zorgle: [200, 0], weekly: [0, 200] },
};

type Database = typeof SEEDED & { tokens: Record<string, [number, number]> };
/** The database as written, each token's counts without its time (kept for expiry). */
const database = (): Database => {
  const file = JSON.parse(readFileSync(join(data, 'store', 'spam', 'bayes.json'), 'utf8')) as Omit<
    Database,
    'tokens'
  > & { tokens: Record<string, [number, number, number?]> };
  const tokens = Object.entries(file.tokens).map(([token, [spam, ham]]) => [token, [spam, ham]]);
  return { ...file, tokens: Object.fromEntries(tokens) as Database['tokens'] };
};

beforeAll(async () => {
  writeFileSync(
    join(rules, 'bayes.cf'),
    'bayes_ignore_header X-Campaign\nbayes_stopword_en (?:zorgle)\n',
  );
  await prepareDataDirectory(data, {
    config: (defaults): MailServerConfig => ({
      ...defaults,
      spam: {
        ...defaults.spam,
        // Loopback is one of Kerio's whitelisted local clients: rated here, as the internet is.
        whitelistGroup: '',
        dnsBlacklists: [],
        contentRules: rules,
        bayes: true,
        bayesAutoLearn: true,
      },
    }),
    domains: ['example.test'],
    users: [{ address: alice.user, password: alice.password }],
  });
  mkdirSync(join(data, 'store', 'spam'), { recursive: true });
  writeFileSync(join(data, 'store', 'spam', 'bayes.json'), JSON.stringify(SEEDED));
  server = await startServer(data, EPHEMERAL_PORTS);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(rules, { recursive: true, force: true });
});

describe("the example server's Bayes and the rule files' Bayes settings", () => {
  it('rates and auto-learns without the ignored header and the stopword', async () => {
    const file = join(data, '..', 'campaign.eml');
    writeFileSync(
      file,
      [
        'From: <dave@elsewhere.test>',
        `To: <${alice.user}>`,
        'Subject: Status',
        `Message-ID: <${ID}>`,
        'Date: Sun, 01 Mar 2026 12:00:00 +0000',
        'X-Campaign: blast',
        '',
        'weekly zorgle',
        '',
      ].join('\r\n'),
    );
    const sent = await command('swaks', [
      ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
      ...['--from', 'dave@elsewhere.test', '--to', alice.user, '--data', `@${file}`],
    ]);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const stored = await eventually(async () => {
      const box = await readWithImaplib({
        port: server.ports.imaps!,
        cafile: join(data, 'sslcert', 'server.crt'),
        ...alice,
        mailbox: 'INBOX',
      });
      return box.messages.find((m) => m.content.toString('latin1').includes(`<${ID}>`))?.content;
    }, `${ID} in the INBOX`);
    // Only the ham word counts (one token: a band on the ham side, BAYES_40); with the header's
    // and the stopword's tokens, two spam tokens against it, it would be on the spam side.
    const status = /^X-Spam-Status: [^\r\n]*(\r\n[ \t][^\r\n]*)*/m.exec(
      stored.toString('latin1'),
    )?.[0];
    expect(status).toMatch(/tests=BAYES_(00|05|20|40)$/);
    // Learned as ham (no rule fired): neither the header nor the stopword was counted.
    const learned = await eventually(async () => {
      const now = database();
      return now.ham === 201 ? now : undefined;
    }, 'the message auto-learned as ham');
    expect(learned.tokens).toMatchObject({
      'HX-Campaign:blast': [200, 0],
      zorgle: [200, 0],
      weekly: [0, 201],
    });
  });

  it('learns from the Junk folder without the ignored header and the stopword', async () => {
    const copied = await python<{ status: string }>('imap_move.py', [
      `--port=${server.ports.imaps!}`,
      `--cafile=${join(data, 'sslcert', 'server.crt')}`,
      `--user=${alice.user}`,
      `--password=${alice.password}`,
      '--source=INBOX',
      '--destination=Junk E-mail',
      `--message-id=${ID}`,
      '--copy',
    ]);
    expect(copied).toMatchObject({ status: 'OK' });
    // The same message, learned as ham above, moves to spam.
    const learned = await eventually(async () => {
      const now = database();
      return now.spam === 201 ? now : undefined;
    }, 'the message learned as spam');
    expect(learned.ham).toBe(200);
    expect(learned.tokens).toMatchObject({
      'HX-Campaign:blast': [200, 0],
      zorgle: [200, 0],
      weekly: [1, 200],
    });
  });
});
