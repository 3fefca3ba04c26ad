// __PDS_FROM_2_EMAILS matched by hand (from-two-addresses-pattern.ts) against Perl itself, on
// generated From values, in a rule set against spamassassin, and in linear time on hostile ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_TWO_ADDRESSES_PATTERN } from '../src/spamassassin/from-two-addresses-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, fromTwoAddresses] = FROM_TWO_ADDRESSES_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?i\)/, ''), 'i'];

const address = fc.constantFrom(
  'eve@shop.example',
  'Eve@Shop.Example',
  'e.v+e@a.b.cc',
  'eve@shop.c',
  'eve@shop.',
  'eve@.example',
  '@shop.example',
  'eve@shop.example.d',
  'x',
);
const values = fc
  .tuple(
    fc.constantFrom('', '"', ' ', '<', 'Name ', 'x', '"Eve ', '\n'),
    address,
    fc.constantFrom('', '"', ' ', '" ', '. ', '-', ' x ', '\n', ' '.repeat(81), ' '.repeat(79)),
    fc.constantFrom('<', '', '<<'),
    fc.oneof(address, fc.constantFrom('bob@shop.example', 'x @y', '', 'eve', 'eve@shop.exam')),
    fc.constantFrom('>', '', ' x@y', '\n'),
  )
  .map((parts) => parts.join(''));

describe('__PDS_FROM_2_EMAILS by hand', () => {
  it('agrees with Perl on generated From values', () => {
    const texts = fc.sample(values, { seed: 25, numRuns: 8000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => fromTwoAddresses(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(300);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`From =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile values, fast at 1 MB", () => {
    expectLinear(
      [
        (n) => `${'a@b.cc '.repeat(n)}<a@b.cc`,
        (n) => `a@b.cc${'<'.repeat(n)}`,
        (n) => `"${'a'.repeat(n)}@b.cc <${'a'.repeat(n)}@b.cc`,
        (n) => `"${'a.'.repeat(n)}@b.cc <${'<'.repeat(n)}`,
        (n) => `x@${'b.cc'.repeat(n)}. <a${'<'.repeat(n)}@`,
        (n) => `${'a@b.cc - <a@b.cc> '.repeat(n)}`,
      ],
      fromTwoAddresses,
      PERL,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header PDS_FROM_2_EMAILS From =~ /${PERL[0]}/${PERL[1]}\nscore PDS_FROM_2_EMAILS 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (from: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: ${from}\r\nTo: bob@example.com\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('"service@paypal.com" <eve@shop.example>'),
      mail('service@paypal.com <eve@shop.example>'),
      mail('"eve@shop.example" <eve@shop.example>'),
      mail('"EVE@shop.example" <eve@shop.example>'),
      mail('Eve <eve@shop.example>'),
      mail('=?UTF-8?B?c2VydmljZUBwYXlwYWwuY29t?= <eve@shop.example>'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^PDS_FROM_2_EMAILS$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(3);
  });
});
