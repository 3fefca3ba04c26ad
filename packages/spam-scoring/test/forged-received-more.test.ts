// The forged-Received checks behind CONFIRMED_FORGED and MULTI_FORGED:
// check_for_forged_juno_received_headers, check_for_forged_eudoramail_received_headers,
// check_for_fake_aol_relay_in_rcvd and check_for_forged_received_trail, with spamassassin as
// the oracle: each message's expected answer is what SpamAssassin 4.0.1 gave, and the peer
// test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  'header JUNO eval:check_for_forged_juno_received_headers()',
  'header EUDORA eval:check_for_forged_eudoramail_received_headers()',
  'header AOL eval:check_for_fake_aol_relay_in_rcvd()',
  'header TRAIL eval:check_for_forged_received_trail()',
  ...['JUNO', 'EUDORA', 'AOL', 'TRAIL'].map((name) => `score ${name} 1`),
].join('\n');
const NAMES = /^(?:JUNO|EUDORA|AOL|TRAIL)$/;
const fire = ruleFirer(RULES);
const DATE = 'Thu, 1 Aug 2002 10:00:00 -0000';
const OUTSIDE_HOP = `Received: from mail.example.net (mail.example.net [203.0.113.9]) by mx.example.org with ESMTP id A1; ${DATE}`;
const mail = (from: string, ...headers: string[]) =>
  [
    ...headers,
    `From: ${from}`,
    'To: b@example.org',
    'Subject: hello',
    `Date: ${DATE}`,
    'Message-ID: <1@example.net>',
    '',
    'body',
    '',
  ].join('\r\n');
const hop = (from: string, ip: string, by: string) =>
  `Received: from ${from} (${from} [${ip}]) by ${by} with ESMTP id X${ip.replace(/\D/g, '')}; ${DATE}`;

/** Messages and what SpamAssassin 4.0.1 fired on them. */
const CASES: [string, string, string[]][] = [
  ['a juno.com From through no Juno hop', mail('eve@juno.com', OUTSIDE_HOP), ['JUNO']],
  [
    "Juno's own hop, X-Originating-IP and X-Mailer",
    mail(
      'eve@juno.com',
      `Received: from m12.juno.com (m12.juno.com [64.136.1.12]) by mx.example.org with SMTP; ${DATE}`,
      'X-Originating-IP: [198.51.100.7]',
      'X-Mailer: Juno 5.0.33',
    ),
    [],
  ],
  [
    "Juno's hop with another X-Mailer",
    mail(
      'eve@juno.com',
      `Received: from m12.juno.com (m12.juno.com [64.136.1.12]) by mx.example.org with SMTP; ${DATE}`,
      'X-Originating-IP: [198.51.100.7]',
      'X-Mailer: Outlook',
    ),
    ['JUNO'],
  ],
  [
    'a cookie.juno.com hop',
    mail(
      'eve@juno.com',
      `Received: from cookie.juno.com by cookie.juno.com for <b@example.org>; ${DATE}`,
      'X-Originating-IP: [198.51.100.7]',
      'X-Mailer: Juno 5.0.33',
    ),
    [],
  ],
  [
    'a webmail.untd.com hop without X-Originating-IP',
    mail(
      'eve@juno.com',
      `Received: from webmail1.untd.com (webmail1.untd.com [64.136.2.1]) by mx.example.org with SMTP; ${DATE}`,
      'X-Mailer: Webmail Version 1.0',
    ),
    ['JUNO'],
  ],
  ['a juno.com From with no Received line', mail('eve@juno.com'), []],
  [
    'a eudoramail.com From through no Eudora hop',
    mail('eve@eudoramail.com', OUTSIDE_HOP),
    ['EUDORA'],
  ],
  [
    "Eudora's whowhere.com hop and X-Sender-Ip",
    mail(
      'eve@eudoramail.com',
      'Received: from Unknown/Local ([?.?.?.?]) by shared1-mail.whowhere.com;\r\n Thu Nov 29 13:44:25 2001',
      'X-Sender-Ip: 192.175.21.146',
    ),
    [],
  ],
  [
    'the whowhere.com hop without X-Sender-Ip',
    mail(
      'eve@eudoramail.com',
      'Received: from Unknown/Local ([?.?.?.?]) by shared1-mail.whowhere.com;\r\n Thu Nov 29 13:44:25 2001',
    ),
    ['EUDORA'],
  ],
  [
    "a relay named like AOL's",
    mail(
      'eve@example.net',
      'Received: from unknown (HELO mta05bw.bigpond.com) (80.71.176.130) by\r\n rly-xw01.mx.aol.com with QMQP; Sat, 15 Jun 2002 23:37:16 -0000',
    ),
    ['AOL'],
  ],
  [
    "AOL's relay with its RELAY id",
    mail(
      'eve@example.net',
      'Received: from  rly-xj02.mx.aol.com (rly-xj02.mail.aol.com [172.20.116.39]) by\r\n omr-r05.mx.aol.com (v83.35) with ESMTP id RELAYIN7-0501132011; Wed, 01\r\n May 2002 13:20:11 -0400',
    ),
    [],
  ],
  [
    "AOL's relay with its version",
    mail(
      'eve@example.net',
      'Received: from logs-tr.proxy.aol.com (logs-tr.proxy.aol.com [152.163.201.132])\r\n by rly-ip01.mx.aol.com (8.8.8/8.8.8/AOL-5.0.0)\r\n with ESMTP id NAA08955 for <b@example.org>;\r\n Thu, 4 Apr 2002 13:11:20 -0500 (EST)',
    ),
    [],
  ],
  [
    'a chain of hops that hand on to each other',
    mail(
      'eve@example.net',
      hop('mail.alpha.com', '198.51.100.1', 'mx.example.org'),
      hop('mail.beta.com', '198.51.100.2', 'mail.alpha.com'),
      hop('host.delta.com', '198.51.100.3', 'mail.beta.com'),
    ),
    [],
  ],
  [
    'two hops received by hosts the hop before did not name',
    mail(
      'eve@example.net',
      hop('mail.alpha.com', '198.51.100.1', 'mx.example.org'),
      hop('mail.beta.com', '198.51.100.2', 'mail.gamma.com'),
      hop('host.delta.com', '198.51.100.3', 'mail.epsilon.com'),
    ),
    ['TRAIL'],
  ],
  [
    'one such hop',
    mail(
      'eve@example.net',
      hop('mail.alpha.com', '198.51.100.1', 'mx.example.org'),
      hop('mail.beta.com', '198.51.100.2', 'mail.gamma.com'),
      hop('host.delta.com', '198.51.100.3', 'mx2.beta.com'),
    ),
    [],
  ],
];

describe('the forged-Received checks behind CONFIRMED_FORGED', () => {
  for (const [name, text, expected] of CASES)
    it(`${name}: ${expected.join(', ') || 'none'}`, () => {
      expect(fire(text)).toEqual(expected);
    });

  it('reads crafted Received lines in linear time', () => {
    // Perl's from.*juno.com.*[IP].*by backtracks polynomially on a line that fails at its end
    // (no "by"): the From is then forged, as there.
    const juno = (repeats: number, end: string) =>
      mail(
        'eve@juno.com',
        `Received: from ${'juno.com [1.2.3.4] '.repeat(repeats)}${end}`,
        'X-Originating-IP: 1.2.3.4',
        'X-Mailer: Juno 5',
      );
    expect(fire(juno(20_000, ''))).toEqual(['JUNO']);
    // The value is cut after 8,192 octets, as Message.pm cuts it: a `by` after the cut is not
    // read; one before it is.
    expect(fire(juno(20_000, 'by x'))).toEqual(['JUNO']);
    expect(fire(juno(400, 'by x'))).toEqual([]);
    // ^\w+(?:[\w.-]+\.)+\w+$ backtracks exponentially on a long name that fails.
    const by = `${'a.'.repeat(5_000)}-`;
    expect(fire(mail('eve@example.net', hop('a.b.com', '198.51.100.1', by)))).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'the forged-Received checks against spamassassin', () => {
  it('fire on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, text]) => text),
      RULES,
      NAMES,
    );
    for (const [index, [name, text]] of CASES.entries())
      expect([name, fire(text)]).toEqual([name, theirs[index]]);
  }, 600_000);
});
