// __IP_IN_RELAY matched by hand (ip-in-relay-pattern.ts) against Perl itself, on generated
// relay strings, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IP_IN_RELAY_PATTERN } from '../src/spamassassin/ip-in-relay-pattern.js';
import { ruleFirer } from './helpers.js';

const [PATTERN, match] = IP_IN_RELAY_PATTERN;

/** Perl's answer for each text (texts may hold newlines, not NULs). */
function perl(texts: string[]): boolean[] {
  const run = spawnSync('perl', ['-0', '-ne', `chomp; print((/${PATTERN}/ ? 1 : 0), "\\n")`], {
    input: texts.map((t) => `${t}\0`).join(''),
    encoding: 'latin1',
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

// Relays whose names spell their address forwards, backwards, in part, with other separators,
// with a digit too many, after other fields, after a `]`, with spaces inside.
const ip = fc.constantFrom('192.0.2.1', '10.20.30.40', '1.1.1.1', '203.0.113.77', '::1');
const spelling = (address: string) => {
  const octets = address.split('.');
  return fc.constantFrom(
    octets.join('-'),
    [...octets].reverse().join('.'),
    octets.join(''),
    octets.slice(0, 3).join('-'),
    octets.join(' '),
    `${octets.join('-')}9`,
    `9${octets.join('_')}`,
    'mail',
    '',
  );
};
const relayText = ip.chain((address) =>
  fc
    .tuple(
      fc.constantFrom('rdns=', 'helo=', 'rdns=x', 'by=', ' rdns=', 'Rdns='),
      fc.constantFrom('host-', '', 'x.', '] ', ' '),
      spelling(address),
      fc.constantFrom('.example', '', ']', ' helo=a'),
      fc.constantFrom('', 'ident= ', '] [ '),
    )
    .map(
      ([field, before, spelled, after, lead]) =>
        `[ ip=${address} ${lead}${field}${before}${spelled}${after} by=mx ident= envfrom= ]\n`,
    ),
);

describe('__IP_IN_RELAY by hand', () => {
  it('agrees with Perl', () => {
    const texts = fc.sample(relayText, { seed: 15, numRuns: 3000 });
    const expected = perl(texts);
    expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(100);
    expect(expected.filter((found) => !found).length).toBeGreaterThan(100);
  });

  it("gives Perl's answer on hostile texts, at n and at 100 n", () => {
    const hostile: ((n: number) => string)[] = [
      (n) => `[ ip=1.1.1.1 rdns=${'1.1.1.'.repeat(n)}2 ]`,
      (n) => `[ ip=1.2.3.4 ${' rdns=1-2-3'.repeat(n)} helo=4.3.2.1 ]`,
      (n) => `[ ip=1.2.3.4 rdns=${'x'.repeat(n)} ${'y'.repeat(n)}1.2.3.4 ]`,
      (n) => `[ ip=1.2.3.4 ${'a '.repeat(n)}]helo=1.2.3.4`,
    ];
    const n = 500;
    const expected = perl(hostile.map((build) => build(n)));
    expect(hostile.map((build) => match(build(n)))).toEqual(expected);
    expect(hostile.map((build) => match(build(100 * n)))).toEqual(expected);
  });

  it('runs in a rule set on the relays of a message (NO_FM_NAME_IP_HOSTN reads it)', () => {
    const fire = ruleFirer(
      `header __IP_IN_RELAY X-Spam-Relays-External =~ /${PATTERN}/\nmeta IP_IN_RELAY __IP_IN_RELAY`,
      { subrules: true, sorted: false },
    );
    const { rules } = fire;
    expect(rules.unsupported).toEqual([]);
    const fired = (rdns: string) =>
      fire(
        `Received: from helo.example (${rdns} [203.0.113.77])\r\n\tby mx.example.com (Postfix) with ESMTP id 1\r\n\tfor <bob@example.com>; Sat, 5 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\n\r\nbody\r\n`,
      );
    expect(fired('host-203-0-113-77.example')).toEqual(['IP_IN_RELAY']);
    expect(fired('mail.shop.example')).toEqual([]);
  });
});
