import { type MailStore, MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, TestClient, message } from './harness.js';

async function twoSessions(count = 3) {
  const store = new MemoryMailStore();
  for (let i = 1; i <= count; i++) await store.deliver(ALICE, { content: message(`m${i}`) });
  const a = await TestClient.loggedIn({ store });
  const b = await TestClient.loggedIn({ store, directory: a.options.directory });
  await a.command('s SELECT INBOX');
  await b.command('s SELECT INBOX');
  return { store, a, b };
}

describe('several sessions on one mailbox', () => {
  it('reports new messages with EXISTS, and \\Recent to exactly one session (RFC 3501 2.3.2)', async () => {
    const { store, a, b } = await twoSessions();
    await store.deliver(ALICE, { content: message('new') });
    expect(await a.command('n NOOP')).toBe('* 4 EXISTS\r\n* 4 RECENT\r\nn OK NOOP completed\r\n');
    expect(await b.command('n NOOP')).toBe('* 4 EXISTS\r\n* 0 RECENT\r\nn OK NOOP completed\r\n');
    expect(await a.command('r SEARCH RECENT')).toBe(
      '* SEARCH 1 2 3 4\r\nr OK Search completed\r\n',
    );
    expect(await b.command('r SEARCH RECENT')).toBe('* SEARCH\r\nr OK Search completed\r\n');
  });

  it('holds EXPUNGE back during FETCH, STORE and SEARCH, and sends it with NOOP or UID commands', async () => {
    const { a, b } = await twoSessions();
    await b.command('d STORE 2 +FLAGS.SILENT (\\Deleted)');
    await b.command('e EXPUNGE');
    const fetched = await a.command('f FETCH 1:3 UID');
    expect(fetched).toBe(
      '* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\nf NO [EXPUNGEISSUED] Some of the requested messages no longer exist\r\n',
    );
    expect(await a.command('g STORE 3 +FLAGS (\\Seen)')).not.toContain('EXPUNGE');
    expect(await a.command('h SEARCH ALL')).toBe('* SEARCH 1 3\r\nh OK Search completed\r\n');
    expect(await a.command('i UID FETCH 1 UID')).toBe(
      '* 1 FETCH (UID 1)\r\n* 2 EXPUNGE\r\n* 2 RECENT\r\ni OK Fetch completed\r\n',
    );
    expect(await a.command('j FETCH 2 UID')).toBe('* 2 FETCH (UID 3)\r\nj OK Fetch completed\r\n');
  });

  it('announces a keyword another session set with FLAGS before a FETCH shows it (RFC 9051 7.3.5)', async () => {
    const { a, b } = await twoSessions();
    await b.command('x STORE 2 +FLAGS ($Label1)');
    const fetched = await a.command('f FETCH 1:2 FLAGS');
    const flags = fetched.indexOf(
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)',
    );
    expect(flags).toBeGreaterThanOrEqual(0);
    expect(fetched).toContain('* OK [PERMANENTFLAGS (');
    expect(flags).toBeLessThan(fetched.indexOf('* 2 FETCH (FLAGS (\\Recent $Label1))'));
    // Announced once: the next report does not repeat it.
    expect(await a.command('n NOOP')).not.toContain('* FLAGS');
    // A FETCH that does not show flags announces nothing.
    await b.command('y STORE 1 +FLAGS ($Label2)');
    expect(await a.command('g FETCH 1 UID')).not.toMatch(/^\* FLAGS/);
  });

  it('answers FETCH of a body another session expunges meanwhile with EXPUNGEISSUED, never half a literal', async () => {
    const store = new MemoryMailStore();
    const big = message('big', `${'x'.repeat(76)}\r\n`.repeat(20_000));
    for (const content of [message('small'), big, message('last')])
      await store.deliver(ALICE, { content });
    // The other session's EXPUNGE lands between FETCH's look at the mailbox and its reads.
    const expungeFirst = async (uid: number) => {
      const other = await store.access(ALICE).open('INBOX');
      await other.updateFlags([uid], { operation: 'add', flags: ['\\Deleted'] });
      await other.expunge([uid]);
      other.close();
    };
    const interleaved: MailStore = Object.create(store, {
      access: {
        value: (user: string) => {
          const access = store.access(user);
          return Object.create(access, {
            open: {
              value: async (name: string, options?: { readOnly?: boolean }) => {
                const opened = await access.open(name, options);
                return Object.create(opened, {
                  read: {
                    value: async function* (uid: number, range?: { start: number; end: number }) {
                      if (uid !== 3) await expungeFirst(uid);
                      yield* opened.read(uid, range);
                    },
                  },
                  readMany: {
                    value: async (requests: { uid: number; start: number; end: number }[]) => {
                      for (const { uid } of requests) if (uid !== 3) await expungeFirst(uid);
                      return opened.readMany!(requests);
                    },
                  },
                });
              },
            },
          });
        },
      },
    });
    const a = await TestClient.loggedIn({ store: interleaved });
    await a.command('s SELECT INBOX');
    const fetched = await a.command('f FETCH 1:3 (UID BODY.PEEK[])');
    expect(fetched).toMatch(/^\* 3 FETCH \(UID 3 BODY\[\] \{\d+\}\r\n/);
    expect(fetched).not.toContain('* 1 FETCH');
    expect(fetched).not.toContain('* 2 FETCH');
    expect(fetched).toMatch(/f NO \[EXPUNGEISSUED\] [^\r]*\r\n$/);
    expect(await a.command('n NOOP')).toMatch(/^\* 2 EXPUNGE\r\n\* 1 EXPUNGE\r\n/);
  });

  it('sees another session’s CREATE, RENAME and DELETE at once', async () => {
    const { a, b } = await twoSessions();
    await a.command('c1 CREATE box');
    await a.command('c2 CREATE box2');
    const validity = async (client: TestClient, name: string) =>
      Number(/UIDVALIDITY (\d+)/.exec(await client.command(`v STATUS ${name} (UIDVALIDITY)`))?.[1]);
    const [box, box2] = [await validity(b, 'box'), await validity(b, 'box2')];
    expect(await a.command('r1 RENAME box box3')).toContain('r1 OK');
    expect(await b.command('r2 RENAME box2 box')).toContain('r2 OK');
    // A mailbox at a name used before has another UIDVALIDITY (RFC 9051 2.3.1.1).
    expect(await validity(a, 'box')).toBe(box2);
    expect(box2).not.toBe(box);
    expect(await validity(b, 'box3')).toBe(box);
    expect(await b.command('s STATUS box2 (MESSAGES)')).toContain('s NO [NONEXISTENT]');
    await a.command('d DELETE box3');
    expect(await b.command('t STATUS box3 (MESSAGES)')).toContain('t NO [NONEXISTENT]');
    await b.command('c3 CREATE box3');
    expect(await a.command('u STATUS box3 (MESSAGES)')).toContain('u OK');
    expect(await a.command('x RENAME box box3')).toContain('x NO [ALREADYEXISTS]');
  });

  it('reports other sessions’ flag changes, with MODSEQ under CONDSTORE and UID under QRESYNC', async () => {
    const { a, b } = await twoSessions();
    await b.command('x STORE 1 +FLAGS (\\Flagged)');
    expect(await a.command('n NOOP')).toBe(
      '* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\nn OK NOOP completed\r\n',
    );
    await a.command('e ENABLE QRESYNC');
    await b.command('y STORE 2 +FLAGS (\\Answered)');
    expect(await a.command('o NOOP')).toMatch(
      /^\* 2 FETCH \(FLAGS \(\\Answered \\Recent\) UID 2 MODSEQ \(\d+\)\)\r\no OK/,
    );
    await b.command('z STORE 3 +FLAGS.SILENT (\\Deleted)');
    await b.command('w EXPUNGE');
    expect(await a.command('p NOOP')).toBe('* VANISHED 3\r\n* 2 RECENT\r\np OK NOOP completed\r\n');
    // Its own STORE is answered once, not again as news.
    expect(await a.command('q STORE 1 -FLAGS (\\Flagged)')).toMatch(
      /^\* 1 FETCH \(FLAGS \(\\Recent\) MODSEQ \(\d+\)\)\r\nq OK/,
    );
    expect(await a.command('r NOOP')).toBe('r OK NOOP completed\r\n');
  });

  it('wakes an IDLE client at once with EXISTS, EXPUNGE and flag changes (RFC 2177)', async () => {
    const { store, a, b } = await twoSessions();
    a.write('i IDLE\r\n');
    await a.until((t) => t === '+ idling\r\n');
    a.take();
    await store.deliver(ALICE, { content: message('while idle') });
    await a.until((t) => t === '* 4 EXISTS\r\n* 4 RECENT\r\n', 1000);
    a.take();
    await b.command('d STORE 1 +FLAGS.SILENT (\\Deleted)');
    await a.until((t) => t === '* 1 FETCH (FLAGS (\\Deleted \\Recent))\r\n', 1000);
    a.take();
    await b.command('e EXPUNGE');
    await a.until((t) => t === '* 1 EXPUNGE\r\n* 3 RECENT\r\n', 1000);
    a.take();
    a.write('DONE\r\n');
    expect(await a.untilTagged('i')).toBe('i OK Idle completed\r\n');
    a.write('j IDLE\r\n');
    await a.until((t) => t === '+ idling\r\n');
    a.take();
    a.write('NOT DONE\r\n');
    expect(await a.untilTagged('j')).toBe('j BAD Expected DONE\r\n');
  });

  it('rescans by mod-sequence when more flag changes came than it keeps', async () => {
    const store = new MemoryMailStore();
    for (let i = 1; i <= 5; i++) await store.deliver(ALICE, { content: message(`m${i}`) });
    const a = await TestClient.loggedIn({ store, limits: { maxPendingFlagChanges: 2 } });
    const b = await TestClient.loggedIn({ store, directory: a.options.directory });
    await a.command('s SELECT INBOX');
    await b.command('s SELECT INBOX');
    await b.command('x STORE 1:5 +FLAGS.SILENT (\\Answered)');
    const reply = await a.command('n NOOP');
    for (let seq = 1; seq <= 5; seq++) {
      expect(reply).toContain(`* ${seq} FETCH (FLAGS (\\Answered \\Recent))\r\n`);
    }
  });

  it('disconnects a session whose mailbox another session deleted, as Dovecot does', async () => {
    const store = new MemoryMailStore();
    const a = await TestClient.loggedIn({ store });
    await a.command('c CREATE Work');
    await a.command('s SELECT Work');
    const b = await TestClient.loggedIn({ store, directory: a.options.directory });
    await b.command('d DELETE Work');
    a.write('n NOOP\r\n');
    await a.until((t) => t === '* BYE Selected mailbox was deleted, have to disconnect\r\n');
    await a.waitClosed();
  });

  it('resynchronises with QRESYNC on SELECT and UID FETCH ... VANISHED (RFC 7162 3.2.5, 3.2.6)', async () => {
    const { a, b } = await twoSessions(5);
    await a.command('e ENABLE QRESYNC');
    const selected = await a.command('s SELECT INBOX');
    const uidValidity = Number(/UIDVALIDITY (\d+)/.exec(selected)![1]);
    const modSeq = Number(/HIGHESTMODSEQ (\d+)/.exec(selected)![1]);
    await a.command('u UNSELECT');
    await b.command('x STORE 2 +FLAGS.SILENT (\\Seen)');
    await b.command('y STORE 4 +FLAGS.SILENT (\\Deleted)');
    await b.command('z EXPUNGE');
    const resync = await a.command(`A02 SELECT INBOX (QRESYNC (${uidValidity} ${modSeq} 1:5))`);
    expect(resync).toContain('* VANISHED (EARLIER) 4\r\n');
    expect(resync).toMatch(/\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)\r\n/);
    expect(resync).not.toContain('UID 1 ');
    expect(await a.command(`f UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modSeq} VANISHED)`)).toMatch(
      /^\* VANISHED \(EARLIER\) 4\r\n\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)\r\nf OK Fetch completed\r\n$/,
    );
    expect(
      await a.command(`g SELECT INBOX (QRESYNC (${uidValidity + 1} ${modSeq}))`),
    ).not.toContain('VANISHED');
    const plain = await TestClient.loggedIn({
      store: a.options.store,
      directory: a.options.directory,
    });
    expect(await plain.command('h SELECT INBOX (QRESYNC (1 1))')).toBe(
      'h BAD QRESYNC is not enabled\r\n',
    );
  });
});
