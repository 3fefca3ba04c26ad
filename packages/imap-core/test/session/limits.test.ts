import { MemoryMailStore } from '@mailyard/mailstore-interface';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImapSession } from '../../src/index.js';
import { ALICE, TestClient, directory, message } from './harness.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('limits', () => {
  it('refuses literals over the limit before they are sent', async () => {
    const client = await TestClient.loggedIn({ limits: { maxLiteralSize: 100 } });
    await client.command('s SELECT INBOX');
    expect(await client.command('a SEARCH TEXT {500}')).toBe('a BAD [TOOBIG] Literal too big\r\n');
    expect(await client.command('b SEARCH TEXT {5+}\r\nhello')).toBe(
      '* SEARCH\r\nb OK Search completed\r\n',
    );
  });

  it('keeps pre-authentication literals to 8 KiB whatever the limit', async () => {
    const client = await TestClient.connect();
    expect(await client.command('a LOGIN {9000}')).toBe('a BAD [TOOBIG] Literal too big\r\n');
    client.write('b LOGIN {5}\r\n');
    await client.until((t) => t === '+ Ready for literal data\r\n');
  });

  it('refuses a literal for a command that is not valid in the state, before it is sent', async () => {
    const client = await TestClient.connect();
    expect(await client.command('a APPEND INBOX {10}')).toBe(
      'a BAD Command APPEND is not valid in this state\r\n',
    );
  });

  it('limits non-synchronizing literals to 4096 octets with LITERAL- (RFC 7888)', async () => {
    const client = await TestClient.loggedIn({ literalMinus: true });
    expect(await client.command('a CAPABILITY')).toMatch(/ LITERAL- /);
    client.write(`b APPEND INBOX {5000+}\r\n${'x'.repeat(5000)}\r\nc NOOP\r\n`);
    expect(await client.untilTagged('c')).toBe(
      'b BAD [TOOBIG] Non-synchronizing literals are limited to 4096 octets (LITERAL-)\r\nc OK NOOP completed\r\n',
    );
  });

  it('bounds a MULTIAPPEND as a whole', async () => {
    const client = await TestClient.loggedIn({
      limits: { appendLimit: 1000, maxAppendTotal: 1500 },
    });
    const text = 'x'.repeat(900);
    client.write(`a APPEND INBOX {900+}\r\n${text} {900+}\r\n${text}\r\nb NOOP\r\n`);
    expect(await client.untilTagged('b')).toBe(
      'a NO [TOOBIG] Messages too big together\r\nb OK NOOP completed\r\n',
    );
    expect(await client.command('c STATUS INBOX (MESSAGES)')).toContain('(MESSAGES 0)');
  });

  it('answers an overlong line with BAD and goes on', async () => {
    const client = await TestClient.loggedIn({ limits: { maxLineLength: 200 } });
    client.write(`a SEARCH ${'TEXT x '.repeat(100)}\r\nb NOOP\r\n`);
    expect(await client.untilTagged('b')).toBe(
      'a BAD [TOOBIG] Line too long\r\nb OK NOOP completed\r\n',
    );
  });

  it('closes the connection after too many bad commands in a row', async () => {
    const client = await TestClient.connect({ limits: { maxBadCommands: 3 } });
    client.write('a FOO\r\nb BAR\r\nc BAZ\r\nd NOOP\r\n');
    await client.until((t) => t.endsWith('* BYE Too many invalid commands\r\n'));
    await client.waitClosed();
    expect(client.take()).not.toContain('d OK');
  });

  it('stops reading when input piles up, and reads on once it is served', async () => {
    let paused = 0;
    let resumed = 0;
    const store = new MemoryMailStore();
    const session = new ImapSession(
      { store, directory: await directory(), hostname: 'h', limits: { inputHighWater: 512 } },
      {
        remoteAddress: '192.0.2.1',
        secure: true,
        tlsAvailable: false,
        compressionAvailable: false,
      },
      {
        write: () => new Promise((resolve) => setTimeout(resolve, 1)),
        close: () => {},
        pause: () => void paused++,
        resume: () => void resumed++,
      },
    );
    session.receive(Buffer.from('a NOOP\r\n'.repeat(200)));
    expect(paused).toBe(1);
    expect(resumed).toBe(0);
    for (let i = 0; i < 200 && resumed === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(resumed).toBe(1);
  });
});

describe('the session on hostile input', () => {
  it('never throws, hangs or stops answering on random bytes, logged in or not', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('fuzz') });
    const dir = await directory();
    const tokens = fc.constantFrom(
      'a ',
      'UID ',
      'FETCH 1:* ',
      'SEARCH ',
      'STORE 1 +FLAGS ',
      'APPEND INBOX ',
      'SELECT INBOX',
      'LIST "" *',
      'IDLE',
      'DONE',
      'LOGIN alice wonderland',
      '(',
      ')',
      '"',
      '\\',
      '{3}\r\n',
      '{5+}\r\n',
      '~{2}\r\n',
      '\r\n',
      'BODY[',
      ']',
      '<0.10>',
      'NOT ',
      'OR ',
      '*',
      '\0',
      'AUTHENTICATE PLAIN',
      'COMPRESS DEFLATE',
      'ENABLE IMAP4rev2 ',
      'RENAME a b',
      'CREATE x',
      'DELETE x',
      'EXPUNGE',
      'MOVE 1 x',
      '$',
      'THREAD REFERENCES UTF-8 ALL',
      'SORT (DATE) UTF-8 ALL',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(tokens, fc.string({ maxLength: 8 })), { maxLength: 40 }),
        async (parts) => {
          const client = new TestClient({
            store,
            directory: dir,
            hostname: 'h',
            limits: { maxBadCommands: 1000 },
          });
          await client.session.start();
          client.write('L LOGIN alice wonderland\r\n');
          client.write(parts.join(''));
          // Whatever state it is in, a fresh command still gets an answer (or the session ended cleanly).
          // Enough to end any literal a token announced, an IDLE, an AUTHENTICATE exchange.
          client.write(`\r\n${'x'.repeat(16)}\r\nDONE\r\n*\r\nzz9 NOOP\r\n`);
          await client
            .until((t) => client.closed || /zz9 (OK|BAD|NO)/.test(t), 3000)
            .catch(() => {
              throw new Error(
                `no answer to ${JSON.stringify(parts.join(''))}: ${client.unread().slice(-500)}`,
              );
            });
          client.session.disconnected();
        },
      ),
      { seed: 66, numRuns: Math.min(runs, 100) },
    );
  }, 120_000);
});
