import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { translatePerlRegex } from '../src/index.js';
import {
  MAX_UNROLLED_COUNT,
  MAX_UNROLLED_LENGTH,
  splitLongCounts,
  unrollCountedGroups,
} from '../src/spamassassin/unroll-repeats.js';

/** Perl's answer for each text (texts without newlines). */
function perl(pattern: string, flags: string, texts: string[]): boolean[] {
  const run = spawnSync(
    'perl',
    ['-ne', `chomp; print((/${pattern.replace(/\//g, '\\/')}/${flags} ? 1 : 0), "\\n")`],
    { input: texts.join('\n') + '\n', encoding: 'latin1' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

describe('counted groups written out', () => {
  it('copies the group, the optional ones nested', () => {
    expect(unrollCountedGroups('x(?:ab){3}y')).toBe('x(?:ab)(?:ab)(?:ab)y');
    expect(unrollCountedGroups('(a|b){1,3}?')).toBe('(a|b)(?:(a|b)(?:(a|b))?)?');
  });

  it('only the outermost, and never a class or an escaped bracket', () => {
    expect(unrollCountedGroups('(?:(?:a){2}b){2}')).toBe('(?:(?:a){2}b)(?:(?:a){2}b)');
    expect(unrollCountedGroups('[(]a[)]{3}')).toBe(null);
    expect(unrollCountedGroups('\\(a\\){3}')).toBe(null);
    expect(unrollCountedGroups('[]()]{2}')).toBe(null);
  });

  it(`leaves counts over ${MAX_UNROLLED_COUNT} and results over ${MAX_UNROLLED_LENGTH} characters`, () => {
    expect(unrollCountedGroups(`(?:ab){${MAX_UNROLLED_COUNT + 1}}`)).toBe(null);
    expect(unrollCountedGroups(`(?:${'a'.repeat(MAX_UNROLLED_LENGTH / 4)}){5}`)).toBe(null);
  });

  it('lets RE2 run a pattern whose nested counts pass its limit, as Perl matches it', () => {
    // 300 x 5 = 1,500 copies: RE2 refuses the pattern as written.
    const pattern = '(?:[a-z]{2,300}[,;]\\s?){5}end';
    const translated = translatePerlRegex(pattern, 'i');
    expect(translated.ok).toBe(true);
    const texts = [
      'ab,cd,ef,gh,ij,END',
      'ab, cd; ef, gh, ij,end',
      'ab,cd,ef,gh,end',
      'a,bb,cc,dd,ee,ff,end',
      `${'x'.repeat(300)},b,c,d,e,end`,
      `${'x'.repeat(301)},b,c,d,e,end`,
    ];
    const expected = perl(pattern, 'i', texts);
    expect(texts.map((text) => translated.ok && translated.regex.matcher(text).find())).toEqual(
      expected,
    );
    expect(expected).toContain(true);
    expect(expected).toContain(false);
  });

  it('a count over the limit still refuses the pattern, with the reason', () => {
    const translated = translatePerlRegex('(?:[a-z]{2,300}x){11}', '');
    expect(translated.ok).toBe(false);
    expect(!translated.ok && translated.reason).toMatch(/invalid repeat count/);
  });
});

describe("a character counted past RE2's limit, its count split", () => {
  // __LONG_INVIS_DIV (under LONG_INVISIBLE_TEXT), as Debian's 72_active.cf writes it.
  const LONG_INVIS_DIV =
    '<div\\s+style\\s*=\\s*"(?:(?<!-)visibility\\s*:\\s*hidden|display\\s*:\\s*none)\\s*">[^<\\s]{1400}';

  it('splits a class, an escape or a character; leaves groups, hex escapes and lazy counts', () => {
    expect(splitLongCounts('x[^<\\s]{1400}y')).toBe('x[^<\\s]{1000}[^<\\s]{400}y');
    expect(splitLongCounts('\\d{2500}')).toBe('\\d{1000}\\d{1000}\\d{500}');
    expect(splitLongCounts('[]a]{1001}')).toBe('[]a]{1000}[]a]{1}');
    expect(splitLongCounts('(?:ab){1400}')).toBeNull();
    expect(splitLongCounts('\\x{1400}')).toBeNull();
    expect(splitLongCounts('a{1400}?')).toBeNull();
    expect(splitLongCounts('a{999}')).toBeNull();
    expect(splitLongCounts('a{10001}')).toBeNull();
  });

  it('lets re2js run __LONG_INVIS_DIV, matching where Perl does', () => {
    const translated = translatePerlRegex(LONG_INVIS_DIV, 'i');
    expect(translated.ok).toBe(true);
    const div = (style: string, run: number, after: string) =>
      `<div style="${style}">${'a'.repeat(run)}${after}`;
    const texts = [
      div('display:none', 1400, ''),
      div('display:none', 1399, ''),
      div('display:none', 1399, ' b'),
      div('visibility: hidden', 2000, '<'),
      div('-visibility: hidden', 1500, ''),
      div('DISPLAY : NONE ', 1400, 'x'),
    ];
    const expected = perl(LONG_INVIS_DIV, 'i', texts);
    expect(texts.map((text) => (translated.ok ? translated.regex.test(text) : null))).toEqual(
      expected,
    );
    expect(expected).toEqual([true, false, false, true, false, true]);
  });
});
