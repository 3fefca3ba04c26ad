// DOS_RCVD_IP_TWICE_C and __FORGED_RELAY_MUA_TO_MX matched by hand (relay-twice-patterns.ts)
// against Perl itself, on generated relay strings, and in linear time on hostile ones.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELAY_TWICE_PATTERNS } from '../src/spamassassin/relay-twice-patterns.js';
import { debianRuleFile, ruleFirer } from './helpers.js';

/** Perl's answer for each text (texts may hold newlines, not NULs). */
function perl(pattern: string, texts: string[]): boolean[] {
  const run = spawnSync('perl', ['-0', '-ne', `chomp; print((/${pattern}/ ? 1 : 0), "\\n")`], {
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

// Relays as received-relays.ts writes them, and near them: the same address twice or not
// (a prefix of it, a 127 one), HELOs empty, IP literals of every length around 7-15, private
// or not, names, `helo=` glued to a word, a third relay, white space around, a `]` missing.
const address = fc.constantFrom('192.0.2.1', '192.0.2.11', '127.0.0.1', '10.1.2.3', '1.2.3.4');
const helo = fc.constantFrom(
  'helo=',
  'helo=!192.0.2.1!',
  'helo=!10.0.0.1!',
  'helo=!172.16.0.1!',
  'helo=!1.2.3!',
  'helo=!1.2.3.4!',
  'helo=!1234567890123456!',
  'helo=mail.example',
  'xhelo=',
  'helo=!192.0.2.1!x',
);
const relay = fc
  .tuple(
    address,
    fc.constantFrom('', 'rdns=a.example ', 'rdns= '),
    helo,
    fc.constantFrom(' ', '  '),
  )
  .map(
    ([ip, rdns, h, gap]) =>
      `[ ip=${ip} ${rdns}${h}${gap}by=mx.example ident= envfrom= intl=0 id=1 auth= msa=0 ]`,
  );
const relays = fc
  .tuple(
    fc.constantFrom('', ' ', '\n '),
    fc.array(relay, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('', ' ', '\n', ' x', '['),
  )
  .map(([before, list, after]) => `${before}${list.join(' ')}${after}`);
// Pairs with the same address, so that both answers come up often.
const pairs = fc
  .tuple(address, helo, helo, fc.constantFrom('', '\n', ' ]'))
  .map(
    ([ip, first, second, after]) =>
      `[ ip=${ip} rdns= ${first} by=mx ] [ ip=${ip} rdns= ${second} by=mx ]${after}`,
  );

describe('DOS_RCVD_IP_TWICE_C and __FORGED_RELAY_MUA_TO_MX by hand', () => {
  for (const [pattern, match] of RELAY_TWICE_PATTERNS)
    it(`agrees with Perl: ${pattern.slice(0, 40)}...`, () => {
      const texts = [
        ...fc.sample(relays, { seed: 15, numRuns: 2000 }),
        ...fc.sample(pairs, { seed: 15, numRuns: 2000 }),
      ];
      const expected = perl(pattern, texts);
      expect(texts.filter((text, i) => match(text) !== expected[i])).toEqual([]);
      expect(expected.filter(Boolean).length).toBeGreaterThan(100);
    });

  it("are the rules of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    for (const [pattern] of RELAY_TWICE_PATTERNS)
      expect(file).toContain(`X-Spam-Relays-External =~ /${pattern}/`);
  });

  it("gives Perl's answer on hostile texts, at n and at 100 n", () => {
    const hostile: ((n: number) => string)[] = [
      (n) => `[ ip=1.2.3.4 ${'helo= '.repeat(n)}[ ip=1.2.3.5 ]`,
      (n) => `[ ip=1.2.3.4 ${'xhelo= '.repeat(n)}[ ip=1.2.3.4 ]`,
      (n) => `[ ip=1.2.3.4 helo= [ ip=1.2.3.4 ${']'.repeat(n)} x`,
      (n) => `[ ip=${'1.'.repeat(n)}1 helo= ] [ ip=${'1.'.repeat(n)}1 ]`,
      (n) => `[ ip=1.2.3.4 helo= ] [ ip=1.2.3.4 ${' helo=!10.0.0.1!'.repeat(n)}`,
      (n) => `[ ip=1.2.3.4 helo= ] [ ip=1.2.3.4 ${' helo=!1.2.3.4!'.repeat(n)} [`,
      (n) => `${' '.repeat(n)}[ ip=1.2.3.4 helo=!${'1'.repeat(n)}! ] [ ip=1.2.3.4 ]`,
    ];
    const n = 500;
    for (const [pattern, match] of RELAY_TWICE_PATTERNS) {
      const expected = perl(
        pattern,
        hostile.map((build) => build(n)),
      );
      expect(hostile.map((build) => match(build(n)))).toEqual(expected);
      expect(hostile.map((build) => match(build(100 * n)))).toEqual(expected);
    }
  });

  it('runs in a rule set on the relays of a message', () => {
    const [pattern] = RELAY_TWICE_PATTERNS[0]!;
    const fire = ruleFirer(`header DOS_RCVD_IP_TWICE_C X-Spam-Relays-External =~ /${pattern}/`);
    expect(fire.rules.unsupported).toEqual([]);
    const received = (helo: string, ip: string, by: string) =>
      `Received: from ${helo} (unknown [${ip}])\r\n\tby ${by} (Postfix) with ESMTP id 1\r\n\tfor <bob@example.com>; Sat, 5 Dec 2026 10:00:00 +0000\r\n`;
    // The first relay (the top Received) says HELO [its address]; the one before, the same.
    const fired = (second: string) =>
      fire(
        `${received('[203.0.113.77]', '203.0.113.77', 'mx.example.com')}${received('pc.example.net', second, 'relay.example.org')}From: eve@shop.example\r\n\r\nbody\r\n`,
      );
    expect(fired('203.0.113.77')).toEqual(['DOS_RCVD_IP_TWICE_C']);
    expect(fired('203.0.113.78')).toEqual([]);
  });
});
