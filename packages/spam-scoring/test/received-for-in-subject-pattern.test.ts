// __SUBJ_HAS_TO_2 matched by hand (received-for-in-subject-pattern.ts) against Perl itself, on
// generated header blocks, in a rule set against spamassassin, and in linear time on hostile
// ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECEIVED_FOR_IN_SUBJECT_PATTERN } from '../src/spamassassin/received-for-in-subject-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, receivedForInSubject] = RECEIVED_FOR_IN_SUBJECT_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?ism\)/, ''), 'ism'];

const recipient = fc.constantFrom(
  'bob@example.com',
  'BOB@Example.com',
  'bob@example.co',
  'bob',
  '<bob',
  'b;ob',
);
const received = fc
  .tuple(
    fc.constantFrom(
      'Received: from mx by mx.example',
      'received: by x',
      'Received:' + 'x'.repeat(196),
      'Received:' + 'x'.repeat(197),
      'X-Received: by x',
    ),
    fc.constantFrom(' for <', ' for ', ' for  ', ' FOR <'),
    recipient,
    fc.constantFrom(
      '>;',
      ';',
      '>',
      '; Sun, 6 Dec 2026',
      '>; x',
      ';Subject: bob@example.com!',
      ';Subject: re bob@example.com',
    ),
  )
  .map((parts) => parts.join(''));
const subject = fc
  .tuple(
    fc.constantFrom('Subject: ', 'subject: ', 'Subject:', 'Subject:  '),
    fc.constantFrom('', 'Re: ', 'x'.repeat(99), 'x'.repeat(100), 'x'.repeat(101)),
    fc.oneof(
      { arbitrary: fc.constant('bob@example.com'), weight: 3 },
      { arbitrary: recipient, weight: 1 },
    ),
    fc.constantFrom('', ' ', '!', 'x', '1', '.', '-'),
  )
  .map((parts) => parts.join(''));
const blocks = fc
  .tuple(
    fc.constantFrom('Return-Path: <x>', ''),
    fc.array(fc.oneof(received, subject, fc.constantFrom('', 'To: y', '\n')), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.constantFrom('', '\n'),
  )
  .map(([first, lines, end]) => `${[first, ...lines].join('\n')}${end}`);

describe('__SUBJ_HAS_TO_2 by hand', () => {
  it('agrees with Perl on generated header blocks', () => {
    const texts = fc.sample(blocks, { seed: 25, numRuns: 10000 });
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => receivedForInSubject(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(300);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`ALL =~ /${PERL[0]}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile header blocks, fast at 1 MB", () => {
    expectLinear(
      [
        // Captures of every length, then Subject lines where each length fits at each place.
        (n) =>
          `\n${Array.from({ length: 300 }, (_, i) => `Received: for ${'a'.repeat(i + 1)};x`).join('\n')}\n${`Subject: ${'a'.repeat(400)}\n`.repeat(n / 100)}`,
        (n) => `${'\nReceived: for a;x'.repeat(n)}\nSubject: b\n`,
        (n) => `\nReceived:${' for '.repeat(n)}a;x\nSubject: a\n`,
        (n) => `\nReceived: for ${'a'.repeat(n)};x\nSubject: ${'a'.repeat(n)}a\n`,
        (n) => `${'\nReceived: for x;\nSubject: x1'.repeat(n)}`,
      ],
      receivedForInSubject,
      PERL,
      200,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `header SUBJ_HAS_TO_2 ALL =~ /${PERL[0]}/${PERL[1]}\nscore SUBJ_HAS_TO_2 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (recipient: string, subject: string) =>
      `Received: from pc.example (pc.example [203.0.113.7])\r\n\tby mx.example.com with ESMTP id 1\r\n\tfor <${recipient}>; Sun, 6 Dec 2026 10:00:00 +0000\r\nReceived: from a by b with SMTP id 2 for <${recipient}>; Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\nTo: ${recipient}\r\nSubject: ${subject}\r\nMessage-ID: <1@shop.example>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n`;
    const mails = [
      mail('bob@example.com', 'Your account bob@example.com is locked'),
      mail('bob@example.com', 'Your account BOB@example.com!'),
      mail('bob@example.com', 'Your account bob@example.comx'),
      mail('bob@example.com', 'Your account'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^SUBJ_HAS_TO_2$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
