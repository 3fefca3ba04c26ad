/**
 * Kerio's `*` wildcard (custom rules' address and domain patterns, `*@othercompany.com`,
 * `*.info`): `*` stands for any run of characters, everything else is literal, case-insensitive.
 * Matched without regular expressions, in time linear in pattern times text at worst, so a
 * hostile pattern or address cannot make it backtrack.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      resumeAt = ti;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ti = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
