import { describe, expect, it } from 'vitest';
import { readPerlMatch, translatePerlRegex } from '../src/spamassassin/perl-regex.js';

const compile = (pattern: string, flags = '') => {
  const translated = translatePerlRegex(pattern, flags);
  if (!translated.ok) throw new Error(`refused: ${translated.reason}`);
  return translated;
};
const matches = (pattern: string, flags: string, text: string) =>
  compile(pattern, flags).regex.test(text);
const refusal = (pattern: string, flags = '') => {
  const translated = translatePerlRegex(pattern, flags);
  return translated.ok ? null : translated.reason;
};

describe('reading match operators', () => {
  it('reads /.../flags and m with any delimiter, brackets nested, and what follows', () => {
    expect(readPerlMatch('/a\\/b/i [if-unset: x]')).toEqual({
      pattern: 'a\\/b',
      flags: 'i',
      rest: '[if-unset: x]',
    });
    expect(readPerlMatch('m{a{2}b}s')).toEqual({ pattern: 'a{2}b', flags: 's', rest: '' });
    expect(readPerlMatch('m!x!')).toEqual({ pattern: 'x', flags: '', rest: '' });
    expect(readPerlMatch('/unclosed')).toBeNull();
    expect(readPerlMatch('eval:check()')).toBeNull();
  });
});

describe('translating Perl patterns to RE2', () => {
  it('keeps what both agree on and honours i, s, m and x', () => {
    expect(matches('buy\\s+now', 'i', 'BUY  NOW')).toBe(true);
    expect(matches('a.b', '', 'a\nb')).toBe(false);
    expect(matches('a.b', 's', 'a\nb')).toBe(true);
    expect(matches('^b', 'm', 'a\nb')).toBe(true);
    expect(matches('^b', '', 'a\nb')).toBe(false);
    expect(matches('a b # a comment\n c', 'x', 'abc')).toBe(true);
    expect(matches('[[:upper:]]{3}', '', 'xABCx')).toBe(true);
  });

  it("gives $ and \\Z Perl's meaning: also before a final newline (header values end with one)", () => {
    expect(matches('foo$', '', 'foo\n')).toBe(true);
    expect(matches('foo$', '', 'foo\nbar')).toBe(false);
    expect(matches('foo\\Z', '', 'foo\n')).toBe(true);
    expect(matches('^$', '', '')).toBe(true);
  });

  it('writes Perl-only escapes the RE2 way', () => {
    expect(matches('a\\hb', '', 'a\tb')).toBe(true);
    expect(matches('\\@\\#\\%', '', '@#%')).toBe(true);
    expect(matches('[\\h\\-]', '', '-')).toBe(true);
    expect(matches('\\e', '', '\x1b')).toBe(true);
    expect(matches('[\\xc3][\\xa9]', '', '\xc3\xa9')).toBe(true);
    expect(matches('[a[]', '', '[')).toBe(true);
    expect(matches('(?<name>ab)', '', 'ab')).toBe(true);
    expect(matches('a(?#comment)b', '', 'ab')).toBe(true);
  });

  it('keeps lookbehind (re2js runs it in linear time)', () => {
    expect(matches('(?<=\\$)\\d+', '', 'cost $5')).toBe(true);
    expect(matches('(?<!\\$)\\d+', '', '$5')).toBe(false);
  });

  it('rewrites a lookahead that ends the pattern into a consuming group', () => {
    expect(compile('a(?!\\d)').source).toBe('a(?P<perlLookaheadStart0>(?:\\z|\\D))');
    expect([
      matches('a(?!\\d)', '', 'a'),
      matches('a(?!\\d)', '', 'ax'),
      matches('a(?!\\d)', '', 'a1'),
    ]).toEqual([true, true, false]);
    expect(matches('ab(?!cd)', '', 'abce')).toBe(true);
    expect(matches('ab(?!cd)', '', 'abcd')).toBe(false);
    expect(matches('ab(?!cd)', '', 'abc')).toBe(true);
    expect(matches('x(?:(?!\\d)|\\b)', '', 'x')).toBe(true);
    expect(matches('x(?=y)', '', 'xy')).toBe(true);
    expect(matches('x(?=y)', '', 'xz')).toBe(false);
    expect(matches('A(?!b)', 'i', 'aB')).toBe(false);
  });

  it('refuses, with the reason, what RE2 cannot run in linear time', () => {
    // A lookahead inside runs backwards as a lookbehind (regex-reverse.ts), unless the pattern
    // also has a lookbehind, which backwards would be a lookahead.
    // (A lookbehind that starts the pattern is made consuming: rewritten-patterns.test.ts.)
    expect(refusal('x(?<=a)(?!b)c')).toBe('negative lookahead');
    expect(refusal('x(?=y)z(?<!q)')).toBe('lookahead');
    expect(refusal('(a)\\1')).toBe('backreference');
    expect(refusal('(?>a+)b')).toBe('atomic group');
    expect(refusal('a++')).toBe('possessive quantifier');
    expect(refusal('\\Gx')).toBe('\\G');
    expect(refusal('a{20000}')).toMatch(/repeat/);
    expect(refusal('(?:ab){2000}')).toMatch(/repeat/);
    expect(refusal('a', 'e')).toBe('flag /e');
  });

  it('matches a pattern built to make a backtracking engine explode in linear time', () => {
    const evil = compile('(a+)+$');
    expect(evil.regex.test(`${'a'.repeat(100_000)}!`)).toBe(false);
  });
});
