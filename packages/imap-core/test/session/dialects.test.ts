import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, TestClient, message } from './harness.js';

/** The same conversation in both dialects (RFC 3501 and RFC 9051), and what differs. */
async function conversation(rev2: boolean) {
  const store = new MemoryMailStore();
  await store.deliver(ALICE, { content: message('Grüße', 'Hallo\r\n') });
  await store.deliver(ALICE, { content: message('second') });
  const client = await TestClient.loggedIn({ store });
  if (rev2) await client.command('e ENABLE IMAP4rev2');
  await client.command('c CREATE "Büro"'.replace('"Büro"', rev2 ? '"Büro"' : 'B&APw-ro'));
  return {
    client,
    select: await client.command('s SELECT INBOX'),
    fetch: await client.command('f FETCH 1 (FLAGS ENVELOPE)'),
    store: await client.command('t STORE 2 +FLAGS (\\Deleted)'),
    search: await client.command('q SEARCH DELETED'),
    expunge: await client.command('x EXPUNGE'),
    list: await client.command('l LIST "" B*'),
    status: await client.command('u STATUS INBOX (MESSAGES DELETED SIZE)'),
  };
}

describe('IMAP4rev1 and IMAP4rev2', () => {
  it('differ where RFC 9051 changed IMAP, and agree elsewhere', async () => {
    const rev1 = await conversation(false);
    const rev2 = await conversation(true);
    // \Recent, RECENT and UNSEEN are gone in IMAP4rev2; SELECT lists the mailbox.
    expect(rev1.select).toMatch(/\* 2 RECENT\r\n\* OK \[UNSEEN 1\]/);
    expect(rev2.select).not.toMatch(/RECENT|UNSEEN/);
    expect(rev2.select).toContain('* LIST (\\HasNoChildren) "/" INBOX\r\n');
    expect(rev1.store).toBe('* 2 FETCH (FLAGS (\\Deleted \\Recent))\r\nt OK Store completed\r\n');
    expect(rev2.store).toBe('* 2 FETCH (FLAGS (\\Deleted))\r\nt OK Store completed\r\n');
    expect(rev1.expunge).toBe('* 2 EXPUNGE\r\n* 1 RECENT\r\nx OK Expunge completed\r\n');
    expect(rev2.expunge).toBe('* 2 EXPUNGE\r\nx OK Expunge completed\r\n');
    // SEARCH answers ESEARCH in IMAP4rev2.
    expect(rev1.search).toBe('* SEARCH 2\r\nq OK Search completed\r\n');
    expect(rev2.search).toBe('* ESEARCH (TAG "q") ALL 2\r\nq OK Search completed\r\n');
    // Non-ASCII text: a literal in IMAP4rev1, a quoted UTF-8 string in IMAP4rev2.
    expect(rev1.fetch).toContain(' {7}\r\nGrüße ');
    expect(rev2.fetch).toContain(' "Grüße" ');
    // Mailbox names: modified UTF-7, or UTF-8.
    expect(rev1.list).toBe('* LIST (\\HasNoChildren) "/" B&APw-ro\r\nl OK List completed\r\n');
    expect(rev2.list).toBe('* LIST (\\HasNoChildren) "/" "Büro"\r\nl OK List completed\r\n');
    // The rest is the same.
    expect(rev1.status).toBe(rev2.status);
    expect(rev1.status).toMatch(/^\* STATUS INBOX \(MESSAGES 1 DELETED 0 SIZE \d+\)\r\n/);
  });
});

describe('response text', () => {
  it('is ASCII on the wire unless UTF-8 was enabled (a store message with U+2019)', async () => {
    const client = await TestClient.loggedIn();
    await client.command('a CREATE Team');
    // The store refuses in its own words: "the owner’s rights cannot be changed".
    const start = client.output.length;
    expect(await client.command(`b SETACL Team ${ALICE} lr`)).toBe(
      "b NO [CANNOT] the owner's rights cannot be changed\r\n",
    );
    expect([...client.output.subarray(start)].every((octet) => octet < 0x80)).toBe(true);
    await client.command('c ENABLE UTF8=ACCEPT');
    expect(await client.command(`d SETACL Team ${ALICE} lr`)).toBe(
      'd NO [CANNOT] the owner’s rights cannot be changed\r\n',
    );
  });

  it('keeps ID values a client can read: no line breaks, 8-bit text as a literal', async () => {
    const client = await TestClient.loggedIn({
      serverId: { name: 'Mailyard', vendor: 'Ünïcode\r\nInc' },
    });
    expect(await client.command('a ID NIL')).toBe(
      '* ID ("name" "Mailyard" "vendor" {14}\r\nÜnïcode\r\nInc)\r\na OK ID completed\r\n',
    );
  });
});
