import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, TestClient, message } from './harness.js';

const NOW = Date.UTC(2024, 2, 10, 12);
const clock = { now: () => NOW };

async function mailbox(now = NOW) {
  const store = new MemoryMailStore({ clock: { now: () => now } });
  const deliver = (content: Buffer, flags: string[], internalDate: number) =>
    store.deliver(ALICE, { content, flags, internalDate });
  await deliver(message('Lunch on Friday', 'Pizza?\r\n'), ['\\Seen'], Date.UTC(2024, 2, 1));
  await deliver(
    Buffer.from(
      'From: "Smith, John" <john@example.org>\r\nTo: alice@example.com\r\nCc: team@example.com\r\n' +
        'Subject: =?iso-8859-1?q?R=E9sum=E9?=\r\nDate: Sat, 2 Mar 2024 23:30:00 -0500\r\nX-Priority: 1\r\n' +
        'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nMy r=E9sum=E9 is attached, caf=E9.\r\n',
    ),
    ['\\Flagged'],
    Date.UTC(2024, 2, 3),
  );
  await deliver(
    message('Budget', 'Numbers inside\r\n'.repeat(200)),
    ['\\Deleted', '$Work'],
    now - 3600_000,
  );
  return store;
}

async function selected(store?: MemoryMailStore) {
  const client = await TestClient.loggedIn({ store: store ?? (await mailbox()), clock });
  await client.command('s SELECT INBOX');
  return client;
}

describe('STORE', () => {
  it('adds, removes and replaces flags, answering with the flags of every message of the set', async () => {
    const client = await selected();
    expect(await client.command('A003 STORE 1:2 +FLAGS (\\Answered)')).toBe(
      '* 1 FETCH (FLAGS (\\Answered \\Seen \\Recent))\r\n* 2 FETCH (FLAGS (\\Answered \\Flagged \\Recent))\r\nA003 OK Store completed\r\n',
    );
    expect(await client.command('b STORE 2 -FLAGS (\\Answered \\Flagged)')).toBe(
      '* 2 FETCH (FLAGS (\\Recent))\r\nb OK Store completed\r\n',
    );
    expect(await client.command('c UID STORE 3 FLAGS (NewKeyword)')).toBe(
      [
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work NewKeyword)',
        '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work NewKeyword \\*)] Flags permitted.',
        '* 3 FETCH (UID 3 FLAGS (\\Recent NewKeyword))',
        'c OK Store completed',
        '',
      ].join('\r\n'),
    );
    expect(await client.command('d STORE 1 +FLAGS.SILENT (\\Deleted)')).toBe(
      'd OK Store completed\r\n',
    );
    expect(await client.command('e STORE 1 +FLAGS (\\Bogus)')).toBe(
      'e BAD Invalid system flag \\BOGUS\r\n',
    );
  });

  it('keeps modifications with UNCHANGEDSINCE and reports MODIFIED (RFC 7162 3.1.3)', async () => {
    const client = await selected();
    const modseqs = await client.command('a FETCH 1:3 MODSEQ');
    const [m1, m2] = [...modseqs.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
    const other = await TestClient.loggedIn({ store: client.options.store });
    await other.command('s SELECT INBOX');
    await other.command('t STORE 2 +FLAGS.SILENT (\\Seen)');
    const reply = await client.command(
      `d105 STORE 1:2 (UNCHANGEDSINCE ${Math.max(m1!, m2!)}) +FLAGS.SILENT (\\Draft)`,
    );
    expect(reply).toMatch(/(^|\r\n)\* 1 FETCH \(MODSEQ \(\d+\)\)\r\n/);
    expect(reply).toMatch(/d105 OK \[MODIFIED 2\] Conditional STORE failed\r\n$/);
    expect(await client.command('e UID STORE 1:3 (UNCHANGEDSINCE 0) +FLAGS (\\Answered)')).toBe(
      'e OK [MODIFIED 1:3] Conditional STORE failed\r\n',
    );
  });
});

describe('SEARCH', () => {
  const search = async (client: TestClient, keys: string) => {
    const reply = await client.command(`x SEARCH ${keys}`);
    const line = reply.split('\r\n').find((l) => l.startsWith('* SEARCH'));
    if (!line) throw new Error(reply);
    return line.slice('* SEARCH'.length).trim();
  };

  it('matches flags, keywords, sizes and sets', async () => {
    const client = await selected();
    expect(await search(client, 'ALL')).toBe('1 2 3');
    expect(await search(client, 'SEEN')).toBe('1');
    expect(await search(client, 'UNSEEN')).toBe('2 3');
    expect(await search(client, 'FLAGGED UNDELETED')).toBe('2');
    expect(await search(client, 'KEYWORD $Work')).toBe('3');
    expect(await search(client, 'UNKEYWORD $work')).toBe('1 2');
    expect(await search(client, 'LARGER 1000')).toBe('3');
    expect(await search(client, 'SMALLER 1000')).toBe('1 2');
    expect(await search(client, '2:* NOT 3')).toBe('2');
    expect(await search(client, 'UID 1,3')).toBe('1 3');
    expect(await search(client, 'OR SEEN (FLAGGED DRAFT)')).toBe('1');
    expect(await search(client, 'OR SEEN FLAGGED')).toBe('1 2');
    expect(await search(client, 'RECENT')).toBe('1 2 3');
    expect(await search(client, 'NEW')).toBe('2 3');
    expect(await search(client, 'OLD')).toBe('');
  });

  it('matches header fields with encoded words decoded, case-insensitively', async () => {
    const client = await selected();
    expect(await search(client, 'FROM smith')).toBe('2');
    expect(await search(client, 'FROM "john@EXAMPLE.org"')).toBe('2');
    expect(await search(client, 'TO bob')).toBe('1 3');
    expect(await search(client, 'CC team')).toBe('2');
    expect(await search(client, 'BCC x')).toBe('');
    expect(await search(client, 'SUBJECT "résumé"')).toBe('2');
    expect(await search(client, 'SUBJECT lunch')).toBe('1');
    expect(await search(client, 'HEADER X-Priority 1')).toBe('2');
    expect(await search(client, 'HEADER X-Priority ""')).toBe('2');
    expect(await search(client, 'HEADER Message-ID budget')).toBe('3');
  });

  it('matches BODY and TEXT with transfer encodings and charsets undone, and CHARSET strings', async () => {
    const client = await selected();
    expect(await search(client, 'BODY "café"')).toBe('2');
    expect(await search(client, 'BODY pizza')).toBe('1');
    expect(await search(client, 'BODY friday')).toBe('');
    expect(await search(client, 'TEXT friday')).toBe('1');
    expect(await search(client, 'TEXT "numbers inside"')).toBe('3');
    const latin1 = Buffer.concat([
      Buffer.from('x SEARCH CHARSET ISO-8859-1 BODY {4}\r\ncaf'),
      Buffer.from([0xe9]),
      Buffer.from('\r\n'),
    ]);
    client.write(latin1);
    expect(await client.untilTagged('x')).toBe(
      '+ Ready for literal data\r\n* SEARCH 2\r\nx OK Search completed\r\n',
    );
    expect(await client.command('y SEARCH CHARSET X-KLINGON BODY x')).toBe(
      'y NO [BADCHARSET (US-ASCII UTF-8)] Unknown charset X-KLINGON\r\n',
    );
  });

  it('matches dates: internal, sent (in the sender’s zone), saved, and WITHIN (RFC 5032)', async () => {
    const client = await selected();
    expect(await search(client, 'ON 1-Mar-2024')).toBe('1');
    expect(await search(client, 'SINCE 3-Mar-2024')).toBe('2 3');
    expect(await search(client, 'BEFORE 3-Mar-2024')).toBe('1');
    // Sat, 2 Mar 2024 23:30 -0500 is 3 Mar in UTC, but the sender's day is the 2nd.
    expect(await search(client, 'SENTON 2-Mar-2024')).toBe('2');
    expect(await search(client, 'SENTBEFORE 1-Jan-1995')).toBe('1 3');
    expect(await search(client, 'SAVEDSINCE 1-Jan-2024 SAVEDATESUPPORTED')).toBe('1 2 3');
    expect(await search(client, 'YOUNGER 7200')).toBe('3');
    expect(await search(client, 'OLDER 7200')).toBe('1 2');
  });

  it('answers ESEARCH for RETURN, and saves results for $ (RFC 4731, RFC 5182)', async () => {
    const client = await selected();
    expect(await client.command('A282 SEARCH RETURN (MIN COUNT) UNSEEN')).toBe(
      '* ESEARCH (TAG "A282") MIN 2 COUNT 2\r\nA282 OK Search completed\r\n',
    );
    expect(await client.command('A283 SEARCH RETURN () ALL')).toBe(
      '* ESEARCH (TAG "A283") ALL 1:3\r\nA283 OK Search completed\r\n',
    );
    expect(await client.command('A284 UID SEARCH RETURN (MAX ALL) KEYWORD nothing')).toBe(
      '* ESEARCH (TAG "A284") UID\r\nA284 OK Search completed\r\n',
    );
    expect(await client.command('A285 UID SEARCH RETURN (SAVE) UNSEEN')).toBe(
      'A285 OK Search completed\r\n',
    );
    expect(await client.command('A286 FETCH $ (UID)')).toBe(
      '* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\nA286 OK Fetch completed\r\n',
    );
    expect(await client.command('A287 SEARCH RETURN (SAVE MIN) ALL')).toBe(
      '* ESEARCH (TAG "A287") MIN 1\r\nA287 OK Search completed\r\n',
    );
    expect(await client.command('A288 UID SEARCH UID $')).toBe(
      '* SEARCH 1\r\nA288 OK Search completed\r\n',
    );
    await client.command('A289 SEARCH RETURN (SAVE) CHARSET NOPE ALL');
    expect(await client.command('A290 SEARCH $')).toBe('* SEARCH\r\nA290 OK Search completed\r\n');
  });

  it('answers ESEARCH to every SEARCH in IMAP4rev2', async () => {
    const client = await TestClient.loggedIn({ store: await mailbox() });
    await client.command('e ENABLE IMAP4rev2');
    await client.command('s SELECT INBOX');
    expect(await client.command('a SEARCH UNSEEN')).toBe(
      '* ESEARCH (TAG "a") ALL 2:3\r\na OK Search completed\r\n',
    );
    expect(await client.command('b UID SEARCH KEYWORD none')).toBe(
      '* ESEARCH (TAG "b") UID\r\nb OK Search completed\r\n',
    );
  });

  it('searches by MODSEQ and reports the highest (RFC 7162 3.1.5)', async () => {
    const client = await selected();
    await client.command('a STORE 2 +FLAGS.SILENT (\\Seen)');
    const fetched = await client.command('b FETCH 2 MODSEQ');
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(fetched)![1]);
    expect(await client.command(`c SEARCH MODSEQ ${modseq}`)).toBe(
      `* SEARCH 2 (MODSEQ ${modseq})\r\nc OK Search completed\r\n`,
    );
    expect(
      await client.command(`d SEARCH RETURN (COUNT) MODSEQ "/flags/\\\\seen" all ${modseq}`),
    ).toBe(`* ESEARCH (TAG "d") COUNT 1 MODSEQ ${modseq}\r\nd OK Search completed\r\n`);
  });

  it('reports the MODSEQ of the MIN and MAX messages when only they are returned (RFC 7162 3.1.5)', async () => {
    const client = await selected();
    // Message 1 changes last, message 2 before it: the highest MODSEQ is message 1's.
    await client.command('a STORE 2 +FLAGS.SILENT (\\Seen)');
    await client.command('b STORE 1 +FLAGS.SILENT (\\Flagged)');
    const fetched = await client.command('c FETCH 1:3 MODSEQ');
    const [m1, m2, m3] = [...fetched.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
    expect(m1).toBeGreaterThan(m2!);
    expect(m2).toBeGreaterThan(m3!);
    const esearch = async (returns: string, key = 'MODSEQ 1') =>
      (await client.command(`t SEARCH RETURN (${returns}) ${key}`)).split('\r\n')[0];
    expect(await esearch('MIN', '2:3 MODSEQ 1')).toBe(`* ESEARCH (TAG "t") MIN 2 MODSEQ ${m2}`);
    expect(await esearch('MAX', '2:3 MODSEQ 1')).toBe(`* ESEARCH (TAG "t") MAX 3 MODSEQ ${m3}`);
    expect(await esearch('MIN MAX', '2:3 MODSEQ 1')).toBe(
      `* ESEARCH (TAG "t") MIN 2 MAX 3 MODSEQ ${m2}`,
    );
    // With COUNT or ALL, every matching message counts: message 1's is the highest.
    expect(await esearch('MAX COUNT')).toBe(`* ESEARCH (TAG "t") MAX 3 COUNT 3 MODSEQ ${m1}`);
    expect(await esearch('MIN ALL')).toBe(`* ESEARCH (TAG "t") MIN 1 ALL 1:3 MODSEQ ${m1}`);
    expect(
      (await client.command('u SORT RETURN (MIN) (REVERSE ARRIVAL) UTF-8 MODSEQ 1')).split(
        '\r\n',
      )[0],
    ).toBe(`* ESEARCH (TAG "u") MIN 3 MODSEQ ${m3}`);
  });

  it('searches EMAILID (RFC 8474)', async () => {
    const client = await selected();
    const id = /EMAILID \((\w+)\)/.exec(await client.command('a FETCH 2 EMAILID'))![1];
    expect(await client.command(`b SEARCH EMAILID ${id}`)).toBe(
      '* SEARCH 2\r\nb OK Search completed\r\n',
    );
    expect(await client.command('c SEARCH THREADID T1')).toBe(
      '* SEARCH\r\nc OK Search completed\r\n',
    );
  });
});
