import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { DovecotSandbox, appendCommands, describeWithDovecot } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALICE, TestClient } from '../session/harness.js';

/**
 * Corners where we once answered differently from Dovecot, each compared with a Dovecot of its
 * own in the same run: the same messages appended to both, the same commands, one session per
 * command (Dovecot runs pipelined commands at once), and the untagged answers compared as bytes.
 */
const lines = (...text: string[]) => Buffer.from(`${text.join('\r\n')}\r\n`, 'latin1');

const MESSAGES: readonly Buffer[] = [
  lines(
    'From: Ann <ann@example.com>',
    'Cc: mid@example.com',
    'Subject: first',
    'Date: Mon, 1 Jan 2024 09:00:00 +0000',
    'Message-ID: <a@example.com>',
    '',
    'one',
  ),
  // Cc is a group: SORT (CC) sorts by the group's name (RFC 5256 with the ENVELOPE's group syntax).
  // Its References point at the first message and at the third, which refers back to this one.
  lines(
    'From: Ben <ben@example.com>',
    'Cc: user2: blah@domain1.org;',
    'Subject: second',
    'Date: Mon, 1 Jan 2024 10:00:00 +0000',
    'Message-ID: <b@example.com>',
    'References: <a@example.com> <c@example.com>',
    '',
    'two',
  ),
  lines(
    'From: Cid <cid@example.com>',
    'Cc: abc@example.com',
    'Subject: third',
    'Date: Mon, 1 Jan 2024 11:00:00 +0000',
    'Message-ID: <c@example.com>',
    'References: <b@example.com>',
    '',
    'three',
  ),
  // Raw Latin-1 in the Subject, and a binary part holding a NUL.
  Buffer.concat([
    lines(
      'From: Dee <dee@example.com>',
      'Subject: caf\xe9 \xa3 prices',
      'Date: Mon, 1 Jan 2024 12:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: binary',
      '',
    ),
    Buffer.from([0x41, 0x00, 0x42, 0x0d, 0x0a]),
    lines('--b--'),
  ]),
  // Raw Latin-1 in a display name, and in an attached message's header.
  lines(
    'From: Ren\xe9e Dupont <renee@example.com>',
    'To: "G\xfcnter" <gunter@example.com>, plain@example.com',
    'Subject: =?utf-8?q?encoded_=C3=A9?= and r\xe2w',
    'Date: Mon, 1 Jan 2024 13:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: message/rfc822',
    '',
    'From: Z\xf6e <zoe@example.com>',
    'Subject: inner \xa3 subject',
    '',
    'inner body',
    '--m--',
  ),
];

/** Commands run in both, one session each, in order, before the compared ones. */
const SETUP = ['CREATE a/test2/test1', 'SUBSCRIBE a/test2/test1'];

const COMPARED = [
  'SORT (CC) UTF-8 ALL',
  'SORT (REVERSE CC) UTF-8 ALL',
  'THREAD REFERENCES UTF-8 ALL',
  'LIST "" "!#$&\'+,-.0123456789:;<=>?@^_`|[}%*"',
  'LIST (SUBSCRIBED RECURSIVEMATCH) "" (a/test2 a/test2/test1) RETURN (CHILDREN)',
  'FETCH 4 (ENVELOPE)',
  'FETCH 5 (ENVELOPE BODYSTRUCTURE)',
  'FETCH 4 (BODY.PEEK[1])',
  'FETCH 4 (BINARY.PEEK[1])',
];

/** A LIST line's attributes in one order: their order carries no meaning (RFC 9051 7.3.1). */
function sortedAttributes(text: string): string {
  return text.replace(
    /^\* LIST \(([^)]*)\)/gm,
    (_line, attributes: string) => `* LIST (${attributes.split(' ').sort().join(' ')})`,
  );
}

/** What a session answered to `C` before its tagged reply, as bytes in Latin-1. */
function untagged(output: Buffer): string {
  const text = output.toString('latin1');
  const start = text.search(/\r\nS OK[^\r]*\r\n/);
  const after = text.slice(text.indexOf('\r\n', start + 2) + 2);
  const tagged = /(^|\r\n)C (OK|NO|BAD)/.exec(after);
  if (!tagged) throw new Error(`no tagged answer in ${JSON.stringify(text.slice(-500))}`);
  const body = after.slice(0, tagged.index + tagged[1]!.length);
  return sortedAttributes(tagged[2] === 'OK' ? body : `${body} => ${tagged[2]}`);
}

describeWithDovecot('Dovecot as the oracle for edge cases', () => {
  const dovecot: string[] = [];
  const ours: string[] = [];
  const sandbox = new DovecotSandbox({ fsync: false });
  afterAll(() => sandbox.close());

  beforeAll(async () => {
    await sandbox.run(appendCommands(MESSAGES));
    for (const command of SETUP) await sandbox.run(`S SELECT INBOX\r\nC ${command}\r\n`);
    for (const command of COMPARED) {
      const { output } = await sandbox.run(`S SELECT INBOX\r\nC ${command}\r\n`);
      dovecot.push(untagged(output));
    }

    const store = new MemoryMailStore();
    for (const content of MESSAGES) await store.access(ALICE).append('INBOX', [{ content }]);
    const run = async (command: string) => {
      const client = await TestClient.loggedIn({ store });
      await client.command('S SELECT INBOX');
      const start = client.output.length;
      await client.command(`C ${command}`);
      client.session.disconnected();
      return untagged(
        Buffer.concat([Buffer.from('\r\nS OK x\r\n'), client.output.subarray(start)]),
      );
    };
    for (const command of SETUP) await run(command);
    for (const command of COMPARED) ours.push(await run(command));
  }, 60_000);

  it.each(COMPARED.map((command, i) => [command, i] as const))('%s', (_command, i) => {
    expect(ours[i]).toBe(dovecot[i]);
  });
});
