// __SUBJ_HAS_TO_3 matched by hand (subject-address-in-to-pattern.ts) against Perl itself, on
// generated header blocks, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUBJECT_ADDRESS_IN_TO_PATTERN } from '../src/spamassassin/subject-address-in-to-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, subjectAddressInTo] = SUBJECT_ADDRESS_IN_TO_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?ism\)/, ''), 'ism'];

// Addresses at and past each bound of the capture: local part 2, 3, 4, 81 and 82 long, 1 to 5
// labels, top-level domains of 1, 2, 30 and 31 letters, digits and underscores where only some
// places take them.
const anyAddress = fc.constantFrom(
  'bob@example.com',
  'Bob.Smith@Mail.Example.COM',
  'bob@example.co',
  'bo@example.com',
  'bobb@ex.c',
  'bobb@ex.cc',
  `b${'o'.repeat(80)}@example.com`,
  `b${'o'.repeat(81)}@example.com`,
  '1bob@example.com',
  'bob_1@ex_1.com',
  'bob@a.b.c.d.com',
  'bob@a.b.c.d.e.com',
  `bob@example.${'c'.repeat(30)}`,
  `bob@example.${'c'.repeat(31)}`,
  'bob@example.c0m',
  'bob@example.com_x',
  'bob@example..com',
  'xbob@example.com',
);
const address = fc.oneof(
  { arbitrary: fc.constantFrom('robert@example.com', 'ROBERT@Example.Com'), weight: 4 },
  { arbitrary: anyAddress, weight: 3 },
);
const subject = fc
  .tuple(
    fc.constantFrom('Subject:', 'subject:', 'SUBJECT: ', 'Subject: Re: '),
    fc.constantFrom('', ' ', 'Re: ', 'x'.repeat(185), 'x'.repeat(196), 'x'.repeat(200)),
    address,
    fc.constantFrom('', ' ', '!', 'x', '.', 'to: bob@example.com!', 'To: xx bob@example.com'),
  )
  .map((parts) => parts.join(''));
const to = fc
  .tuple(
    fc.constantFrom('To: ', 'to: ', 'TO: ', 'Reply-To: ', 'To:', 'To:  '),
    fc.constantFrom('', '', '"Bob" <', 'x'.repeat(96), 'x'.repeat(100), 'x'.repeat(101)),
    address,
    fc.constantFrom('', '>', ',', '.', 'x', '1', '_', ' '),
  )
  .map((parts) => parts.join(''));
const other = fc.oneof(subject, to, fc.constantFrom('', 'From: y', '\n'));
const blocks = fc
  .tuple(
    fc.constantFrom('Return-Path: <x>', ''),
    fc.array(other, { maxLength: 2 }),
    subject,
    fc.array(other, { maxLength: 2 }),
    to,
    fc.constantFrom('', '\n'),
  )
  .map(([first, before, subjectLine, between, toLine, end]) =>
    [first, ...before, subjectLine, ...between, toLine].join('\n').concat(end),
  );

describe('__SUBJ_HAS_TO_3 by hand', () => {
  it('agrees with Perl on generated header blocks', () => {
    const texts = fc.sample(blocks, { seed: 3, numRuns: 10000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => subjectAddressInTo(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(300);
  });

  it('agrees with Perl where the To line repeats the Subject address in other words', () => {
    // Each of these is a place where one capture of many is the one that matches.
    const texts = [
      '\nSubject: mail for xrobert@example.com now\nTo: robert@example.com\n',
      '\nSubject: mail for robert@example.com now\nTo: xrobert@example.com\n',
      '\nSubject: mail for robert@example.community now\nTo: robert@example.com\n',
      '\nSubject: mail for robert@example.com now\nTo: robert@example.community\n',
      '\nSubject: mail for robert@example.com_x now\nTo: robert@example.com_x\n',
      '\nSubject: mail for 12robert@example.com now\nTo: x12robert@example.com\n',
      '\nSubject: mail for robert@example.com\nTo: robert@example.com\n',
      '\nSubject: mail for robert@example.comTo: robert@example.com!',
      '\nSubject: mail for robert@example.comTo: robert@example.com',
      '\nSubject: mail for robert@example.cTo: robert@example.c!\n',
      '\nTo: robert@example.com\nSubject: mail for robert@example.com now\n',
      `\nSubject: ${'a@b'.repeat(70)} robert@example.com now\nTo: robert@example.com\n`,
      `\nSubject: ${'x'.repeat(199)}robert@example.com now\nTo: robert@example.com\n`,
      `\nSubject: ${'x'.repeat(201)}robert@example.com now\nTo: robert@example.com\n`,
      `\nSubject: ${'x'.repeat(210)}robert@example.com now\nTo: robert@example.com\n`,
    ];
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.map((text) => subjectAddressInTo(text))).toEqual(expected);
    expect(expected.filter(Boolean).length).toBeGreaterThan(3);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`ALL =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile header blocks, fast at 1 MB", () => {
    expectLinear(
      [
        // Captures of every length in the To lines, then Subject lines where each fits at each place.
        (n) =>
          `\n${`Subject: ${'a'.repeat(190)}@${'b'.repeat(70)}.cc x\n`.repeat(Math.ceil(n / 300))}${Array.from({ length: 80 }, (_, i) => `To: ${'a'.repeat(i + 4)}@${'b'.repeat(70)}.cd!`).join('\n')}\n`,
        (n) => `\nSubject: ${'aaaa@bb.cc'.repeat(20)} x\n${'To: aaaa@bb.cd\n'.repeat(n)}`,
        (n) => `\n${'Subject: aaaa@bb.cc x\n'.repeat(n)}To: aaab@bb.cc\n`,
        (n) => `\nSubject: ${'aaaa@bb.ccto: '.repeat(n)}\n`,
        (n) => `\nSubject: ${'a'.repeat(n)}@b.cc x\nTo: ${'a'.repeat(n)}@b.cc\n`,
        (n) => `\nSubject: a${'_'.repeat(n)}@b.cc x\nTo: ${'a@b.c_'.repeat(n)}\n`,
        // Many `@`s on each Subject line, each with many domain ends, whose local parts To lines hold.
        (n) =>
          `\n${`Subject: ${'abcd@bb.cc.dd.ee.ff '.repeat(10)}\n`.repeat(n / 10)}${'To: abcd@bb.cc.dd.ee.fg!\n'.repeat(n / 10)}`,
        (n) => `\nSubject: x${'abcd@bb.ccto: '.repeat(n)}\n`,
      ],
      subjectAddressInTo,
      PERL,
      200,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header SUBJ_HAS_TO_3 ALL =~ /${PERL[0]}/${PERL[1]}\nscore SUBJ_HAS_TO_3 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (subject: string, recipient: string) =>
      `Received: from pc.example (pc.example [203.0.113.7])\r\n\tby mx.example.com with ESMTP id 1; Sun, 6 Dec 2026 10:00:00 +0000\r\nSubject: ${subject}\r\nFrom: eve@shop.example\r\nTo: ${recipient}\r\nMessage-ID: <1@shop.example>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n`;
    const mails = [
      mail('Your account robert@example.com is locked', 'robert@example.com'),
      mail('Your account ROBERT@Example.com is locked', '"Robert" <robert@example.com>'),
      mail('Your account robert@example.com', 'robert@example.com'),
      mail('Your account is locked', 'robert@example.com'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^SUBJ_HAS_TO_3$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
