// A `multiple` rule counts its matches as Perl's `//g` does. A lookahead that ends a pattern is
// made consuming for RE2 (perl-regex.ts), so each match used to eat what the lookahead only
// looked at, and the next match could not start there: `a(?!b)` counted 1 on "aa", Perl 2.
import { spawnSync } from 'node:child_process';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ruleFirer } from './helpers.js';

/** Counted rules ending in a lookahead (and one in `\b` after a lookahead's match). */
const PATTERNS: Record<string, string> = {
  NOT_B: 'q(?!z)',
  NOT_SEQ: 'q(?!zq)',
  FOLLOWED: '\\bq(?=q)',
  WORD_NOT_DIGIT: 'qz(?!\\d)',
};
const MAX_HITS = 9;

const fire = ruleFirer(
  Object.entries(PATTERNS)
    .flatMap(([name, pattern]) => [
      `body  ${name} /${pattern}/`,
      `tflags ${name} multiple maxhits=${MAX_HITS}`,
      `score ${name} 1`,
      // Metas that read the count, so that the verdict shows it.
      ...Array.from({ length: MAX_HITS }, (_, n) => [
        `meta ${name}_${n + 1} ${name} == ${n + 1}`,
        `score ${name}_${n + 1} 0.01`,
      ]).flat(),
    ])
    .join('\n'),
  { sorted: false },
);

/** The count of each rule on a body, read from the metas that fired. */
function ourCounts(body: string): Record<string, number> {
  const fired = new Set(fire(`Subject: x\r\n\r\n${body}`));
  return Object.fromEntries(
    Object.keys(PATTERNS).map((name) => {
      const n = Array.from({ length: MAX_HITS }, (_, k) => k + 1).find((k) =>
        fired.has(`${name}_${k}`),
      );
      return [name, n ?? 0];
    }),
  );
}

/** Perl's `() = /x/g` count, capped as maxhits caps it; the Subject "x" is its own paragraph. */
function perlCounts(bodies: string[]): Record<string, number>[] {
  const script = `
    my @pats = (${Object.values(PATTERNS)
      .map((p) => `qr/${p}/`)
      .join(', ')});
    while (my $t = <STDIN>) { chomp $t;
      print join(' ', map { my $n = () = $t =~ /$_/g; $n > ${MAX_HITS} ? ${MAX_HITS} : $n } @pats), "\\n"; }`;
  const perl = spawnSync('perl', ['-e', script], { input: bodies.join('\n') + '\n' });
  if (perl.status !== 0) throw new Error(String(perl.stderr));
  return String(perl.stdout)
    .trim()
    .split('\n')
    .map((line) => {
      const counts = line.split(' ').map(Number);
      return Object.fromEntries(Object.keys(PATTERNS).map((name, i) => [name, counts[i]!]));
    });
}

describeWithPeer(
  { name: 'perl', available: commandAvailable('perl'), install: 'apt-get install perl' },
  'a multiple rule whose pattern ends in a lookahead',
  () => {
    it('counts "a(?!b)" twice on "aa", as Perl does', () => {
      expect(ourCounts('qq').NOT_B).toBe(2);
      expect(ourCounts('qqq qz q').NOT_B).toBe(4);
      expect(ourCounts('qq qq').FOLLOWED).toBe(2);
    });

    it('counts as Perl on texts made of the patterns own pieces', () => {
      const texts = fc.sample(
        fc
          .array(fc.constantFrom('q', 'z', 'zq', ' ', '1', 'qz', 'qq'), { maxLength: 14 })
          .map((pieces) => pieces.join('')),
        { seed: 22, numRuns: 400 },
      );
      const perl = perlCounts(texts);
      const disagreements = texts.filter(
        (text, t) => JSON.stringify(ourCounts(text)) !== JSON.stringify(perl[t]),
      );
      expect(disagreements).toEqual([]);
      // The texts reach counts above 1 for every rule (where the old count fell short).
      for (const name of Object.keys(PATTERNS))
        expect(Math.max(...perl.map((counts) => counts[name]!)), name).toBeGreaterThan(1);
    });
  },
);
