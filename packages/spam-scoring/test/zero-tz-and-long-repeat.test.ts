// __0_TZ_1 to __0_TZ_7 (zero-tz-patterns.ts) and __URI_LONG_REPEAT (uri-long-repeat-pattern.ts)
// matched by hand, against Perl itself on generated texts, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { debianRuleFile } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { URI_LONG_REPEAT_PATTERN } from '../src/spamassassin/uri-long-repeat-pattern.js';
import { ZERO_TZ_PATTERNS } from '../src/spamassassin/zero-tz-patterns.js';

/** Perl's answer for each text (texts may hold newlines, not NULs); `(?i)` as Perl reads it. */
function perl(pattern: string, texts: string[]): boolean[] {
  const run = spawnSync('perl', ['-0', '-ne', 'chomp; print((/$ENV{PATTERN}/ ? 1 : 0), "\\n")'], {
    input: texts.map((t) => `${t}\0`).join(''),
    encoding: 'latin1',
    maxBuffer: 1 << 26,
    env: { ...process.env, PATTERN: pattern },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

// Display names of two words or of two with an initial, and local parts built from their
// pieces (initials, whole words, separators, two letters or not, other case, digits).
const first = fc.constantFrom('John', 'jo', 'J', 'Ann_e', 'Zoë');
const middle = fc.constantFrom('Q', 'q', 'QQ');
const last = fc.constantFrom('Smith', 'smith', 'O', 'Sm1th');
const zeroTz = fc
  .tuple(
    first,
    middle,
    last,
    fc.boolean(),
    fc.array(
      fc.constantFrom('j', 'john', 'ohn', 'q', 'smith', 'SMITH', '.', '_', '-', 'ab', 'a', 'x1'),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    fc.constantFrom('@x.example>', '>', '@'),
  )
  .map(
    ([a, m, b, initial, local, end]) =>
      `${initial ? `"${a} ${m}. ${b}"` : `"${a} ${b}"`} <${local.join('')}${end}`,
  );

const label = fc.constantFrom('example', 'EXAMPLE', 'exampl', 'examples', 'www', 'a_b_c_d1');
const uri = fc
  .tuple(
    fc.constantFrom('http://', 'mailto:', 'x@', 'ftp:/', ''),
    fc.array(label, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('.com/', '/', '.', '', '@example.example.'),
  )
  .map(([scheme, labels, end]) => `${scheme}${labels.join('.')}${end}`);

describe('__0_TZ_* and __URI_LONG_REPEAT by hand agree with Perl', () => {
  for (const [pattern, match] of ZERO_TZ_PATTERNS)
    it(pattern, () => {
      const texts = fc.sample(zeroTz, { seed: 15, numRuns: 4000 });
      // A name the rule takes, each: the shapes the generator reaches less often.
      texts.push('"John Smith" <johnsmithab@x>', '"John Q. Smith" <jqsmith_ab@x>');
      texts.push('"John Q. Smith" <john.q.smithab@x>', '"John Q. Smith" <q_smithab@x>');
      texts.push('"John Smith" <j.smithab@x>', '"John Q. Smith" <john_smithab@x>');
      const expected = perl(pattern, texts);
      expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
      expect(expected.some(Boolean)).toBe(true);
    });

  it(URI_LONG_REPEAT_PATTERN[0], () => {
    const [pattern, match] = URI_LONG_REPEAT_PATTERN;
    const texts = fc.sample(uri, { seed: 15, numRuns: 4000 });
    const expected = perl(pattern, texts);
    expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(100);
  });

  it("are the rules of Debian's 20_ratware.cf and 72_active.cf, where they are installed", () => {
    const ratware = debianRuleFile('20_ratware.cf');
    const active = debianRuleFile('72_active.cf');
    if (ratware === null || active === null) return;
    for (const [pattern] of ZERO_TZ_PATTERNS)
      expect(ratware).toContain(`From =~ /${pattern.slice('(?i)'.length)}/i`);
    expect(active).toContain(`m;${URI_LONG_REPEAT_PATTERN[0].slice(4)};i`);
  });

  it("give Perl's answer on hostile texts, at n and at 100 n", () => {
    const n = 300;
    const hostile: [string, (text: string) => boolean, (n: number) => string][] = [
      ...ZERO_TZ_PATTERNS.map(
        ([pattern, match]): [string, (text: string) => boolean, (n: number) => string] => [
          pattern,
          match,
          (k) => `"J${'o'.repeat(k)} Q. S${'m'.repeat(k)}" <j${'o'.repeat(k)}${'s'.repeat(k)}>`,
        ],
      ),
      [
        URI_LONG_REPEAT_PATTERN[0],
        URI_LONG_REPEAT_PATTERN[1],
        (k) => `http://${'abcdefg.abcdefh.'.repeat(k)}`,
      ],
      [
        URI_LONG_REPEAT_PATTERN[0],
        URI_LONG_REPEAT_PATTERN[1],
        (k) => `${'@://'.repeat(k)}${'a'.repeat(k)}.`,
      ],
    ];
    for (const [pattern, match, build] of hostile) {
      const [expected] = perl(pattern, [build(n)]);
      expect(match(build(n)), pattern).toBe(expected);
      expect(match(build(100 * n)), pattern).toBe(expected);
    }
  });
});
