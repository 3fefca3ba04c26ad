import { spawnSync } from 'node:child_process';

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
