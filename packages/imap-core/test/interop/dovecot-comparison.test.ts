import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { DovecotSandbox, appendCommands, describeWithDovecot } from '@mailyard/test-kit';
import { beforeAll, expect, it } from 'vitest';
import { ALICE, TestClient } from '../session/harness.js';
import { COMPARISON_MESSAGES } from './dovecot-fixtures.js';

/**
 * Where the RFCs leave room (which messages a substring search finds, how ties sort, how threads
 * form, what a partial or a nested section holds), we answer as Dovecot does: the same messages
 * go into both, the same commands are sent, and the untagged answers must be the same.
 */
const COMMANDS = [
  'SEARCH ALL',
  'SEARCH FROM bob',
  'SEARCH TO alice',
  'SEARCH CC carol',
  'SEARCH FROM "example.com"',
  'SEARCH SUBJECT lunch',
  'SEARCH SUBJECT kickoff',
  'SEARCH CHARSET UTF-8 SUBJECT café',
  'SEARCH CHARSET UTF-8 BODY café',
  'SEARCH CHARSET UTF-8 FROM renée',
  'SEARCH CHARSET UTF-8 SUBJECT "café"',
  'SEARCH CHARSET UTF-8 BODY "café"',
  'SEARCH CHARSET UTF-8 FROM "renée"',
  'SEARCH CHARSET UTF-8 TEXT "résumé"',
  'SEARCH BODY budget',
  'SEARCH BODY pizza',
  'SEARCH BODY "inner body"',
  'SEARCH TEXT "forwarded thing"',
  'SEARCH TEXT kickoff',
  'SEARCH BODY needle',
  'SEARCH HEADER X-Priority 1',
  'SEARCH HEADER Message-ID lunch',
  'SEARCH HEADER References ""',
  'SEARCH LARGER 1000',
  'SEARCH SMALLER 300',
  'SEARCH SENTBEFORE 3-Jan-2024',
  'SEARCH SENTON 2-Jan-2024',
  'SEARCH SENTSINCE 4-Jan-2024',
  'SEARCH NOT FROM bob',
  'SEARCH OR FROM bob FROM carol',
  'SEARCH 2:4 NOT 3',
  'SEARCH UID 3:*',
  'UID SEARCH RETURN (MIN MAX COUNT ALL) FROM bob',
  'SEARCH RETURN (COUNT) TEXT pizza',
  'SORT (SUBJECT) UTF-8 ALL',
  'SORT (FROM) UTF-8 ALL',
  'SORT (TO) UTF-8 ALL',
  'SORT (CC) UTF-8 ALL',
  'SORT (DATE) UTF-8 ALL',
  'SORT (SIZE) UTF-8 ALL',
  'SORT (REVERSE SUBJECT DATE) UTF-8 ALL',
  'SORT (SUBJECT) UTF-8 FROM bob',
  'THREAD ORDEREDSUBJECT UTF-8 ALL',
  'THREAD REFERENCES UTF-8 ALL',
  'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])',
  'FETCH 1:3 (BODY.PEEK[HEADER.FIELDS.NOT (FROM SUBJECT DATE)])',
  'FETCH 4 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[TEXT]<5.20>)',
  'FETCH 5 (BODY.PEEK[3] BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT] BODY.PEEK[3.1] BODY.PEEK[3.MIME])',
  'FETCH 5 (BODY.PEEK[1.1] BODY.PEEK[4] BODY.PEEK[2]<10.5>)',
  'FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[HEADER]<0.10>)',
  'FETCH 4 (BINARY.PEEK[1] BINARY.SIZE[1])',
  'FETCH 3 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.SIZE[] BINARY.PEEK[])',
  'FETCH 4 (BINARY.PEEK[] BINARY.SIZE[2])',
  'FETCH 5 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[] BINARY.PEEK[3]<0.20> BINARY.SIZE[3])',
  'FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[])',
  'FETCH 1:* (RFC822.SIZE ENVELOPE BODYSTRUCTURE)',
  'FETCH 5 (BODY)',
];

/** The untagged answer of each command (its tagged line left out: the texts differ). */
function answers(output: string, count: number, first = 0): string[] {
  const out: string[] = [];
  let rest = output;
  for (let i = first; i < count; i++) {
    const tagged = new RegExp(`(^|\\r\\n)C${i} (OK|NO|BAD)[^\\r\\n]*\\r\\n`).exec(rest);
    if (!tagged) throw new Error(`no answer to C${i} (${COMMANDS[i]}) in ${rest.slice(0, 300)}`);
    const end = tagged.index + tagged[1]!.length;
    out.push(`${rest.slice(0, end)}${tagged[2] === 'OK' ? '' : ` => ${tagged[2]}`}`);
    rest = rest.slice(tagged.index + tagged[0].length);
  }
  return out;
}

const script = COMMANDS.map((command, i) => `C${i} ${command}\r\n`).join('');

describeWithDovecot('Dovecot as the oracle where the RFCs leave room', () => {
  let dovecot: string[];
  let ours: string[];

  beforeAll(async () => {
    const sandbox = new DovecotSandbox({ fsync: false });
    try {
      await sandbox.run(appendCommands(COMPARISON_MESSAGES));
      // One session per command: Dovecot runs pipelined commands concurrently, so their untagged
      // answers would interleave.
      dovecot = [];
      for (let i = 0; i < COMMANDS.length; i++) {
        const { output } = await sandbox.run(
          Buffer.from(`S EXAMINE INBOX\r\nC${i} ${COMMANDS[i]}\r\n`),
        );
        const text = output.toString('utf8');
        const afterSelect = text.slice(text.search(/\r\nS OK/) + 2).replace(/^S OK[^\r]*\r\n/, '');
        dovecot.push(answers(afterSelect, i + 1, i)[0]!);
      }
    } finally {
      sandbox.close();
    }
    const store = new MemoryMailStore();
    for (const content of COMPARISON_MESSAGES)
      await store.access(ALICE).append('INBOX', [{ content }]);
    const client = await TestClient.loggedIn({ store });
    await client.command('S EXAMINE INBOX');
    client.write(script);
    await client.untilTagged(`C${COMMANDS.length - 1}`).then(() => undefined);
    ours = answers(
      client.output.toString('utf8').split('S OK [READ-ONLY] Examine completed\r\n')[1]!,
      COMMANDS.length,
    );
  }, 60_000);

  it.each(COMMANDS.map((command, i) => [command, i] as const))('%s', (_command, i) => {
    expect(ours[i]).toBe(dovecot[i]);
  });
});

describeWithDovecot('Dovecot as the oracle for changes', () => {
  it('answers STORE and EXPUNGE as Dovecot does: FETCH for changed messages, EXPUNGE highest first', async () => {
    // One session per command (Dovecot runs some pipelined commands at the same time).
    const commands = [
      'A STORE 2,4:5 +FLAGS (\\Deleted)',
      'B STORE 1:5 +FLAGS (\\Deleted \\Seen)',
      'C STORE 1:3 -FLAGS (\\Seen)',
      'D UID STORE 6 FLAGS (\\Answered $Work)',
      'E EXPUNGE',
      'F STORE 1:* +FLAGS.SILENT (\\Flagged)',
    ];
    const untagged = (text: string, tag: string) => {
      const after = text.slice(text.indexOf('\r\nS OK') + 2);
      const body = after.slice(after.indexOf('\r\n') + 2);
      return body.slice(
        0,
        body.search(new RegExp(`(^|\\r\\n)${tag} OK`)) + (body.startsWith(`${tag} OK`) ? 0 : 2),
      );
    };
    const sandbox = new DovecotSandbox({ fsync: false });
    const theirs: string[] = [];
    try {
      await sandbox.run(appendCommands(COMPARISON_MESSAGES));
      for (const command of commands) {
        const { output } = await sandbox.run(Buffer.from(`S SELECT INBOX\r\n${command}\r\n`));
        theirs.push(untagged(output.toString('utf8'), command[0]!));
      }
    } finally {
      sandbox.close();
    }
    const store = new MemoryMailStore();
    for (const content of COMPARISON_MESSAGES)
      await store.access(ALICE).append('INBOX', [{ content }]);
    const ours: string[] = [];
    for (const command of commands) {
      const client = await TestClient.loggedIn({ store });
      await client.command('S SELECT INBOX');
      ours.push((await client.command(command)).replace(/[A-F] OK[^]*$/, ''));
      client.session.disconnected();
    }
    expect(theirs[4]).toBe(
      '* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n',
    );
    expect(ours).toEqual(theirs);
  });
});
