// The login guard of servers over one PostgreSQL: failures counted in the database lock an
// address on every server; with the database unreachable, each server counts on its own, so a
// login is neither let through unchecked nor refused for the outage alone.
import { AuthLockout, LoginGuard } from '@mailyard/access-policy';
import { PostgresServerState } from '@mailyard/mailstore-postgres';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SharedLoginGuard } from '../src/shared-login-guard.js';

const MINUTE = 60_000;
let time = Date.parse('2026-12-06T00:00:00Z');
const clock = { now: () => time };

describeWithPostgres('SharedLoginGuard', () => {
  const server = new PostgresServer();
  let schemas = 0;
  const opened: PostgresServerState[] = [];
  const notes: string[] = [];

  beforeAll(async () => {
    await server.start();
  }, 60_000);
  afterEach(async () => {
    for (const state of opened.splice(0)) await state.close();
    notes.splice(0);
    waits.splice(0);
  });
  afterAll(async () => {
    await server.close();
  });

  /**
   * Two servers' guards over one fresh schema, each with its own local guard (5 in 20 min);
   * with `throttled`, the account throttle in the database: two free attempts, then 1 s
   * doubling, refused past 1.5 s of waiting. Waits are recorded, not slept.
   */
  const waits: number[] = [];
  async function twoGuards(throttled = false) {
    const schema = `guard_${++schemas}`;
    const states = await Promise.all(
      [0, 1].map(() =>
        PostgresServerState.open({
          url: server.url(),
          schema,
          reconnectDelayMs: 0,
          connectTimeoutSeconds: 2,
        }),
      ),
    );
    opened.push(...states);
    return states.map(
      (state) =>
        new SharedLoginGuard({
          local: new LoginGuard({
            addressLockout: new AuthLockout({ maxFailures: 5, unlockAfterMs: 20 * MINUTE, clock }),
          }),
          failures: state.loginFailures,
          addressLimits: { maxFailures: 5, windowMs: 20 * MINUTE },
          accountLimits: { maxFailures: 10, windowMs: 20 * MINUTE },
          throttle: throttled
            ? {
                store: state.loginThrottle,
                rules: {
                  delayAfter: (attempts: number) =>
                    attempts < 2 ? 0 : Math.min(10_000, 1_000 * 2 ** (attempts - 2)),
                  maxWaitMs: 1_500,
                  forgetAfterMs: 60 * MINUTE,
                },
                knownForMs: 30 * 1440 * MINUTE,
              }
            : null,
          sleep: async (ms: number) => {
            waits.push(ms);
          },
          accountOf: async (login) => login.toLowerCase(),
          clock,
          logger: {
            info: (message) => notes.push(`info: ${message}`),
            warn: (message) => notes.push(`warn: ${message}`),
            error: (message) => notes.push(`error: ${message}`),
          },
        }),
    ) as [SharedLoginGuard, SharedLoginGuard];
  }

  it('locks an address on both servers after five failures in all, reported once', async () => {
    const [a, b] = await twoGuards();
    const verdicts = [];
    for (const guard of [a, b, a, b, a]) {
      expect(await guard.admit('192.0.2.7', 'alice')).toBeNull();
      verdicts.push(await guard.recordFailure('192.0.2.7', 'alice'));
    }
    expect(verdicts.map((verdict) => verdict.justLocked)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    // b saw two failures itself; the lock is the database's.
    expect(await b.admit('192.0.2.7', 'alice')).toMatchObject({ reason: 'address-locked' });
    // Once b has seen the lock, it refuses before the exchange too (checkAddress cannot wait).
    expect(b.checkAddress('192.0.2.7')).toMatchObject({ reason: 'address-locked' });
    expect(await a.admit('192.0.2.8', 'alice')).toBeNull();
    time += 20 * MINUTE + 1;
    expect(await b.admit('192.0.2.7', 'alice')).toBeNull();
    expect(b.checkAddress('192.0.2.7')).toBeNull();
  });

  it('locks an account after its failures from any address on any server', async () => {
    const [a, b] = await twoGuards();
    for (let i = 0; i < 10; i++) {
      const guard = i % 2 === 0 ? a : b;
      await guard.recordFailure(`198.51.100.${i}`, 'Carol');
    }
    expect(await a.admit('203.0.113.1', 'carol')).toMatchObject({ reason: 'account-locked' });
    expect(await b.admit('203.0.113.2', 'CAROL')).toMatchObject({ reason: 'account-locked' });
  });

  it('puts attempts on one account from unknown addresses in one line across the servers', async () => {
    const [a, b] = await twoGuards(true);
    const verdicts = [];
    for (const [i, guard] of [a, b, a, b].entries()) {
      verdicts.push(await guard.admit(`198.51.100.${i + 10}`, 'grace'));
    }
    // Two free, the third waits its second, the fourth would wait 3 s: refused. Per server,
    // each would have had two free attempts and none would wait.
    expect(verdicts.slice(0, 3)).toEqual([null, null, null]);
    expect(verdicts[3]).toMatchObject({ reason: 'throttled' });
    expect(waits).toEqual([1_000]);
    // The owner's address, known through a login on a, is not throttled on b.
    await a.recordSuccess('203.0.113.50', 'grace');
    for (let i = 0; i < 5; i++) await a.admit(`198.51.100.${i + 20}`, 'grace');
    expect(await b.admit('203.0.113.50', 'grace')).toBeNull();
    expect(await b.admit('198.51.100.30', 'grace')).toMatchObject({ reason: 'throttled' });
  });

  it('with the database down, counts on its own: neither unchecked nor everyone refused', async () => {
    const [a] = await twoGuards();
    await a.recordFailure('192.0.2.30', 'dave');
    await server.stop();
    try {
      // Nobody is refused for the outage itself.
      expect(await a.admit('192.0.2.31', 'erin')).toBeNull();
      // Failures still count, on this server: the fifth locks the address here.
      const verdicts = [];
      for (let i = 0; i < 5; i++) verdicts.push(await a.recordFailure('192.0.2.32', 'frank'));
      expect(verdicts.map((verdict) => verdict.justLocked)).toEqual([
        false,
        false,
        false,
        false,
        true,
      ]);
      expect(await a.admit('192.0.2.32', 'frank')).toMatchObject({ reason: 'address-locked' });
      expect(a.checkAddress('192.0.2.32')).toMatchObject({ reason: 'address-locked' });
      expect(await a.admit('192.0.2.33', 'frank')).toBeNull();
      await a.recordSuccess('192.0.2.33', 'frank');
      // Said once, not once per login.
      expect(notes.filter((note) => note.startsWith('warn:'))).toHaveLength(1);
      expect(notes[0]).toMatch(/database cannot be reached.*counts failed logins on its own/);
    } finally {
      await server.start();
    }
    // Back: counted in the database again, and said so.
    await a.recordFailure('192.0.2.30', 'dave');
    expect(notes.at(-1)).toMatch(/^info: .*answers again/);
    const [row] = await opened[0]!.loginFailures
      .recordFailure('address', '192.0.2.30', { maxFailures: 5, windowMs: 20 * MINUTE }, time)
      .then((verdict) => [verdict]);
    // The one before the outage, the one after it, and this one.
    expect(row!.failures).toBe(3);
  }, 60_000);
});
