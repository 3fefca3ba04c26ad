// __FROM_NAME_IN_MSG matched by hand (from-name-in-message-pattern.ts) against Perl itself, on
// generated messages, in a rule set against spamassassin, and in linear time on hostile ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_NAME_IN_MESSAGE_PATTERN } from '../src/spamassassin/from-name-in-message-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, fromNameInMessage] = FROM_NAME_IN_MESSAGE_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?sm\)/, ''), 'sm'];

const name = fc.constantFrom(
  'Eve Smith',
  'eve smith',
  'E Smith',
  '<e Smith',
  'Eve  Smith',
  'Eve\nSmith',
  'Eve',
);
const fromLine = fc
  .tuple(
    fc.constantFrom('From: ', 'From:  ', 'From:', 'from: ', 'X-From: ', 'From:\n '),
    name,
    fc.constantFrom(' <eve@shop.example>', '', '\t', ' ', '\r'),
  )
  .map((parts) => parts.join(''));
const later = fc
  .tuple(fc.constantFrom('', 'x', ' '), name, fc.constantFrom('', '\r', ' ', '.', '\r\r'))
  .map((parts) => parts.join(''));
const filler = fc.constantFrom('', 'Subject: hi', 'x'.repeat(1000), 'y'.repeat(2040), 'Dear');
const messages = fc
  .tuple(
    fc.constantFrom('', 'Received: x\n'),
    fromLine,
    fc.array(fc.oneof(filler, later), { maxLength: 4 }),
    fc.constantFrom('', '\n'),
  )
  .map(([first, from, rest, end]) => `${first}${from}\n${rest.join('\n')}${end}`);

describe('__FROM_NAME_IN_MSG by hand', () => {
  it('agrees with Perl on generated messages', () => {
    const texts = fc.sample(messages, { seed: 25, numRuns: 6000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => fromNameInMessage(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(40);
  });

  it('agrees with Perl through the hashed lines too (more than 16 names)', () => {
    const prefix = 'From: q9 z9\n'.repeat(17);
    const texts = fc.sample(messages, { seed: 26, numRuns: 3000 }).map((text) => prefix + text);
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => fromNameInMessage(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(10);
  });

  it('agrees with Perl at the 2048 characters the line may start in', () => {
    const texts = [2045, 2046, 2047, 2048, 2049].flatMap((n) => [
      `From: Eve Smith <e@x>\n${'x'.repeat(n - 22)}\nEve Smith\n`,
      `From: Eve Smith \n${'x'.repeat(n)}\nEve Smith`,
    ]);
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.map(fromNameInMessage)).toEqual(expected);
    expect(new Set(expected).size).toBe(2);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`/${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile messages, fast at 1 MB", () => {
    expectLinear(
      [
        (n) => `From: a b \n${'x y\n'.repeat(n)}`,
        (n) => `${'From: a b \nx y\n'.repeat(n)}`,
        (n) => `From: a ${'b'.repeat(n)} \n${`a ${'b'.repeat(n - 1)}\n`.repeat(3)}`,
        (n) => `${'From: a\nb \n'.repeat(n)}`,
        (n) => `${'From:  aa b\n'.repeat(n)}`,
        (n) => `From:${' '.repeat(n)}a b ${'\n'.repeat(n)}`,
      ],
      fromNameInMessage,
      PERL,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `full FROM_NAME_IN_MSG /${PERL[0]}/${PERL[1]}\nscore FROM_NAME_IN_MSG 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (from: string, body: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: ${from}\r\nTo: bob@example.com\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\n\r\nHello,\r\n\r\n${body}\r\n`;
    const mails = [
      mail('Eve Smith <eve@shop.example>', 'Regards,\r\nEve Smith'),
      mail('Eve Smith <eve@shop.example>', 'Regards,\r\nEve Smith.'),
      mail('Eve Smith <eve@shop.example>', `${'x'.repeat(3000)}\r\nEve Smith`),
      mail('"Eve Smith" <eve@shop.example>', 'Regards,\r\nEve Smith'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^FROM_NAME_IN_MSG$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(1);
  });
});
