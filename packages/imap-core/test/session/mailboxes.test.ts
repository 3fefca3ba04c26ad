import {
  type AccountPolicy,
  MemoryMailStore,
  OPEN_ACCOUNT_POLICY,
} from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, TestClient, message } from './harness.js';

/** Alice administers the public folders; Bob shares a folder with her, read-only. */
async function sharedWorld() {
  const policy: AccountPolicy = { ...OPEN_ACCOUNT_POLICY, isPublicFolderAdmin: (u) => u === ALICE };
  const store = new MemoryMailStore({ policy });
  const bob = store.access(BOB);
  await bob.create('Projects/Mailyard');
  await bob.setAcl('Projects/Mailyard', ALICE, 'lrs');
  await store.access(ALICE).create('#public/Info');
  await store.deliver(BOB, { content: message('shared news'), mailbox: 'Projects/Mailyard' });
  return store;
}

describe('CREATE, DELETE, RENAME, SUBSCRIBE', () => {
  it('creates mailboxes with their parents, a trailing delimiter dropped, and says its MAILBOXID', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('A003 CREATE owatagusiam/')).toMatch(
      /^A003 OK \[MAILBOXID \([\w-]+\)\] Create completed\r\n$/,
    );
    expect(await client.command('A004 CREATE owatagusiam/blurdybloop')).toMatch(/^A004 OK/);
    expect(await client.command('A005 CREATE owatagusiam')).toBe(
      'A005 NO [ALREADYEXISTS] Mailbox already exists\r\n',
    );
    expect(await client.command('A006 CREATE inbox')).toBe(
      'A006 NO [ALREADYEXISTS] INBOX always exists\r\n',
    );
    expect(await client.command('a LIST "" owatagusiam*')).toBe(
      '* LIST (\\HasChildren) "/" owatagusiam\r\n* LIST (\\HasNoChildren) "/" owatagusiam/blurdybloop\r\na OK List completed\r\n',
    );
  });

  it('creates special-use mailboxes (RFC 6154 CREATE-SPECIAL-USE)', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('t1 CREATE MyArchive (USE (\\Archive))')).toMatch(/^t1 OK/);
    expect(await client.command('t2 CREATE Everything (USE (\\All))')).toBe(
      't2 NO [USEATTR] Unsupported special use \\All\r\n',
    );
    expect(await client.command('t3 LIST (SPECIAL-USE) "" *')).toBe(
      [
        '* LIST (\\HasNoChildren \\Trash) "/" "Deleted Items"',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" "Junk E-mail"',
        '* LIST (\\HasNoChildren \\Archive) "/" MyArchive',
        '* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"',
        't3 OK List completed',
        '',
      ].join('\r\n'),
    );
  });

  it('deletes, refuses INBOX and mailboxes with children', async () => {
    const client = await TestClient.loggedIn();
    await client.command('a CREATE foo/bar');
    expect(await client.command('b DELETE foo')).toBe(
      'b NO [HASCHILDREN] Mailbox has children, delete them first\r\n',
    );
    expect(await client.command('c DELETE foo/bar')).toBe('c OK Delete completed\r\n');
    expect(await client.command('d DELETE foo')).toBe('d OK Delete completed\r\n');
    expect(await client.command('e DELETE INBOX')).toBe(
      'e NO [CANNOT] INBOX cannot be deleted\r\n',
    );
    expect(await client.command('f DELETE nothere')).toBe(
      'f NO [NONEXISTENT] Mailbox does not exist\r\n',
    );
  });

  it('renames a hierarchy, and INBOX by moving its messages (RFC 9051 6.3.6)', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('old mail') });
    const client = await TestClient.loggedIn({ store });
    await client.command('a CREATE foo/bar/zap');
    expect(await client.command('b RENAME foo baz')).toBe('b OK Rename completed\r\n');
    expect(await client.command('c LIST "" baz*')).toContain(
      '* LIST (\\HasNoChildren) "/" baz/bar/zap',
    );
    expect(await client.command('d RENAME INBOX old-mail')).toBe('d OK Rename completed\r\n');
    expect(await client.command('e STATUS INBOX (MESSAGES)')).toContain(
      '* STATUS INBOX (MESSAGES 0)',
    );
    expect(await client.command('f STATUS old-mail (MESSAGES)')).toContain(
      '* STATUS old-mail (MESSAGES 1)',
    );
    expect(await client.command('g RENAME nothere x')).toBe(
      'g NO [NONEXISTENT] Mailbox does not exist\r\n',
    );
    expect(await client.command('h RENAME baz Drafts')).toBe(
      'h NO [ALREADYEXISTS] Mailbox already exists\r\n',
    );
  });

  it('subscribes and unsubscribes, existing names or not, as Dovecot does', async () => {
    const client = await TestClient.loggedIn();
    await client.command('a CREATE news/comp');
    expect(await client.command('b SUBSCRIBE news/comp')).toBe('b OK Subscribe completed\r\n');
    expect(await client.command('c SUBSCRIBE gone')).toBe('c OK Subscribe completed\r\n');
    expect(await client.command('d LSUB "" news/*')).toBe(
      '* LSUB () "/" news/comp\r\nd OK Lsub completed\r\n',
    );
    expect(await client.command('e LSUB "" %')).toContain('* LSUB (\\Noselect) "/" news\r\n');
    expect(await client.command('f LSUB "" gone')).toBe(
      '* LSUB (\\Noselect) "/" gone\r\nf OK Lsub completed\r\n',
    );
    await client.command('g UNSUBSCRIBE news/comp');
    expect(await client.command('h LSUB "" news/*')).toBe('h OK Lsub completed\r\n');
  });
});

describe('LIST (RFC 9051, LIST-EXTENDED, LIST-STATUS) and NAMESPACE', () => {
  it('answers LIST "" "" with the delimiter and the root of the reference', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('A101 LIST "" ""')).toBe(
      '* LIST (\\Noselect) "/" ""\r\nA101 OK List completed\r\n',
    );
    expect(await client.command('A102 LIST #public/Info ""')).toBe(
      '* LIST (\\Noselect) "/" "#public/"\r\nA102 OK List completed\r\n',
    );
  });

  it('lists with % one level at a time, INBOX first and in any case', async () => {
    const client = await TestClient.loggedIn();
    await client.command('a CREATE INBOX/Work');
    const top = await client.command('b LIST "" %');
    expect(top.split('\r\n')[0]).toBe('* LIST (\\HasChildren) "/" INBOX');
    expect(top).not.toContain('INBOX/Work');
    expect(await client.command('c LIST "" inbox/%')).toBe(
      '* LIST (\\HasNoChildren) "/" INBOX/Work\r\nc OK List completed\r\n',
    );
    expect(await client.command('d LIST INBOX/ %')).toBe(
      '* LIST (\\HasNoChildren) "/" INBOX/Work\r\nd OK List completed\r\n',
    );
  });

  it('shows other users’ shared folders under ~user@domain and public folders under #public', async () => {
    const store = await sharedWorld();
    const client = await TestClient.loggedIn({ store });
    const all = await client.command('a LIST "" *');
    expect(all).toContain('* LIST (\\Noselect \\HasChildren) "/" ~bob@example.com\r\n');
    expect(all).toContain('* LIST (\\Noselect \\HasChildren) "/" ~bob@example.com/Projects\r\n');
    expect(all).toContain('* LIST (\\HasNoChildren) "/" ~bob@example.com/Projects/Mailyard\r\n');
    expect(all).toContain('* LIST (\\Noselect \\HasChildren) "/" #public\r\n');
    expect(all).toContain('* LIST (\\HasNoChildren) "/" #public/Info\r\n');
    expect(all).not.toContain('~bob@example.com/INBOX');
    expect(await client.command('b NAMESPACE')).toBe(
      '* NAMESPACE (("" "/")) (("~" "/")) (("#public/" "/"))\r\nb OK Namespace completed\r\n',
    );
    expect(await client.command('c SELECT ~bob@example.com/Projects/Mailyard')).toContain(
      '[READ-WRITE]',
    );
    expect(await client.command('d FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]')).toContain(
      'Subject: shared news',
    );
    expect(await client.command('e STORE 1 +FLAGS (\\Flagged)')).toContain('e OK');
    expect(await client.command('f MYRIGHTS ~bob@example.com/Projects/Mailyard')).toContain(
      '* MYRIGHTS ~bob@example.com/Projects/Mailyard lrs\r\n',
    );
    expect(
      await client.command('g APPEND ~bob@example.com/Projects/Mailyard {5+}\r\nHi!\r\n'),
    ).toBe('g NO [NOPERM] Permission denied\r\n');
  });

  it('hides calendar, contact, task and note folders unless IMAPFullListing is on', async () => {
    const plain = await TestClient.loggedIn();
    const list = await plain.command('a LIST "" *');
    expect(list).not.toContain('Calendar');
    expect(await plain.command('b SELECT Contacts')).toContain('b NO [NONEXISTENT]');
    const full = await TestClient.loggedIn({ fullListing: true });
    const everything = await full.command('a LIST "" *');
    for (const folder of ['Calendar', 'Contacts', 'Tasks', 'Notes'])
      expect(everything).toContain(`"/" ${folder}\r\n`);
  });

  it('lists subscriptions, with RECURSIVEMATCH and CHILDINFO (RFC 5258 examples)', async () => {
    const client = await TestClient.loggedIn();
    for (const name of [
      'Fruit/Apple',
      'Fruit/Banana',
      'Tofu',
      'Vegetable/Broccoli',
      'Vegetable/Corn',
    ]) {
      await client.command(`c CREATE ${name}`);
    }
    for (const name of ['Fruit/Banana', 'Fruit/Peach', 'Vegetable', 'Vegetable/Broccoli']) {
      await client.command(`s SUBSCRIBE ${name}`);
    }
    expect(await client.command('A02 LIST (SUBSCRIBED) "" "Fruit/*"')).toBe(
      [
        '* LIST (\\HasNoChildren \\Subscribed) "/" Fruit/Banana',
        '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" Fruit/Peach',
        'A02 OK List completed',
        '',
      ].join('\r\n'),
    );
    const recursive = await client.command('A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" %');
    expect(recursive).toContain(
      '* LIST (\\HasChildren) "/" Fruit ("CHILDINFO" ("SUBSCRIBED"))\r\n',
    );
    expect(recursive).toContain('* LIST (\\HasChildren \\Subscribed) "/" Vegetable\r\n');
    expect(recursive).not.toContain('Tofu');
    const returned = await client.command('A05 LIST "" "Fruit/*" RETURN (SUBSCRIBED CHILDREN)');
    expect(returned).toContain('* LIST (\\HasNoChildren) "/" Fruit/Apple\r\n');
    expect(returned).toContain('* LIST (\\HasNoChildren \\Subscribed) "/" Fruit/Banana\r\n');
    expect(await client.command('A06 LIST "" ("Tofu" "Vegetable/Corn")')).toBe(
      '* LIST (\\HasNoChildren) "/" Tofu\r\n* LIST (\\HasNoChildren) "/" Vegetable/Corn\r\nA06 OK List completed\r\n',
    );
  });

  it('returns STATUS with LIST (RFC 5819) and STATUS itself', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('a') });
    await store.deliver(ALICE, { content: message('b'), flags: ['\\Seen', '\\Deleted'] });
    const client = await TestClient.loggedIn({ store });
    expect(await client.command('A01 LIST "" INBOX RETURN (STATUS (MESSAGES UNSEEN))')).toBe(
      '* LIST (\\HasNoChildren) "/" INBOX\r\n* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\nA01 OK List completed\r\n',
    );
    const status = await client.command(
      'A042 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)',
    );
    expect(status).toMatch(
      /^\* STATUS INBOX \(MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 1 DELETED 1 SIZE \d+ HIGHESTMODSEQ \d+ APPENDLIMIT 67108864\)\r\nA042 OK Status completed\r\n$/,
    );
    expect(await client.command('b STATUS nothere (MESSAGES)')).toBe(
      'b NO [NONEXISTENT] Mailbox does not exist\r\n',
    );
    expect(await client.command('c STATUS INBOX (FOO)')).toBe('c BAD Unknown STATUS item FOO\r\n');
  });
});

describe('mailbox names: modified UTF-7 in IMAP4rev1, UTF-8 in IMAP4rev2', () => {
  it('shows and takes non-ASCII names as modified UTF-7 until UTF-8 is enabled', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('a CREATE Entw&APw-rfe')).toMatch(/^a OK/);
    expect(await client.command('b LIST "" Entw*')).toBe(
      '* LIST (\\HasNoChildren) "/" Entw&APw-rfe\r\nb OK List completed\r\n',
    );
    expect(await client.command('c CREATE Bad&Name')).toBe(
      'c NO [CANNOT] Mailbox name is not valid modified UTF-7\r\n',
    );
    await client.command('d ENABLE IMAP4rev2');
    expect(await client.command('e LIST "" Entw*')).toBe(
      '* LIST (\\HasNoChildren) "/" "Entwürfe"\r\ne OK List completed\r\n',
    );
    expect(await client.command('f SELECT "Entwürfe"')).toContain(
      '* LIST (\\HasNoChildren) "/" "Entwürfe"\r\n',
    );
    expect(await client.command('g CREATE "Tom & Jerry"')).toMatch(/^g OK/);
    const utf7 = await TestClient.loggedIn({ store: client.options.store });
    expect(await utf7.command('h LIST "" Tom*')).toBe(
      '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"\r\nh OK List completed\r\n',
    );
  });
});
