import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { requiredLiterals } from '../src/spamassassin/required-literal.js';

describe('the literals a match must contain (the prefilter)', () => {
  it('reads runs, required groups and alternations; leaves out what is optional', () => {
    expect(requiredLiterals('buy\\s+viagra now')).toEqual(['viagra now']);
    expect(requiredLiterals('\\b(?:viagra|cialis)\\b')).toEqual(['viagra', 'cialis']);
    expect(requiredLiterals('one|two(?:three|four)')).toEqual(['one', 'three', 'four']);
    expect(requiredLiterals('(?:foo)?barbaz')).toEqual(['barbaz']);
    expect(requiredLiterals('x{0,3}abc')).toEqual(['abc']);
    expect(requiredLiterals('US\\$\\d+')).toEqual(['US$']);
    expect(requiredLiterals('free\\x41bcd')).toEqual(['free']);
  });

  it('gives up rather than guess', () => {
    expect(requiredLiterals('a|b')).toBeNull();
    expect(requiredLiterals('abc?d')).toBeNull();
    expect(requiredLiterals('ab(?:cde|fgh|ij)')).toBeNull();
    expect(requiredLiterals('\\Qa.b\\E')).toBeNull();
    expect(requiredLiterals('(?!abc)x')).toBeNull();
  });

  it('never rules out a text the pattern matches', () => {
    const patterns = [
      'abc+(?:xyz|zzz)',
      '(?:abc|cab)+x?y',
      'a{2}bcx|bcay',
      'c(?:a|b)?abc',
      '(?i)ABC|xyz',
      'a\\|bc|zzz',
      'x*abcab?c',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...patterns),
        fc.stringMatching(/^[abcxyzABC|]{0,20}$/),
        (pattern, text) => {
          const translated = translatePerlRegex(pattern, '');
          if (!translated.ok || !translated.regex.test(text)) return;
          const literals = requiredLiterals(pattern);
          if (literals === null) return;
          const haystack = /\(\?i/.test(pattern) ? text.toLowerCase() : text;
          expect(
            literals.some((literal) =>
              haystack.includes(/\(\?i/.test(pattern) ? literal.toLowerCase() : literal),
            ),
          ).toBe(true);
        },
      ),
      { seed: 15, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 2000) },
    );
  });
});
