import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { relaxRegex, reverseRegex, reverseText } from '../src/spamassassin/regex-reverse.js';

describe('reverseRegex', () => {
  it('reads sequences backwards, swaps anchors and turns lookaheads into lookbehinds', () => {
    expect(reverseRegex('ab(?!cd)e')).toBe('e(?<!dc)ba');
    expect(reverseRegex('^a|b$')).toBe('a$|^b');
    expect(reverseRegex('\\Aa(?:bc)+\\z')).toBe('\\A(?:cb)+a\\z');
    expect(reverseRegex('(x)[a-c]{2,3}?\\x{41}')).toBe('\\x{41}[a-c]{2,3}?(?:x)');
    // An inline flag covers what follows it, before and after reversal.
    expect(reverseRegex('a(?i)bc')).toBe('(?i:cb)a');
    expect(reverseRegex('(?<=a)b')).toBeNull();
    expect(reverseRegex('a(b')).toBeNull();
    expect(reverseText('abc')).toBe('cba');
  });

  it('relaxes a pattern by leaving its lookarounds out (a forward screen)', () => {
    expect(relaxRegex('(?=c)(?!click)c\\s*l(?:(?!x).)*$')).toBe('c\\s*l(?:.)*$');
    expect(relaxRegex('a(?<=a)(?i)b')).toBe('a(?i)b');
  });
});

/** Patterns with lookaheads in the middle, in the shapes SpamAssassin's rules use them. */
const PATTERNS: [string, string][] = [
  ['[-+](?!(?:0\\d|1[0-4])(?:[03]0|[14]5))\\d{4}$', ''],
  ['^https?://(?!1(?:0|27)\\.)\\d+\\.\\d+\\b(?![.-])', 'i'],
  ['\\b(?:exercis(?:e(?! price)|ing)|weight.?loss)\\b', 'i'],
  ['offers(?![eo]n\\b)', 'i'],
  ['a(?=b)[a-z]+c$', 'm'],
  ['(?!ab)[a-c]{2}(?i)C', ''],
  ['x(?:(?!y).)*z', 's'],
  ['^(?!.*free).*money', ''],
  ['\\d(?!\\d)[ax]|^b', ''],
];

/** What Perl says: for each pattern, whether each text matches. */
function perlMatches(texts: string[]): boolean[][] | null {
  const script = `
    use strict; my @lines = split /\\n/, do { local $/; <STDIN> };
    my $n = shift @lines; my @pats = splice @lines, 0, $n;
    for my $p (@pats) { my ($flags, $re) = split /\\t/, $p, 2; $re =~ s/\\\\n/\\n/g;
      my $rx = eval "qr/\\$re/$flags"; print join('', map { my $t = $_; $t =~ s/\\\\n/\\n/g; $t =~ $rx ? 1 : 0 } @lines), "\\n"; }`;
  const input = [
    String(PATTERNS.length),
    ...PATTERNS.map(([pattern, flags]) => `${flags}\t${pattern}`),
    ...texts.map((text) => text.replace(/\n/g, '\\n')),
  ].join('\n');
  const perl = spawnSync('perl', ['-e', script], { input, encoding: 'latin1' });
  if (perl.status !== 0) return null;
  return perl.stdout
    .trim()
    .split('\n')
    .map((line) => [...line].map((c) => c === '1'));
}

describe('patterns with lookaheads, run backwards, agree with Perl', () => {
  it('on texts made of the patterns own pieces', () => {
    const pieces = fc.constantFrom(
      ...'ab cxyz-+.01459\n'.split(''),
      'free',
      'money',
      'offers',
      'offeron',
      'exercise',
      ' price',
      'http://',
      '127.',
      '10.',
      '+1445',
      '-0530',
      'weightloss',
      'C',
    );
    const texts = fc.sample(
      fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
      {
        seed: 15,
        numRuns: 600,
      },
    );
    const perl = perlMatches(texts);
    if (perl === null) throw new Error('perl did not run');
    PATTERNS.forEach(([pattern, flags], p) => {
      const translated = translatePerlRegex(pattern, flags);
      expect(translated.ok && translated.reversed, pattern).toBe(true);
      if (!translated.ok) return;
      // As the rule set runs it: the relaxed pattern forwards first, then the reversed one.
      const ours = texts.map(
        (text) =>
          (translated.relaxed?.test(text) ?? true) && translated.regex.test(reverseText(text)),
      );
      const disagreements = texts.filter((_, t) => ours[t] !== perl[p]![t]);
      expect(disagreements, `${pattern} /${flags}`).toEqual([]);
    });
  });
});
