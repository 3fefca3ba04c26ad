/**
 * Real SMTP clients nobody here wrote — swaks, Python's smtplib and nodemailer — against our
 * server on loopback, over plain SMTP, STARTTLS, implicit TLS and submission with AUTH.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithCommand } from '@mailyard/test-kit';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestServer, withoutOurReceived } from './smtp-server-fixture.js';

const run = promisify(execFile);
let fixture: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  fixture = await startTestServer();
});
afterAll(async () => {
  await fixture.server.close(1000);
});

/** Runs swaks; resolves with its exit code and transcript rather than throwing on failure. */
async function swaks(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(
      'swaks',
      ['--server', '127.0.0.1', '--helo', 'client.test', '--suppress-data', ...args],
      {
        timeout: 20_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, output: failure.stdout };
  }
}

async function python(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('python3', ['-c', script, ...args], { timeout: 20_000 });
  return stdout;
}

describeWithCommand('swaks', 'swaks', () => {
  it('delivers to a local user over plain SMTP, with pipelining', async () => {
    const { code, output } = await swaks(
      '--port',
      String(fixture.ports.smtp),
      '--from',
      'sender@remote.test',
      '--to',
      'bob@example.com',
      '--pipeline',
      '--header',
      'Subject: swaks plain',
    );
    expect(code, output).toBe(0);
    expect(output).toMatch(/<- {2}250 2\.0\.0 Ok: queued as/);
    const message = fixture.messages.find((m) => m.bytes.includes('Subject: swaks plain'));
    expect(message?.envelope).toMatchObject({
      from: 'sender@remote.test',
      recipients: [{ address: 'bob@example.com' }],
    });
    expect(message!.bytes.toString()).toMatch(
      /^Received: from client\.test \(unknown \[127\.0\.0\.1\]\)\r\n\tby mx\.example\.com with ESMTP id /,
    );
  });

  it('relays after STARTTLS and AUTH on the submission port', async () => {
    const { code, output } = await swaks(
      '--port',
      String(fixture.ports.submission),
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      'alice',
      '--auth-password',
      'wonderland',
      '--from',
      'alice@example.com',
      '--to',
      'friend@remote.test',
      '--header',
      'Subject: swaks submission',
    );
    expect(code, output).toBe(0);
    const message = fixture.messages.find((m) => m.bytes.includes('Subject: swaks submission'));
    expect(message?.listener).toBe('submission');
    expect(message!.bytes.toString()).toContain('with ESMTPSA id');
  });

  it('speaks implicit TLS on the smtps port', async () => {
    const { code, output } = await swaks(
      '--port',
      String(fixture.ports.smtps),
      '--tlsc',
      '--from',
      'x@remote.test',
      '--to',
      'alice@example.com',
      '--header',
      'Subject: swaks smtps',
    );
    expect(code, output).toBe(0);
    expect(
      fixture.messages.find((m) => m.bytes.includes('Subject: swaks smtps'))!.bytes.toString(),
    ).toContain('with ESMTPS id');
  });

  it('is refused relaying without AUTH, and AUTH on submission is required', async () => {
    const relay = await swaks(
      '--port',
      String(fixture.ports.smtp),
      '--from',
      'x@remote.test',
      '--to',
      'victim@remote.test',
    );
    expect(relay.code).not.toBe(0);
    expect(relay.output).toContain('554 5.7.1 <victim@remote.test>: Relay access denied');
    expect(fixture.security).toContain(
      'Relay attempt from IP address 127.0.0.1, mail from <x@remote.test> to <victim@remote.test> rejected',
    );
    const noAuth = await swaks(
      '--port',
      String(fixture.ports.submission),
      '--tls',
      '--from',
      'alice@example.com',
      '--to',
      'bob@example.com',
    );
    expect(noAuth.code).not.toBe(0);
    expect(noAuth.output).toContain('530 5.7.0 Authentication required');
  });

  it('is told a too-big message is too big', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'swaks-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const body = join(folder, 'body.txt');
    writeFileSync(body, `${'x'.repeat(100)}\n`.repeat(12_000));
    const { code, output } = await swaks(
      '--port',
      String(fixture.ports.smtp),
      '--from',
      'x@remote.test',
      '--to',
      'bob@example.com',
      '--body',
      body,
    );
    expect(code).not.toBe(0);
    expect(output).toContain('552 5.3.4');
  });
});

describeWithCommand('python3', "Python's smtplib", () => {
  it('sends over STARTTLS with LOGIN, SMTPUTF8, and gets the exact bytes through', async () => {
    const script = `
import smtplib, ssl, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'alice@example.com'
m['To'] = 'bob@example.com'
m['Subject'] = 'smtplib ünïcode'
m.set_content('Grüße\\n.leading dot\\n..two dots\\n')
raw = m.as_bytes(policy=m.policy.clone(linesep='\\r\\n'))
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test') as s:
    s.starttls(context=ctx)
    s.login('alice', 'wonderland')
    refused = s.sendmail('alice@example.com', ['bob@example.com', 'jörg@remote.test'], raw, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
    print(repr(refused))
sys.stdout.flush()  # the raw bytes bypass print's buffer; keep them after it
sys.stdout.buffer.write(b'RAW:' + raw)
`;
    const out = await python(script, String(fixture.ports.smtp));
    expect(out.slice(0, out.indexOf('RAW:'))).toBe('{}\n');
    const raw = out.slice(out.indexOf('RAW:') + 4);
    const message = fixture.messages.find((m) => m.bytes.includes('smtplib'));
    expect(message?.envelope).toMatchObject({
      smtpUtf8: true,
      body: '8BITMIME',
      recipients: [{ address: 'bob@example.com' }, { address: 'jörg@remote.test' }],
    });
    expect(withoutOurReceived(message!.bytes)).toBe(raw);
  });

  it('sees an unknown local recipient refused at RCPT', async () => {
    const script = `
import smtplib, sys
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    try:
        s.sendmail('x@remote.test', ['nobody@example.com'], b'Subject: x\\r\\n\\r\\nx\\r\\n')
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients['nobody@example.com']
        print(code, text.decode())
`;
    expect(await python(script, String(fixture.ports.smtp))).toBe(
      '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown\n',
    );
  });
});

describe('nodemailer', () => {
  it('sends with implicit TLS and AUTH PLAIN; the message arrives byte for byte', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: fixture.ports.smtps,
      secure: true,
      auth: { user: 'bob', pass: 'builder' },
      tls: { rejectUnauthorized: false },
      name: 'nodemailer.test',
    });
    const raw =
      'From: bob@example.com\r\nTo: alice@example.com\r\nSubject: nodemailer raw\r\n\r\nHello\r\n.\r\n..\r\n';
    const info = await transport.sendMail({
      envelope: { from: 'bob@example.com', to: ['alice@example.com', 'someone@remote.test'] },
      raw,
    });
    expect(info.accepted).toEqual(['alice@example.com', 'someone@remote.test']);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const message = fixture.messages.find((m) => m.bytes.includes('nodemailer raw'));
    expect(withoutOurReceived(message!.bytes)).toBe(raw);
    transport.close();
  });

  it('sends over STARTTLS with a composed message and attachments', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: fixture.ports.submission,
      requireTLS: true,
      auth: { user: 'alice@example.com', pass: 'wonderland' },
      tls: { rejectUnauthorized: false },
    });
    const attachment = Buffer.alloc(200_000, 7);
    await transport.sendMail({
      from: 'alice@example.com',
      to: 'bob@example.com',
      subject: 'nodemailer composed',
      text: 'see attached',
      attachments: [{ filename: 'blob.bin', content: attachment }],
    });
    const message = fixture.messages.find((m) => m.bytes.includes('nodemailer composed'));
    const base64 = attachment.toString('base64');
    expect(message!.bytes.toString().replace(/\r\n/g, '')).toContain(base64);
    transport.close();
  });
});
