import { describe, expect, it } from 'vitest';
import { ruleFirer } from './helpers.js';

const fire = ruleFirer(
  [
    'header DIFFERENT_DOMAINS eval:check_equal_from_domains()',
    'header __RP_MATCHES_RCVD eval:check_mailfrom_matches_rcvd()',
    'meta RP_MATCHES __RP_MATCHES_RCVD',
  ].join('\n'),
  { subrules: true, sorted: false },
);
const fired = (headers: string[], mailFrom: string | null = null) =>
  fire(`${headers.join('\r\n')}\r\n\r\nbody\r\n`, { mailFrom });
const hop = (rdns: string, ip = '203.0.113.9') =>
  `Received: from helo.example (${rdns} [${ip}]) by mx.example.org (Postfix) with ESMTP id 1A2B3C; Thu, 1 Aug 2002 10:00:00 +0000`;

describe('check_equal_from_domains', () => {
  it('fires when From and the envelope sender are at different domains', () => {
    expect(fired(['From: Eve <eve@shop.example>'], 'bounce@sender.example')).toEqual([
      'DIFFERENT_DOMAINS',
    ]);
    // The envelope sender read from Return-Path when the envelope is not given.
    expect(fired(['Return-Path: <b@sender.example>', 'From: eve@shop.example'])).toEqual([
      'DIFFERENT_DOMAINS',
    ]);
  });

  it('compares the last two labels only, in any case', () => {
    expect(fired(['From: eve@news.Shop.example'], 'bounce@mail.shop.EXAMPLE')).toEqual([]);
    // Two labels, not the registered domain: co.uk against co.uk is "equal".
    expect(fired(['From: eve@a.co.uk'], 'bounce@b.co.uk')).toEqual([]);
  });

  it('does not fire without both domains', () => {
    expect(fired(['From: eve@shop.example'])).toEqual([]);
    expect(fired(['To: bob@example.org'], 'bounce@sender.example')).toEqual([]);
    expect(fired(['From: eve'], 'bounce@sender.example')).toEqual([]);
  });
});

describe('check_mailfrom_matches_rcvd', () => {
  it("fires when the sender's registered domain is the first untrusted relay's", () => {
    expect(fired([hop('out3.mail.shop.example')], 'bounce@shop.example')).toEqual(['RP_MATCHES']);
    expect(fired([hop('smtp.shop.co.uk')], 'news@lists.shop.co.uk')).toEqual(['RP_MATCHES']);
  });

  it('does not for another domain, a public suffix alone, or no reverse name', () => {
    expect(fired([hop('mail.other.example')], 'bounce@shop.example')).toEqual([]);
    expect(fired([hop('smtp.other.co.uk')], 'news@shop.co.uk')).toEqual([]);
    expect(fired([hop('unknown')], 'bounce@shop.example')).toEqual([]);
    expect(fired([hop('out.shop.example')])).toEqual([]);
  });

  it('reads only the first untrusted relay, all trusted ones when there is none', () => {
    const first = hop('mail.other.example', '198.51.100.1');
    const second = hop('out.shop.example', '198.51.100.2');
    expect(fired([first, second], 'bounce@shop.example')).toEqual([]);
    const trustedOnly = [hop('a.other.example', '10.0.0.1'), hop('b.shop.example', '10.0.0.2')];
    expect(fired(trustedOnly, 'bounce@shop.example')).toEqual(['RP_MATCHES']);
  });
});
