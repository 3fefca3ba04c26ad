import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, python, readWithImaplib, splitTrace } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const alice = { user: 'alice@example.test', password: 'alice-secret' };
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    domains: ['example.test'],
    users: [{ address: alice.user, password: alice.password }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

let files = 0;
/** Sends `message` to alice from outside, unauthenticated, on the SMTP port, with smtplib. */
function send(message: Buffer) {
  const file = join(data, '..', `long-${files++}.eml`);
  writeFileSync(file, message);
  return python<{ ok: boolean; data?: [number, string] }>('smtp_submit.py', [
    `--port=${server.ports.smtp}`,
    `--cafile=${cafile}`,
    '--sender=carol@elsewhere.test',
    `--to=${alice.user}`,
    `--message=${file}`,
  ]);
}

const crlf = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');

// A newsletter as the SpamAssassin corpus has them: a To field nobody folded, and an HTML part
// whose markup is one line of several thousand octets, 8-bit, no transfer encoding to wrap it.
const newsletter = crlf([
  'From: "Deals" <news@shop.example>',
  `To: ${Array.from({ length: 120 }, (_, i) => `<reader${i}@example.test>`).join(', ')}`,
  'Subject: This week only',
  'Message-ID: <newsletter@shop.example>',
  'Date: Sun, 01 Mar 2026 12:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'See the HTML part.',
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  `<html><body>${'<td class="offer">Größe €10 – jetzt</td>'.repeat(400)}</body></html>`,
  '--b1--',
]);

const longest = crlf([
  'From: <carol@elsewhere.test>',
  `To: <${alice.user}>`,
  'Subject: the longest line taken',
  'Message-ID: <longest@elsewhere.test>',
  '',
  'x'.repeat(64 * 1024 - 2),
]);

describeWithCommand('python3', 'messages with lines over 1000 octets', () => {
  it('are taken from smtplib and read back byte for byte over IMAP (BODY[])', async () => {
    expect(
      newsletter
        .toString('latin1')
        .split('\r\n')
        .some((l) => l.length > 10_000),
    ).toBe(true);
    await expect(send(newsletter)).resolves.toEqual({ ok: true, refused: {} });
    await expect(send(longest)).resolves.toEqual({ ok: true, refused: {} });
    const mailbox = await eventually(async () => {
      const read = await readWithImaplib({ port: server.ports.imaps!, cafile, ...alice });
      return read.messages.length === 2 ? read : undefined;
    }, 'two messages in the INBOX');
    for (const sent of [newsletter, longest]) {
      const id = /Message-ID: <([^>]+)>/.exec(sent.toString('latin1'))![1]!;
      const stored = mailbox.messages.find((m) => m.content.includes(`Message-ID: <${id}>`));
      expect(stored, id).toBeDefined();
      expect(splitTrace(stored!.content).original.equals(sent), id).toBe(true);
    }
  });

  it('are refused with 554 5.6.0 over the MaxLineLength of mailserver.cfg (64 KiB)', async () => {
    const tooLong = crlf([
      'From: <carol@elsewhere.test>',
      'Subject: one octet too many',
      '',
      'x'.repeat(64 * 1024 - 1),
    ]);
    await expect(send(tooLong)).resolves.toEqual({
      ok: false,
      data: [554, '5.6.0 Message has lines over 65536 octets'],
    });
  });
});
