import { describe, expect, it } from 'vitest';
import { RateWindow } from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const HOUR = 3_600_000;

describe('RateWindow', () => {
  it('allows limit events per rolling window, refusing without counting', () => {
    const clock = new ManualClock();
    const rate = new RateWindow({ limit: 3, windowMs: HOUR, clock });
    expect([
      rate.tryTake('192.0.2.1'),
      rate.tryTake('192.0.2.1'),
      rate.tryTake('192.0.2.1'),
    ]).toEqual([true, true, true]);
    expect(rate.tryTake('192.0.2.1')).toBe(false);
    expect(rate.tryTake('192.0.2.1')).toBe(false);
    expect(rate.count('192.0.2.1')).toBe(3);
    expect(rate.tryTake('192.0.2.2')).toBe(true);
  });

  it('frees a slot at exactly windowMs after the event that took it', () => {
    const clock = new ManualClock();
    const start = clock.time;
    const rate = new RateWindow({ limit: 2, windowMs: HOUR, clock });
    rate.tryTake('k'); // t = 0
    clock.advance(HOUR / 2);
    rate.tryTake('k'); // t = 30 min
    expect(rate.nextAllowedAt('k')).toBe(start + HOUR);
    clock.time = start + HOUR - 1;
    expect(rate.tryTake('k')).toBe(false);
    expect(rate.count('k')).toBe(2);
    clock.time = start + HOUR;
    expect(rate.count('k')).toBe(1);
    expect(rate.tryTake('k')).toBe(true); // the t = 0 slot, reused
    expect(rate.tryTake('k')).toBe(false);
    expect(rate.nextAllowedAt('k')).toBe(start + HOUR + HOUR / 2);
    clock.time = start + HOUR + HOUR / 2;
    expect(rate.tryTake('k')).toBe(true);
    clock.time = start + 3 * HOUR;
    expect(rate.count('k')).toBe(0);
    expect(rate.nextAllowedAt('k')).toBe(clock.time);
  });

  it('rolls: a steady sender gets exactly limit per window', () => {
    const clock = new ManualClock();
    const rate = new RateWindow({ limit: 50, windowMs: HOUR, clock });
    let accepted = 0;
    for (let minute = 0; minute < 180; minute++) {
      for (let i = 0; i < 2; i++) if (rate.tryTake('192.0.2.1')) accepted++;
      clock.advance(60_000);
    }
    // 50 in each of the three hours: refused messages free nothing.
    expect(accepted).toBe(150);
  });

  it('counts per normalised IP', () => {
    const rate = new RateWindow({ limit: 1, windowMs: HOUR, clock: new ManualClock() });
    expect(rate.tryTake('::ffff:10.0.0.1')).toBe(true);
    expect(rate.tryTake('10.0.0.1')).toBe(false);
    expect(rate.count('10.0.0.1')).toBe(1);
  });

  it('limit 0 is unlimited and tracks nothing', () => {
    const rate = new RateWindow({ limit: 0, windowMs: HOUR, clock: new ManualClock() });
    for (let i = 0; i < 1000; i++) expect(rate.tryTake('192.0.2.1')).toBe(true);
    expect(rate.count('192.0.2.1')).toBe(0);
    expect(rate.size).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new RateWindow({ limit: -1, windowMs: HOUR })).toThrow(RangeError);
    expect(() => new RateWindow({ limit: 1, windowMs: -5 })).toThrow(RangeError);
    expect(() => new RateWindow({ limit: 1, windowMs: Infinity })).toThrow(RangeError);
  });
});
