import { describe, expect, it } from 'vitest';
import {
  AccountThrottle,
  AuthLockout,
  ConnectionTracker,
  HarvestGuard,
  KnownAddresses,
  RateWindow,
  RecentLogins,
} from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const DISTINCT = 1_000_000;
const MAX_TRACKED = 10_000;
const ip = (n: number): string => `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** Touches a million distinct IPs, one a millisecond, checking the size as it goes. */
function sprayDistinctIps(
  touch: (ip: string) => void,
  size: () => number,
  clock: ManualClock,
): number {
  let largest = 0;
  for (let n = 0; n < DISTINCT; n++) {
    touch(ip(n));
    clock.advance(1);
    if (n % 1000 === 0) largest = Math.max(largest, size());
  }
  return Math.max(largest, size());
}

describe('memory stays bounded under a million distinct IPs (maxTracked 10,000)', () => {
  it('AuthLockout', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (a) => lockout.recordFailure(a),
        () => lockout.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
    // The newest are remembered, the oldest evicted.
    expect(lockout.failures(ip(DISTINCT - 1))).toBe(1);
    expect(lockout.failures(ip(0))).toBe(0);
  }, 60_000);

  it('RecentLogins', () => {
    const clock = new ManualClock();
    const logins = new RecentLogins({ clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (a) => logins.record(a, 'u'),
        () => logins.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
    expect(logins.recent(ip(DISTINCT - 1))).toBe('u');
    expect(logins.recent(ip(DISTINCT - MAX_TRACKED - 1))).toBeNull();
  }, 60_000);

  it('RateWindow, and each key holds at most limit timestamps', () => {
    const clock = new ManualClock();
    const rate = new RateWindow({ limit: 50, windowMs: 3_600_000, clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (a) => rate.tryTake(a),
        () => rate.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
    for (let i = 0; i < 10_000; i++) rate.tryTake('192.0.2.1');
    expect(rate.count('192.0.2.1')).toBe(50);
  }, 60_000);

  it('HarvestGuard', () => {
    const clock = new ManualClock();
    const guard = new HarvestGuard({ clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (a) => guard.recordUnknown(a),
        () => guard.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
  }, 60_000);

  it('AccountThrottle, under a million distinct login names', () => {
    const clock = new ManualClock();
    const throttle = new AccountThrottle({ clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (name) => throttle.reserve(`user-${name}`),
        () => throttle.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
    expect(throttle.attempts(`user-${ip(DISTINCT - 1)}`)).toBe(1);
    expect(throttle.attempts(`user-${ip(0)}`)).toBe(0);
  }, 60_000);

  it('KnownAddresses', () => {
    const clock = new ManualClock();
    const known = new KnownAddresses({ clock, maxTracked: MAX_TRACKED });
    expect(
      sprayDistinctIps(
        (a) => known.record('alice@example.com', a),
        () => known.size,
        clock,
      ),
    ).toBe(MAX_TRACKED);
    expect(known.isKnown('alice@example.com', ip(DISTINCT - 1))).toBe(true);
    expect(known.isKnown('alice@example.com', ip(0))).toBe(false);
  }, 60_000);

  it('ConnectionTracker keeps only IPs with open connections', () => {
    const tracker = new ConnectionTracker({ maxPerIp: 20 });
    let largest = 0;
    const open: (() => void)[] = [];
    for (let n = 0; n < DISTINCT; n++) {
      open.push(tracker.open(ip(n))!);
      // At most 100 connections open at once, as a server would have sockets.
      if (open.length > 100) open.shift()!();
      largest = Math.max(largest, tracker.size);
    }
    expect(largest).toBe(100); // measured after the oldest of 101 closed
    for (const release of open) release();
    expect(tracker.size).toBe(0);
    expect(tracker.total).toBe(0);
  }, 60_000);
});

describe('expired entries drain lazily, without a timer', () => {
  it('writes after the window prune the idle entries in front', () => {
    const clock = new ManualClock();
    const logins = new RecentLogins({ windowMs: 1000, clock, maxTracked: MAX_TRACKED });
    for (let n = 0; n < 5000; n++) logins.record(ip(n), 'u');
    expect(logins.size).toBe(5000);
    clock.advance(1000);
    // Each write inspects a few of the oldest entries: 2,000 writes drain the 5,000 idle ones.
    for (let n = 0; n < 2000; n++) logins.record(ip(100_000 + n), 'v');
    expect(logins.size).toBe(2000);
  });

  it('a lockout that has run out is dropped when read', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 1, unlockAfterMs: 1000, clock });
    lockout.recordFailure('192.0.2.1');
    expect(lockout.size).toBe(1);
    clock.advance(1000);
    expect(lockout.isLocked('192.0.2.1')).toBe(false);
    expect(lockout.size).toBe(0);
  });

  it('at the cap, the least recently written IP is the one evicted', () => {
    const clock = new ManualClock();
    const lockout = new AuthLockout({ maxFailures: 3, clock, maxTracked: 3 });
    lockout.recordFailure('192.0.2.1');
    lockout.recordFailure('192.0.2.2');
    lockout.recordFailure('192.0.2.3');
    lockout.recordFailure('192.0.2.1'); // now the most recent
    lockout.recordFailure('192.0.2.4'); // evicts .2
    expect(lockout.size).toBe(3);
    expect(lockout.failures('192.0.2.1')).toBe(2);
    expect(lockout.failures('192.0.2.2')).toBe(0);
    expect(lockout.failures('192.0.2.3')).toBe(1);
    expect(lockout.failures('192.0.2.4')).toBe(1);
  });
});
