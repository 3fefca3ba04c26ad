/** The engine's memory of wire sizes: bounded, least recently used out first. */
import { describe, expect, it } from 'vitest';
import { Pop3Engine } from '../src/session/pop3-engine.js';
import { WireSizeCache } from '../src/session/wire-size-cache.js';
import { fixtures } from './session-harness.js';

describe('WireSizeCache', () => {
  it('keeps at most its capacity, dropping the entry used least recently', () => {
    const cache = new WireSizeCache(2);
    const [a, b, c] = [1, 2, 3].map((uid) => WireSizeCache.key('box', 7, uid));
    cache.set(a!, 10);
    cache.set(b!, 20);
    expect(cache.get(a!)).toBe(10); // a is now the most recent
    cache.set(c!, 30);
    expect(cache.size).toBe(2);
    expect([cache.get(a!), cache.get(b!), cache.get(c!)]).toEqual([10, undefined, 30]);
  });

  it('tells messages of other mailboxes and UIDVALIDITYs apart', () => {
    const keys = new Set([
      WireSizeCache.key('box', 1, 12),
      WireSizeCache.key('box', 11, 2),
      WireSizeCache.key('box2', 1, 12),
    ]);
    expect(keys.size).toBe(3);
  });

  it('remembers nothing with capacity 0; the engine refuses a capacity that makes no sense', async () => {
    const cache = new WireSizeCache(0);
    cache.set('k', 1);
    expect(cache.get('k')).toBeUndefined();
    const { store, directory } = await fixtures();
    for (const wireSizeCache of [-1, 1.5, Number.NaN]) {
      expect(() => new Pop3Engine({ store, directory, hostname: 'h', wireSizeCache })).toThrow(
        RangeError,
      );
    }
  });
});
