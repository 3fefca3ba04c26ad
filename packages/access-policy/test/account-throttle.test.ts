import { describe, expect, it } from 'vitest';
import {
  AccountThrottle,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_FREE_ATTEMPTS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_WAIT_MS,
  KnownAddresses,
} from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

describe('AccountThrottle', () => {
  it('defaults: 5 free attempts, then 1 s doubling up to 5 minutes; waits over 30 s refused', () => {
    expect(DEFAULT_FREE_ATTEMPTS).toBe(5);
    expect(DEFAULT_BASE_DELAY_MS).toBe(SECOND);
    expect(DEFAULT_MAX_DELAY_MS).toBe(5 * MINUTE);
    expect(DEFAULT_MAX_WAIT_MS).toBe(30 * SECOND);
    const throttle = new AccountThrottle({ clock: new ManualClock() });
    expect([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 100].map((n) => throttle.delayAfter(n))).toEqual([
      0,
      0,
      0,
      0,
      SECOND,
      2 * SECOND,
      4 * SECOND,
      128 * SECOND,
      256 * SECOND,
      5 * MINUTE,
      5 * MINUTE,
    ]);
  });

  it('spaces attempts that arrive together, and refuses those beyond the longest wait', () => {
    const clock = new ManualClock();
    const throttle = new AccountThrottle({
      freeAttempts: 3,
      baseDelayMs: SECOND,
      maxDelayMs: 16 * SECOND,
      maxWaitMs: 20 * SECOND,
      clock,
    });
    const verdicts = Array.from({ length: 10 }, () => throttle.reserve('alice'));
    // Three at once; then 1 s after the third, 2 s after that, 4, 8: the fifth starts at 3 s,
    // the sixth at 7 s, the seventh at 15 s; the eighth would start at 31 s, past the 20 s bound.
    expect(verdicts).toEqual([
      { admitted: true, waitMs: 0 },
      { admitted: true, waitMs: 0 },
      { admitted: true, waitMs: 0 },
      { admitted: true, waitMs: SECOND },
      { admitted: true, waitMs: 3 * SECOND },
      { admitted: true, waitMs: 7 * SECOND },
      { admitted: true, waitMs: 15 * SECOND },
      { admitted: false, retryAfterMs: 11 * SECOND },
      { admitted: false, retryAfterMs: 11 * SECOND },
      { admitted: false, retryAfterMs: 11 * SECOND },
    ]);
    // Refused attempts took no place: 11 s on, the next one waits exactly the bound.
    expect(throttle.attempts('alice')).toBe(7);
    clock.advance(11 * SECOND);
    expect(throttle.reserve('alice')).toEqual({ admitted: true, waitMs: 20 * SECOND });
    // Other accounts have lines of their own.
    expect(throttle.reserve('bob')).toEqual({ admitted: true, waitMs: 0 });
  });

  it('caps the delay, so a patient attacker gets one attempt per maxDelayMs, no more', () => {
    const clock = new ManualClock();
    const throttle = new AccountThrottle({
      freeAttempts: 1,
      baseDelayMs: SECOND,
      maxDelayMs: 4 * SECOND,
      maxWaitMs: MINUTE,
      clock,
    });
    const starts: number[] = [];
    const begin = clock.time;
    for (let i = 0; i < 8; i++) {
      const verdict = throttle.reserve('alice');
      if (!verdict.admitted) throw new Error('refused');
      clock.advance(verdict.waitMs);
      starts.push(clock.time - begin);
    }
    expect(starts).toEqual([0, 1, 3, 7, 11, 15, 19, 23].map((s) => s * SECOND));
  });

  it('forgets an account forgetAfterMs after its line was last due; reset ends a line', () => {
    const clock = new ManualClock();
    const throttle = new AccountThrottle({
      freeAttempts: 1,
      baseDelayMs: SECOND,
      forgetAfterMs: 10 * MINUTE,
      clock,
    });
    throttle.reserve('alice');
    throttle.reserve('alice'); // starts 1 s from now; the next is due 2 s after that
    clock.advance(3 * SECOND + 10 * MINUTE - 1);
    expect(throttle.attempts('alice')).toBe(2);
    clock.advance(1);
    expect(throttle.attempts('alice')).toBe(0);
    expect(throttle.size).toBe(0);
    throttle.reserve('alice');
    throttle.reserve('alice');
    throttle.reset('alice');
    expect(throttle.reserve('alice')).toEqual({ admitted: true, waitMs: 0 });
    throttle.resetAll();
    expect(throttle.size).toBe(0);
  });

  it('freeAttempts 0 turns it off', () => {
    const throttle = new AccountThrottle({ freeAttempts: 0, clock: new ManualClock() });
    expect(throttle.enabled).toBe(false);
    for (let i = 0; i < 100; i++)
      expect(throttle.reserve('alice')).toEqual({ admitted: true, waitMs: 0 });
    expect(throttle.size).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new AccountThrottle({ freeAttempts: -1 })).toThrow(RangeError);
    expect(() => new AccountThrottle({ baseDelayMs: 0 })).toThrow(RangeError);
    expect(() => new AccountThrottle({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
    expect(() => new AccountThrottle({ maxWaitMs: Number.NaN })).toThrow(RangeError);
    expect(() => new AccountThrottle({ forgetAfterMs: -1 })).toThrow(RangeError);
    expect(() => new AccountThrottle({ maxTracked: 0 })).toThrow(RangeError);
  });
});

describe('KnownAddresses', () => {
  it('knows an address for knownForMs after each login, per account, however it is written', () => {
    const clock = new ManualClock();
    const known = new KnownAddresses({ knownForMs: 7 * 24 * 60 * MINUTE, clock });
    known.record('alice@example.com', '::ffff:192.0.2.1');
    expect(known.isKnown('alice@example.com', '192.0.2.1')).toBe(true);
    expect(known.isKnown('bob@example.com', '192.0.2.1')).toBe(false);
    expect(known.isKnown('alice@example.com', '192.0.2.2')).toBe(false);
    clock.advance(6 * 24 * 60 * MINUTE);
    known.record('alice@example.com', '192.0.2.1');
    clock.advance(6 * 24 * 60 * MINUTE);
    expect(known.isKnown('alice@example.com', '192.0.2.1')).toBe(true);
    clock.advance(24 * 60 * MINUTE);
    expect(known.isKnown('alice@example.com', '192.0.2.1')).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => new KnownAddresses({ knownForMs: 0 })).toThrow(RangeError);
    expect(() => new KnownAddresses({ maxTracked: 0 })).toThrow(RangeError);
  });
});
