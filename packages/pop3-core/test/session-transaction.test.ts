/** TRANSACTION and UPDATE: listing, retrieval, deletion, the snapshot, and what QUIT commits. */
import type { MailStore, OpenMailbox } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { MessageEncoder } from '../src/protocol/message-encoder.js';
import type { TestClient } from './session-harness.js';
import { type EngineSetup, connected, engine, message } from './session-harness.js';

async function withMessages(contents: Buffer[], options = {}): Promise<EngineSetup> {
  const setup = await engine(options);
  for (const content of contents) await setup.store.deliver('alice@example.com', { content });
  return setup;
}

async function loggedIn(setup: EngineSetup): Promise<TestClient> {
  const client = await connected(setup);
  expect(await client.login()).toMatch(/^\+OK Logged in/);
  return client;
}

/** Lets `patch` change every mailbox the store opens from now on (to fail, count or wait). */
function onOpen(store: MailStore, patch: (box: OpenMailbox) => void): void {
  const access = store.access.bind(store);
  store.access = (user) =>
    new Proxy(access(user), {
      get(target, key) {
        if (key !== 'open') return Reflect.get(target, key);
        return async (...args: Parameters<typeof target.open>) => {
          const box = await target.open(...args);
          patch(box);
          return box;
        };
      },
    });
}

/** Counts the messages read from the store's INBOXes from now on. */
function countReads(store: MailStore): () => number {
  let reads = 0;
  const access = store.access.bind(store);
  store.access = (user) =>
    new Proxy(access(user), {
      get(target, key) {
        if (key !== 'open') return Reflect.get(target, key);
        return async (name: string) => {
          const box = await target.open(name);
          const read = box.read.bind(box);
          box.read = (uid, range) => {
            reads++;
            return read(uid, range);
          };
          return box;
        };
      },
    });
  return () => reads;
}

const inboxUids = async (store: MailStore) => {
  const inbox = await store.access('alice@example.com').open('INBOX');
  const states = await inbox.messages();
  inbox.close();
  return states;
};

const encoded = (bytes: Buffer, bodyLines?: number) => {
  const encoder = new MessageEncoder(bodyLines === undefined ? {} : { bodyLines });
  return Buffer.concat([encoder.push(bytes), encoder.end()]).toString('latin1');
};

describe('listing', () => {
  const one = message('one');
  const two = message('two', 'a longer body\r\n');

  it('answers STAT, LIST and LIST n with the sizes of the messages', async () => {
    const client = await loggedIn(await withMessages([one, two]));
    expect(await client.command('STAT')).toBe(`+OK 2 ${one.length + two.length}\r\n`);
    expect(await client.command('LIST')).toBe(
      `+OK 2 messages (${one.length + two.length} octets)\r\n1 ${one.length}\r\n2 ${two.length}\r\n.\r\n`,
    );
    expect(await client.command('LIST 2')).toBe(`+OK 2 ${two.length}\r\n`);
    expect(await client.command('LIST 3')).toBe('-ERR No such message\r\n');
    expect(await client.command('LIST 0')).toBe('-ERR No such message\r\n');
  });

  it('gives UIDL values UIDVALIDITY.UID, the same in every session', async () => {
    const setup = await withMessages([one, two]);
    const inbox = await setup.store.access('alice@example.com').open('INBOX');
    const validity = inbox.uidValidity;
    inbox.close();
    const client = await loggedIn(setup);
    expect(await client.command('UIDL')).toBe(`+OK\r\n1 ${validity}.1\r\n2 ${validity}.2\r\n.\r\n`);
    await client.command('DELE 1');
    await client.command('QUIT');
    const next = await loggedIn(setup);
    // Message 2 is now message 1, with the unique-id it had.
    expect(await next.command('UIDL 1')).toBe(`+OK 1 ${validity}.2\r\n`);
  });

  it('hides messages marked deleted from STAT, LIST and UIDL', async () => {
    const client = await loggedIn(await withMessages([one, two]));
    expect(await client.command('DELE 1')).toBe('+OK Message 1 deleted\r\n');
    expect(await client.command('STAT')).toBe(`+OK 1 ${two.length}\r\n`);
    expect(await client.command('LIST')).toMatch(/\r\n2 \d+\r\n\.\r\n$/);
    expect(await client.command('LIST 1')).toBe('-ERR Message 1 already deleted\r\n');
    expect(await client.command('UIDL 1')).toBe('-ERR Message 1 already deleted\r\n');
    expect(await client.command('DELE 1')).toBe('-ERR Message 1 already deleted\r\n');
    expect(await client.command('RETR 1')).toBe('-ERR Message 1 already deleted\r\n');
  });

  it('keeps the snapshot of login: mail arriving later waits for the next session', async () => {
    const setup = await withMessages([one]);
    const client = await loggedIn(setup);
    await setup.store.deliver('alice@example.com', { content: two });
    expect(await client.command('STAT')).toBe(`+OK 1 ${one.length}\r\n`);
    await client.command('QUIT');
    const next = await loggedIn(setup);
    expect(await next.command('STAT')).toBe(`+OK 2 ${one.length + two.length}\r\n`);
  });

  it('reports sizes as RETR sends them, a bare LF counted as CRLF (RFC 1939 11)', async () => {
    const bare = Buffer.from('Subject: unix\n\nline\n');
    const crlf = message('crlf');
    const client = await loggedIn(await withMessages([bare, crlf]));
    const total = bare.length + 3 + crlf.length;
    expect(await client.command('STAT')).toBe(`+OK 2 ${total}\r\n`);
    expect(await client.command('LIST')).toBe(
      `+OK 2 messages (${total} octets)\r\n1 ${bare.length + 3}\r\n2 ${crlf.length}\r\n.\r\n`,
    );
    const retr = await client.command('RETR 1');
    expect(retr).toBe(`+OK ${bare.length + 3} octets\r\nSubject: unix\r\n\r\nline\r\n.\r\n`);
    // The size is what comes between the status line and the end marker.
    expect(retr.length - `+OK ${bare.length + 3} octets\r\n`.length - 3).toBe(bare.length + 3);
    const stored = await loggedIn(await withMessages([bare], { sizes: 'stored' }));
    expect(await stored.command('LIST 1')).toBe(`+OK 1 ${bare.length}\r\n`);
  });

  it('reads each message once to count its size; later logins take the count remembered', async () => {
    const bare = Buffer.from('Subject: 2\n\nbare\n');
    const setup = await withMessages([message('1'), bare]);
    const reads = countReads(setup.store);
    const first = await loggedIn(setup);
    expect(reads()).toBe(2);
    await first.command('QUIT');
    const second = await loggedIn(setup);
    expect(await second.command('LIST 2')).toBe(`+OK 2 ${bare.length + 3}\r\n`);
    expect(reads()).toBe(2);
    await second.command('QUIT');
    // A new message is counted when it is first seen; without a cache, every login counts.
    await setup.store.deliver('alice@example.com', { content: message('3') });
    await (await loggedIn(setup)).command('QUIT');
    expect(reads()).toBe(3);
    const uncached = await withMessages([message('1')], { wireSizeCache: 0 });
    const uncachedReads = countReads(uncached.store);
    await (await loggedIn(uncached)).command('QUIT');
    await (await loggedIn(uncached)).command('QUIT');
    expect(uncachedReads()).toBe(2);
  });

  it('leaves out a message another client removes while the sizes are counted', async () => {
    const setup = await withMessages([message('1'), message('2'), message('3')]);
    onOpen(setup.store, (box) => {
      const read = box.read.bind(box);
      box.read = (uid, range) => {
        if (uid !== 2) return read(uid, range);
        return (async function* () {
          // IMAP expunges message 2 just before the count reaches it.
          await box.updateFlags([2], { operation: 'add', flags: ['\\Deleted'] });
          await box.expunge([2]);
          yield* read(uid, range);
        })();
      };
    });
    const client = await loggedIn(setup);
    expect(await client.command('UIDL')).toMatch(/^\+OK\r\n1 \d+\.1\r\n2 \d+\.3\r\n\.\r\n$/);
  });

  it('refuses the login with [SYS/TEMP] and closes the INBOX when sizes cannot be counted', async () => {
    const setup = await withMessages([message('1')]);
    let opened = 0;
    let closed = 0;
    onOpen(setup.store, (box) => {
      opened++;
      const close = box.close.bind(box);
      box.close = () => {
        closed++;
        close();
      };
      box.read = () => {
        throw new Error('disk gone');
      };
    });
    const client = await connected(setup);
    expect(await client.login()).toBe(
      '-ERR [SYS/TEMP] Cannot open the maildrop; try again later\r\n',
    );
    expect([opened, closed]).toEqual([1, 1]);
    // The maildrop was let go: the next attempt is not [IN-USE].
    expect(await client.login()).toMatch(/^-ERR \[SYS\/TEMP\]/);
  });
});

describe('RETR and TOP', () => {
  const tricky = Buffer.from('Subject: dots\n\n.starts with a dot\n..two\nplain\n.');

  it('sends the message dot-stuffed with CRLF line endings', async () => {
    const client = await loggedIn(await withMessages([tricky]));
    // Five bare LFs: the size counts each as CRLF.
    expect(await client.command('RETR 1')).toBe(
      `+OK ${tricky.length + 5} octets\r\n` +
        'Subject: dots\r\n\r\n..starts with a dot\r\n...two\r\nplain\r\n..\r\n.\r\n',
    );
  });

  it('sends TOP n: the header, the blank line and n body lines', async () => {
    const body = 'l1\r\nl2\r\nl3\r\n';
    const m = message('top', body);
    const client = await loggedIn(await withMessages([m]));
    expect(await client.command('TOP 1 0')).toBe(`+OK\r\n${encoded(m, 0)}`);
    expect(encoded(m, 0).endsWith('\r\n\r\n.\r\n')).toBe(true);
    expect(await client.command('TOP 1 2')).toMatch(/\r\n\r\nl1\r\nl2\r\n\.\r\n$/);
    expect(await client.command('TOP 1 100')).toBe(`+OK\r\n${encoded(m)}`);
    expect(await client.command('TOP 2 1')).toBe('-ERR No such message\r\n');
  });

  it('sends the whole header of a message without a body', async () => {
    const headerOnly = Buffer.from('Subject: nothing else\r\nX-A: 1');
    const client = await loggedIn(await withMessages([headerOnly]));
    expect(await client.command('TOP 1 5')).toBe('+OK\r\nSubject: nothing else\r\nX-A: 1\r\n.\r\n');
  });

  it('answers -ERR for a message another client expunged since login', async () => {
    const setup = await withMessages([message('one'), message('two')]);
    const client = await loggedIn(setup);
    const inbox = await setup.store.access('alice@example.com').open('INBOX');
    await inbox.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    await inbox.expunge([1]);
    expect(await client.command('RETR 1')).toBe('-ERR Message was removed by another client\r\n');
    expect(await client.command('RETR 2')).toMatch(/^\+OK/);
    await client.command('DELE 1');
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
  });

  it('streams a big message, waiting whenever the transport is full', async () => {
    const line = `${'x'.repeat(998)}\r\n`;
    const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(6000)}`); // 6 MB
    const setup = await withMessages([big]);
    const client = await loggedIn(setup);
    client.writesBeforeFull = client.writes + 2;
    client.session.receive(Buffer.from('RETR 1\r\nNOOP\r\n'));
    // The session stops at a full transport and waits for it, whatever the message size.
    for (let i = 0; i < 50 && !client.waitingForDrain; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(client.waitingForDrain).toBe(true);
    const writesWhileFull = client.writes;
    await new Promise((r) => setTimeout(r, 20));
    expect(client.writes).toBe(writesWhileFull);
    client.release();
    await client.session.idle();
    const out = client.take();
    expect(out.startsWith(`+OK ${big.length} octets\r\n`)).toBe(true);
    expect(out.endsWith('\r\n.\r\n+OK\r\n')).toBe(true);
    expect(out.length).toBe(`+OK ${big.length} octets\r\n`.length + big.length + 3 + 5);
  });

  it('closes the connection when the store fails in the middle of a message', async () => {
    // Stored sizes: the login does not read the message, which this store cannot give whole.
    const setup = await withMessages([message('one')], { sizes: 'stored' });
    const store = setup.store;
    const access = store.access.bind(store);
    store.access = (user) => {
      const a = access(user);
      return {
        ...a,
        user: a.user,
        open: async (name: string) => {
          const box = await a.open(name);
          return new Proxy(box, {
            get(target, key) {
              if (key === 'read') {
                return async function* () {
                  yield Buffer.from('Subject: half\r\n');
                  throw new Error('disk gone');
                };
              }
              const value = Reflect.get(target, key) as unknown;
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }) as OpenMailbox;
        },
      } as ReturnType<typeof access>;
    };
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    const out = await client.command('RETR 1');
    expect(out).toBe('-ERR Message 1 already deleted\r\n');
    await client.command('RSET');
    expect(await client.command('RETR 1')).toBe(
      `+OK ${message('one').length} octets\r\nSubject: half\r\n`,
    );
    expect(client.closed).toBe(true);
    expect((await inboxUids(setup.store)).length).toBe(1);
  });
});

describe('UPDATE', () => {
  it('removes exactly the messages marked, at QUIT, and marks retrieved ones seen', async () => {
    const setup = await withMessages([message('1'), message('2'), message('3'), message('4')]);
    // Another client (IMAP) flagged message 4 \Deleted without expunging: that is its business.
    const other = await setup.store.access('alice@example.com').open('INBOX');
    await other.updateFlags([4], { operation: 'add', flags: ['\\Deleted'] });
    const client = await loggedIn(setup);
    await client.command('RETR 2');
    await client.command('DELE 1');
    await client.command('DELE 3');
    expect(await client.command('QUIT')).toBe(
      '+OK pop.example.com POP3 server signing off (2 messages left)\r\n',
    );
    expect(client.closed).toBe(true);
    const states = await inboxUids(setup.store);
    expect(states.map((s) => s.uid)).toEqual([2, 4]);
    expect(states[0]!.flags).toEqual(['\\Seen']);
    expect(states[1]!.flags).toEqual(['\\Deleted']);
  });

  it('reports at QUIT the messages actually left, after another client expunged one', async () => {
    const setup = await withMessages([1, 2, 3, 4, 5, 6].map((n) => message(`${n}`)));
    const client = await loggedIn(setup);
    // Meanwhile an IMAP session of the same user expunges message 6.
    const other = await setup.store.access('alice@example.com').open('INBOX');
    await other.updateFlags([6], { operation: 'add', flags: ['\\Deleted'] });
    await other.expunge([6]);
    other.close();
    // The snapshot is the INBOX at login (RFC 1939); the sign-off tells what the INBOX holds.
    expect(await client.command('STAT')).toMatch(/^\+OK 6 /);
    expect(await client.command('QUIT')).toBe(
      '+OK pop.example.com POP3 server signing off (5 messages left)\r\n',
    );
    expect(await inboxUids(setup.store)).toHaveLength(5);
  });

  it('counts at QUIT the mail that arrived during the session among what is left', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    await setup.store.deliver('alice@example.com', { content: message('3') });
    expect(await client.command('QUIT')).toBe(
      '+OK pop.example.com POP3 server signing off (2 messages left)\r\n',
    );
    expect((await inboxUids(setup.store)).map((s) => s.uid)).toEqual([2, 3]);
  });

  it('reports at QUIT what is left when another client expunged a message this one deleted', async () => {
    const setup = await withMessages([message('1'), message('2'), message('3')]);
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    const other = await setup.store.access('alice@example.com').open('INBOX');
    await other.updateFlags([1, 2], { operation: 'add', flags: ['\\Deleted'] });
    await other.expunge([1, 2]);
    other.close();
    expect(await client.command('QUIT')).toBe(
      '+OK pop.example.com POP3 server signing off (1 messages left)\r\n',
    );
  });

  it('signs off without a count when the store cannot say what is left after the UPDATE', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    onOpen(setup.store, (box) => {
      box.status = async () => {
        throw new Error('EIO: index unreadable');
      };
    });
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    expect(await client.command('QUIT')).toBe('+OK pop.example.com POP3 server signing off\r\n');
    expect(await inboxUids(setup.store)).toHaveLength(1);
  });

  it('finishes an UPDATE the client did not wait for before letting the maildrop go', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    let finishExpunge: () => void = () => {};
    onOpen(setup.store, (box) => {
      const expunge = box.expunge.bind(box);
      box.expunge = async (uids) => {
        await new Promise<void>((resolve) => (finishExpunge = resolve));
        return expunge(uids);
      };
    });
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    client.session.receive(Buffer.from('QUIT\r\n'));
    await new Promise((r) => setTimeout(r, 10));
    client.session.disconnected();
    const second = await connected(setup);
    expect(await second.login()).toMatch(/^-ERR \[IN-USE\]/);
    finishExpunge();
    await client.session.idle();
    expect(await inboxUids(setup.store)).toHaveLength(1);
    expect(await second.login()).toMatch(/^\+OK Logged in; maildrop has 1 messages/);
  });

  it('leaves flags alone when markSeen is off', async () => {
    const setup = await withMessages([message('1')], { markSeen: false });
    const client = await loggedIn(setup);
    await client.command('RETR 1');
    await client.command('QUIT');
    expect((await inboxUids(setup.store))[0]!.flags).toEqual([]);
  });

  it('RSET takes every mark back', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    await client.command('DELE 2');
    expect(await client.command('RSET')).toMatch(/^\+OK Maildrop has 2 messages/);
    await client.command('QUIT');
    expect(await inboxUids(setup.store)).toHaveLength(2);
  });

  it('deletes nothing when the connection drops or times out', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    const dropped = await loggedIn(setup);
    await dropped.command('DELE 1');
    dropped.session.disconnected();
    await dropped.session.idle();
    const idle = await loggedIn(setup);
    await idle.command('DELE 2');
    idle.session.timeout();
    await idle.session.idle();
    // RFC 1939 3: the autologout sends nothing.
    expect(idle.take()).toBe('');
    expect(idle.closed).toBe(true);
    expect(await inboxUids(setup.store)).toHaveLength(2);
  });

  it('QUIT in AUTHORIZATION just signs off', async () => {
    const client = await connected(await engine());
    expect(await client.command('QUIT')).toBe('+OK pop.example.com POP3 server signing off\r\n');
    expect(client.closed).toBe(true);
    expect(await client.command('STAT')).toBe('');
  });

  it('says -ERR [SYS/TEMP] and keeps every message when the store cannot expunge', async () => {
    const setup = await withMessages([message('1'), message('2')]);
    onOpen(setup.store, (box) => {
      box.expunge = async () => {
        throw new Error('disk full');
      };
    });
    const client = await loggedIn(setup);
    await client.command('DELE 1');
    expect(await client.command('QUIT')).toBe(
      '-ERR [SYS/TEMP] Some deleted messages not removed\r\n',
    );
    const states = await inboxUids(setup.store);
    expect(states).toHaveLength(2);
    // The \Deleted flag the failed UPDATE set was taken back.
    expect(states[0]!.flags).toEqual([]);
  });
});

describe('other TRANSACTION commands', () => {
  it('answers NOOP, refuses AUTHORIZATION commands', async () => {
    const client = await loggedIn(await withMessages([]));
    expect(await client.command('NOOP')).toBe('+OK\r\n');
    expect(await client.command('STAT')).toBe('+OK 0 0\r\n');
    expect(await client.command('LIST')).toBe('+OK 0 messages (0 octets)\r\n.\r\n');
    expect(await client.command('USER bob')).toBe('-ERR Not valid in the TRANSACTION state\r\n');
  });

  it('answers pipelined commands in order, in one write', async () => {
    const client = await loggedIn(await withMessages([message('1')]));
    const writes = client.writes;
    const out = await client.send('STAT\r\nNOOP\r\nUIDL 1\r\nLIST 1\r\n');
    expect(out.split('\r\n').map((l) => l.split(' ')[0])).toEqual(['+OK', '+OK', '+OK', '+OK', '']);
    expect(client.writes - writes).toBe(1);
  });
});

describe('read-ahead', () => {
  /** A store whose INBOX reports every read started and every read given up. */
  async function watched(options = {}) {
    const setup = await withMessages(
      [1, 2, 3, 4, 5, 6, 7].map((n) => message(String(n))),
      options,
    );
    const started: number[] = [];
    let returned = 0;
    onOpen(setup.store, (box) => {
      const read = box.read.bind(box);
      box.read = (uid, range) => {
        started.push(uid);
        const inner = read(uid, range)[Symbol.asyncIterator]();
        return {
          [Symbol.asyncIterator]: () => ({
            next: () => inner.next(),
            return: async () => {
              returned++;
              return (await inner.return?.()) ?? { done: true, value: undefined };
            },
          }),
        };
      };
    });
    return { setup, started, returned: () => returned };
  }

  it('starts reading the next messages after a RETR, and uses those reads', async () => {
    const { setup, started } = await watched();
    const client = await loggedIn(setup);
    started.length = 0; // the reads that counted the sizes at login
    await client.command('DELE 3');
    expect(await client.command('RETR 1')).toContain('Subject: 1');
    // Message 3 is marked deleted: it is skipped.
    expect(started).toEqual([1, 2, 4, 5, 6]);
    expect(await client.command('RETR 2')).toContain('Subject: 2');
    expect(started).toEqual([1, 2, 4, 5, 6, 7]);
  });

  it('reads the next messages only once the answer to the RETR is written', async () => {
    const setup = await withMessages([1, 2, 3].map((n) => message(String(n))));
    let answered = false;
    // For every read started: its UID, and whether the answer to RETR 1 was out then.
    const reads: [number, boolean][] = [];
    onOpen(setup.store, (box) => {
      const read = box.read.bind(box);
      box.read = (uid, range) => {
        reads.push([uid, answered]);
        return read(uid, range);
      };
    });
    const client = await loggedIn(setup);
    const write = client.write.bind(client);
    client.write = (bytes) => {
      answered ||= Buffer.from(bytes).toString('latin1').includes('Subject: 1');
      return write(bytes);
    };
    reads.length = 0; // the reads that counted the sizes at login
    expect(await client.command('RETR 1')).toContain('Subject: 1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
  });

  it('gives the guesses up when the client goes elsewhere, and can be turned off', async () => {
    const { setup, started, returned } = await watched();
    const client = await loggedIn(setup);
    await client.command('RETR 1');
    expect(await client.command('RETR 7')).toContain('Subject: 7');
    await new Promise((r) => setTimeout(r, 10));
    expect(returned()).toBeGreaterThanOrEqual(4);
    expect(started.slice(-1)).toEqual([7]);

    const off = await watched({ readAhead: 0 });
    const plain = await loggedIn(off.setup);
    off.started.length = 0;
    await plain.command('RETR 1');
    await plain.command('RETR 2');
    expect(off.started).toEqual([1, 2]);
  });
});
