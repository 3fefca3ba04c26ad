import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { reverseText } from '../src/spamassassin/regex-reverse.js';
import { segmentScreenParts, segmentScreens } from '../src/spamassassin/segment-screen.js';

/** Whether the Perl pattern matches as the rules run it (re2js, reversed where it must be). */
function re2Matches(pattern: string, flags: string, text: string): boolean | null {
  const translated = translatePerlRegex(pattern, flags);
  if (!translated.ok) return null;
  return translated.regex.test(translated.reversed ? reverseText(text) : text);
}

const passes = (screens: readonly RegExp[], text: string) =>
  screens.every((screen) => screen.test(text));

describe('segment screens (the V8-bounded parts every match of a pattern contains)', () => {
  it('cuts at unbounded repeats, keeping one copy of a repeat taken at least once', () => {
    const screens = segmentScreens(String.raw`\bfoo\s+bar\b`, '');
    expect(screens).toHaveLength(2);
    expect(passes(screens, 'a foo \t bar b')).toBe(true);
    expect(passes(screens, 'a foo, bar b')).toBe(false);
    expect(passes(screens, 'a foobar b')).toBe(false);
    // `X*` may be taken no time: the parts on either side, without X.
    const star = segmentScreens('abcd[xy]*efgh', '');
    expect(passes(star, 'abcdefgh')).toBe(true);
    expect(passes(star, 'abcd efgh')).toBe(true);
    expect(passes(star, 'abcefgh')).toBe(false);
  });

  it("begins with a group's first bounded parts, as alternatives, where the group is unbounded", () => {
    const screens = segmentScreens('(?:lose ac+ess|lock(?: up)?) (?:your )?mail+box', 'i');
    expect(passes(screens, 'You will LOSE ACCESS to your mailbox')).toBe(true);
    expect(passes(screens, 'lock up your mailbox')).toBe(true);
    // Neither "lose ac" nor "lock" occurs: no match can.
    expect(passes(screens, 'lost access, your mailbox')).toBe(false);
    // Alternatives at the top: each branch's first part.
    const top = segmentScreens(String.raw`ab+c|de\s*f`, '');
    expect(passes(top, 'xxabyy')).toBe(true);
    expect(passes(top, 'xxdeyy')).toBe(true);
    expect(passes(top, 'xxaxdxyy')).toBe(false);
  });

  it('gives no screen where it cannot read the pattern exactly, or nothing is bounded', () => {
    for (const [pattern, flags] of [
      ['(?i)abcd+', ''],
      [String.raw`(\w+)\s+\1`, ''],
      ['abcd{,3}', ''],
      ['ab(?#note)cd+', ''],
      [String.raw`\Qa+b\E+`, ''],
      ['abcd+', 'x'],
      ['a*b*', ''],
      [String.raw`\w+`, ''],
    ] as const)
      expect(segmentScreens(pattern, flags), pattern).toEqual([]);
    // An inline-flag group is one opaque atom: the parts around it are still read.
    const screens = segmentScreens('abcd(?i:x+)efgh', '');
    expect(passes(screens, 'abcdXXefgh')).toBe(true);
    expect(passes(screens, 'abcXXefgh')).toBe(false);
  });

  it('never rejects a text the pattern matches (generated patterns and texts)', () => {
    const atom: fc.Arbitrary<string> = fc.letrec<{ atom: string; sequence: string }>((tie) => ({
      atom: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('a', 'b', 'c', ' ', '[ab]', '[^a]', '\\s', '\\w', '.', '\\d'),
        fc.constantFrom('^', '$', '\\b'),
        fc
          .tuple(tie('sequence'), tie('sequence'), fc.boolean())
          .map(([x, y, two]) => (two ? `(?:${x}|${y})` : `(${x})`)),
        fc
          .tuple(fc.constantFrom('(?=', '(?!', '(?<='), fc.constantFrom('a', 'b', '[ab]', 'a b'))
          .map(([open, body]) => `${open}${body})`),
      ),
      sequence: fc
        .array(
          fc
            .tuple(tie('atom'), fc.constantFrom('', '', '?', '*', '+', '{1,2}', '{2,}', '*?', '+?'))
            .map(([a, q]) => (/^[\^$]|^\\b|^\(\?[=!<]/.test(a) ? a : `${a}${q}`)),
          { minLength: 1, maxLength: 6 },
        )
        .map((atoms) => atoms.join('')),
    })).sequence;
    let checked = 0;
    let screened = 0;
    fc.assert(
      fc.property(
        fc.array(atom, { minLength: 1, maxLength: 2 }).map((branches) => branches.join('|')),
        fc.constantFrom('', 'i', 'm', 's'),
        fc.array(fc.stringMatching(/^[abcAB \n1.-]{0,30}$/), { minLength: 8, maxLength: 8 }),
        (pattern, flags, texts) => {
          const parts = segmentScreenParts(pattern, flags);
          const screens = parts.map((part) => part.regex);
          if (screens.length > 0) screened++;
          for (const text of texts) {
            // Each screen is its Perl part run exactly as re2js runs it (where re2js can).
            for (const { perl, regex } of parts) {
              const expected = re2Matches(perl, flags, text);
              if (expected !== null)
                expect(regex.test(text), `${perl} /${flags} on ${JSON.stringify(text)}`).toBe(
                  expected,
                );
            }
            const matches = re2Matches(pattern, flags, text);
            if (matches !== true) continue;
            checked++;
            expect(passes(screens, text), `/${pattern}/${flags} on ${JSON.stringify(text)}`).toBe(
              true,
            );
          }
        },
      ),
      { seed: 23, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 3000) },
    );
    // The property was not vacuous: screens were built, and matching texts met them.
    expect(screened).toBeGreaterThan(200);
    expect(checked).toBeGreaterThan(1000);
  });

  it('runs its screens in linear time on hostile texts 100 times longer, as re2js answers', () => {
    // Shapes that make a backtracking engine quadratic or worse where they are unbounded: the
    // screens keep only bounded parts, so 100 times the text is about 100 times the work (an
    // exponential or quadratic screen would not end within the test's time).
    const cases: [string, string, string][] = [
      [String.raw`^\s*(?:[a-z]+\s+){10}\.$`, 'm', 'ab '.repeat(2_000)],
      [String.raw`(?:a+)+b\s+cd`, '', 'a'.repeat(6_000)],
      [String.raw`\bfrom\b.{1,4}\b\d{1,3}(?:\.\d+)+\sby`, 'i', 'from 1.1'.repeat(1_000)],
      [String.raw`x[_\W]{0,3}y[_\W]{0,3}z+w`, '', 'x__y__'.repeat(1_000)],
    ];
    for (const [pattern, flags, text] of cases) {
      const parts = segmentScreenParts(pattern, flags);
      expect(parts.length, pattern).toBeGreaterThan(0);
      for (const long of [text, text.repeat(100), `${text.repeat(100)}zw cd by.\n`]) {
        for (const { perl, regex } of parts)
          expect(regex.test(long), perl).toBe(re2Matches(perl, flags, long));
        if (re2Matches(pattern, flags, long) === true)
          expect(
            passes(
              parts.map((part) => part.regex),
              long,
            ),
          ).toBe(true);
      }
    }
  });
});
