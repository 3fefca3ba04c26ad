// RCVD_FORGED_WROTE2 matched by hand (forged-wrote-received-pattern.ts) against Perl itself, on
// generated Received values, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORGED_WROTE_RECEIVED_PATTERN } from '../src/spamassassin/forged-wrote-received-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, forgedWroteReceived] = FORGED_WROTE_RECEIVED_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?s\)/, ''), 's'];

const received = fc
  .tuple(
    fc.constantFrom('from 1.2.3.4', 'from .', 'from ', 'From 1.2', 'xfrom 9'),
    fc.constantFrom(
      ' (HELO mail)',
      ' (HELO m)',
      ' (HELO a.b)',
      ' (HELO a1)',
      ' (HELO (x)b)',
      ' (helo ab)',
    ),
    fc.constantFrom(' by mx.example', ' by MX.example', ' by mx', ' by  mx'),
    fc.constantFrom(
      ' with esmtp (Exim 4.1)',
      ' with esmtp (a\nb))',
      ' with esmtp (ab)',
      ' with ESMTP (a b)',
    ),
    fc.constantFrom(
      ' id 1a2b3c-4d5e6f-7g',
      ' id 1a2b3c-4d5e6f-7',
      ' id 1a-b3c-4d5e6f-77',
      ' id ------------------',
    ),
    fc.constantFrom(
      ' for bob@mx.example;',
      ' for bob@MX.example;',
      ' for @mx.example;',
      ' for b@x@mx.example;',
      ' for bob@mx.example.;',
      ' for bob@mx;',
      ' for bob@mx.example',
    ),
    fc.constantFrom('', ' Sun, 6 Dec 2026', '\n'),
  )
  .map((parts) => parts.join(''));

describe('RCVD_FORGED_WROTE2 by hand', () => {
  it('agrees with Perl on generated Received values', () => {
    const texts = fc.sample(
      fc.array(received, { minLength: 1, maxLength: 2 }).map((list) => list.join('\n')),
      { seed: 25, numRuns: 8000 },
    );
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => forgedWroteReceived(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(100);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`Received =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile values, fast at 1 MB", () => {
    const head = 'from 1.2.3.4 (HELO mail) by ';
    const tail = ' with esmtp (a b) id 123456-123456-12 for ';
    expectLinear(
      [
        (n) => `${head}${'x'.repeat(n)}${tail}${`@${'x'.repeat(n - 1)}`.repeat(50)};`,
        (n) => `${head}mx${tail}b${'@mx'.repeat(n)}`,
        (n) => `${head}mx${tail}b${'@m'.repeat(n)}@mx;`,
        (n) =>
          `${'from 1.2.3.4 (HELO mail) by mx with esmtp (a b) id 123456-123456-12 for b@m '.repeat(n)}`,
        (n) => `from ${'1.'.repeat(n)} (HELO ${'a'.repeat(n)}`,
        (n) => `${'from 1 (HELO a'.repeat(n)}`,
      ],
      forgedWroteReceived,
      PERL,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header FORGED_WROTE2 Received =~ /${PERL[0]}/${PERL[1]}\nscore FORGED_WROTE2 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (by: string, to: string) =>
      `Received: from 203.0.113.7 (HELO pc.example) by ${by} with esmtp (Exim 4.96)\r\n\tid 1a2b3c-4d5e6f-7g for ${to}; Sun, 6 Dec 2026 10:00:00 +0000\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\nTo: bob@example.com\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\n\r\nbody\r\n`;
    const mails = [
      mail('example.com', 'bob@example.com'),
      mail('example.com', 'bob@Example.com'),
      mail('mx.example.com', 'bob@example.com'),
      mail('example.com', 'bob@x@example.com'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^FORGED_WROTE2$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
