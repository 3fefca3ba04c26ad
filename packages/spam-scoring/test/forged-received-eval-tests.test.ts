import { describe, expect, it } from 'vitest';
import { ruleFirer } from './helpers.js';

const fire = ruleFirer(
  [
    'header FORGED eval:check_for_forged_yahoo_received_headers()',
    'header FORGED_HOTMAIL eval:check_for_forged_hotmail_received_headers()',
    'header NO_HOTMAIL_HOP eval:check_for_no_hotmail_received_headers()',
    'header MSN_GROUPS eval:check_for_msn_groups_headers()',
  ].join('\n'),
  { sorted: false },
);
const fired = (headers: string[]) => fire(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
const OUTSIDE_HOP =
  'Received: from unknown (HELO mail.example.net) (203.0.113.9) by mx.example.org with SMTP; 1 Aug 2002 10:00:00 -0000';

describe('check_for_forged_yahoo_received_headers', () => {
  it('fires on a yahoo.com From that no Yahoo server handed on', () => {
    expect(fired([OUTSIDE_HOP, 'From: Eve <eve@yahoo.com>'])).toEqual(['FORGED']);
  });

  it('not for another domain, nor mail with no Received header at all', () => {
    expect(fired([OUTSIDE_HOP, 'From: eve@example.com'])).toEqual([]);
    expect(fired(['From: eve@yahoo.com'])).toEqual([]);
  });

  it("not when one of Yahoo's own hops is there", () => {
    for (const hop of [
      'Received: from [198.51.100.4] by web12345.mail.yahoo.com via HTTP; Thu, 1 Aug 2002 10:00:00 PDT',
      'Received: from sonic301.consmr.mail.bf2.yahoo.com by sonic301.consmr.mail.bf2.yahoo.com with HTTP; Thu, 1 Aug 2002 10:00:00 +0000',
      'Received: from host.example (EHLO host) by smtp104.mail.yahoo.com with SMTP; 1 Aug 2002 10:00:00 -0000',
    ])
      expect(fired([OUTSIDE_HOP, hop, 'From: eve@yahoo.com'])).toEqual([]);
  });

  it('reads X-Received instead of Received for a resent message', () => {
    const resent = ['Resent-From: bob@example.net', 'Resent-To: carol@example.org'];
    const yahooHop =
      'X-Received: from [198.51.100.4] by web1.mail.yahoo.com via HTTP; Thu, 1 Aug 2002 10:00:00 PDT';
    expect(fired([OUTSIDE_HOP, ...resent, yahooHop, 'From: eve@yahoo.com'])).toEqual([]);
    expect(fired([OUTSIDE_HOP, ...resent, 'From: eve@yahoo.com'])).toEqual(['FORGED']);
  });
});

describe('the Hotmail checks', () => {
  const HOTMAIL_HOP =
    'Received: from hotmail.com (f135.law8.hotmail.com [216.33.241.135]) by mx.example.org with ESMTP; 1 Aug 2002 10:00:00 -0000';
  const HELO_HOTMAIL =
    'Received: from mail.hotmail.com (unknown [203.0.113.9]) by mx.example.org with SMTP; 1 Aug 2002 10:00:00 -0000';

  it('a hotmail.com From that no Hotmail server handed on', () => {
    expect(fired([OUTSIDE_HOP, 'From: Eve <eve@hotmail.com>'])).toEqual(['NO_HOTMAIL_HOP']);
    expect(fired([OUTSIDE_HOP, 'From: eve@example.com'])).toEqual([]);
  });

  it("not with Hotmail's own hop and its X-Originating-IP", () => {
    const hotmail = [HOTMAIL_HOP, 'X-Originating-IP: [198.51.100.7]', 'From: eve@hotmail.com'];
    expect(fired(hotmail)).toEqual([]);
    // The hop alone, without the header Hotmail adds, is not Hotmail's.
    expect(fired([HOTMAIL_HOP, 'From: eve@hotmail.com'])).toEqual(['FORGED_HOTMAIL']);
  });

  it('a hop that says hotmail.com without being Hotmail is forged, whatever the From', () => {
    expect(fired([HELO_HOTMAIL, 'From: eve@example.com'])).toEqual(['FORGED_HOTMAIL']);
    expect(fired([HELO_HOTMAIL, 'From: eve@hotmail.com'])).toEqual(['FORGED_HOTMAIL']);
  });

  it('Outlook.com hops count with an X-OriginatorOrg', () => {
    const outlook =
      'Received: from EUR01-VE1-obe.outbound.protection.outlook.com (mail-oln040092066056.outbound.protection.outlook.com [40.92.66.56]) by mx.example.org with ESMTPS; 1 Aug 2020 10:00:00 -0000';
    expect(
      fired([
        outlook,
        'X-OriginatorOrg: sct-15-20-4755-11-msonline-outlook-12345.templateTenant',
        'From: eve@hotmail.com',
      ]),
    ).toEqual([]);
    expect(fired([outlook, 'From: eve@hotmail.com'])).toEqual(['NO_HOTMAIL_HOP']);
  });

  it('mail of an MSN Groups list is not forged', () => {
    const msn = [
      'Return-Path: <mylist-bounce@groups.msn.com>',
      'Received: from groups.msn.com (tk2dcpuba02.msn.com [65.54.195.210]) by mx.example.org (8.11.6/8.11.6) with ESMTP id g72K35v10457; Fri, 2 Aug 2002 21:03:05 +0100',
      'Received: from mail pickup service by p23.groups.msn.com with Microsoft SMTPSVC; Fri, 2 Aug 2002 13:01:30 -0700',
      'Message-Id: <mylist-1392@groups.msn.com>',
      'To: "My List" <mylist@groups.msn.com>',
      'From: eve@hotmail.com',
    ];
    expect(fired(msn)).toEqual(['MSN_GROUPS']);
    // Without the list's Message-ID it is no list mail; the groups.msn.com hop still marks
    // a gateway that drops Received lines, so nothing is called forged.
    expect(fired(msn.filter((line) => !line.startsWith('Message-Id')))).toEqual([]);
  });
});
