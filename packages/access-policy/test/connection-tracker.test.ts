import { describe, expect, it } from 'vitest';
import { ConnectionTracker } from '../src/index.js';

describe('ConnectionTracker', () => {
  it('refuses the connection over the per-IP limit, and frees the slot on release', () => {
    const tracker = new ConnectionTracker({ maxPerIp: 2 });
    const first = tracker.open('192.0.2.1');
    const second = tracker.open('::ffff:192.0.2.1');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(tracker.open('192.0.2.1')).toBeNull();
    expect(tracker.count('192.0.2.1')).toBe(2);
    expect(tracker.open('192.0.2.2')).not.toBeNull();
    expect(tracker.total).toBe(3);
    first!();
    expect(tracker.count('192.0.2.1')).toBe(1);
    expect(tracker.open('192.0.2.1')).not.toBeNull();
  });

  it('release is idempotent', () => {
    const tracker = new ConnectionTracker({ maxPerIp: 5 });
    const a = tracker.open('192.0.2.1')!;
    tracker.open('192.0.2.1');
    a();
    a();
    a();
    expect(tracker.count('192.0.2.1')).toBe(1);
    expect(tracker.total).toBe(1);
  });

  it('forgets an IP when its last connection closes', () => {
    const tracker = new ConnectionTracker({ maxPerIp: 5 });
    const releases = [tracker.open('2001:db8::1')!, tracker.open('2001:DB8:0::1')!];
    expect(tracker.size).toBe(1);
    for (const release of releases) release();
    expect(tracker.size).toBe(0);
    expect(tracker.count('2001:db8::1')).toBe(0);
  });

  it('maxPerIp 0 is unlimited but still counts', () => {
    const tracker = new ConnectionTracker({ maxPerIp: 0 });
    for (let i = 0; i < 500; i++) expect(tracker.open('192.0.2.1')).not.toBeNull();
    expect(tracker.count('192.0.2.1')).toBe(500);
  });

  it('rejects nonsense options', () => {
    expect(() => new ConnectionTracker({ maxPerIp: -1 })).toThrow(RangeError);
    expect(() => new ConnectionTracker({ maxPerIp: 1.5 })).toThrow(RangeError);
  });
});
