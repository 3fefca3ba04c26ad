import { describe, expect, it } from 'vitest';
import { DEFAULT_RECENT_LOGIN_WINDOW_MS, RecentLogins } from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const MINUTE = 60_000;

describe('RecentLogins (POP3 before SMTP)', () => {
  it('names the user for 30 minutes after a login from the same IP, end exclusive', () => {
    expect(DEFAULT_RECENT_LOGIN_WINDOW_MS).toBe(30 * MINUTE);
    const clock = new ManualClock();
    const logins = new RecentLogins({ clock });
    expect(logins.recent('192.0.2.1')).toBeNull();
    logins.record('192.0.2.1', 'alice@example.com');
    expect(logins.recent('192.0.2.1')).toBe('alice@example.com');
    expect(logins.recent('192.0.2.2')).toBeNull();
    clock.advance(30 * MINUTE - 1);
    expect(logins.recent('192.0.2.1')).toBe('alice@example.com');
    clock.advance(1);
    expect(logins.recent('192.0.2.1')).toBeNull();
    expect(logins.size).toBe(0);
  });

  it('a new login restarts the window and names the latest user', () => {
    const clock = new ManualClock();
    const logins = new RecentLogins({ windowMs: 10 * MINUTE, clock });
    logins.record('192.0.2.1', 'alice');
    clock.advance(8 * MINUTE);
    logins.record('::ffff:192.0.2.1', 'bob');
    clock.advance(8 * MINUTE);
    expect(logins.recent('192.0.2.1')).toBe('bob');
    clock.advance(2 * MINUTE);
    expect(logins.recent('192.0.2.1')).toBeNull();
  });

  it('rejects nonsense options', () => {
    expect(() => new RecentLogins({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new RecentLogins({ maxTracked: 1.5 })).toThrow(RangeError);
  });
});
