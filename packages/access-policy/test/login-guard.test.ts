import { describe, expect, it } from 'vitest';
import {
  AccountThrottle,
  AuthLockout,
  KnownAddresses,
  LoginGuard,
  type LoginGuardOptions,
} from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** A guard on a fake clock; its sleeps are recorded, and advance the clock when `passTime`. */
function guardOn(clock: ManualClock, options: LoginGuardOptions = {}, passTime = true) {
  const sleeps: number[] = [];
  const guard = new LoginGuard({
    addressLockout: new AuthLockout({ clock }),
    throttle: new AccountThrottle({
      freeAttempts: 3,
      baseDelayMs: SECOND,
      maxDelayMs: 8 * SECOND,
      maxWaitMs: 20 * SECOND,
      clock,
    }),
    knownAddresses: new KnownAddresses({ clock }),
    sleep: async (ms) => {
      sleeps.push(ms);
      if (passTime) clock.advance(ms);
    },
    ...options,
  });
  return { guard, sleeps };
}

/** 127.0.0.2 ... 127.0.0.21, the end-to-end test's attackers. */
const ATTACKERS = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`);

describe('LoginGuard', () => {
  it('80 guesses at one account from 20 addresses arriving together: spaced out or refused', async () => {
    const clock = new ManualClock();
    const { guard, sleeps } = guardOn(clock, {}, false);
    const verdicts = await Promise.all(
      Array.from({ length: 80 }, (_, i) => guard.admit(ATTACKERS[i % 20]!, 'alice@example.com')),
    );
    // Each address tried 4 times, under the per-IP lockout's 5: only the account saw the attack.
    const admitted = verdicts.filter((v) => v === null).length;
    expect(admitted).toBe(7);
    // Three free, then 1 s, 3 s, 7 s and 15 s in; the next would be 23 s away, past the bound.
    expect(sleeps).toEqual([1, 3, 7, 15].map((s) => s * SECOND));
    expect(verdicts.filter((v) => v !== null)).toEqual(
      Array.from({ length: 73 }, () => ({ reason: 'throttled', retryAfterMs: 3 * SECOND })),
    );
  });

  it('a sequential attacker gets one guess per delay, however many addresses it has', async () => {
    const clock = new ManualClock();
    const { guard } = guardOn(clock);
    const begin = clock.time;
    const checked: number[] = [];
    for (let i = 0; i < 80; i++) {
      const ip = ATTACKERS[i % 20]!;
      if ((await guard.admit(ip, 'alice@example.com')) !== null) continue;
      checked.push((clock.time - begin) / SECOND);
      await guard.recordFailure(ip, 'alice@example.com');
    }
    // With no time passing between guesses but the waits: 0, 0, 0, 1, 3, 7, 15, then 8 s apart.
    expect(checked.slice(0, 9)).toEqual([0, 0, 0, 1, 3, 7, 15, 23, 31]);
    expect(checked).toHaveLength(80);
    expect(checked.at(-1)).toBe(15 + 8 * 73);
  });

  it('never delays the owner at an address it logged in from, during an attack', async () => {
    const clock = new ManualClock();
    const { guard, sleeps } = guardOn(clock, {}, false);
    await expect(guard.admit('192.0.2.1', 'alice@example.com')).resolves.toBeNull();
    await guard.recordSuccess('192.0.2.1', 'alice@example.com');
    await Promise.all(ATTACKERS.map((ip) => guard.admit(ip, 'alice@example.com')));
    // The line is full: an unknown address is refused, the owner's address goes straight in.
    await expect(guard.admit('198.51.100.9', 'alice@example.com')).resolves.toMatchObject({
      reason: 'throttled',
    });
    const before = sleeps.length;
    for (let i = 0; i < 10; i++) {
      await expect(guard.admit('192.0.2.1', 'alice@example.com')).resolves.toBeNull();
      await guard.recordFailure('192.0.2.1', 'alice@example.com');
      await guard.recordSuccess('192.0.2.1', 'alice@example.com');
    }
    expect(sleeps).toHaveLength(before);
  });

  it('a good login from a new address ends the line; from a known one it does not', async () => {
    const clock = new ManualClock();
    const { guard, sleeps } = guardOn(clock, {}, false);
    await guard.recordSuccess('192.0.2.1', 'alice@example.com');
    for (let i = 0; i < 6; i++) await guard.admit('203.0.113.1', 'alice@example.com');
    // The owner at home: the attacker's line stays as it is.
    await guard.recordSuccess('192.0.2.1', 'alice@example.com');
    await guard.admit('203.0.113.1', 'alice@example.com');
    expect(sleeps.at(-1)).toBe(15 * SECOND);
    // The owner on a new phone: the line starts again, and the phone is known from now on.
    await guard.recordSuccess('198.51.100.7', 'alice@example.com');
    const before = sleeps.length;
    for (let i = 0; i < 3; i++) await guard.admit('203.0.113.1', 'alice@example.com');
    expect(sleeps).toHaveLength(before);
  });

  it('one account however the login is written, with the default accountOf', async () => {
    const clock = new ManualClock();
    const { guard, sleeps } = guardOn(clock, {}, false);
    for (const login of ['Alice', 'alice ', 'ALICE', 'alice'])
      await guard.admit('203.0.113.1', login);
    expect(sleeps).toEqual([SECOND]);
  });

  it('asks accountOf which account a login is, so aliases share a line', async () => {
    const clock = new ManualClock();
    const ids: Record<string, string> = {
      alice: 'alice@example.com',
      'a@example.com': 'alice@example.com',
    };
    const { guard, sleeps } = guardOn(
      clock,
      { accountOf: async (login) => ids[login.toLowerCase()] ?? login.toLowerCase() },
      false,
    );
    for (const login of ['alice', 'a@example.com', 'ALICE', 'alice@example.com']) {
      await guard.admit('203.0.113.1', login);
    }
    expect(sleeps).toEqual([SECOND]);
  });

  it('refuses a locked address before anything, and counts failures per address', async () => {
    const clock = new ManualClock();
    const { guard } = guardOn(clock, {
      addressLockout: new AuthLockout({ maxFailures: 2, unlockAfterMs: 10 * MINUTE, clock }),
    });
    expect(guard.checkAddress('203.0.113.1')).toBeNull();
    await expect(guard.recordFailure('203.0.113.1', null)).resolves.toEqual({
      justLocked: false,
      accountJustLocked: false,
    });
    await expect(guard.recordFailure('203.0.113.1', 'bob')).resolves.toEqual({
      justLocked: true,
      accountJustLocked: false,
    });
    const locked = { reason: 'address-locked', retryAfterMs: 10 * MINUTE };
    expect(guard.checkAddress('::ffff:203.0.113.1')).toEqual(locked);
    await expect(guard.admit('203.0.113.1', 'alice')).resolves.toEqual(locked);
    await expect(guard.admit('203.0.113.2', 'alice')).resolves.toBeNull();
  });

  it('Kerio 7.1 account lockout: failures from any address lock the account for everyone', async () => {
    const clock = new ManualClock();
    const { guard } = guardOn(clock, {
      accountLockout: new AuthLockout({ maxFailures: 3, unlockAfterMs: 5 * MINUTE, clock }),
    });
    await guard.recordSuccess('192.0.2.1', 'alice');
    const verdicts = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      verdicts.push(await guard.recordFailure(ip, 'ALICE'));
    }
    expect(verdicts.map((v) => v.accountJustLocked)).toEqual([false, false, true]);
    // Even the owner's own address: that is why it is off unless configured.
    await expect(guard.admit('192.0.2.1', 'alice')).resolves.toEqual({
      reason: 'account-locked',
      retryAfterMs: 5 * MINUTE,
    });
    await expect(guard.admit('192.0.2.1', 'bob')).resolves.toBeNull();
    clock.advance(5 * MINUTE);
    await expect(guard.admit('192.0.2.1', 'alice')).resolves.toBeNull();
  });

  it('re-checks the locks after a wait: the account may have been locked meanwhile', async () => {
    const clock = new ManualClock();
    const accountLockout = new AuthLockout({ maxFailures: 1, clock });
    let guard: LoginGuard | null = null;
    guard = new LoginGuard({
      accountLockout,
      throttle: new AccountThrottle({ freeAttempts: 1, clock }),
      sleep: async (ms) => {
        clock.advance(ms);
        await guard!.recordFailure('203.0.113.9', 'alice');
      },
    });
    await expect(guard.admit('203.0.113.1', 'alice')).resolves.toBeNull();
    await expect(guard.admit('203.0.113.2', 'alice')).resolves.toMatchObject({
      reason: 'account-locked',
    });
  });

  it('unlockAll lifts address and account locks and empties the lines', async () => {
    const clock = new ManualClock();
    const { guard, sleeps } = guardOn(
      clock,
      {
        addressLockout: new AuthLockout({ maxFailures: 1, clock }),
        accountLockout: new AuthLockout({ maxFailures: 1, clock }),
      },
      false,
    );
    await guard.recordFailure('203.0.113.1', 'alice');
    for (let i = 0; i < 4; i++) await guard.admit('203.0.113.2', 'bob');
    expect(sleeps).toEqual([SECOND]);
    guard.unlockAll();
    expect(guard.checkAddress('203.0.113.1')).toBeNull();
    await expect(guard.admit('203.0.113.1', 'alice')).resolves.toBeNull();
    await guard.admit('203.0.113.2', 'bob');
    expect(sleeps).toEqual([SECOND]);
  });

  it('without parts it guards nothing, and waits with a real timer by default', async () => {
    const guard = new LoginGuard();
    expect(guard.checkAddress('203.0.113.1')).toBeNull();
    await expect(guard.recordFailure('203.0.113.1', 'alice')).resolves.toEqual({
      justLocked: false,
      accountJustLocked: false,
    });
    const timed = new LoginGuard({
      throttle: new AccountThrottle({ freeAttempts: 1, baseDelayMs: 20, maxDelayMs: 20 }),
    });
    await timed.admit('203.0.113.1', 'alice');
    const started = performance.now();
    await expect(timed.admit('203.0.113.1', 'alice')).resolves.toBeNull();
    // Not a performance bound: the second attempt must not have skipped its 20 ms turn.
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });
});
