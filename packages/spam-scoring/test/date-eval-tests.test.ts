import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';
import { parseRfc822Date } from '../src/spamassassin/rfc822-date.js';
import { ruleFirer } from './helpers.js';

const RULES = [
  "header DATE_IN_PAST_03_06 eval:check_for_shifted_date('-6', '-3')",
  "header DATE_IN_FUTURE_03_06 eval:check_for_shifted_date('3', '6')",
  "header DATE_IN_FUTURE_06_12 eval:check_for_shifted_date('6', '12')",
  "header DATE_IN_FUTURE_96_XX eval:check_for_shifted_date('96', 'undef')",
  'header MSGID_OUTLOOK_INVALID eval:check_outlook_message_id()',
].join('\n');

const fire = ruleFirer(RULES, { sorted: false });
const fired = (headers: string[]) => fire(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
const received = (date: string) =>
  `Received: from mx.example.net (mx.example.net [192.0.2.1])\r\n\tby mail.example.org (Postfix) with ESMTP id 1234\r\n\tfor <bob@example.org>; ${date}`;

describe('parseRfc822Date', () => {
  it('reads the forms SpamAssassin reads, zones included', () => {
    const noonUtc = Date.UTC(2002, 9, 1, 12, 0, 0) / 1000;
    expect(parseRfc822Date('Tue, 1 Oct 2002 12:00:00 +0000')).toBe(noonUtc);
    expect(parseRfc822Date('Tue, 01 Oct 2002 08:00:00 -0400')).toBe(noonUtc);
    expect(parseRfc822Date('Tue, 1 Oct 2002 05:00:00 PDT')).toBe(noonUtc);
    // ctime's form gives the day only: SpamAssassin's pattern consumes the time with the year.
    expect(parseRfc822Date('Tue Oct  1 12:00:00 2002')).toBe(Date.UTC(2002, 9, 1) / 1000);
    expect(parseRfc822Date('1 Oct 02 12:00:00 GMT')).toBe(noonUtc);
    expect(parseRfc822Date('1 Oct 98 12:00')).toBe(Date.UTC(1998, 9, 1, 12) / 1000);
    // An unknown zone is UTC; impossible parts are fudged, not refused.
    expect(parseRfc822Date('1 Oct 2002 12:00:00 XYZ')).toBe(noonUtc);
    expect(parseRfc822Date('31 Sep 2002 25:61:70 +0000')).toBe(
      Date.UTC(2002, 9, 1, 23, 59, 59) / 1000,
    );
    expect(parseRfc822Date('no date here')).toBeNull();
  });
});

describe('check_for_shifted_date', () => {
  it('compares the Date header with the closest Received time', () => {
    const sent = 'Date: Tue, 1 Oct 2002 20:00:00 +0000';
    expect(fired([received('Tue, 1 Oct 2002 12:00:00 +0000'), sent])).toEqual([
      'DATE_IN_FUTURE_06_12',
    ]);
    expect(fired([received('Tue, 1 Oct 2002 16:00:00 +0000'), sent])).toEqual([
      'DATE_IN_FUTURE_03_06',
    ]);
    expect(fired([received('Tue, 1 Oct 2002 19:59:00 +0000'), sent])).toEqual([]);
    expect(fired([received('Wed, 2 Oct 2002 01:00:00 +0000'), sent])).toEqual([
      'DATE_IN_PAST_03_06',
    ]);
    expect(fired([received('Tue, 24 Sep 2002 12:00:00 +0000'), sent])).toEqual([
      'DATE_IN_FUTURE_96_XX',
    ]);
    // The relay's zone counts: 16:00 in New York is 20:00 UTC.
    expect(fired([received('Tue, 1 Oct 2002 16:00:00 -0400'), sent])).toEqual([]);
  });

  it('takes the relay time closest to the Date, and prefers Resent-Date', () => {
    const relays = [
      received('Tue, 1 Oct 2002 12:00:00 +0000'),
      received('Tue, 1 Oct 2002 19:30:00 +0000'),
    ];
    expect(fired([...relays, 'Date: Tue, 1 Oct 2002 20:00:00 +0000'])).toEqual([]);
    expect(
      fired([
        received('Tue, 1 Oct 2002 12:00:00 +0000'),
        'Resent-Date: Tue, 1 Oct 2002 20:00:00 +0000',
        'Date: Tue, 1 Oct 2002 12:00:00 +0000',
      ]),
    ).toEqual(['DATE_IN_FUTURE_06_12']);
  });

  it("leaves fetchmail's local hop out, and says nothing without a Date or a Received time", () => {
    const fetched = [
      'Received: from localhost (localhost [127.0.0.1])\r\n\tby home.example (Postfix) with ESMTP id 1; Fri, 4 Oct 2002 09:00:00 +0000',
      'Received: from pop.example.net\r\n\tby localhost with POP3 (fetchmail-5.9.0)\r\n\tfor bob@localhost; Fri, 4 Oct 2002 09:00:00 +0000',
      received('Tue, 1 Oct 2002 19:00:00 +0000'),
      'Date: Tue, 1 Oct 2002 20:00:00 +0000',
    ];
    expect(fired(fetched)).toEqual([]);
    expect(fired([received('Tue, 1 Oct 2002 12:00:00 +0000')])).toEqual([]);
    expect(fired(['Date: Tue, 1 Oct 2002 20:00:00 +0000'])).toEqual([]);
  });
});

describe('check_outlook_message_id', () => {
  // Outlook puts the sending time in the ID, in its own unit (SpamAssassin's constants).
  const outlookToken = (utcSeconds: number) =>
    Math.trunc(utcSeconds * 0.0023283064365387 + 27111902.8329849)
      .toString(16)
      .padStart(8, '0');
  const sentAt = Date.UTC(2002, 9, 1, 20, 0, 0) / 1000;
  const idFor = (seconds: number) =>
    `Message-ID: <0001${outlookToken(seconds)}$0a1b2c3d$4e5f6071@pc>`;
  const headers = [
    received('Tue, 1 Oct 2002 20:00:05 +0000'),
    'Date: Tue, 1 Oct 2002 20:00:00 +0000',
  ];

  it('fires when the ID time matches neither the Date nor the Received time', () => {
    expect(fired([...headers, idFor(sentAt)])).toEqual([]);
    expect(fired([...headers, idFor(sentAt + 60)])).toEqual([]);
    expect(fired([...headers, idFor(sentAt - 7 * 86400)])).toEqual(['MSGID_OUTLOOK_INVALID']);
  });

  it('forgives a wrong Date when the Received time matches, and ignores other IDs', () => {
    const wrongDate = [
      received('Tue, 1 Oct 2002 20:00:05 +0000'),
      'Date: Sat, 1 Jan 2000 00:00:00 +0000',
    ];
    expect(fired([...wrongDate, idFor(sentAt)])).toEqual([]);
    expect(fired([...headers, 'Message-ID: <20021001200000.1234@example.net>'])).toEqual([]);
  });
});

describe('check_for_shifted_date over a folded Received date', () => {
  it('reads a zone folded onto the next line, as SpamAssassin does (spam-1/00290: DATE_IN_PAST_06_12)', () => {
    const pastRules = SaRuleSet.compile(
      (() => {
        const pastConfig = emptySaConfig();
        parseCfFile(
          pastConfig,
          'past.cf',
          "header DATE_IN_PAST_06_12 eval:check_for_shifted_date('-12', '-6')",
        );
        return pastConfig;
      })(),
    );
    // The relay's time, 06:05:19 +0100, is folded before its zone; the sender's own qmail line
    // has the Date's time and is left out, so the Date is 10.7 hours before the relay's time.
    const bytes = new TextEncoder().encode(
      [
        'Received: from rtsq9.example.com (rtsq9.example.com [209.11.52.209]) by dogma.example.org',
        '    (8.11.6/8.11.6) with SMTP id g8D55JC02668; Fri, 13 Sep 2002 06:05:19',
        '    +0100',
        'Received: (qmail 20326 invoked by uid 508); 12 Sep 2002 18:21:31 -0000',
        'Date: 12 Sep 2002 18:21:31 -0000',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
    expect(
      pastRules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0).map((hit) => hit.name),
    ).toEqual(['DATE_IN_PAST_06_12']);
  });
});
