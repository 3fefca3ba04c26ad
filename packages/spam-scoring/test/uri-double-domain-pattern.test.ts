// __URI_DBL_DOM matched by hand (uri-double-domain-pattern.ts) against Perl itself, on
// generated URIs, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { URI_DOUBLE_DOMAIN_PATTERN } from '../src/spamassassin/uri-double-domain-pattern.js';

const [PATTERN, match] = URI_DOUBLE_DOMAIN_PATTERN;

/** Perl's answer for each text (texts may hold newlines, not NULs). */
function perl(texts: string[]): boolean[] {
  const run = spawnSync('perl', ['-0', '-ne', 'chomp; print((/$ENV{PATTERN}/ ? 1 : 0), "\\n")'], {
    input: texts.map((t) => `${t}\0`).join(''),
    encoding: 'latin1',
    maxBuffer: 1 << 26,
    env: { ...process.env, PATTERN },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

// Redirects whose hosts share what follows their first label, or nearly, in other cases,
// Amazon's, with a newline or none between, hosts without a dot or a slash.
const scheme = fc.constantFrom('http://', 'https://', 'HTTPS://', 'ftp://', 'http:/');
const host = fc.constantFrom(
  'a.example.com',
  'b.example.com',
  'b.EXAMPLE.com',
  'b.example.co',
  'b.example.com.x',
  'www.amazon.com',
  'smile.amazon.com',
  'example',
  'x..example.com',
);
const uri = fc
  .tuple(
    scheme,
    host,
    fc.constantFrom('/', '/r?u=', '', '/a/'),
    fc.constantFrom('', ' ', '\n', 'x'),
    scheme,
    host,
    fc.constantFrom('/', '', '/x', '?'),
  )
  .map((parts) => parts.join(''));

describe('__URI_DBL_DOM by hand', () => {
  it('agrees with Perl', () => {
    const texts = fc.sample(uri, { seed: 15, numRuns: 4000 });
    const expected = perl(texts);
    expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(40);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    let file: string;
    try {
      file = readFileSync('/usr/share/spamassassin/72_active.cf', 'latin1');
    } catch {
      return;
    }
    expect(file).toContain(`m,${PATTERN.slice(4)},i`);
  });

  it("gives Perl's answer on hostile URIs, at n and at 100 n", () => {
    const hostile: ((n: number) => string)[] = [
      (n) => `http://a.${'b'.repeat(n)}/${'http://x.'.repeat(n)}${'b'.repeat(n - 1)}/`,
      (n) => `http://a.${'b'.repeat(n)}/${'https://'.repeat(n)}x.${'b'.repeat(n)}`,
      (n) => `http://a.b/${'http'.repeat(n)}://c.b/`,
    ];
    const n = 300;
    const expected = perl(hostile.map((build) => build(n)));
    expect(hostile.map((build) => match(build(n)))).toEqual(expected);
    expect(hostile.map((build) => match(build(100 * n)))).toEqual(expected);
  });
});
