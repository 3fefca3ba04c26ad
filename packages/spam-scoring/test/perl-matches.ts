import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/**
 * For each `[pattern, flags]`, whether Perl matches each text (texts as octets): the oracle the
 * rewritten and hand-written patterns are checked against.
 */
export function perlMatches(patterns: readonly [string, string][], texts: string[]): boolean[][] {
  const script = `
    use strict; my @lines = split /\\n/, do { local $/; <STDIN> };
    my $n = shift @lines; my @pats = splice @lines, 0, $n;
    for my $p (@pats) { my ($flags, $re) = split /\\t/, $p, 2;
      my $rx = eval "qr/\\$re/$flags" or die $@;
      print join('', map { my $t = $_; $t =~ s/\\\\n/\\n/g; $t =~ $rx ? 1 : 0 } @lines), "\\n"; }`;
  const input = [
    String(patterns.length),
    ...patterns.map(([pattern, flags]) => `${flags}\t${pattern}`),
    ...texts.map((text) => text.replace(/\n/g, '\\n')),
  ].join('\n');
  const perl = spawnSync('perl', ['-e', script], { input, encoding: 'latin1' });
  if (perl.status !== 0) throw new Error(`perl failed: ${perl.stderr}`);
  return perl.stdout
    .trim()
    .split('\n')
    .map((line) => [...line].map((c) => c === '1'));
}

/**
 * How long a matcher may take on a 1-2 MB hostile text: generous, as the 2 cores are shared (at
 * a load of 16 a linear matcher took 4 s); a quadratic one takes hours.
 */
const HOSTILE_TIME_LIMIT_MS = 15_000;

/**
 * A hand matcher on hostile texts, each `build(n)` growing with n: Perl's answer at a small n
 * (Perl itself may take seconds where it backtracks),
 * the same answer at about 1 MB, found within HOSTILE_TIME_LIMIT_MS.
 */
export function expectLinear(
  hostile: readonly ((n: number) => string)[],
  match: (text: string) => boolean,
  pattern: [string, string],
  smallN = 1000,
): void {
  const small = hostile.map((build) => build(smallN));
  expect(small.map((text) => match(text))).toEqual(perlMatches([pattern], small)[0]);
  for (const [index, build] of hostile.entries()) {
    let n = 1000;
    while (build(n).length < 1 << 20) n *= 2;
    const text = build(n);
    const started = performance.now();
    const found = match(text);
    const took = performance.now() - started;
    expect({ index, found, fast: took < HOSTILE_TIME_LIMIT_MS }).toEqual({
      index,
      found: match(small[index]!),
      fast: true,
    });
  }
}
