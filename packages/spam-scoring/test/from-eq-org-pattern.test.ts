// __FROM_EQ_ORG_1 matched by hand (from-eq-org-pattern.ts) against Perl itself, on generated
// header blocks, in a rule set against spamassassin, and in linear time on hostile texts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_EQ_ORG_PATTERN } from '../src/spamassassin/from-eq-org-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, fromEqualsOrganization] = FROM_EQ_ORG_PATTERN;
/** The Perl source without its inline flags, and the flags. */
const PERL: [string, string] = [SOURCE.replace(/^\(\?ism\)/, ''), 'ism'];

const name = fc.constantFrom('Acme Ltd', 'acme ltd', '"Acme Ltd"', 'A <b', 'Acme Ltd"', 'x');
const fromLine = fc
  .tuple(
    fc.constantFrom('From: ', 'from: ', 'X-From: ', 'From:', 'From:  '),
    name,
    fc.constantFrom(
      ' <a@acme.example>',
      '" <a@acme.example>',
      ' <>',
      ' <a@b\n c>',
      ' <a>x',
      ' <a',
      ' <x> <y>',
    ),
  )
  .map((parts) => parts.join(''));
const organizationLine = fc
  .tuple(
    fc.constantFrom(
      'Organization: ',
      'organization: ',
      'X-Organization: ',
      'Organization:',
      'Organization:  ',
    ),
    name,
    fc.constantFrom('', ' ', '"', 'x'),
  )
  .map((parts) => parts.join(''));
const blocks = fc
  .tuple(
    fc.array(fc.oneof(fromLine, fc.constantFrom('Subject: hi', '', 'To: b@c')), {
      minLength: 1,
      maxLength: 2,
    }),
    fc.array(fc.oneof(organizationLine, fromLine, fc.constantFrom('Subject: hi', '')), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.constantFrom('\n', ''),
  )
  .map(([first, then, end]) => `Received: x\n${[...first, ...then].join('\n')}${end}`);

describe('__FROM_EQ_ORG_1 by hand', () => {
  it('agrees with Perl on generated header blocks', () => {
    const texts = fc.sample(blocks, { seed: 25, numRuns: 6000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => fromEqualsOrganization(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(30);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`ALL =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile texts, fast at 1 MB", () => {
    const hostile: ((n: number) => string)[] = [
      // Many name candidates on one From line, and many Organization lines that nearly match.
      (n) => `\nFrom: ${'a <'.repeat(n)}b>\n${'Organization: a <a\n'.repeat(n / 20)}`,
      (n) => `\nFrom: ${'a '.repeat(n)}<b>\nOrganization: ${'a '.repeat(n)}\n`,
      (n) => `${'\nFrom: a <b'.repeat(n)}\nOrganization: a\n`,
      (n) => `\nFrom: x <b>\n${'Organization: organization: '.repeat(n)}x\n`,
      (n) =>
        `${'\nFrom: a <b>\n'.repeat(n)}${'Organization: a \n'.repeat(n / 10)}Organization: a\n`,
    ];
    expectLinear(hostile, fromEqualsOrganization, PERL);
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header FROM_EQ_ORG_1 ALL =~ /${PERL[0]}/${PERL[1]}\nscore FROM_EQ_ORG_1 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (from: string, organization: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: ${from}\r\nTo: bob@example.com\r\nSubject: hi\r\nOrganization: ${organization}\r\nMessage-ID: <1@acme.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('"Acme Ltd" <a@acme.example>', 'Acme Ltd'),
      mail('Acme Ltd <a@acme.example>', 'ACME LTD'),
      mail('Acme Ltd <a@acme.example>', 'Acme Ltd.'),
      mail('a@acme.example', 'a@acme.example'),
      mail('Acme <a@acme.example>', 'Acme Ltd'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^FROM_EQ_ORG_1$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
