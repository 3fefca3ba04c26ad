import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { LiteralBudget } from '../../src/index.js';
import { ALICE, BOB, TestClient, directory } from './harness.js';

/** Two sessions of one server: same store, same directory, same budget. */
async function twoSessions(budget: LiteralBudget, second = ALICE) {
  const store = new MemoryMailStore();
  const options = { store, directory: await directory(), literalBudget: budget };
  const first = await TestClient.loggedIn(options);
  const other = await TestClient.loggedIn(
    options,
    second,
    second === ALICE ? 'wonderland' : 'builder',
  );
  return { store, first, other };
}

/**
 * The session gives a command's reservation back just after its tagged reply, once the promises
 * in between have run: the in-memory transport and store do no I/O, so one turn of the event
 * loop is all it takes.
 */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const body = (size: number) => `Subject: x\r\n\r\n${'y'.repeat(size - 15)}\r\n`.slice(0, size);

describe('the in-flight literal budget', () => {
  it('refuses a literal that would take a user past it before the +, and takes it once freed', async () => {
    const budget = new LiteralBudget({ perUser: 1000, perServer: 0 });
    const { first, other } = await twoSessions(budget);
    first.write('a APPEND INBOX {800}\r\n');
    await first.until((text) => text === '+ Ready for literal data\r\n');
    first.take();
    expect(budget.reservedBy(ALICE)).toBe(800);
    expect(await other.command('b APPEND INBOX {300}')).toBe(
      'b NO [LIMIT] Too much mail in transit for this user, try again later\r\n',
    );
    first.write(`${body(800)}\r\n`);
    expect(await first.untilTagged('a')).toMatch(/^a OK \[APPENDUID/);
    await settled();
    expect(budget.reserved).toBe(0);
    other.write('c APPEND INBOX {300}\r\n');
    await other.until((text) => text === '+ Ready for literal data\r\n');
    other.take();
    other.write(`${body(300)}\r\n`);
    expect(await other.untilTagged('c')).toMatch(/^c OK \[APPENDUID/);
    await settled();
    expect(budget.reserved).toBe(0);
  });

  it('is shared by all users up to the server limit', async () => {
    const budget = new LiteralBudget({ perUser: 0, perServer: 1000 });
    const { first, other } = await twoSessions(budget, BOB);
    first.write('a APPEND INBOX {800}\r\n');
    await first.until((text) => text === '+ Ready for literal data\r\n');
    expect(await other.command('b APPEND INBOX {300}')).toBe(
      'b NO [LIMIT] Server busy receiving mail, try again later\r\n',
    );
    expect(budget.reservedBy(BOB)).toBe(0);
    expect(budget.reserved).toBe(800);
  });

  it('skips a refused LITERAL+ literal without keeping it, and goes on', async () => {
    const budget = new LiteralBudget({ perUser: 500, perServer: 0 });
    const { store, first } = await twoSessions(budget);
    first.write(`a APPEND INBOX {600+}\r\n${body(600)}\r\nb NOOP\r\n`);
    expect(await first.untilTagged('b')).toBe(
      'a NO [LIMIT] Too much mail in transit for this user, try again later\r\nb OK NOOP completed\r\n',
    );
    await settled();
    expect(budget.reserved).toBe(0);
    expect(
      (
        await store
          .access(ALICE)
          .open('INBOX')
          .then((box) => box.status())
      ).messages,
    ).toBe(0);
  });

  it('stops a MULTIAPPEND at the message that does not fit, and gives back the ones before', async () => {
    const budget = new LiteralBudget({ perUser: 1000, perServer: 0 });
    const { store, first } = await twoSessions(budget);
    first.write(`a APPEND INBOX {400+}\r\n${body(400)} {400+}\r\n${body(400)} {400+}\r\n`);
    first.write(`${body(400)}\r\nb NOOP\r\n`);
    expect(await first.untilTagged('b')).toBe(
      'a NO [LIMIT] Too much mail in transit for this user, try again later\r\nb OK NOOP completed\r\n',
    );
    await settled();
    expect(budget.reserved).toBe(0);
    expect(
      (
        await store
          .access(ALICE)
          .open('INBOX')
          .then((box) => box.status())
      ).messages,
    ).toBe(0);
  });

  it('gives back what a command reserved when the command fails', async () => {
    const budget = new LiteralBudget({ perUser: 1000, perServer: 1000 });
    const { first } = await twoSessions(budget);
    expect(await first.command(`a APPEND Nowhere {100+}\r\n${body(100)}`)).toBe(
      'a NO [TRYCREATE] Mailbox does not exist\r\n',
    );
    expect(await first.command(`b APPEND INBOX (\\Bogus) {100+}\r\n${body(100)}`)).toMatch(
      /^b BAD /,
    );
    await settled();
    expect(budget.reserved).toBe(0);
  });

  it('gives back a literal cut off by a disconnect', async () => {
    const budget = new LiteralBudget({ perUser: 1000, perServer: 1000 });
    const { first } = await twoSessions(budget);
    first.write('a APPEND INBOX {800}\r\n');
    await first.until((text) => text === '+ Ready for literal data\r\n');
    first.write(body(800).slice(0, 300));
    expect(budget.reserved).toBe(800);
    first.session.disconnected();
    await settled();
    expect(budget.reserved).toBe(0);
  });

  it('counts pre-login literals against the server limit only', async () => {
    const budget = new LiteralBudget({ perUser: 1, perServer: 0 });
    const client = await TestClient.connect({ literalBudget: budget });
    expect(await client.command('a LOGIN {17+}\r\nalice@example.com wonderland')).toMatch(/^a OK /);
    await settled();
    expect(budget.reserved).toBe(0);
  });
});
