import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  command,
  eventually,
  python,
  readWithImaplib,
  readWithPoplib,
  splitTrace,
  testMessage,
} from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const alice = { user: 'alice@example.test', password: 'alice-secret' };
const bob = { user: 'bob@example.test', password: 'bob-secret' };
let server: ServerProcess;

// One message per client, each identified by its Message-ID.
const viaSwaks = testMessage({
  from: 'carol@elsewhere.test',
  to: alice.user,
  subject: 'sent with swaks',
  id: 'swaks@elsewhere.test',
});
const viaSmtplib = testMessage({
  from: bob.user,
  to: alice.user,
  subject: 'sent with smtplib',
  id: 'smtplib@example.test',
});
const viaNodemailer = testMessage({
  from: bob.user,
  to: alice.user,
  subject: 'sent with nodemailer',
  id: 'nodemailer@example.test',
  body: 'Grüße über 8BITMIME, in UTF-8.\r\n'.repeat(3).trimEnd(),
});

beforeAll(async () => {
  server = await startServer(data, [
    ...EPHEMERAL_PORTS,
    '--user',
    `${alice.user}:${alice.password}`,
    '--user',
    `${bob.user}:${bob.password}`,
  ]);
});
afterAll(async () => {
  await server?.stop();
});

const aliceMailbox = () => readWithPoplib({ port: server.ports.pop3s!, cafile, ...alice });

describeWithCommand('swaks', 'mail sent with swaks, smtplib and nodemailer', () => {
  it('is accepted by swaks over STARTTLS on the SMTP port, unauthenticated, for a local user', async () => {
    const file = join(data, '..', 'swaks.eml');
    // swaks ends DATA with CRLF . CRLF itself: the file leaves out the message's last CRLF.
    writeFileSync(file, viaSwaks.subarray(0, -2));
    const result = await command('swaks', [
      '--server',
      `127.0.0.1:${server.ports.smtp}`,
      '--tls',
      '--tls-verify',
      '--tls-ca-path',
      cafile,
      '--ehlo',
      'swaks.test',
      '--from',
      'carol@elsewhere.test',
      '--to',
      alice.user,
      '--data',
      `@${file}`,
    ]);
    expect(result.stdout).toMatch(/<~ {2}250 2\.0\.0 Ok: queued as [0-9a-f]{8}-\d{8}/);
    expect(result.code).toBe(0);
  });

  it('is accepted from smtplib on the submission port, after STARTTLS and AUTH', async () => {
    const file = join(data, '..', 'smtplib.eml');
    writeFileSync(file, viaSmtplib);
    const reply = await python<{ ok: boolean; refused: object }>('smtp_submit.py', [
      `--port=${server.ports.submission}`,
      `--cafile=${cafile}`,
      `--user=${bob.user}`,
      `--password=${bob.password}`,
      `--sender=${bob.user}`,
      `--to=${alice.user}`,
      `--message=${file}`,
    ]);
    expect(reply).toEqual({ ok: true, refused: {} });
  });

  it('is accepted from nodemailer over implicit TLS, with AUTH, as raw bytes', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.ports.smtps,
      secure: true,
      auth: { user: bob.user, pass: bob.password },
      tls: { ca: readFileSync(cafile), servername: 'localhost' },
      name: 'nodemailer.test',
    });
    const info = await transport.sendMail({
      envelope: { from: bob.user, to: [alice.user] },
      raw: viaNodemailer,
    });
    transport.close();
    expect(info.accepted).toEqual([alice.user]);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });

  it('is read back with imaplib, each message byte for byte behind its trace fields', async () => {
    const mailbox = await eventually(async () => {
      const read = await readWithImaplib({ port: server.ports.imaps!, cafile, ...alice });
      return read.messages.length === 3 ? read : undefined;
    }, 'three messages in the INBOX');
    expect(mailbox.messages.map((m) => m.uid).sort()).toEqual([1, 2, 3]);
    for (const [sent, protocol] of [
      [viaSwaks, 'ESMTPS'],
      [viaSmtplib, 'ESMTPSA'],
      [viaNodemailer, 'ESMTPSA'],
    ] as const) {
      const id = /Message-ID: <([^>]+)>/.exec(sent.toString())![1]!;
      const stored = mailbox.messages.find((m) => m.content.includes(`Message-ID: <${id}>`));
      expect(stored, id).toBeDefined();
      // New mail: not seen, and BODY.PEEK[] left it so.
      expect(stored!.flagsAfter, id).not.toContain('\\Seen');
      const { trace, original } = splitTrace(stored!.content);
      expect(original.toString('latin1'), id).toBe(sent.toString('latin1'));
      // Return-Path, local delivery's Received, the SMTP server's Received (RFC 5321 4.4).
      expect(trace).toHaveLength(3);
      expect(trace[0]).toMatch(/^Return-Path: <[^>]+@[^>]+>\r\n$/);
      expect(trace[1]).toMatch(/^Received: by \S+ \(Mailyard\) id [0-9a-f]{8}-\d{8}\r\n/);
      expect(trace[2]).toMatch(
        new RegExp(
          `^Received: from \\S+ \\(unknown \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby \\S+ with ${protocol} id `,
        ),
      );
    }
  });

  it('is the same for imapflow and curl, and BODY[] marks it seen, for every client', async () => {
    const peeked = await readWithImaplib({ port: server.ports.imaps!, cafile, ...alice });
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: server.ports.imaps!,
      secure: true,
      auth: { user: alice.user, pass: alice.password },
      tls: { ca: readFileSync(cafile), servername: 'localhost' },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        expect(Number(client.mailbox && client.mailbox.uidValidity)).toBe(peeked.uidvalidity);
        let fetched = 0;
        for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) {
          fetched++;
          const same = peeked.messages.find((m) => m.uid === message.uid);
          expect(message.source?.equals(same!.content), `UID ${message.uid}`).toBe(true);
          expect([...(message.flags ?? [])]).not.toContain('\\Seen');
        }
        expect(fetched).toBe(3);
        await client.messageFlagsAdd({ uid: '1' }, ['\\Flagged'], { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    for (const { uid, content } of peeked.messages) {
      const curl = await command('curl', [
        '--silent',
        '--show-error',
        '--cacert',
        cafile,
        '--user',
        `${alice.user}:${alice.password}`,
        `imaps://127.0.0.1:${server.ports.imaps}/INBOX;UID=${uid}`,
      ]);
      expect(curl.stderr).toBe('');
      expect(Buffer.from(curl.stdout, 'latin1').equals(content), `UID ${uid}`).toBe(true);
    }
    // imaplib over STARTTLS, fetching BODY[]: now they are seen; UID 1 keeps imapflow's flag.
    const read = await readWithImaplib({
      port: server.ports.imap!,
      cafile,
      starttls: true,
      read: true,
      ...alice,
    });
    for (const message of read.messages) {
      expect(message.flagsAfter, `UID ${message.uid}`).toContain('\\Seen');
      expect(message.flagsAfter.includes('\\Flagged'), `UID ${message.uid}`).toBe(
        message.uid === 1,
      );
    }
    expect(read.uidvalidity).toBe(peeked.uidvalidity);
  });

  it('is read the same with poplib over POP3S', async () => {
    const imap = await readWithImaplib({ port: server.ports.imaps!, cafile, ...alice });
    const pop3 = await aliceMailbox();
    expect(pop3.count).toBe(3);
    // POP3 shows the maildrop in UID order, byte for byte what IMAP shows.
    const inUidOrder = [...imap.messages].sort((a, b) => a.uid - b.uid);
    pop3.messages.forEach((message, i) => {
      expect(message.content.equals(inUidOrder[i]!.content), `message ${i + 1}`).toBe(true);
    });
  });

  it('is read the same with curl over POP3 with STLS, and keeps its UIDLs across sessions', async () => {
    const first = await aliceMailbox();
    const second = await readWithPoplib({ port: server.ports.pop3!, cafile, stls: true, ...alice });
    expect(second.messages.map((m) => m.uidl)).toEqual(first.messages.map((m) => m.uidl));
    expect(new Set(first.messages.map((m) => m.uidl)).size).toBe(3);
    for (let number = 1; number <= 3; number++) {
      const curl = await command('curl', [
        '--silent',
        '--show-error',
        '--ssl-reqd',
        '--cacert',
        cafile,
        '--user',
        `${alice.user}:${alice.password}`,
        `pop3://127.0.0.1:${server.ports.pop3}/${number}`,
      ]);
      expect(curl.stderr).toBe('');
      expect(Buffer.from(curl.stdout, 'latin1').equals(first.messages[number - 1]!.content)).toBe(
        true,
      );
    }
  });

  it("writes Kerio's Mail log: a Recv line per message, a Sent line per delivery", async () => {
    const log = readFileSync(join(data, 'logs', 'mail.log'), 'utf8');
    const stamp = String.raw`\[\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}\]`;
    const queueId = String.raw`[0-9a-f]{8}-\d{8}`;
    expect(log).toMatch(
      new RegExp(
        `^${stamp} Recv: Queue-ID: ${queueId}, Service: SMTP, From: <carol@elsewhere\\.test>, To: <alice@example\\.test>, Size: \\d+, Sender-Host: 127\\.0\\.0\\.1, SSL: yes$`,
        'm',
      ),
    );
    expect(log).toMatch(
      new RegExp(
        `^${stamp} Recv: Queue-ID: ${queueId}, Service: SMTP, From: <bob@example\\.test>, To: <alice@example\\.test>, Size: \\d+, User: bob@example\\.test, Sender-Host: 127\\.0\\.0\\.1, SSL: yes$`,
        'm',
      ),
    );
    const sent = log.match(
      new RegExp(
        `^${stamp} Sent: Queue-ID: ${queueId}, Recipient: <alice@example\\.test>, Result: delivered, Status: 2\\.0\\.0$`,
        'gm',
      ),
    );
    expect(sent).toHaveLength(3);
  });

  it('deletes what poplib deleted, once it QUIT', async () => {
    const deleted = await readWithPoplib({
      port: server.ports.pop3s!,
      cafile,
      delete: true,
      ...alice,
    });
    expect(deleted.count).toBe(3);
    expect((await aliceMailbox()).count).toBe(0);
  });
});
