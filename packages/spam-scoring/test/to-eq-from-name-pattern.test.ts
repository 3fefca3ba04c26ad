// __PDS_TO_EQ_FROM_NAME_2 matched by hand (to-eq-from-name-pattern.ts) against Perl itself, on
// generated header blocks, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TO_EQ_FROM_NAME_PATTERN } from '../src/spamassassin/to-eq-from-name-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, toEqualsFromName] = TO_EQ_FROM_NAME_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?ism\)/, ''), 'ism'];

const address = fc.constantFrom(
  'bob@example.com',
  'BOB@Example.Com',
  'bob@example.c',
  'bob@example.co.uk',
  '.b-o+b@ex-ample.com',
  'bob@.com',
  'bob@example-.com',
  'bob',
);
const fromLine = fc
  .tuple(
    fc.constantFrom(
      'From: "',
      'from:"',
      'From:  "',
      'From:\n "',
      'From: ""',
      'From: x "',
      'From:"',
    ),
    address,
    fc.constantFrom(
      '" <eve@shop.example>',
      '"<eve@shop.example>',
      ' <bob@example.com>',
      '"',
      '" <bob@example.com>',
      '" eve',
      '',
      '" <eve>x',
    ),
  )
  .map((parts) => parts.join(''));
const toLine = fc
  .tuple(
    fc.constantFrom('To: ', 'to: ', 'To:', 'To:  ', 'To: Bob <', 'To: x'.repeat(20) + '<'),
    fc.oneof(
      { arbitrary: fc.constant('bob@example.com'), weight: 3 },
      { arbitrary: address, weight: 1 },
    ),
    fc.constantFrom('', '>', 'x'),
  )
  .map((parts) => parts.join(''));
const filler = fc.constantFrom(
  '',
  'Subject: hi',
  'X-Long: ' + 'x'.repeat(93),
  'X-Long: ' + 'x'.repeat(92),
);
const blocks = fc
  .tuple(
    fc.constantFrom('Received: x', ''),
    fromLine,
    fc.array(filler, { maxLength: 2 }),
    toLine,
    fc.constantFrom('', '\n'),
  )
  .map(([first, from, middle, to, end]) => `${[first, from, ...middle, to].join('\n')}${end}`);

describe('__PDS_TO_EQ_FROM_NAME_2 by hand', () => {
  it('agrees with Perl on generated header blocks', () => {
    const texts = fc.sample(blocks, { seed: 25, numRuns: 8000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => toEqualsFromName(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(100);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`ALL =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile header blocks, fast at 1 MB", () => {
    expectLinear(
      [
        (n) => `\nFrom: "b@${'a.bb'.repeat(n)}" <e@x>\nTo: b@${'a.bb'.repeat(n - 1)}x\n`,
        (n) => `\nFrom: "b@a.bb" <e@x>\n${'To: b@a.b\n'.repeat(n)}`,
        (n) => `${'\nFrom: "b@a.bb" <e@x>'.repeat(n)}\nTo: b@a.b\n`,
        (n) => `\nFrom:${' "'.repeat(n)}b@a.bb" <e@x>\nTo: b@a.bb\n`,
        (n) => `\nFrom: "b@a.bb" ${'<'.repeat(n)}\nTo: b@a.bb\n`,
        (n) => `\nFrom: "b@a.bb" <e@x>\n${`To: ${'x'.repeat(79)}`.repeat(n)}`,
      ],
      toEqualsFromName,
      PERL,
      200,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header TO_EQ_FROM_NAME_2 ALL =~ /${PERL[0]}/${PERL[1]}\nscore TO_EQ_FROM_NAME_2 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (from: string, to: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: ${from}\r\nSubject: hi\r\nTo: ${to}\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('"bob@example.com" <eve@shop.example>', 'bob@example.com'),
      mail('"bob@example.com" <eve@shop.example>', 'Bob <BOB@example.com>'),
      mail('"bob@example.com" <bob@example.com>', 'bob@example.com'),
      mail('"bob@example.com" <eve@shop.example>', 'carol@example.com'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^TO_EQ_FROM_NAME_2$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
