import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampRing } from '../src/timestamp-ring.js';
import { fuzzRuns } from './manual-clock.js';

describe('TimestampRing', () => {
  it('behaves as a capped array of the latest times (fixed seed)', () => {
    const operation = fc.oneof(
      fc.record({ push: fc.nat(10) }),
      fc.record({ drop: fc.nat(30) }),
      fc.constant({ clear: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(operation, { maxLength: 60 }),
        (capacity, operations) => {
          const ring = new TimestampRing(capacity);
          let model: number[] = [];
          let time = 0;
          for (const operation of operations) {
            if ('push' in operation) {
              time += operation.push; // clock order, as the counters push
              ring.push(time);
              model.push(time);
              if (model.length > capacity) model.shift();
            } else if ('drop' in operation) {
              const cutoff = time - operation.drop;
              ring.dropThrough(cutoff);
              model = model.filter((t) => t > cutoff);
            } else {
              ring.clear();
              model = [];
            }
            expect(ring.length).toBe(model.length);
            expect(ring.oldest).toBe(model[0]);
          }
        },
      ),
      { seed: 7, numRuns: fuzzRuns },
    );
  });
});
