import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedKeyMap } from '../src/bounded-key-map.js';
import { fuzzRuns } from './manual-clock.js';

describe('BoundedKeyMap', () => {
  it('never exceeds its cap, keeps the most recently written keys, and hides expired values (fixed seed)', () => {
    const operation = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 12 }), ttl: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ get: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ del: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ wait: fc.integer({ min: 0, max: 10 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(operation, { maxLength: 80 }),
        (cap, operations) => {
          const map = new BoundedKeyMap<number>(cap, (expiresAt, now) => now >= expiresAt);
          // The model: keys in write order with their expiry; what is evicted or pruned is a
          // subset of what the model still holds, never a live recent key.
          let model: { key: string; expiresAt: number }[] = [];
          let now = 0;
          for (const operation of operations) {
            if ('set' in operation) {
              const key = String(operation.set);
              map.set(key, now + operation.ttl, now);
              model = model.filter((entry) => entry.key !== key);
              model.push({ key, expiresAt: now + operation.ttl });
              if (model.length > cap) model.shift();
            } else if ('get' in operation) {
              const key = String(operation.get);
              const entry = model.find((candidate) => candidate.key === key);
              const live =
                entry !== undefined && now < entry.expiresAt ? entry.expiresAt : undefined;
              expect(map.get(key, now)).toBe(live);
            } else if ('del' in operation) {
              map.delete(String(operation.del));
              model = model.filter((entry) => entry.key !== String(operation.del));
            } else {
              now += operation.wait;
            }
            expect(map.size).toBeLessThanOrEqual(Math.min(cap, model.length));
          }
        },
      ),
      { seed: 11, numRuns: fuzzRuns },
    );
  });
});
