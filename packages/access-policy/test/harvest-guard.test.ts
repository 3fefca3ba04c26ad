import { describe, expect, it } from 'vitest';
import { DEFAULT_HARVEST_BLOCK_MS, DEFAULT_MAX_UNKNOWN, HarvestGuard } from '../src/index.js';
import { ManualClock } from './manual-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('HarvestGuard', () => {
  it('the tenth unknown recipient blocks the IP for an hour, reported once', () => {
    expect(DEFAULT_MAX_UNKNOWN).toBe(10);
    expect(DEFAULT_HARVEST_BLOCK_MS).toBe(HOUR);
    const clock = new ManualClock();
    const guard = new HarvestGuard({ clock });
    const verdicts = Array.from({ length: 12 }, () => guard.recordUnknown('192.0.2.1'));
    expect(verdicts.map((v) => v.blocked)).toEqual([...Array(9).fill(false), true, true, true]);
    expect(verdicts.filter((v) => v.justBlocked)).toHaveLength(1);
    expect(verdicts[9]!.justBlocked).toBe(true);
    expect(guard.isBlocked('192.0.2.1')).toBe(true);
    expect(guard.isBlocked('192.0.2.2')).toBe(false);
    expect(guard.blockedUntil('::ffff:192.0.2.1')).toBe(clock.time + HOUR);
  });

  it('the block expires at exactly blockMs, not extended by further unknowns, and counting restarts', () => {
    const clock = new ManualClock();
    const guard = new HarvestGuard({ maxUnknown: 2, blockMs: HOUR, clock });
    guard.recordUnknown('192.0.2.1');
    expect(guard.recordUnknown('192.0.2.1').justBlocked).toBe(true);
    clock.advance(30 * MINUTE);
    guard.recordUnknown('192.0.2.1');
    clock.advance(30 * MINUTE - 1);
    expect(guard.isBlocked('192.0.2.1')).toBe(true);
    clock.advance(1);
    expect(guard.isBlocked('192.0.2.1')).toBe(false);
    expect(guard.blockedUntil('192.0.2.1')).toBeNull();
    expect(guard.recordUnknown('192.0.2.1')).toEqual({ blocked: false, justBlocked: false });
    expect(guard.recordUnknown('192.0.2.1')).toEqual({ blocked: true, justBlocked: true });
  });

  it('unknown recipients older than windowMs stop counting', () => {
    const clock = new ManualClock();
    const guard = new HarvestGuard({ maxUnknown: 3, windowMs: 10 * MINUTE, clock });
    guard.recordUnknown('192.0.2.1');
    guard.recordUnknown('192.0.2.1');
    clock.advance(10 * MINUTE);
    expect(guard.recordUnknown('192.0.2.1').blocked).toBe(false);
    expect(guard.recordUnknown('192.0.2.1').blocked).toBe(false);
    expect(guard.recordUnknown('192.0.2.1').justBlocked).toBe(true);
  });

  it('maxUnknown 0 turns the guard off; clear lifts every block', () => {
    const off = new HarvestGuard({ maxUnknown: 0, clock: new ManualClock() });
    for (let i = 0; i < 50; i++) expect(off.recordUnknown('192.0.2.1').blocked).toBe(false);
    expect(off.size).toBe(0);
    const guard = new HarvestGuard({ maxUnknown: 1, clock: new ManualClock() });
    guard.recordUnknown('192.0.2.1');
    guard.clear();
    expect(guard.isBlocked('192.0.2.1')).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => new HarvestGuard({ maxUnknown: -1 })).toThrow(RangeError);
    expect(() => new HarvestGuard({ blockMs: 0 })).toThrow(RangeError);
    expect(() => new HarvestGuard({ windowMs: -1 })).toThrow(RangeError);
  });
});
