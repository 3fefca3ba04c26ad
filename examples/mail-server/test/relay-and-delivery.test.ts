import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Pop3Mailbox,
  command,
  eventually,
  python,
  readWithPoplib,
  splitTrace,
  testMessage,
} from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

/**
 * Two servers on loopback: `alpha` serves example.test (and catchall.test) and routes
 * beta.test to `beta`'s SMTP port, as an MX record would; `beta` serves beta.test.
 */
const alphaData = temporaryDataDirectory();
const betaData = temporaryDataDirectory();
const gammaData = temporaryDataDirectory();
const password = 'a-long-secret';
const users = ['alice', 'bob', 'erin', 'full'].map((name) => ({
  address: `${name}@example.test`,
  password,
}));
let alpha: ServerProcess;
let beta: ServerProcess;
/** `gamma` has no routes: everything not local goes to beta's submission port, its smarthost. */
let gamma: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(betaData, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.beta.test',
      delivery: { ...defaults.delivery, insertEnvelopeTo: true },
    }),
    domains: ['beta.test'],
    users: [{ address: 'dave@beta.test', password }],
  });
  beta = await startServer(betaData);
  await prepareDataDirectory(alphaData, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      // The tests read mailboxes over POP3 from 127.0.0.1: POP3-before-SMTP would let it relay.
      relay: { ...defaults.relay, pop3BeforeSmtpMinutes: 0 },
      // Failed deliveries are retried after a minute; the bounce comes from beta's 5xx anyway.
      queue: { ...defaults.queue, retryMinutes: 1 },
      delivery: {
        ...defaults.delivery,
        routes: [{ domain: 'beta.test', host: '127.0.0.1', port: beta.ports.smtp! }],
      },
    }),
    domains: ['example.test', 'catchall.test'],
    users,
    directory: async (directory) => {
      await directory.addAlias('example.test', 'info', 'alice@example.test');
      await directory.addGroup('team@example.test', ['alice@example.test', 'bob@example.test']);
      await directory.addAlias('catchall.test', '*', 'bob@example.test');
      await directory.updateUser('erin@example.test', {
        forwarding: { addresses: ['dave@beta.test'], keepCopy: true },
      });
      await directory.updateUser('full@example.test', { quota: { storage: 0, messages: 1 } });
    },
  });
  alpha = await startServer(alphaData);
  await prepareDataDirectory(gammaData, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.gamma.test',
      delivery: {
        ...defaults.delivery,
        smarthost: {
          host: '127.0.0.1',
          port: beta.ports.submission!,
          authentication: 'smtp-auth',
          username: 'dave@beta.test',
          password,
        },
      },
    }),
    domains: ['gamma.test'],
    users: [{ address: 'gina@gamma.test', password }],
  });
  gamma = await startServer(gammaData);
});
afterAll(async () => {
  await Promise.all([alpha?.stop(), beta?.stop(), gamma?.stop()]);
});

const cafile = (data: string) => join(data, 'sslcert', 'server.crt');
const mailbox = (server: ServerProcess, user: string) =>
  readWithPoplib({ port: server.ports.pop3s!, cafile: cafile(server.data), user, password });
const mailboxWith = (server: ServerProcess, user: string, count: number): Promise<Pop3Mailbox> =>
  eventually(async () => {
    const read = await mailbox(server, user);
    return read.count >= count ? read : undefined;
  }, `${count} messages for ${user}`);
const withId = (read: Pop3Mailbox, id: string) =>
  read.messages.filter((m) => m.content.includes(`Message-ID: <${id}>`));

let files = 0;
function submit(
  server: ServerProcess,
  message: Buffer,
  options: { port: 'smtp' | 'submission'; from: string; to: string[]; login?: string },
) {
  const file = join(server.data, '..', `message-${files++}.eml`);
  writeFileSync(file, message);
  return python<{
    ok: boolean;
    refused?: Record<string, [number, string]>;
    sender?: [number, string];
  }>('smtp_submit.py', [
    `--port=${server.ports[options.port]}`,
    `--cafile=${cafile(server.data)}`,
    ...(options.login ? [`--user=${options.login}`, `--password=${password}`] : []),
    `--sender=${options.from}`,
    ...options.to.map((to) => `--to=${to}`),
    `--message=${file}`,
  ]);
}

function swaks(server: ServerProcess, from: string, to: string) {
  return command('swaks', [
    '--server',
    `127.0.0.1:${server.ports.smtp}`,
    '--from',
    from,
    '--to',
    to,
    '--header',
    `Message-ID: <${to}.${files++}@swaks.test>`,
  ]);
}

describeWithCommand('python3', 'relaying between two servers', () => {
  it('relays a submission with AUTH to the other server, which delivers it', async () => {
    const sent = testMessage({
      from: 'alice@example.test',
      to: 'dave@beta.test',
      subject: 'across the loopback',
      id: 'relayed@example.test',
    });
    await expect(
      submit(alpha, sent, {
        port: 'submission',
        login: 'alice@example.test',
        from: 'alice@example.test',
        to: ['dave@beta.test'],
      }),
    ).resolves.toEqual({ ok: true, refused: {} });
    const read = await mailboxWith(beta, 'dave@beta.test', 1);
    const [stored] = withId(read, 'relayed@example.test');
    const { trace, original } = splitTrace(stored!.content);
    expect(original.equals(sent)).toBe(true);
    // beta's trace (with Kerio's X-Envelope-To), then alpha's Received, then the message.
    expect(trace.slice(0, 2)).toEqual([
      'Return-Path: <alice@example.test>\r\n',
      'X-Envelope-To: dave@beta.test\r\n',
    ]);
    expect(trace.join('')).toMatch(/by mx\.beta\.test with ESMTPS id /);
    expect(trace.join('')).toMatch(/by mx\.example\.test with ESMTPSA id /);
    expect(readFileSync(join(alphaData, 'logs', 'mail.log'), 'utf8')).toMatch(
      /Sent: Queue-ID: [0-9a-f]{8}-\d{8}, Recipient: <dave@beta\.test>, Result: delivered, Status: 2\.0\.0/,
    );
  });

  it('sends through the relay server of mailserver.cfg, logging in to it with SMTP AUTH', async () => {
    const sent = testMessage({
      from: 'gina@gamma.test',
      to: 'dave@beta.test',
      subject: 'through the smarthost',
      id: 'smarthost@gamma.test',
    });
    await expect(
      submit(gamma, sent, {
        port: 'submission',
        login: 'gina@gamma.test',
        from: 'gina@gamma.test',
        to: ['dave@beta.test'],
      }),
    ).resolves.toEqual({ ok: true, refused: {} });
    const stored = await eventually(async () => {
      const [found] = withId(await mailbox(beta, 'dave@beta.test'), 'smarthost@gamma.test');
      return found;
    }, 'the message through the smarthost');
    const { trace, original } = splitTrace(stored.content);
    expect(original.equals(sent)).toBe(true);
    // beta took it on its submission port, from gamma, authenticated, over STARTTLS.
    expect(trace.join('')).toMatch(
      /from mx\.gamma\.test \(unknown \[127\.0\.0\.1\]\)\r\n\tby mx\.beta\.test with ESMTPSA id /,
    );
  });

  it('refuses to relay for a client that did not authenticate, and logs the attempt', async () => {
    const message = testMessage({
      from: 'mallory@spam.test',
      to: 'dave@beta.test',
      subject: 'relay?',
      id: 'relay-attempt@spam.test',
    });
    const reply = await submit(alpha, message, {
      port: 'smtp',
      from: 'mallory@spam.test',
      to: ['dave@beta.test'],
    });
    expect(reply).toEqual({
      ok: false,
      refused: { 'dave@beta.test': [554, '5.7.1 <dave@beta.test>: Relay access denied'] },
    });
    expect(readFileSync(join(alphaData, 'logs', 'security.log'), 'utf8')).toMatch(
      /^\[\d{2}\/\w{3}\/\d{4} \d{2}:\d{2}:\d{2}\] Relay attempt from IP address 127\.0\.0\.1, mail from <mallory@spam\.test> to <dave@beta\.test> rejected$/m,
    );
    // Submission wants AUTH before MAIL at all (RFC 6409).
    const unauthenticated = await submit(alpha, message, {
      port: 'submission',
      from: 'mallory@spam.test',
      to: ['dave@beta.test'],
    });
    expect(unauthenticated.ok).toBe(false);
    expect(unauthenticated.sender?.[0]).toBe(530);
  });

  it('returns a DSN to the sender when the other server refuses the recipient for good', async () => {
    const sent = testMessage({
      from: 'alice@example.test',
      to: 'nobody@beta.test',
      subject: 'to nobody',
      id: 'bounced@example.test',
    });
    await expect(
      submit(alpha, sent, {
        port: 'submission',
        login: 'alice@example.test',
        from: 'alice@example.test',
        to: ['nobody@beta.test'],
      }),
    ).resolves.toEqual({ ok: true, refused: {} });
    const dsn = await eventually(async () => {
      const read = await mailbox(alpha, 'alice@example.test');
      return read.messages.find((m) => m.content.includes('report-type=delivery-status'));
    }, 'a DSN for alice');
    const text = dsn.content.toString('utf8');
    expect(text).toMatch(/^Return-Path: <>\r\n/);
    expect(text).toMatch(/\r\nFrom: [^\r\n]*MAILER-DAEMON@mx\.example\.test/i);
    expect(text).toMatch(/\r\nContent-Type: multipart\/report; report-type=delivery-status;/i);
    expect(text).toMatch(/\r\nFinal-Recipient: rfc822; ?nobody@beta\.test\r\n/i);
    expect(text).toMatch(/\r\nAction: failed\r\n/);
    expect(text).toMatch(/\r\nStatus: 5\.1\.1\r\n/);
    expect(text).toMatch(/\r\nDiagnostic-Code: smtp; ?550 5\.1\.1 /);
    expect(text).toContain('Message-ID: <bounced@example.test>'); // the returned header
    expect(readFileSync(join(alphaData, 'logs', 'mail.log'), 'utf8')).toMatch(
      /Recv: Queue-ID: [0-9a-f]{8}-\d{8}, Service: DSN, From: <>, To: <alice@example\.test>, Size: \d+, Report: failed/,
    );
  });
});

describeWithCommand(
  'swaks',
  'what the server refuses at RCPT, and what it delivers locally',
  () => {
    it('refuses an unknown local recipient at RCPT', async () => {
      const result = await swaks(alpha, 'carol@elsewhere.test', 'nobody@example.test');
      expect(result.stdout).toMatch(
        /<\*\* 550 5\.1\.1 <nobody@example\.test>: Recipient address rejected: User unknown/,
      );
      expect(result.code).not.toBe(0);
    });

    it('refuses more mail for a mailbox at its quota, temporarily', async () => {
      expect((await swaks(alpha, 'carol@elsewhere.test', 'full@example.test')).code).toBe(0);
      await mailboxWith(alpha, 'full@example.test', 1);
      const second = await swaks(alpha, 'carol@elsewhere.test', 'full@example.test');
      expect(second.stdout).toMatch(/<\*\* 452 4\.2\.2 <full@example\.test>: Mailbox full/);
    });

    it('follows aliases, groups, the catch-all and forwarding with a local copy', async () => {
      for (const to of [
        'info@example.test',
        'team@example.test',
        'x@catchall.test',
        'erin@example.test',
      ]) {
        expect((await swaks(alpha, 'carol@elsewhere.test', to)).code, to).toBe(0);
      }
      // Each mailbox ends up with each of its messages exactly once.
      const arrived = async (server: ServerProcess, user: string, expected: string[]) => {
        const ids = await eventually(
          async () => {
            const found = (await mailbox(server, user)).messages
              .map(
                (m) =>
                  /Message-ID: <(.+?)\.\d+@swaks\.test>/.exec(m.content.toString('latin1'))?.[1],
              )
              .filter((id): id is string => id !== undefined);
            return expected.every((id) => found.includes(id)) ? found : undefined;
          },
          `${expected.join(', ')} for ${user}`,
        );
        for (const id of expected)
          expect(
            ids.filter((found) => found === id),
            id,
          ).toHaveLength(1);
        return ids;
      };
      await arrived(alpha, 'alice@example.test', ['info@example.test', 'team@example.test']);
      expect(
        await arrived(alpha, 'bob@example.test', ['team@example.test', 'x@catchall.test']),
      ).toHaveLength(2);
      expect(await arrived(alpha, 'erin@example.test', ['erin@example.test'])).toHaveLength(1);
      // The forward went on to beta, as a new recipient of the same queued message.
      await arrived(beta, 'dave@beta.test', ['erin@example.test']);
    });
  },
);
