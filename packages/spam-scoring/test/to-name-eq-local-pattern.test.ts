// __PDS_TONAME_EQ_TOLOCAL matched by hand (to-name-eq-local-pattern.ts) against Perl itself, on
// generated raw To values, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TO_NAME_EQ_LOCAL_PATTERN } from '../src/spamassassin/to-name-eq-local-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, toNameEqualsLocalPart] = TO_NAME_EQ_LOCAL_PATTERN;
const PERL: [string, string] = [SOURCE, ''];

const values = fc
  .tuple(
    fc.constantFrom('', ' ', '  ', '\t ', '\n ', ' \t'),
    fc.constantFrom('', '"', "'"),
    fc.constantFrom('bob', 'Bob', 'bob smith', ' ', '', 'b"ob', 'x y'),
    fc.constantFrom('', '"', "'"),
    fc.constantFrom(' ', '  ', '', '\t'),
    fc.constantFrom('<', '', '<<'),
    fc.constantFrom('', ' ', '  ', '\t '),
    fc.constantFrom('bob', 'BOB', 'bob smith', 'bo', 'bobby', 'x y', ''),
    fc.constantFrom('@example.com>', '@', '', '.x@example.com'),
  )
  .map((parts) => parts.join(''));

// The same name twice, so that both answers come up often.
const pairs = fc
  .tuple(
    fc.constantFrom('', ' ', '  ', ' \t', '\n'),
    fc.constantFrom('', '"'),
    fc.constantFrom('bob', ' ', '  ', 'a b', '\t'),
    fc.constantFrom(' ', '" ', ' <', '" <', '"  <'),
    fc.constantFrom('', ' ', '\t'),
    fc.constantFrom('@x', 'x@', '@'),
  )
  .map(
    ([lead, quote, name, gap, extra, end]) => `${lead}${quote}${name}${gap}${extra}${name}${end}`,
  );

describe('__PDS_TONAME_EQ_TOLOCAL by hand', () => {
  it('agrees with Perl on generated raw To values', () => {
    const texts = [
      ...fc.sample(values, { seed: 25, numRuns: 8000 }),
      ...fc.sample(pairs, { seed: 25, numRuns: 2000 }),
    ];
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => toNameEqualsLocalPart(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(500);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`To:raw =~ /${PERL[0]}/`);
  });

  it("gives Perl's answer on hostile values, fast at 1 MB", () => {
    expectLinear(
      [
        (n) => `${' '.repeat(n)}x ${' '.repeat(n - 1)}x@`,
        (n) => `${' '.repeat(n)}${'a '.repeat(n)}@`,
        (n) => `${' '.repeat(n)}"${' '.repeat(n)}@`,
        (n) => `${' \t'.repeat(n)} ${' \t'.repeat(n)}@`,
        (n) => `${'a '.repeat(n)}<${'a '.repeat(n)}`,
        (n) => `"${'ab'.repeat(n)}" <${'ab'.repeat(n)}@x`,
      ],
      toNameEqualsLocalPart,
      PERL,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header TONAME_EQ_TOLOCAL To:raw =~ /${PERL[0]}/\nscore TONAME_EQ_TOLOCAL 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (to: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\nTo: ${to}\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('bob <bob@example.com>'),
      mail('"bob" <bob@example.com>'),
      mail('Bob <bob@example.com>'),
      mail('bob smith <bob@example.com>'),
      mail('bob@example.com'),
      mail('bob\r\n <bob@example.com>'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^TONAME_EQ_TOLOCAL$/));
    expect(ours.filter((names) => names.length > 0).length).toBeGreaterThanOrEqual(2);
  });
});
