/**
 * Issue 15: SPF, DKIM, DMARC and ARC in the example server, against a real DNS server on
 * loopback (dnsmasq with the test's own SPF records, DKIM key and DMARC policies), driven by
 * swaks. SPF is Kerio's test at MAIL FROM (blocked with 550 5.7.23, or scored); DKIM, DMARC and
 * ARC are scored after DATA, a DMARC reject policy honoured where configured; every message
 * carries the server's Authentication-Results, and a sender's field in our name is removed.
 * A DNS server that refuses the query makes SPF a temperror, never a fail.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DnsServer, dnsmasqPeer, startDnsmasq } from '@mailyard/test-kit';
import { sealMessage } from 'mailauth/lib/arc/index.js';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, eventually, readWithImaplib, testMessage } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';
import type { MailServerConfig, SpamConfig } from '../src/server-config.js';

const HOSTNAME = 'mx.mailyard.test';
const alice = { user: 'alice@example.test', password: 'alice-secret' };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PUBLIC = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let dns: DnsServer | undefined;
const scoring = temporaryDataDirectory();
const blocking = temporaryDataDirectory();
let scoringServer: ServerProcess | undefined;
let blockingServer: ServerProcess | undefined;

async function prepare(data: string, spam: (defaults: SpamConfig) => SpamConfig): Promise<void> {
  await prepareDataDirectory(data, {
    config: (defaults): MailServerConfig => ({
      ...defaults,
      hostname: HOSTNAME,
      dns: { servers: [dns!.address], timeoutMs: 1000 },
      // Loopback is one of Kerio's whitelisted local clients: rated here, as the internet is.
      spam: spam({
        ...defaults.spam,
        whitelistGroup: '',
        contentRules: 'none',
        bayes: false,
        mailAuth: { enabled: true, dmarcReject: 'score' },
      }),
    }),
    domains: ['example.test'],
    users: [{ address: alice.user, password: alice.password }],
  });
}

beforeAll(async () => {
  if (!dnsmasqPeer.available) return;
  // Names outside these zones are REFUSED by dnsmasq (it has no upstream): a DNS error.
  dns = await startDnsmasq(
    {},
    ['spf.test', 'signed.test', 'strict.test'],
    {
      'pass.spf.test': 'v=spf1 ip4:127.0.0.1 -all',
      'deny.spf.test': 'v=spf1 ip4:192.0.2.1 -all',
      'sel._domainkey.signed.test': `v=DKIM1; k=rsa; p=${PUBLIC}`,
      '_dmarc.signed.test': 'v=DMARC1; p=reject',
      '_dmarc.strict.test': 'v=DMARC1; p=reject',
    },
    // signed.test's key for selector `slow` is on a server that never answers: a timeout.
    { unanswered: ['slow._domainkey.signed.test'] },
  );
  await prepare(scoring, (spam) => ({
    ...spam,
    spf: { ...spam.spf, enabled: true, action: 'score', score: 3 },
  }));
  await prepare(blocking, (spam) => ({
    ...spam,
    spf: { ...spam.spf, enabled: true, action: 'block' },
    mailAuth: { enabled: true, dmarcReject: 'reject' },
  }));
  [scoringServer, blockingServer] = await Promise.all([
    startServer(scoring, EPHEMERAL_PORTS),
    startServer(blocking, EPHEMERAL_PORTS),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([scoringServer?.stop(), blockingServer?.stop()]);
  await dns?.stop();
});

/** swaks from 127.0.0.1 with this envelope sender and message. */
function swaks(server: ServerProcess, from: string, id: string, message: Buffer) {
  const file = join(server.data, '..', `${id}.eml`);
  writeFileSync(file, message);
  return command('swaks', [
    ...['--server', '127.0.0.1', '--port', String(server.ports.smtp!)],
    ...['--from', from, '--to', alice.user, '--data', `@${file}`],
  ]);
}

/** The message with this Message-ID in alice's INBOX, once it is there; its header. */
const headerOf = async (server: ServerProcess, id: string) => {
  const content = await eventually(async () => {
    const box = await readWithImaplib({
      port: server.ports.imaps!,
      cafile: join(server.data, 'sslcert', 'server.crt'),
      ...alice,
      mailbox: 'INBOX',
    });
    return box.messages.find((m) => m.content.toString('latin1').includes(`<${id}>`))?.content;
  }, `${id} in the INBOX`);
  const text = content.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n') + 2);
};

/** Our Authentication-Results field, unfolded. */
const ourResults = (header: string) =>
  (header.match(/^Authentication-Results: [^\r\n]*(\r\n[ \t][^\r\n]*)*/gm) ?? [])
    .map((field) => field.replace(/\r\n[ \t]+/g, ' '))
    .filter((field) => field.startsWith(`Authentication-Results: ${HOSTNAME};`));

const logLine = (server: ServerProcess, name: string, pattern: RegExp) =>
  eventually(
    async () => pattern.exec(readFileSync(join(server.data, 'logs', name), 'utf8'))?.[0],
    `${pattern} in ${name}`,
  );

const mail = (from: string, id: string, extraHead = '') =>
  Buffer.concat([
    Buffer.from(extraHead),
    testMessage({ from, to: alice.user, subject: 'Quarterly figures', id }),
  ]);

/** The message DKIM-signed by signed.test's key (the one dnsmasq publishes under `sel`). */
async function signed(message: Buffer, selector = 'sel'): Promise<Buffer> {
  // mailauth's own types describe only the one-signature form of its options.
  const options = {
    canonicalization: 'relaxed/relaxed',
    signatureData: [{ signingDomain: 'signed.test', selector, privateKey: PRIVATE }],
  } as unknown as Parameters<typeof dkimSign>[1];
  const { signatures } = (await dkimSign(message, options)) as { signatures: string };
  return Buffer.concat([Buffer.from(signatures), message]);
}

describe.skipIf(!dnsmasqPeer.available)('SPF, DKIM, DMARC and ARC in the example server', () => {
  it("SPF pass: delivered with our Authentication-Results; a sender's field in our name removed, another server's kept", async () => {
    const id = 'spf-pass@pass.spf.test';
    const forged = [
      `Authentication-Results: ${HOSTNAME}; dkim=pass header.d=bank.example`,
      'Authentication-Results: (a comment) MX.MAILYARD.TEST 1; spf=pass',
      'Authentication-Results: relay.elsewhere.example; spf=pass smtp.mailfrom=pass.spf.test',
      '',
    ].join('\r\n');
    const sent = await swaks(
      scoringServer!,
      'a@pass.spf.test',
      id,
      mail('a@pass.spf.test', id, forged),
    );
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(scoringServer!, id);
    const ours = ourResults(header);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/; spf=pass [^;]*smtp\.mailfrom=a@pass\.spf\.test/);
    expect(header).not.toContain('header.d=bank.example');
    expect(header).not.toContain('MX.MAILYARD.TEST 1');
    expect(header).toContain('Authentication-Results: relay.elsewhere.example; spf=pass');
    expect(header).not.toMatch(/tests=[^\r\n]*SPF_FAIL/);
  });

  it('SPF fail where the action is block: 550 5.7.23 at MAIL FROM, and a Security log line', async () => {
    const id = 'spf-deny-block@deny.spf.test';
    const sent = await swaks(blockingServer!, 'a@deny.spf.test', id, mail('a@deny.spf.test', id));
    expect(sent.code).not.toBe(0);
    expect(sent.stdout).toMatch(
      / -> MAIL FROM:<a@deny\.spf\.test>\s+<\*\* 550 5\.7\.23 SPF validation failed/,
    );
    await logLine(
      blockingServer!,
      'security.log',
      /SPF check failed: .*127\.0\.0\.1.*mail from <a@deny\.spf\.test> \(IP address 127\.0\.0\.1\)/,
    );
  });

  it('SPF fail where the action is score: delivered with SPF_FAIL 3 in the rating and spf=fail', async () => {
    const id = 'spf-deny-score@deny.spf.test';
    const sent = await swaks(scoringServer!, 'a@deny.spf.test', id, mail('a@deny.spf.test', id));
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(scoringServer!, id);
    expect(header).toMatch(/X-Spam-Status: No, score=3\.00 [^\r\n]*tests=SPF_FAIL/);
    expect(ourResults(header)[0]).toMatch(/; spf=fail /);
  });

  it('a DNS server that refuses the query: SPF temperror, never a fail; the mail is taken', async () => {
    const id = 'spf-refused@refused.example';
    const sent = await swaks(
      blockingServer!,
      'a@refused.example',
      id,
      mail('a@refused.example', id),
    );
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(blockingServer!, id);
    expect(ourResults(header)[0]).toMatch(/; spf=temperror /);
    expect(header).not.toMatch(/SPF_FAIL/);
  });

  it('a message DKIM-signed with the key in DNS: dkim=pass and dmarc=pass, DKIM_VALID and DMARC_PASS', async () => {
    const id = 'dkim-pass@signed.test';
    const message = await signed(mail('boss@signed.test', id));
    const sent = await swaks(scoringServer!, 'boss@signed.test', id, message);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(scoringServer!, id);
    const ours = ourResults(header)[0];
    expect(ours).toMatch(/; dkim=pass header\.i=@signed\.test header\.s=sel/);
    expect(ours).toMatch(/; dmarc=pass \(p=REJECT/);
    expect(header).toMatch(/tests=[^\r\n]*DKIM_VALID/);
    expect(header).toMatch(/DMARC_PASS/);
  });

  it('the same message changed after signing: DKIM fails, DMARC fails under p=reject: scored where so configured', async () => {
    const id = 'dkim-tampered@signed.test';
    const message = Buffer.from(
      (await signed(mail('boss@signed.test', id))).toString('latin1').replace('Bye', 'Pay now'),
      'latin1',
    );
    const sent = await swaks(scoringServer!, 'boss@signed.test', id, message);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(scoringServer!, id);
    const ours = ourResults(header)[0];
    expect(ours).toMatch(/; dkim=neutral \(body hash did not verify\)/);
    expect(ours).toMatch(/; dmarc=fail \(p=REJECT/);
    expect(header).toMatch(/X-Spam-Report:[^]*DKIM_INVALID[^]*DMARC_REJECT/);
  });

  it('DMARC fail under p=reject where the server honours it: 550 5.7.1 after DATA, nothing delivered', async () => {
    const id = 'dmarc-reject@strict.test';
    // Signed by nobody, from a domain whose policy is reject, sent from an unrelated envelope.
    const sent = await swaks(blockingServer!, 'a@pass.spf.test', id, mail('ceo@strict.test', id));
    expect(sent.code).not.toBe(0);
    expect(sent.stdout).toMatch(/<\*\* 550 5\.7\.1 Rejected by the DMARC policy of strict\.test/);
    await logLine(
      blockingServer!,
      'security.log',
      /Message from <a@pass\.spf\.test> to <alice@example\.test> from IP address 127\.0\.0\.1 rejected: it fails DMARC and strict\.test publishes p=reject/,
    );
  });

  it('a DKIM key whose DNS server times out: temperror, and DMARC p=reject honoured refuses nothing', async () => {
    const id = 'dkim-timeout@signed.test';
    // From signed.test, unaligned envelope (SPF passes for pass.spf.test): only DKIM could align.
    const message = await signed(mail('boss@signed.test', id), 'slow');
    const sent = await swaks(blockingServer!, 'a@pass.spf.test', id, message);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(blockingServer!, id);
    const ours = ourResults(header)[0];
    expect(ours).toMatch(/; dkim=temperror /);
    expect(ours).toMatch(/; dmarc=temperror /);
    expect(header).not.toMatch(/DKIM_INVALID|DMARC_REJECT/);
  });

  it('a forwarded message with a valid ARC seal: ARC_VALID and arc=pass', async () => {
    const id = 'arc@signed.test';
    const original = await signed(mail('boss@signed.test', id));
    const seal = await sealMessage(original, {
      signingDomain: 'signed.test',
      selector: 'sel',
      privateKey: PRIVATE,
      authResults: 'forwarder.signed.test; dkim=pass header.d=signed.test',
      cv: 'none',
    } as unknown as Parameters<typeof sealMessage>[1]);
    const sent = await swaks(
      scoringServer!,
      'boss@signed.test',
      id,
      Buffer.concat([Buffer.from(seal), original]),
    );
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    const header = await headerOf(scoringServer!, id);
    expect(ourResults(header)[0]).toMatch(/; arc=pass /);
    expect(header).toMatch(/ARC_VALID/);
  });
});
