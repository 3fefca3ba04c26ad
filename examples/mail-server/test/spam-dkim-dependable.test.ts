/**
 * Issue 15: the SpamAssassin rules' `__DKIM_DEPENDABLE` in the example server. SpamAssassin
 * counts DKIM signatures as dependable only once it has verified them; spamd -L verifies none,
 * so END_FUTURE_EMAILS (read under `!__DKIM_DEPENDABLE`) fires there. The server passes its
 * mailauth test's answer to the rules: with mail authentication on, the message is verified
 * (against a real DNS server on loopback) and the rule stays quiet; with it off, nothing is
 * verified and the rule fires as under -L. Debian's rules, swaks as the client.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DnsServer, dnsmasqPeer, startDnsmasq } from '@mailyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, eventually, readWithImaplib } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import type { MailServerConfig } from '../src/server-config.js';

const alice = { user: 'alice@example.test', password: 'alice-secret' };
const MESSAGE_ID = 'offers-1@shop.test';
// Debian's __END_FUTURE_EMAILS reads the "stop receiving future emails" wording.
const OFFER = Buffer.from(
  'From: Shop Team <offers@shop.test>\r\nTo: alice@example.test\r\nSubject: Weekly offers\r\n' +
    `Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <${MESSAGE_ID}>\r\n\r\n` +
    'Our best prices this week.\r\n' +
    'Reply with the word remove to stop receiving future emails from us.\r\n',
);

let dns: DnsServer | undefined;
const verifying = temporaryDataDirectory();
const notVerifying = temporaryDataDirectory();
let verifyingServer: ServerProcess | undefined;
let notVerifyingServer: ServerProcess | undefined;

async function prepare(data: string, mailAuth: boolean): Promise<void> {
  await prepareDataDirectory(data, {
    config: (defaults): MailServerConfig => ({
      ...defaults,
      hostname: 'mx.mailyard.test',
      dns: { servers: [dns!.address], timeoutMs: 1000 },
      spam: {
        ...defaults.spam,
        // Loopback is one of Kerio's whitelisted local clients: rated here, as the internet is.
        whitelistGroup: '',
        contentRules: 'debian',
        bayes: false,
        mailAuth: { enabled: mailAuth, dmarcReject: 'score' },
      },
    }),
    domains: ['example.test'],
    users: [{ address: alice.user, password: alice.password }],
  });
}

beforeAll(async () => {
  if (!dnsmasqPeer.available) return;
  // shop.test publishes no SPF, DKIM or DMARC record: mailauth's lookups are answered NXDOMAIN.
  dns = await startDnsmasq({}, ['shop.test']);
  await prepare(verifying, true);
  await prepare(notVerifying, false);
  [verifyingServer, notVerifyingServer] = await Promise.all([
    startServer(verifying, EPHEMERAL_PORTS),
    startServer(notVerifying, EPHEMERAL_PORTS),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([verifyingServer?.stop(), notVerifyingServer?.stop()]);
  await dns?.stop();
});

/** swaks sends OFFER; the X-Spam-Status field of the copy stored in alice's INBOX. */
async function spamStatusOf(server: ServerProcess): Promise<string> {
  const file = join(server.data, '..', 'offer.eml');
  writeFileSync(file, OFFER);
  await command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...['--from', 'offers@shop.test', '--to', alice.user, '--data', `@${file}`],
  ]);
  const content = await eventually(async () => {
    const box = await readWithImaplib({
      port: server.ports.imaps!,
      cafile: join(server.data, 'sslcert', 'server.crt'),
      ...alice,
      mailbox: 'INBOX',
    });
    return box.messages.find((m) => m.content.toString('latin1').includes(`<${MESSAGE_ID}>`))
      ?.content;
  }, 'the offer in the INBOX');
  const status = /^X-Spam-Status: [^\r\n]*(\r\n[ \t][^\r\n]*)*/m.exec(content.toString('latin1'));
  expect(status, 'an X-Spam-Status field').not.toBeNull();
  return status![0].replace(/\r\n[ \t]+/g, ' ');
}

describe.skipIf(!dnsmasqPeer.available)('__DKIM_DEPENDABLE in the example server', () => {
  it('no mail authentication, nothing verified: END_FUTURE_EMAILS fires, as under spamd -L', async () => {
    expect(await spamStatusOf(notVerifyingServer!)).toMatch(/tests=.*\bEND_FUTURE_EMAILS\b/);
  }, 60_000);

  it('mail authentication on: the message is verified, END_FUTURE_EMAILS stays quiet', async () => {
    const status = await spamStatusOf(verifyingServer!);
    expect(status).toMatch(/tests=/);
    expect(status).not.toMatch(/END_FUTURE_EMAILS/);
  }, 60_000);
});
