import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BACKTRACKING_STEPS, boundedJsRegex } from '../src/spamassassin/bounded-js-regex.js';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';

/**
 * Matches counted as the rules count them: re2js's find (on the reversed text for a pattern
 * with a lookahead, see regex-reverse.ts), and exec on the V8 regex.
 */
const re2Count = (pattern: string, flags: string, text: string) => {
  const translated = translatePerlRegex(pattern, flags);
  if (!translated.ok) throw new Error(translated.reason);
  const matcher = translated.regex.matcher(translated.reversed ? reverseText(text) : text);
  let count = 0;
  while (count < 50 && matcher.find()) count++;
  return count;
};
const v8Count = (pattern: string, flags: string, text: string) => {
  const { regex } = boundedJsRegex(pattern, flags)!;
  regex.lastIndex = 0;
  let count = 0;
  while (count < 50 && regex.exec(text) !== null) count++;
  return count;
};

describe('bounded V8 regexes (linear by construction, else re2js)', () => {
  it('refuses what can backtrack without bound, and what it cannot translate exactly', () => {
    for (const pattern of [
      '(a+)+b',
      '(a|a)*b',
      'a*a*b',
      '\\s+x',
      'x{2,}',
      '(a)\\1',
      '(?i)abc',
      '[[:alpha:]]{3}',
      '\\h',
      '\\p{L}',
      'a{',
      '(?:a{0,40}){0,40}b',
      '[\\S]x',
    ])
      expect(boundedJsRegex(pattern, ''), pattern).toBeNull();
    expect(boundedJsRegex('abc', 'x')).toBeNull();
  });

  it('takes bounded patterns, with the bound of their backtracking', () => {
    expect(boundedJsRegex('\\bviagra\\b', 'i')!.steps).toBeLessThan(100);
    const counted = boundedJsRegex('(?<!=)[LM3][a-km-z]{26,33}\\b', '')!;
    expect(counted.steps).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
    expect(boundedJsRegex('(?:ab?)?', '')!.countsAsRe2js).toBe(false);
    expect(boundedJsRegex('a(?!b)', '')!.countsAsRe2js).toBe(false);
    expect(boundedJsRegex('a(?:b|c){1,3}', '')!.countsAsRe2js).toBe(true);
  });

  it('counts one way for alternatives that begin with different octets, folded under /i', () => {
    const steps = (pattern: string, flags: string) => boundedJsRegex(pattern, flags)?.steps ?? null;
    expect(steps('(?:ab|bc|cd){0,9}x', '')).toBeLessThan(100);
    expect(steps('(?:ab|a|abc){0,9}x', '')).toBeNull();
    expect(steps('(?:ab|Ac){0,9}x', '')).toBeLessThan(100);
    expect(steps('(?:ab|Ac){0,9}x', 'i')).toBeGreaterThan(1000);
    expect(steps('(?:[a-c]x|[d-f]y){0,9}', '')).toBeLessThan(100);
    expect(steps('(?:[a-c]x|[c-f]y){0,9}', '')).toBeGreaterThan(1000);
  });

  it('counts as re2js does on generated texts: $, ^ under /m, ., \\s, caseless octets, lookarounds', () => {
    const cases: [string, string][] = [
      ['ab$', ''],
      ['b\\Z', ''],
      ['^a.b$', 'm'],
      ['^a.b', ''],
      ['a.b', 's'],
      ['a\\sb', ''],
      ['a[\\s\\xa0]b', ''],
      ['\\xe9t\\xc9', 'i'],
      ['[\\xe0-\\xff]{2}', 'i'],
      ['(?<!a)b{1,2}', ''],
      ['(?=ab)a', ''],
      ['a(?!b)', 'i'],
      ['\\bab?\\b', ''],
      ['(?:a|ab)(?:c|bcd)', ''],
      ['a{1,3}?b', ''],
      ['[^a\\n]{2}', ''],
      ['\\Ab', ''],
      ['a\\z', ''],
      ['\\.\\-\\/', ''],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.stringMatching(/^[abcdAB \n\r\t\x0b\xa0\xe9\xc9\xff.\-/=]{0,24}$/),
        ([pattern, flags], text) => {
          const what = `${pattern} /${flags} on ${JSON.stringify(text)}`;
          const [v8, re2] = [v8Count(pattern, flags, text), re2Count(pattern, flags, text)];
          // Otherwise only whether there is a match is the same: the rules count such
          // patterns with re2js (countsAsRe2js).
          if (boundedJsRegex(pattern, flags)!.countsAsRe2js) expect(v8, what).toBe(re2);
          else expect(v8 > 0, what).toBe(re2 > 0);
        },
      ),
      { seed: 15, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 3000) },
    );
  });

  it('stays linear on hostile texts near the bound (no blow-up, same answer as re2js)', () => {
    // The costliest shapes admitted: counted classes that almost match, then fail at the end.
    const hostile: [string, string, string][] = [
      ['(?:[a-z]{1,15} ){0,2}(?:x|y)z', '', 'aaaaaaaaaaaaaaa '.repeat(20_000)],
      ['\\b[13][a-km-zA-HJ-NP-Z1-9]{29,34}\\b', '', '1'.repeat(200_000)],
      ['(?:a|ab|abc){1,4}d', 'i', 'abc'.repeat(60_000)],
    ];
    for (const [pattern, flags, text] of hostile) {
      const bounded = boundedJsRegex(pattern, flags);
      expect(bounded, pattern).not.toBeNull();
      expect(bounded!.steps).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
      expect(v8Count(pattern, flags, text)).toBe(re2Count(pattern, flags, text));
    }
  });
});
