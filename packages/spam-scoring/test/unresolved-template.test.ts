// check_unresolved_template (UNRESOLVED_TEMPLATE), with spamassassin as the oracle: each
// message's expected answer is what SpamAssassin 4.0.1 gave, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = 'header TEMPLATE eval:check_unresolved_template()\nscore TEMPLATE 1';
const fire = ruleFirer(RULES);
const mail = (...headers: string[]) =>
  [
    'From: a@example.net',
    'To: b@example.com',
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    ...headers,
    '',
    'body',
    '',
  ].join('\r\n');

/** Messages and whether SpamAssassin 4.0.1 fired the test on them. */
const CASES: [string, string, boolean][] = [
  ['a placeholder in X-Mailer', mail('X-Mailer: %XMAILER'), true],
  ['an underscore second', mail('X-List: %F_NAME here'), true],
  ['a hyphen second', mail('Reply-To: %R-TO <r@example.net>'), true],
  ['one capital alone', mail('X-Mailer: %X mailer'), false],
  ['lower case', mail('X-Mailer: %xmailer'), false],
  [
    'in the Subject (exempt)',
    mail('X-Note: ok').replace('Subject: hello', 'Subject: %SUBJ'),
    false,
  ],
  ['in To (exempt)', mail().replace('To: b@example.com', 'To: %TO_ADDR'), false],
  ['in Resent-Message-Id (exempt)', mail('Resent-Message-Id: <%ID@example.net>'), false],
  ['in X-Original-Message-ID (exempt)', mail('X-Original-Message-ID: <%ID@example.net>'), false],
  ['in Resent-To (not exempt)', mail('Resent-To: %TO_ADDR'), true],
  [
    'on a folded line of an exempt header',
    mail().replace('Subject: hello', 'Subject: hello\r\n %NAME'),
    false,
  ],
  ['on a folded line of another header', mail('X-Campaign: one\r\n\t%NAME'), true],
  ['inside an encoded word', mail('X-Campaign: =?utf-8?q?=25FIRST=5FNAME?='), true],
  [
    'an encoded word in the Subject',
    mail().replace('Subject: hello', 'Subject: =?utf-8?q?=25FIRST?='),
    false,
  ],
];

describe('check_unresolved_template', () => {
  for (const [name, text, expected] of CASES)
    it(`${expected ? 'fires' : 'does not fire'}: ${name}`, () => {
      expect(fire(text)).toEqual(expected ? ['TEMPLATE'] : []);
    });
});

describeWithPeer(debianSpamAssassin, 'check_unresolved_template against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, text]) => text),
      RULES,
      /^TEMPLATE$/,
    );
    for (const [index, [name, text]] of CASES.entries())
      expect([name, fire(text)]).toEqual([name, theirs[index]]);
  }, 180_000);
});
