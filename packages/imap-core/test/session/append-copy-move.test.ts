import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import {
  type AccountPolicy,
  MemoryMailStore,
  OPEN_ACCOUNT_POLICY,
} from '@mailyard/mailstore-interface';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpamTrainingEvent } from '../../src/index.js';
import { ALICE, TestClient, message } from './harness.js';

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('APPEND', () => {
  it('appends with flags and date, answers APPENDUID only once the message is on disk (RFC 4315)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'imap-append-'));
    directories.push(directory);
    const client = await TestClient.loggedIn({ store: new FsMailStore({ directory }) });
    const text = message('saved');
    client.write(
      `A003 APPEND Drafts (\\Seen $Draft) " 7-Feb-1994 21:52:25 -0800" {${text.length}}\r\n`,
    );
    await client.until((t) => t === '+ Ready for literal data\r\n');
    client.take();
    client.write(Buffer.concat([text, Buffer.from('\r\n')]));
    const reply = await client.untilTagged('A003');
    expect(reply).toMatch(/^A003 OK \[APPENDUID (\d+) 1\] Append completed\r\n$/);
    // What the OK promised is there for anyone reading the directory afresh.
    const reopened = new FsMailStore({ directory });
    const drafts = await reopened.access(ALICE).open('Drafts');
    const [record] = await drafts.fetch([1]);
    expect(record).toMatchObject({
      flags: ['\\Seen', '$Draft'],
      internalDate: Date.UTC(1994, 1, 8, 5, 52, 25),
      internalDateZone: -480,
    });
    expect(record!.summary.subject).toBe('saved');
  });

  it('shows INTERNALDATE in the zone the APPEND gave, else in the server’s (Kerio)', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, {
      content: message('delivered'),
      internalDate: Date.UTC(2024, 6, 1, 12),
    });
    // Central European Summer Time in July.
    const client = await TestClient.loggedIn({ store, timeZoneOffset: () => 120 });
    const text = message('appended');
    await client.command(
      `a APPEND INBOX " 7-Feb-1994 21:52:25 -0800" {${text.length}+}\r\n${text}`,
    );
    await client.command('s SELECT INBOX');
    expect(await client.command('f FETCH 1:2 INTERNALDATE')).toBe(
      '* 1 FETCH (INTERNALDATE "01-Jul-2024 14:00:00 +0200")\r\n' +
        '* 2 FETCH (INTERNALDATE "07-Feb-1994 21:52:25 -0800")\r\nf OK Fetch completed\r\n',
    );
  });

  it('takes MULTIAPPEND atomically, and non-synchronizing and binary literals', async () => {
    const client = await TestClient.loggedIn();
    const a = message('one');
    const b = message('two');
    const reply = await client.command(
      `a APPEND INBOX {${a.length}+}\r\n${a} (\\Flagged) ~{${b.length}+}\r\n${b}`,
    );
    expect(reply).toMatch(/^a OK \[APPENDUID \d+ 1:2\] Append completed\r\n$/);
    expect(await client.command(`b APPEND INBOX {${a.length}+}\r\n${a} {0+}\r\n`)).toBe(
      "b NO Can't save a zero byte message\r\n",
    );
    expect(await client.command('c STATUS INBOX (MESSAGES)')).toContain('(MESSAGES 2)');
    expect(await client.command(`d APPEND nothere {${a.length}+}\r\n${a}`)).toBe(
      'd NO [TRYCREATE] Mailbox does not exist\r\n',
    );
  });

  it('refuses messages over APPENDLIMIT before they are sent (RFC 7889)', async () => {
    const client = await TestClient.loggedIn({ limits: { appendLimit: 1000 } });
    expect(await client.command('a CAPABILITY')).toContain('APPENDLIMIT=1000');
    expect(await client.command('b APPEND INBOX {5000}')).toBe('b NO [TOOBIG] Message too big\r\n');
    // A non-synchronizing one is on its way already: skipped, and the session goes on.
    client.write(`c APPEND INBOX {5000+}\r\n${'x'.repeat(5000)}\r\nd NOOP\r\n`);
    expect(await client.untilTagged('d')).toBe(
      'c NO [TOOBIG] Message too big\r\nd OK NOOP completed\r\n',
    );
  });

  it('reports over-quota from the store (OVERQUOTA)', async () => {
    const policy: AccountPolicy = {
      ...OPEN_ACCOUNT_POLICY,
      quota: () => ({ storage: 0, messages: 1 }),
    };
    const client = await TestClient.loggedIn({ store: new MemoryMailStore({ policy }) });
    const text = message('x');
    expect(await client.command(`a APPEND INBOX {${text.length}+}\r\n${text}`)).toMatch(/^a OK/);
    expect(await client.command(`b APPEND INBOX {${text.length}+}\r\n${text}`)).toBe(
      'b NO [OVERQUOTA] Quota exceeded\r\n',
    );
  });

  it('reports a message appended to the selected mailbox with EXISTS', async () => {
    const client = await TestClient.loggedIn();
    await client.command('s SELECT INBOX');
    const text = message('new');
    expect(await client.command(`a APPEND INBOX {${text.length}+}\r\n${text}`)).toMatch(
      /^\* 1 EXISTS\r\n\* 1 RECENT\r\na OK \[APPENDUID/,
    );
  });
});

describe('COPY, MOVE, EXPUNGE', () => {
  async function selected(spam?: SpamTrainingEvent[]) {
    const store = new MemoryMailStore();
    for (const subject of ['a', 'b', 'c', 'd'])
      await store.deliver(ALICE, { content: message(subject) });
    const client = await TestClient.loggedIn({
      store,
      ...(spam ? { onSpamTraining: (event: SpamTrainingEvent) => void spam.push(event) } : {}),
    });
    await client.command('s SELECT INBOX');
    return client;
  }

  it('copies with COPYUID, and TRYCREATE for a missing destination', async () => {
    const client = await selected();
    expect(await client.command('A003 COPY 2:4 Drafts')).toMatch(
      /^A003 OK \[COPYUID \d+ 2:4 1:3\] Copy completed\r\n$/,
    );
    expect(await client.command('b UID COPY 1 nothere')).toBe(
      'b NO [TRYCREATE] Mailbox does not exist\r\n',
    );
    expect(await client.command('c UID COPY 99 Drafts')).toBe('c OK No messages to copy\r\n');
  });

  it('moves with COPYUID first, then the expunges (RFC 6851 example)', async () => {
    const client = await selected();
    expect(await client.command('a MOVE 2:3 Drafts')).toMatch(
      /^\* OK \[COPYUID \d+ 2:3 1:2\] Moved\r\n\* 3 EXPUNGE\r\n\* 2 EXPUNGE\r\n\* 2 RECENT\r\na OK Move completed\r\n$/,
    );
    await client.command('e ENABLE QRESYNC');
    expect(await client.command('b UID MOVE 4 Drafts')).toMatch(
      /^\* OK \[COPYUID \d+ 4 3\] Moved\r\n\* VANISHED 4\r\n\* 1 RECENT\r\nb OK Move completed\r\n$/,
    );
    expect(await client.command('c STATUS Drafts (MESSAGES)')).toContain('(MESSAGES 3)');
  });

  it('tells the spam filter about moves into and out of Junk E-mail', async () => {
    const events: SpamTrainingEvent[] = [];
    const client = await selected(events);
    await client.command('a MOVE 1 "Junk E-mail"');
    expect(events).toEqual([
      expect.objectContaining({
        user: ALICE,
        verdict: 'spam',
        source: 'INBOX',
        destination: 'Junk E-mail',
        destinationUids: [1],
      }),
    ]);
    await client.command('b SELECT "Junk E-mail"');
    await client.command('c COPY 1 INBOX');
    await client.command('d MOVE 1 "Deleted Items"');
    expect(events.map((e) => e.verdict)).toEqual(['spam', 'ham']);
  });

  it('expunges \\Deleted messages, with UID EXPUNGE only the named ones (RFC 4315)', async () => {
    const client = await selected();
    await client.command('a STORE 1:3 +FLAGS.SILENT (\\Deleted)');
    expect(await client.command('b UID EXPUNGE 2:3')).toBe(
      '* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n* 2 RECENT\r\nb OK Expunge completed\r\n',
    );
    expect(await client.command('c EXPUNGE')).toBe(
      '* 1 EXPUNGE\r\n* 1 RECENT\r\nc OK Expunge completed\r\n',
    );
    await client.command('d ENABLE CONDSTORE');
    expect(await client.command('e EXPUNGE')).toMatch(
      /^e OK \[HIGHESTMODSEQ \d+\] Expunge completed\r\n$/,
    );
    await client.command('f EXAMINE INBOX');
    expect(await client.command('g EXPUNGE')).toBe('g NO Mailbox is read-only\r\n');
  });
});
