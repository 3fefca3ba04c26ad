import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';

const config = emptySaConfig();
parseCfFile(config, 'forged.cf', 'header FORGED eval:check_for_forged_yahoo_received_headers()');
const rules = SaRuleSet.compile(config);
const fired = (headers: string[]) => {
  const bytes = new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
  return rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0).map((hit) => hit.name);
};
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
