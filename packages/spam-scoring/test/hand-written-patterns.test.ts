import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HAND_WRITTEN_PATTERNS } from '../src/spamassassin/hand-written-patterns.js';

/** Perl's answer for each text (texts must not hold newlines). */
function perl(pattern: string, texts: string[]): boolean[] {
  const run = spawnSync(
    'perl',
    ['-ne', `chomp; print((/${pattern.replace(/\//g, '\\/')}/ ? 1 : 0), "\\n")`],
    { input: texts.join('\n') + '\n', encoding: 'latin1' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

describe('hand-written patterns agree with Perl', () => {
  const relay = fc
    .record({
      rdns: fc.constantFrom('', 'mx.example.net', 'MX.Example.NET', 'mx', 'a.b'),
      helo: fc.constantFrom(
        '',
        'mx.example.net',
        'mx.EXAMPLE.net.extra',
        'other',
        'mx',
        '!1.2.3.4!',
      ),
    })
    .map(({ rdns, helo }) => `[ ip=192.0.2.1 rdns=${rdns} helo=${helo} by=x ident= envfrom= ]`);
  const texts = fc.sample(
    fc.array(relay, { minLength: 0, maxLength: 3 }).map((relays) => relays.join(' ')),
    { seed: 15, numRuns: 300 },
  );

  for (const [pattern, match] of HAND_WRITTEN_PATTERNS)
    it(pattern, () => {
      const expected = perl(pattern, texts);
      const disagreements = texts.filter((text, i) => match(text) !== expected[i]);
      expect(disagreements).toEqual([]);
      expect(expected.some(Boolean) && !expected.every(Boolean)).toBe(true);
    });
});
