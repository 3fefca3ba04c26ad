import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BACKTRACKING_STEPS, boundedJsRegex } from '../src/spamassassin/bounded-js-regex.js';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';
import { perlMatches } from './perl-matches.js';

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
      '(?i)abc',
      '[[:punct:]]{3}',
      // Backreferences to a group that may be unset, not yet closed, or read as two digits.
      '(a)?\\1',
      '(?:(a)|b)\\1',
      '(?:x(a)){0,2}\\1',
      '(?!(a))b\\1',
      '\\1(a)',
      '(a\\1)',
      '(a)\\10',
      '(?i:(a)\\1)',
      '(a)b+\\1',
      '\\h',
      '\\p{L}',
      'a{',
      '(?:a{0,40}){0,40}b',
      '[\\S]x',
    ])
      expect(boundedJsRegex(pattern, ''), pattern).toBeNull();
    expect(boundedJsRegex('abc', 'x')).toBeNull();
    // Inside (?i:...) a negated class would need its folded complement: refused.
    expect(boundedJsRegex('a(?i:[^b])', '')).toBeNull();
    expect(boundedJsRegex('a(?i:\\W)', '')).toBeNull();
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

  it('counts the ways of alternatives by the groups of them that share a first octet', () => {
    const steps = (pattern: string, flags: string) => boundedJsRegex(pattern, flags)?.steps ?? null;
    // "ab" and "ac" may both go on at an "a", "x" and "yz" never with them: 2 ways, not 4.
    expect(steps('(?:ab|ac|x|yz){0,6}q', '')).toBeLessThan(steps('(?:ab|ac|xb|xc){0,6}q', '')!);
    expect(steps('(?:ab|ac|x|yz){0,6}q', '')).toBeLessThan(2_000);
    // A branch that may be empty links with every other.
    expect(steps('(?:ab|ac|x?|yz){0,4}q', '')).toBeGreaterThan(steps('(?:ab|ac|x|yz){0,4}q', '')!);
  });

  it('counts one way out of a repeat of one character before what it cannot take', () => {
    const steps = (pattern: string, flags: string) => boundedJsRegex(pattern, flags)?.steps ?? null;
    // The fuzzy spellings' shape (FUZZY_*): letters with up to 3 separators between them.
    const spaced = String.raw`(?:\b|\s)[_\W]{0,3}m[_\W]{0,3}[e3][_\W]{0,3}r[_\W]{0,3}[i1!|l][_\W]{0,3}d[_\W]{0,3}[i1!|l][_\W]{0,3}[a4@][_\W]{0,3}n`;
    expect(steps(spaced, 'i')).not.toBeNull();
    expect(steps(spaced, 'i')).toBeLessThan(5_000);
    // Where what follows may begin with the repeated class, every way goes on: still counted.
    expect(steps('(?:[a-z]{0,3}[a-c]){8}', '')).toBeNull();
    expect(steps('(?:[a-z]{0,3}\\b[a-c]){8}', '')).toBeNull();
    expect(steps('(?:[_\\W]{0,3}x?){8}', '')).toBeNull();
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
      ['a(?i:b)', ''],
      ['(?i:\\xe9)b', ''],
      ['(?i:[a-b]|d)A', ''],
      ['(?i:a\\s\\w)', ''],
      ['A(?i:b)', 'i'],
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
      // Admitted by the refined counts: 100 times the text of the case after each.
      ['x[_\\W]{0,3}y[_\\W]{0,3}x[_\\W]{0,3}y[_\\W]{0,3}z', '', 'x___y___'.repeat(125_000)],
      ['x[_\\W]{0,3}y[_\\W]{0,3}x[_\\W]{0,3}y[_\\W]{0,3}z', '', 'x___y___'.repeat(1_250)],
      ['(?:ab|ac|x|yz){0,8}q', '', 'abxacyz'.repeat(140_000)],
      ['(?:ab|ac|x|yz){0,8}q', '', 'abxacyz'.repeat(1_400)],
      ['(?:[\\xc8\\xc9]|[\\xc8][\\x84\\x85]|b){1,6}q', '', '\xc8\x84b'.repeat(300_000)],
      ['(?:[\\xc8\\xc9]|[\\xc8][\\x84\\x85]|b){1,6}q', '', '\xc8\x84b'.repeat(3_000)],
    ];
    for (const [pattern, flags, text] of hostile) {
      const bounded = boundedJsRegex(pattern, flags);
      expect(bounded, pattern).not.toBeNull();
      expect(bounded!.steps).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
      expect(v8Count(pattern, flags, text)).toBe(re2Count(pattern, flags, text));
    }
  });
});

// Backreferences (issue 15): a backreference to a group that is always set compares at most
// the group's longest capture, in one way; Perl is the oracle (no re2js runs these).
describe('bounded V8 regexes with backreferences, POSIX classes and long fixed counts', () => {
  const v8Matches = (pattern: string, flags: string, text: string) => {
    const { regex } = boundedJsRegex(pattern, flags)!;
    regex.lastIndex = 0;
    return regex.exec(text) !== null;
  };

  it('match where Perl matches, on generated texts', () => {
    const cases: [string, string][] = [
      ['(a|b)\\1', ''],
      ['([ab]{1,2})c\\1', ''],
      ['([ab]{1,2})c\\1', 'i'],
      ['(?:[a-c]([-.])\\1{0,2}){2}', 'i'],
      ['^x([0-9a-f]{2})\\$.{0,3}y\\1\\.', 'msi'],
      ['^x([0-9a-f]{2})\\$.{0,3}y\\1\\.', ''],
      ['([ab])(?:c\\1){1,2}', 'i'],
      ['(a)(?=.{0,3}\\1)', ''],
      ['(?<n>a|b)(?:.(?<m>b))\\2\\1', ''],
      ['^[[:xdigit:]]{2}-([[:xdigit:]])-\\1$', 'm'],
      ['[[:alpha:]][[:digit:]][^[:alnum:]]', 'i'],
      ['(?:,[^,]{1,3}){3}', ''],
      ['<(?:\\s{1,2}[-\\w]{1,3}){2}', ''],
    ];
    const texts = fc.sample(fc.stringMatching(/^[abcAB.\-,$xy0f9 \t<]{0,20}$/), {
      seed: 15,
      numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 3000),
    });
    // A few that match each case, so that both answers are exercised.
    texts.push('aa', 'bacb', 'BacB', 'a--b..', 'x0f$ayy0f.', 'bcbcb', 'aba', 'abbba', '0f-a-a');
    texts.push('0F-a-A', 'a0 ', ',a,b,c', ',,a,b', '< a-\t-b', 'xA0$yA0.');
    const perl = perlMatches(cases, texts);
    cases.forEach(([pattern, flags], c) => {
      const disagreements = texts.filter(
        (text, t) => v8Matches(pattern, flags, text) !== perl[c]![t],
      );
      expect(disagreements, `${pattern} /${flags}`).toEqual([]);
      expect(perl[c]!.some(Boolean), `${pattern} matches somewhere`).toBe(true);
    });
  });

  // The rules of Debian's 72_active.cf and 20_head_tests.cf these admit (their sources here).
  const RULES: [string, string, string][] = [
    [
      'KB_RATWARE_OUTLOOK_MID',
      '^Message-Id: <....([0-9a-f]{8})\\$([0-9a-f]{8})\\$[0-9a-f]{8}\\@.{100,400}boundary="----=_NextPart_000_...._\\1\\.\\2"',
      'msi',
    ],
    [
      '__RATWARE_BOUND_B',
      'boundary="----=_NextPart_000_...._([0-9a-f]{8})\\..{10,400}^Message-Id: <....\\1\\$[0-9a-f]{8}\\$',
      'msi',
    ],
    [
      'SCC_SPECIAL_GUID',
      '^[[:xdigit:]]{8}-[[:xdigit:]]{4}-([[:xdigit:]]{3})-\\1-[[:xdigit:]]{12}$',
      'm',
    ],
    ['__TO_TOO_MANY', '(?:,[^,]{1,90}){30}', ''],
    ['__COMMENT_GIBBERISH', '<!--(?:\\s{1,10}[-\\w\'"]{1,40}){100}', 'im'],
  ];

  it('admit the refused rules whose backtracking is bounded', () => {
    for (const [name, pattern, flags] of RULES) {
      const bounded = boundedJsRegex(pattern, flags);
      expect(bounded, name).not.toBeNull();
      expect(bounded!.steps, name).toBeLessThanOrEqual(MAX_BACKTRACKING_STEPS);
      expect(bounded!.nonEmpty, name).toBe(true);
    }
  });

  it("give Perl's answer on hostile texts at n and at 100 n", () => {
    // Texts that almost match from every position: the costliest the bound admits.
    const mid = (id: string) => `Message-Id: <abcd${id}$89abcdef$01234567@x`;
    const hostile: Record<string, (n: number) => string> = {
      KB_RATWARE_OUTLOOK_MID: (n) =>
        `${mid('01234567')}${'y'.repeat(150)}boundary="----=_NextPart_000_abcd_01234567.89abcdee"\n`.repeat(
          n,
        ),
      __RATWARE_BOUND_B: (n) =>
        `boundary="----=_NextPart_000_abcd_01234567.${'x'.repeat(300)}\nMessage-Id: <abcd01234568$89abcdef$\n`.repeat(
          n,
        ),
      SCC_SPECIAL_GUID: (n) => '01234567-89ab-cde-cde-0123456789a\n'.repeat(n),
      __TO_TOO_MANY: (n) => `${',abc'.repeat(29)}\n`.repeat(n),
      __COMMENT_GIBBERISH: (n) => `<!--${' a'.repeat(99)}>`.repeat(n),
    };
    const n = 50;
    for (const [name, pattern, flags] of RULES) {
      const build = hostile[name]!;
      const [expected] = perlMatches([[pattern, flags]], [build(n), `${build(n)}${build(1)}x`]);
      expect(v8Matches(pattern, flags, build(n)), name).toBe(expected![0]);
      expect(v8Matches(pattern, flags, build(100 * n)), name).toBe(expected![0]);
    }
  });
});
