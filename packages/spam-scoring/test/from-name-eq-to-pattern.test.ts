// __PDS_TO_EQ_FROM_NAME_1 matched by hand (from-name-eq-to-pattern.ts) against Perl itself, on
// generated header blocks, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_NAME_EQ_TO_PATTERN } from '../src/spamassassin/from-name-eq-to-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, fromNameEqualsTo] = FROM_NAME_EQ_TO_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?ism\)/, ''), 'ism'];

// Addresses, and captures that are not: beginning with a non-word character, holding one, or
// the To line's whole rest with a space in it.
const address = fc.constantFrom(
  'bob@example.com',
  'BOB@Example.Com',
  'bob',
  '"bob"@example.com',
  '-bob@example.com',
  'bob@example.com"',
  'b"ob@example.com',
  'bob<x@example.com',
);
const toLine = fc
  .tuple(
    fc.constantFrom('To: ', 'to: ', 'To:', 'To:  ', 'To: Bob <', 'To: x'.repeat(16) + '<', 'To: <'),
    fc.oneof(
      { arbitrary: fc.constant('bob@example.com'), weight: 3 },
      { arbitrary: address, weight: 2 },
    ),
    fc.constantFrom('', '>', '> ', 'x', ' x'),
  )
  .map((parts) => parts.join(''));
const fromLine = fc
  .tuple(
    fc.constantFrom('From: "', 'from: ', 'From:', 'From:\n "', 'From: -', 'From: "-', 'From: x "'),
    fc.oneof(
      { arbitrary: fc.constant('bob@example.com'), weight: 3 },
      { arbitrary: address, weight: 2 },
    ),
    fc.constantFrom(
      '" <eve@shop.example>',
      '"<eve@shop.example>',
      ' <bob@example.com>',
      '" <bob@example.com>',
      '" <bob@example.com.x>',
      '" eve',
      ' eve"',
      '',
      '" <eve>x',
      ' <<eve>',
      'bob@example.com',
    ),
  )
  .map((parts) => parts.join(''));
const filler = fc.constantFrom(
  '',
  'Subject: hi',
  'X-Long: ' + 'x'.repeat(92),
  'X-Long: ' + 'x'.repeat(93),
);
const blocks = fc
  .tuple(
    fc.constantFrom('Received: x', ''),
    toLine,
    fc.array(filler, { maxLength: 2 }),
    fromLine,
    fc.constantFrom('', '\n', '\nx'),
  )
  .map(([first, to, middle, from, end]) => `${[first, to, ...middle, from].join('\n')}${end}`);

describe('__PDS_TO_EQ_FROM_NAME_1 by hand', () => {
  it('agrees with Perl on generated header blocks', () => {
    const texts = fc.sample(blocks, { seed: 1, numRuns: 10000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => fromNameEqualsTo(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(200);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`ALL =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile header blocks, fast at 1 MB", () => {
    expectLinear(
      [
        // Captures of many lengths, and From lines that try each.
        (n) =>
          `\n${Array.from({ length: 90 }, (_, i) => `To: ${'b'.repeat(i + 1)}`).join('\n')}\n${'From: bbbb\n'.repeat(n)}`,
        (n) =>
          `\n${Array.from({ length: 90 }, (_, i) => `To: -${'b'.repeat(i + 1)}`).join('\n')}\nFrom:${' -'.repeat(n)}b\n`,
        (n) => `\n${'To: bob\n'.repeat(n)}From: "bob"\n`,
        (n) => `\nTo: ${'b'.repeat(n)}\nFrom: ${'b'.repeat(n)}\n`,
        (n) => `\nTo: bob\nFrom: bob ${'<'.repeat(n)}\n`,
        (n) => `${'\nTo: x'.repeat(n)}\nFrom: y\n`,
      ],
      fromNameEqualsTo,
      PERL,
      200,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header TO_EQ_FROM_NAME_1 ALL =~ /${PERL[0]}/${PERL[1]}\nscore TO_EQ_FROM_NAME_1 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (to: string, from: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nTo: ${to}\r\nSubject: hi\r\nFrom: ${from}\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('bob@example.com', '"bob@example.com" <eve@shop.example>'),
      mail('Bob <BOB@example.com>', 'bob@example.com <eve@shop.example>'),
      mail('bob@example.com', '"bob@example.com" <bob@example.com>'),
      mail('carol@example.com', '"bob@example.com" <eve@shop.example>'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^TO_EQ_FROM_NAME_1$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
