// check_illegal_chars (FROM_ILLEGAL_CHARS, __SUBJ_ILLEGAL_CHARS, __HEAD_ILLEGAL_CHARS), with
// spamassassin as the oracle: each message's expected answer is what SpamAssassin 4.0.1 gave,
// and the peer test asks it again. Messages are octets (latin1 strings): Perl counts octets.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// Debian's calls (20_head_tests.cf), under names of our own.
const RULES = [
  "header SUBJ eval:check_illegal_chars('Subject','0.00','2')",
  "header FROM eval:check_illegal_chars('From','0.20','2')",
  "header HEAD eval:check_illegal_chars('ALL','0.010','2')",
  'score SUBJ 1',
  'score FROM 1',
  'score HEAD 1',
].join('\n');
const fire = ruleFirer(RULES);
const octets = (text: string) => Buffer.from(text, 'latin1');
const mail = (headers: Record<string, string>, eol = '\r\n') =>
  octets(
    [
      ...Object.entries({
        From: 'a@example.net',
        To: 'b@example.com',
        Subject: 'hello',
        Date: 'Thu, 1 Aug 2002 10:00:00 +0000',
        'Message-ID': '<1@example.net>',
        ...headers,
      }).map(([name, value]) => `${name}:${value}`),
      '',
      'body',
      '',
    ].join(eol),
  );

/** Messages and what SpamAssassin 4.0.1 fired on them. */
const CASES: [string, Uint8Array, string[]][] = [
  ['two Latin-1 octets in the Subject', mail({ Subject: ' Caf\xe9 cr\xe8me' }), ['HEAD', 'SUBJ']],
  ['one Latin-1 octet in the Subject', mail({ Subject: ' Caf\xe9' }), []],
  ['UTF-8 in the Subject is allowed', mail({ Subject: ' Caf\xc3\xa9 cr\xc3\xa8me' }), []],
  ['UTF-8 with a control is not', mail({ Subject: ' Caf\xc3\xa9\x01' }), ['HEAD', 'SUBJ']],
  ['one pound sign is exempt in the Subject', mail({ Subject: ' \xa3 5 Caf\xe9' }), ['HEAD']],
  ['two pound signs are not', mail({ Subject: ' \xa3\xa3 Caf\xe9' }), ['HEAD', 'SUBJ']],
  ['From at a fifth illegal', mail({ From: '\xe9\xe9<a@b.c>' }), ['FROM', 'HEAD']],
  // The space after the colon counts in the length: 2 of 11 octets.
  ['From just under a fifth', mail({ From: ' \xe9\xe9<a@b.c>' }), ['HEAD']],
  ['From well over', mail({ From: ' \xe9\xe9\xe9 <a@b.cc>' }), ['FROM', 'HEAD']],
  ['From in UTF-8', mail({ From: ' \xc3\xa9\xc3\xa9\xc3\xa9 <a@b.cc>' }), []],
  // A message whose first and last lines end in LF is read with LF endings: the From line's CR
  // stays in its value and counts in its length (2 of 12).
  [
    'a CR kept in an LF message',
    octets(
      'To: b@example.com\nFrom:\xe9\xe9<a@b.c>\r\nSubject: hi\nMessage-ID: <1@example.net>\n\nbody\n',
    ),
    ['HEAD'],
  ],
  [
    'the same From in a CRLF message',
    octets(
      'To: b@example.com\r\nFrom:\xe9\xe9<a@b.c>\r\nSubject: hi\r\nMessage-ID: <1@example.net>\r\n\r\nbody\r\n',
    ),
    ['FROM', 'HEAD'],
  ],
  ['a control octet in another header', mail({ 'X-Tag': ' a\x01b\x02' }), ['HEAD']],
  [
    'two octets among 200 of headers',
    mail({ 'X-Padding': ` ${'p'.repeat(200)}`, 'X-Tag': ' \xe9\xe9' }),
    [],
  ],
  [
    'a Subject cut at 8,192 octets keeps one of its two',
    mail({ Subject: ` ${'x'.repeat(8190)}\xe9\xe9` }),
    [],
  ],
  [
    'a Subject of 8,192 octets keeps both',
    mail({ Subject: ` ${'x'.repeat(8189)}\xe9\xe9` }),
    ['SUBJ'],
  ],
];

describe('check_illegal_chars', () => {
  for (const [name, bytes, expected] of CASES)
    it(`${name}: ${expected.join(', ') || 'none'}`, () => {
      expect(fire(bytes)).toEqual(expected);
    });

  it('arguments it cannot read leave the rule not run', () => {
    const rules = ruleFirer("header BAD eval:check_illegal_chars('From','a','2')").rules;
    expect(rules.unsupported.map((rule) => rule.name)).toEqual(['BAD']);
  });
});

describeWithPeer(debianSpamAssassin, 'check_illegal_chars against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, bytes]) => bytes),
      RULES,
      /^(?:SUBJ|FROM|HEAD)$/,
    );
    for (const [index, [name, bytes]] of CASES.entries())
      expect([name, fire(bytes)]).toEqual([name, theirs[index]]);
  }, 300_000);
});
