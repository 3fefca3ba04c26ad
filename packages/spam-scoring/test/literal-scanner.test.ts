import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralScanner } from '../src/spamassassin/literal-scanner.js';

const foundBy = (scanner: LiteralScanner, texts: readonly string[]) => {
  const found = new Uint8Array(scanner.size);
  for (const text of texts) scanner.scan(text, found);
  return [...found];
};

describe('LiteralScanner (every prefilter literal found in one pass)', () => {
  it('finds overlapping literals, literals inside others, and each only where it occurs', () => {
    const scanner = new LiteralScanner(['he', 'she', 'his', 'hers', 'viagra', 'ushers']);
    expect(foundBy(scanner, ['ushers'])).toEqual([1, 1, 0, 1, 0, 1]);
    expect(foundBy(scanner, ['his viagr'])).toEqual([0, 0, 1, 0, 0, 0]);
    expect(foundBy(scanner, [''])).toEqual([0, 0, 0, 0, 0, 0]);
    // Across texts of one view, never across the boundary between two texts.
    expect(foundBy(scanner, ['vi', 'agra', 'xshe'])).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('reports octets above 0x7f, and steps over wider characters without matching across them', () => {
    const scanner = new LiteralScanner(['\xd0\xb0b', 'ab', '\u263a!']);
    expect(foundBy(scanner, ['x\xd0\xb0b'])).toEqual([1, 0, 1]);
    expect(foundBy(scanner, ['a\u263ab'])).toEqual([0, 0, 1]);
  });

  it('agrees with includes on generated literals and texts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[abc\xe9]{1,5}$/), { minLength: 1, maxLength: 12 }),
        fc.array(fc.stringMatching(/^[abc\xe9 ]{0,40}$/), { maxLength: 4 }),
        (literals, texts) => {
          const scanner = new LiteralScanner(literals);
          const expected = literals.map((literal) =>
            texts.some((text) => text.includes(literal)) ? 1 : 0,
          );
          expect(foundBy(scanner, texts)).toEqual(expected);
        },
      ),
      { seed: 15, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 2000) },
    );
  });
});
