import { describe, expect, it } from 'vitest';
import { AuthLockout, DEFAULT_MAX_FAILURES, DEFAULT_UNLOCK_AFTER_MS } from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const MINUTE = 60_000;

describe('AuthLockout', () => {
  it("defaults to Kerio's figure: 5 failures, 20 minutes", () => {
    expect(DEFAULT_MAX_FAILURES).toBe(5);
    expect(DEFAULT_UNLOCK_AFTER_MS).toBe(20 * MINUTE);
    const clock = new ManualClock();
    const lockout = new AuthLockout({ clock });
    const verdicts = Array.from({ length: 5 }, () => lockout.recordFailure('192.0.2.1'));
    expect(verdicts.map((v) => v.failures)).toEqual([1, 2, 3, 4, 5]);
    expect(verdicts.map((v) => v.locked)).toEqual([false, false, false, false, true]);
    expect(lockout.lockedUntil('192.0.2.1')).toBe(clock.time + 20 * MINUTE);
  });

  it('justLocked is true exactly once per lock; failures while locked do not extend it', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 3, unlockAfterMs: 5 * MINUTE, clock });
    lockout.recordFailure('192.0.2.1');
    lockout.recordFailure('192.0.2.1');
    expect(lockout.isLocked('192.0.2.1')).toBe(false);
    expect(lockout.recordFailure('192.0.2.1')).toEqual({
      locked: true,
      justLocked: true,
      failures: 3,
    });
    const until = clock.time + 5 * MINUTE;
    clock.advance(MINUTE);
    expect(lockout.recordFailure('192.0.2.1')).toEqual({
      locked: true,
      justLocked: false,
      failures: 3,
    });
    expect(lockout.recordFailure('192.0.2.1').justLocked).toBe(false);
    expect(lockout.lockedUntil('192.0.2.1')).toBe(until);
    expect(lockout.lockedForMs('192.0.2.1')).toBe(4 * MINUTE);
    expect(lockout.lockedForMs('192.0.2.2')).toBe(0);
    expect(lockout.failures('192.0.2.1')).toBe(3);
  });

  it('unlocks at exactly unlockAfterMs after the locking failure, with the count at zero', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 2, unlockAfterMs: 10 * MINUTE, clock });
    lockout.recordFailure('2001:db8::1');
    lockout.recordFailure('2001:db8::1');
    clock.advance(10 * MINUTE - 1);
    expect(lockout.isLocked('2001:db8::1')).toBe(true);
    clock.advance(1);
    expect(lockout.isLocked('2001:db8::1')).toBe(false);
    expect(lockout.lockedUntil('2001:db8::1')).toBeNull();
    expect(lockout.failures('2001:db8::1')).toBe(0);
    expect(lockout.recordFailure('2001:db8::1')).toEqual({
      locked: false,
      justLocked: false,
      failures: 1,
    });
    expect(lockout.recordFailure('2001:db8::1')).toEqual({
      locked: true,
      justLocked: true,
      failures: 2,
    });
  });

  it('failures age out after unlockAfterMs', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 3, unlockAfterMs: 10 * MINUTE, clock });
    lockout.recordFailure('192.0.2.1'); // t = 0
    clock.advance(6 * MINUTE);
    lockout.recordFailure('192.0.2.1'); // t = 6
    clock.advance(4 * MINUTE); // t = 10: the first failure stops counting now
    expect(lockout.failures('192.0.2.1')).toBe(1);
    expect(lockout.recordFailure('192.0.2.1')).toEqual({
      locked: false,
      justLocked: false,
      failures: 2,
    });
    clock.advance(MINUTE);
    expect(lockout.recordFailure('192.0.2.1').justLocked).toBe(true);
  });

  it('a success clears the count but leaves an active lock', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 3, clock });
    lockout.recordFailure('192.0.2.1');
    lockout.recordFailure('192.0.2.1');
    lockout.recordSuccess('192.0.2.1');
    expect(lockout.failures('192.0.2.1')).toBe(0);
    expect(lockout.recordFailure('192.0.2.1').failures).toBe(1);
    lockout.recordFailure('192.0.2.1');
    lockout.recordFailure('192.0.2.1');
    lockout.recordSuccess('192.0.2.1');
    expect(lockout.isLocked('192.0.2.1')).toBe(true);
    lockout.recordSuccess('198.51.100.1'); // unknown IP: nothing to clear
    expect(lockout.size).toBe(1);
  });

  it('unlockAll lifts every lock (Kerio: "Unlock all accounts now"); unlock lifts one', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 1, clock });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) lockout.recordFailure(ip);
    expect(lockout.isLocked('192.0.2.2')).toBe(true);
    lockout.unlock('192.0.2.1');
    expect(lockout.isLocked('192.0.2.1')).toBe(false);
    expect(lockout.isLocked('192.0.2.2')).toBe(true);
    lockout.unlockAll();
    expect(lockout.isLocked('192.0.2.2')).toBe(false);
    expect(lockout.isLocked('192.0.2.3')).toBe(false);
    expect(lockout.size).toBe(0);
    expect(lockout.recordFailure('192.0.2.2').justLocked).toBe(true);
  });

  it('counts per normalised IP: IPv4-mapped IPv6 and IPv4 are one peer', () => {
    const lockout = new AuthLockout({ maxFailures: 2, clock: new ManualClock() });
    lockout.recordFailure('::ffff:192.0.2.1');
    expect(lockout.recordFailure('192.0.2.1').justLocked).toBe(true);
    expect(lockout.isLocked('::FFFF:c000:201')).toBe(true);
    expect(lockout.isLocked('192.0.2.2')).toBe(false);
    lockout.recordFailure('2001:DB8::1');
    expect(lockout.failures('2001:db8:0:0::1')).toBe(1);
  });

  it('maxFailures 0 turns the lockout off', () => {
    const lockout = new AuthLockout({ maxFailures: 0, clock: new ManualClock() });
    for (let i = 0; i < 100; i++) {
      expect(lockout.recordFailure('192.0.2.1')).toEqual({
        locked: false,
        justLocked: false,
        failures: 0,
      });
    }
    expect(lockout.isLocked('192.0.2.1')).toBe(false);
    expect(lockout.size).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new AuthLockout({ maxFailures: -1 })).toThrow(RangeError);
    expect(() => new AuthLockout({ maxFailures: 2.5 })).toThrow(RangeError);
    expect(() => new AuthLockout({ unlockAfterMs: 0 })).toThrow(RangeError);
    expect(() => new AuthLockout({ unlockAfterMs: Number.NaN })).toThrow(RangeError);
    expect(() => new AuthLockout({ maxTracked: 0 })).toThrow(RangeError);
  });

  it('uses the system clock when none is injected', () => {
    const lockout = new AuthLockout({ maxFailures: 1 });
    const before = Date.now();
    lockout.recordFailure('192.0.2.1');
    const until = lockout.lockedUntil('192.0.2.1');
    expect(until).toBeGreaterThanOrEqual(before + DEFAULT_UNLOCK_AFTER_MS);
    expect(until).toBeLessThanOrEqual(Date.now() + DEFAULT_UNLOCK_AFTER_MS);
  });
});
