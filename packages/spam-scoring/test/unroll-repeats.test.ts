import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { translatePerlRegex } from '../src/index.js';
import {
  MAX_UNROLLED_COUNT,
  MAX_UNROLLED_LENGTH,
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
