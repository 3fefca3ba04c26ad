// check_for_forged_gmail_received_headers (FORGED_GMAIL_RCVD), with spamassassin as the oracle:
// each message's expected answer is what SpamAssassin 4.0.1 gave, and the peer test asks it
// again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = 'header GMAIL eval:check_for_forged_gmail_received_headers()\nscore GMAIL 1';
const fire = ruleFirer(RULES);
const OUTSIDE_HOP =
  'Received: from unknown (HELO mail.example.net) (203.0.113.9) by mx.example.org with SMTP; 1 Aug 2002 10:00:00 -0000';
const mail = (from: string, ...headers: string[]) =>
  [
    OUTSIDE_HOP,
    `From: ${from}`,
    'To: b@example.com',
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    ...headers,
    '',
    'body',
    '',
  ].join('\r\n');
const STATE = `X-Gm-Message-State: ${'A'.repeat(59)}`;
const SOURCE = `X-Google-Smtp-Source: ${'B'.repeat(59)}`;

/** Messages and whether SpamAssassin 4.0.1 fired the test on them. */
const CASES: [string, string, boolean][] = [
  ['a gmail.com From through no Google hop', mail('Eve <eve@gmail.com>'), true],
  ['a subdomain of gmail.com', mail('eve@mail.gmail.com'), true],
  ['notgmail.com is not gmail.com', mail('eve@notgmail.com'), false],
  ['another domain', mail('eve@example.com'), false],
  [
    "Google's X-Received by 10.x",
    mail('eve@gmail.com', 'X-Received: by 10.28.1.2 with SMTP id abc123; Thu, 1 Aug 2002'),
    false,
  ],
  [
    "Google's X-Received by 2002:a..",
    mail('eve@gmail.com', 'X-Received: by 2002:a17:90a:b01::1 with SMTP id x1; Thu, 1 Aug 2002'),
    false,
  ],
  [
    'an X-Received by another host',
    mail('eve@gmail.com', 'X-Received: by 192.0.2.1 with SMTP id abc123; Thu, 1 Aug 2002'),
    true,
  ],
  [
    "Google's submission hop",
    mail(
      'eve@gmail.com',
      'Received: from [192.0.2.1] by smtp.googlemail.com with ESMTPSA id q1sm2; Thu, 1 Aug 2002 10:00:00 -0700',
    ),
    false,
  ],
  // 59 octets and the newline: 60, Perl's length of get().
  ['both Google headers of 60 octets', mail('eve@gmail.com', STATE, SOURCE), false],
  ['the state header alone', mail('eve@gmail.com', STATE), true],
  ['one octet short', mail('eve@gmail.com', STATE.slice(0, -1), SOURCE), true],
];

describe('check_for_forged_gmail_received_headers', () => {
  for (const [name, text, expected] of CASES)
    it(`${expected ? 'fires' : 'does not fire'}: ${name}`, () => {
      expect(fire(text)).toEqual(expected ? ['GMAIL'] : []);
    });
});

describeWithPeer(
  debianSpamAssassin,
  'check_for_forged_gmail_received_headers against spamassassin',
  () => {
    it('fires on the same messages', () => {
      const theirs = spamAssassinFiredEach(
        CASES.map(([, text]) => text),
        RULES,
        /^GMAIL$/,
      );
      for (const [index, [name, text]] of CASES.entries())
        expect([name, fire(text)]).toEqual([name, theirs[index]]);
    }, 300_000);
  },
);
