import {
  type MailAccess,
  type MailStore,
  MemoryMailStore,
  type OpenMailbox,
} from '@mailyard/mailstore-interface';
import { bodyStructure, summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { ResponseBuilder } from '../../src/index.js';
import { ALICE, TestClient, message } from './harness.js';

const MULTIPART = Buffer.from(
  'From: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>\r\nSubject: Report\r\nMessage-ID: <r@x>\r\n' +
    'Content-Type: multipart/mixed; boundary=b\r\n\r\n' +
    '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nS=C3=A9e attached.\r\n' +
    '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n' +
    '--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-weird\r\n\r\n???\r\n--b--\r\n',
);

async function mailbox() {
  const store = new MemoryMailStore();
  await store.deliver(ALICE, {
    content: message('first'),
    flags: ['\\Seen'],
    internalDate: Date.UTC(2024, 0, 2, 3, 4, 5),
  });
  await store.deliver(ALICE, { content: MULTIPART, internalDate: Date.UTC(2024, 5, 1) });
  await store.deliver(ALICE, { content: message('third'), flags: ['$Important'] });
  return store;
}

describe('SELECT and EXAMINE', () => {
  it('answers SELECT in IMAP4rev1 with RECENT and UNSEEN (RFC 3501 6.3.1)', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    const reply = await client.command('A142 SELECT INBOX');
    expect(reply).toMatch(
      new RegExp(
        [
          '^\\* FLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Important\\)',
          '\\* OK \\[PERMANENTFLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Important \\\\\\*\\)\\] Flags permitted\\.',
          '\\* 3 EXISTS',
          '\\* 3 RECENT',
          '\\* OK \\[UNSEEN 2\\] First unseen\\.',
          '\\* OK \\[UIDVALIDITY \\d+\\] UIDs valid',
          '\\* OK \\[UIDNEXT 4\\] Predicted next UID',
          '\\* OK \\[MAILBOXID \\(\\w+\\)\\] Ok',
          'A142 OK \\[READ-WRITE\\] Select completed\\r\\n$',
        ].join('\\r\\n'),
      ),
    );
  });

  it('answers SELECT in IMAP4rev2 without RECENT and UNSEEN, with LIST (RFC 9051 6.3.2)', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('e ENABLE IMAP4rev2');
    const reply = await client.command('A142 SELECT INBOX');
    expect(reply).not.toMatch(/RECENT|UNSEEN/);
    expect(reply).toContain('* 3 EXISTS\r\n');
    expect(reply).toContain('* LIST (\\HasNoChildren) "/" INBOX\r\n');
    expect(await client.command('f FETCH 1:* FLAGS')).not.toContain('\\Recent');
  });

  it('EXAMINE is read-only and leaves \\Recent and \\Seen alone', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    const reply = await client.command('a EXAMINE INBOX');
    expect(reply).toContain('* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n');
    expect(reply).toContain('* 3 RECENT\r\n');
    expect(reply).toContain('a OK [READ-ONLY] Examine completed\r\n');
    expect(await client.command('r SEARCH RECENT')).toBe(
      '* SEARCH 1 2 3\r\nr OK Search completed\r\n',
    );
    await client.command('b FETCH 2 BODY[TEXT]');
    expect(await client.command('c FETCH 2 FLAGS')).toBe(
      '* 2 FETCH (FLAGS (\\Recent))\r\nc OK Fetch completed\r\n',
    );
    expect(await client.command('d STORE 2 +FLAGS (\\Seen)')).toBe(
      'd OK Store ignored with read-only mailbox\r\n',
    );
    const other = await TestClient.loggedIn({ store: client.options.store });
    expect(await other.command('e SELECT INBOX')).toContain('* 3 RECENT\r\n');
  });

  it('closes the selected mailbox first, with [CLOSED], even when the new one fails', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('a SELECT INBOX');
    expect(await client.command('b SELECT nothere')).toBe(
      '* OK [CLOSED] Previous mailbox closed.\r\nb NO [NONEXISTENT] Mailbox does not exist\r\n',
    );
    expect(client.session.state).toBe('authenticated');
  });

  it('CLOSE expunges silently; UNSELECT does not', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('a SELECT INBOX');
    await client.command('b STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect(await client.command('c UNSELECT')).toBe('c OK Unselect completed\r\n');
    expect(await client.command('d STATUS INBOX (MESSAGES)')).toContain('(MESSAGES 3)');
    await client.command('e SELECT INBOX');
    expect(await client.command('f CLOSE')).toBe('f OK Close completed\r\n');
    expect(await client.command('g STATUS INBOX (MESSAGES)')).toContain('(MESSAGES 2)');
    expect(await client.command('h CLOSE')).toBe('h BAD No mailbox selected\r\n');
  });
});

describe('FETCH', () => {
  it('serves FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY and BODYSTRUCTURE from the summary', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    const reply = await client.command(
      'a FETCH 2 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY)',
    );
    const expected = new ResponseBuilder({ utf8: false })
      .raw(
        `* 2 FETCH (FLAGS (\\Recent) INTERNALDATE "01-Jun-2024 00:00:00 +0000" RFC822.SIZE ${MULTIPART.length} ENVELOPE `,
      )
      .value([
        null,
        'Report',
        [['=?utf-8?q?J=C3=B6rg?=', null, 'joerg', 'example.com']],
        [['=?utf-8?q?J=C3=B6rg?=', null, 'joerg', 'example.com']],
        [['=?utf-8?q?J=C3=B6rg?=', null, 'joerg', 'example.com']],
        null,
        null,
        null,
        null,
        '<r@x>',
      ])
      .raw(' BODYSTRUCTURE ')
      .value(bodyStructure(summarize(MULTIPART).body, true))
      .raw(' BODY ')
      .value(bodyStructure(summarize(MULTIPART).body, false))
      .raw(')')
      .crlf()
      .finish();
    expect(reply).toBe(
      `${Buffer.concat(expected as Uint8Array[]).toString()}a OK Fetch completed\r\n`,
    );
  });

  it('answers the macros ALL, FAST and FULL (RFC 9051 6.4.5)', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    expect(await client.command('a FETCH 1 FAST')).toBe(
      `* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE "02-Jan-2024 03:04:05 +0000" RFC822.SIZE ${message('first').length})\r\na OK Fetch completed\r\n`,
    );
    expect(await client.command('b FETCH 1 ALL')).toMatch(
      /RFC822\.SIZE \d+ ENVELOPE \("Mon, 7 Feb 1994/,
    );
    expect(await client.command('c FETCH 1 FULL')).toMatch(/ENVELOPE \(.*\) BODY \("text" "plain"/);
  });

  it('serves sections, HEADER.FIELDS, MIME, partials, and sets \\Seen unless PEEK', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    expect(await client.command('a FETCH 2 BODY.PEEK[HEADER.FIELDS (subject message-id)]')).toBe(
      '* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)] {38}\r\nSubject: Report\r\nMessage-ID: <r@x>\r\n\r\n)\r\na OK Fetch completed\r\n',
    );
    expect(
      await client.command('b FETCH 2 BODY.PEEK[HEADER.FIELDS.NOT (From Subject Content-Type)]'),
    ).toBe(
      '* 2 FETCH (BODY[HEADER.FIELDS.NOT (FROM SUBJECT CONTENT-TYPE)] {21}\r\nMessage-ID: <r@x>\r\n\r\n)\r\nb OK Fetch completed\r\n',
    );
    expect(await client.command('c FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[9])')).toBe(
      '* 2 FETCH (BODY[1] {18}\r\nS=C3=A9e attached. BODY[2.MIME] {77}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n BODY[9] {0}\r\n)\r\nc OK Fetch completed\r\n',
    );
    expect(await client.command('d FETCH 2 BODY.PEEK[1]<2.5>')).toBe(
      '* 2 FETCH (BODY[1]<2> {5}\r\nC3=A9\r\nd OK Fetch completed\r\n'.replace(
        'C3=A9\r\n',
        'C3=A9)\r\n',
      ),
    );
    expect(await client.command('e FETCH 2 BODY.PEEK[]<100000.10>')).toBe(
      '* 2 FETCH (BODY[]<100000> {0}\r\n)\r\ne OK Fetch completed\r\n',
    );
    expect(await client.command('f FETCH 2 FLAGS')).toBe(
      '* 2 FETCH (FLAGS (\\Recent))\r\nf OK Fetch completed\r\n',
    );
    expect(await client.command('g FETCH 2 BODY[HEADER]')).toMatch(
      /^\* 2 FETCH \(BODY\[HEADER\] \{\d+\}\r\nFrom: [^]*\r\n\r\n FLAGS \(\\Seen \\Recent\)\)\r\n/,
    );
    expect(await client.command('h FETCH 2 BODY[HEADER]')).not.toContain('FLAGS');
  });

  it('serves RFC822, RFC822.HEADER and RFC822.TEXT', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    const text = message('third');
    const headerLength = text.indexOf('\r\n\r\n') + 4;
    expect(await client.command('a FETCH 3 RFC822.HEADER')).toBe(
      `* 3 FETCH (RFC822.HEADER {${headerLength}}\r\n${text.subarray(0, headerLength)})\r\na OK Fetch completed\r\n`,
    );
    expect(await client.command('b FETCH 3 RFC822.TEXT')).toBe(
      `* 3 FETCH (RFC822.TEXT {7}\r\nHello\r\n FLAGS (\\Seen \\Recent $Important))\r\nb OK Fetch completed\r\n`,
    );
    expect(await client.command('c FETCH 3 RFC822')).toBe(
      `* 3 FETCH (RFC822 {${text.length}}\r\n${text})\r\nc OK Fetch completed\r\n`,
    );
  });

  it('serves BINARY, BINARY.SIZE with transfer encodings undone, literal8 for NUL (RFC 3516)', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    expect(await client.command('a FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.SIZE[2])')).toBe(
      '* 2 FETCH (BINARY[1] ~{14}\r\nSée attached. BINARY.SIZE[1] 14 BINARY.SIZE[2] 3)\r\na OK Fetch completed\r\n',
    );
    const binary = await client.command('b FETCH 2 BINARY.PEEK[2]');
    expect(Buffer.from(binary)).toEqual(
      Buffer.concat([
        Buffer.from('* 2 FETCH (BINARY[2] ~{3}\r\n'),
        Buffer.from([0, 1, 2]),
        Buffer.from(')\r\nb OK Fetch completed\r\n'),
      ]),
    );
    expect(await client.command('c FETCH 2 BINARY.PEEK[3]')).toBe(
      'c NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding\r\n',
    );
  });

  it('serves UID, MODSEQ, EMAILID, THREADID, SAVEDATE; UID FETCH includes UID', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('s SELECT INBOX');
    expect(await client.command('a UID FETCH 3 (FLAGS)')).toBe(
      '* 3 FETCH (UID 3 FLAGS (\\Recent $Important))\r\na OK Fetch completed\r\n',
    );
    const ids = await client.command('b FETCH 1 (EMAILID THREADID SAVEDATE)');
    expect(ids).toMatch(
      /^\* 1 FETCH \(EMAILID \(\w+\) THREADID \(T[\w-]+\) SAVEDATE "\d\d-\w{3}-\d{4} [\d:]{8} \+0000"\)\r\n/,
    );
    const modseq = await client.command('c FETCH 1 MODSEQ');
    expect(modseq).toMatch(
      /^\* OK \[HIGHESTMODSEQ \d+\] Highest\r\n\* 1 FETCH \(MODSEQ \(\d+\)\)\r\nc OK/,
    );
    expect(await client.command('d UID FETCH 100:* UID')).toBe(
      '* 3 FETCH (UID 3)\r\nd OK Fetch completed\r\n',
    );
    expect(await client.command('e FETCH 4 UID')).toBe('e BAD Invalid messageset\r\n');
  });

  it('streams a large body from the store without holding it whole', async () => {
    const store = new MemoryMailStore();
    const big = Buffer.concat([
      Buffer.from('Subject: big\r\n\r\n'),
      Buffer.alloc(3 * 1024 * 1024, 0x61),
    ]);
    await store.deliver(ALICE, { content: big });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    const reply = await client.command('a FETCH 1 BODY.PEEK[]');
    expect(reply.length).toBe(
      `* 1 FETCH (BODY[] {${big.length}}\r\n`.length +
        big.length +
        ')\r\na OK Fetch completed\r\n'.length,
    );
  });

  it('reads only headers for header FETCHes, and the whole message only when it sends it', async () => {
    const inner = new MemoryMailStore();
    const big = Buffer.concat([
      Buffer.from('Subject: big\r\nFrom: a@b\r\n\r\n'),
      Buffer.alloc(512 * 1024, 0x61),
    ]);
    for (let i = 0; i < 3; i++) await inner.deliver(ALICE, { content: big });
    // The real store, with the octets it hands out counted.
    let read = 0;
    const store: MailStore = Object.assign(Object.create(inner) as MailStore, {
      access: (user: string) => {
        const access = inner.access(user);
        return Object.assign(Object.create(access) as MailAccess, {
          open: async (name: string, options?: { readOnly?: boolean }) => {
            const opened = await access.open(name, options);
            return Object.assign(Object.create(opened) as OpenMailbox, {
              read: async function* (uid: number, range?: { start: number; end: number }) {
                for await (const chunk of opened.read(uid, range)) {
                  read += chunk.length;
                  yield chunk;
                }
              },
              readMany: async (requests: { uid: number; start: number; end: number }[]) => {
                const contents = await opened.readMany!(requests);
                for (const content of contents) read += content?.length ?? 0;
                return contents;
              },
            });
          },
        });
      },
    });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    await client.command('a FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.HEADER)');
    expect(read).toBe(3 * (big.indexOf('\r\n\r\n') + 4));
    read = 0;
    await client.command('b FETCH 1:3 BODY.PEEK[]');
    expect(read).toBe(3 * big.length);
  });
});
