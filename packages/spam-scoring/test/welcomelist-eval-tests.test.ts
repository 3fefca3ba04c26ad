// WLBLEval's welcome and block lists and WelcomeListSubject's, with Debian's own rules
// (60_welcomelist*.cf) and one local.cf of lists; each message's expected rules are what
// SpamAssassin 4.0.1 fired with that configuration, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { summarize } from '@mailyard/mime';
import {
  emptySaConfig,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  parseCfFile,
  SaMessageView,
  SaRuleSet,
} from '../src/index.js';
import { SA_EVAL_TESTS } from '../src/spamassassin/eval-tests.js';
import { receivedForAddress } from '../src/spamassassin/message-addresses.js';
import { ListGlob } from '../src/spamassassin/list-glob.js';
import { debianRuleFile, debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const LOCAL_CF = [
  'welcomelist_from friend@example.com *@trusted.example',
  'whitelist_from old.name@example.org',
  'welcomelist_from removed@example.com',
  'unwelcomelist_from removed@example.com',
  'welcomelist_from ?ob@qmark.example',
  'blocklist_from *@spammer.example',
  'blacklist_from spam?@old.example',
  'welcomelist_from_rcvd *@bank.example mx.bank.example',
  'welcomelist_from_rcvd ceo@corp.example [203.0.113.0/24]',
  'welcomelist_from_rcvd ceo@corp.example other.example',
  'welcomelist_from_rcvd ip@exact.example [203.0.113.9]',
  'welcomelist_from_rcvd classful@corp.example [203.0.113]',
  'welcomelist_from_rcvd wrongnet@corp.example [198.51.100.0]/24',
  'welcomelist_from_rcvd v6@corp.example [2001:db8:1234::]/48',
  'def_welcomelist_from_rcvd *@lists.example.net example.net',
  'def_welcomelist_from_rcvd forged@allowed.example elsewhere.example',
  'welcomelist_allows_relays forged@allowed.example',
  'welcomelist_to postmaster@example.com',
  'blocklist_to honeypot@example.com',
  'more_spam_to bob@example.com',
  'all_spam_to abuse@example.com',
  'welcomelist_subject [ticket *]',
  'blocklist_subject *viagra*',
  'blocklist_subject cheap pills',
].join('\n');

const RULE_NAMES = /^(?:USER_IN_|SUBJECT_IN_)/;
const debianRules = ['60_welcomelist.cf', '60_welcomelist_subject.cf']
  .map((name) => debianRuleFile(name) ?? '')
  .join('\n');
// Debian's scores for the two rules 60_welcomelist.cf leaves to 50_scores.cf.
const fire = ruleFirer(
  `${debianRules}\nscore USER_IN_MORE_SPAM_TO -20\nscore USER_IN_ALL_SPAM_TO -100\n${LOCAL_CF}`,
);

const BANK_HOP =
  'Received: from mx.bank.example (mx.bank.example [203.0.113.9]) by mx.example.org (Postfix) with ESMTP id 1A2B3C; Thu, 1 Aug 2002 10:00:00 +0000';
const OTHER_HOP =
  'Received: from evil.example (evil.example [198.51.100.7]) by mx.example.org (Postfix) with ESMTP id 4D5E6F; Thu, 1 Aug 2002 10:00:00 +0000';
const LIST_HOP =
  'Received: from lists.example.net (mail.example.net [192.0.2.25]) by mx.example.org (Postfix) with ESMTP id 7A8B9C; Thu, 1 Aug 2002 10:00:00 +0000';

const V6_HOP =
  'Received: from v6.corp.example (v6.corp.example [IPv6:2001:db8:1234::5]) by mx.example.org (Postfix) with ESMTP id 9F8E7D; Thu, 1 Aug 2002 10:00:00 +0000';

const mail = (headers: string[], hop = OTHER_HOP) =>
  [
    hop,
    ...headers,
    ...(headers.some((h) => h.startsWith('To:')) ? [] : ['To: someone@example.com']),
    ...(headers.some((h) => h.startsWith('Subject:')) ? [] : ['Subject: hello']),
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    '',
    'A few words of body.',
    '',
  ].join('\r\n');

/** Messages and the list rules SpamAssassin 4.0.1 fired on them with LOCAL_CF. */
const CASES: [string, string, string[]][] = [
  ['a listed From', mail(['From: Friend <friend@example.com>']), ['USER_IN_WELCOMELIST']],
  ['case aside', mail(['From: FRIEND@Example.COM']), ['USER_IN_WELCOMELIST']],
  ['a domain glob', mail(['From: anyone@trusted.example']), ['USER_IN_WELCOMELIST']],
  ['a subdomain is not the domain', mail(['From: a@mail.trusted.example']), []],
  ['the old directive name', mail(['From: old.name@example.org']), ['USER_IN_WELCOMELIST']],
  ['removed by unwelcomelist_from', mail(['From: removed@example.com']), []],
  ['? is one character', mail(['From: bob@qmark.example']), ['USER_IN_WELCOMELIST']],
  ['? is not two', mail(['From: boob@qmark.example']), []],
  ['a blocked domain', mail(['From: eve@spammer.example']), ['USER_IN_BLOCKLIST']],
  ['the old block name', mail(['From: spam7@old.example']), ['USER_IN_BLOCKLIST']],
  ['any address of From', mail(['From: a@x.example, friend@example.com']), ['USER_IN_WELCOMELIST']],
  [
    'a Resent-From alone counts',
    mail(['Resent-From: friend@example.com', 'From: eve@spammer.example']),
    ['USER_IN_WELCOMELIST'],
  ],
  ['Sender is not read', mail(['From: a@x.example', 'Sender: friend@example.com']), []],
  [
    'Resent-Sender is',
    mail(['From: a@x.example', 'Resent-Sender: friend@example.com']),
    ['USER_IN_WELCOMELIST'],
  ],
  [
    'X-Envelope-From is',
    mail(['From: a@x.example', 'X-Envelope-From: <eve@spammer.example>']),
    ['USER_IN_BLOCKLIST'],
  ],
  [
    'the envelope sender of Return-Path',
    ['Return-Path: <eve@spammer.example>', mail(['From: a@x.example'])].join('\r\n'),
    ['USER_IN_BLOCKLIST'],
  ],
  ['by the listed relay', mail(['From: pay@bank.example'], BANK_HOP), ['USER_IN_WELCOMELIST']],
  ['by another relay', mail(['From: pay@bank.example']), []],
  ['a relay network', mail(['From: ceo@corp.example'], BANK_HOP), ['USER_IN_WELCOMELIST']],
  ['outside the network and the domain', mail(['From: ceo@corp.example']), []],
  ['an exact relay address', mail(['From: ip@exact.example'], BANK_HOP), ['USER_IN_WELCOMELIST']],
  ['a classful prefix', mail(['From: classful@corp.example'], BANK_HOP), ['USER_IN_WELCOMELIST']],
  ['the prefix after the bracket', mail(['From: wrongnet@corp.example']), ['USER_IN_WELCOMELIST']],
  ['another network', mail(['From: wrongnet@corp.example'], BANK_HOP), []],
  ['an IPv6 network', mail(['From: v6@corp.example'], V6_HOP), ['USER_IN_WELCOMELIST']],
  ['an IPv4 relay and an IPv6 network', mail(['From: v6@corp.example'], BANK_HOP), []],
  [
    'the default list by domain',
    mail(['From: news@lists.example.net'], LIST_HOP),
    ['USER_IN_DEF_WELCOMELIST'],
  ],
  ['the default list by another relay', mail(['From: news@lists.example.net']), []],
  [
    'welcomelist_to',
    mail(['From: a@x.example', 'To: postmaster@example.com']),
    ['USER_IN_WELCOMELIST_TO'],
  ],
  [
    'blocklist_to by Cc',
    mail(['From: a@x.example', 'Cc: honeypot@example.com']),
    ['USER_IN_BLOCKLIST_TO'],
  ],
  [
    "more_spam_to by the Received line's recipient",
    mail(
      ['From: a@x.example'],
      'Received: from evil.example (evil.example [198.51.100.7]) by mx.example.org (8.12.8/8.12.8) with ESMTP id h1 for <bob@example.com>; Thu, 1 Aug 2002 10:00:00 +0000',
    ),
    ['USER_IN_MORE_SPAM_TO'],
  ],
  [
    'all_spam_to by Delivered-To',
    mail(['From: a@x.example', 'Delivered-To: abuse@example.com']),
    ['USER_IN_ALL_SPAM_TO'],
  ],
  [
    'a group in To',
    mail(['From: a@x.example', 'To: staff: postmaster@example.com, c@x.example;']),
    ['USER_IN_WELCOMELIST_TO'],
  ],
  [
    'no Received recipient at a host name without a dot',
    mail(
      ['From: a@x.example'],
      'Received: from evil.example (evil.example [198.51.100.7]) by mx.example.org (8.12.8/8.12.8) with ESMTP id h1 for <bob@example>; Thu, 1 Aug 2002 10:00:00 +0000',
    ),
    [],
  ],
  [
    'nor in the fourth Received line',
    mail(
      [
        'Received: by mx.example.org id 1; Thu, 1 Aug 2002 10:00:03 +0000',
        'Received: by mx.example.org id 2; Thu, 1 Aug 2002 10:00:02 +0000',
        'Received: by mx.example.org id 3 for <bob@example.com>; Thu, 1 Aug 2002 10:00:01 +0000',
        'From: a@x.example',
      ],
      'Received: by mx.example.org id 0; Thu, 1 Aug 2002 10:00:04 +0000',
    ),
    [],
  ],
  [
    'but in the third',
    mail(
      [
        'Received: by mx.example.org id 1; Thu, 1 Aug 2002 10:00:03 +0000',
        'Received: by mx.example.org id 2 for <bob@example.com>; Thu, 1 Aug 2002 10:00:02 +0000',
        'From: a@x.example',
      ],
      'Received: by mx.example.org id 0; Thu, 1 Aug 2002 10:00:04 +0000',
    ),
    ['USER_IN_MORE_SPAM_TO'],
  ],
  [
    'a Resent-To hides To',
    mail(['From: a@x.example', 'Resent-To: c@x.example', 'To: postmaster@example.com']),
    [],
  ],
  [
    'a Subject welcomed',
    mail(['From: a@x.example', 'Subject: Re: [ticket 42] printer']),
    ['SUBJECT_IN_WELCOMELIST'],
  ],
  ['brackets are literal', mail(['From: a@x.example', 'Subject: Re: ticket 42 printer']), []],
  [
    'a Subject blocked',
    mail(['From: a@x.example', 'Subject: Buy VIAGRA now']),
    ['SUBJECT_IN_BLOCKLIST'],
  ],
  [
    'a Subject entry with a space',
    mail(['From: a@x.example', 'Subject: Cheap Pills here']),
    ['SUBJECT_IN_BLOCKLIST'],
  ],
  ['the space is one', mail(['From: a@x.example', 'Subject: Cheap  Pills here']), []],
  [
    'an encoded Subject, decoded',
    mail(['From: a@x.example', 'Subject: =?utf-8?q?cheap_viagra?=']),
    ['SUBJECT_IN_BLOCKLIST'],
  ],
];

describe('WLBLEval and WelcomeListSubject lists', () => {
  for (const [name, text, expected] of CASES)
    it(`${name}: ${expected.join(', ') || 'nothing'}`, () => {
      expect(fire(text).filter((rule) => RULE_NAMES.test(rule))).toEqual(expected);
    });
});

describeWithPeer(debianSpamAssassin, 'the lists against spamassassin', () => {
  it('fires the same rules on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, text]) => text),
      LOCAL_CF,
      RULE_NAMES,
    );
    expect(CASES.map(([name], i) => [name, theirs[i]])).toEqual(
      CASES.map(([name, , expected]) => [name, expected]),
    );
  });
});

// The forgery checks no Debian rule calls: a From listed under a `_rcvd` line that came by
// another relay, unless welcomelist_allows_relays lets it.
const FORGED_CF = [
  'header FORGED_WL eval:check_forged_in_welcomelist()',
  'score FORGED_WL 1',
  'header FORGED_DEF_WL eval:check_forged_in_default_welcomelist()',
  'score FORGED_DEF_WL 1',
  'welcomelist_from_rcvd *@bank.example mx.bank.example',
  'def_welcomelist_from_rcvd *@lists.example.net example.net',
  'def_welcomelist_from_rcvd *@allowed.example elsewhere.example',
  'welcomelist_allows_relays news@allowed.example',
  'def_welcomelist_from_rcvd *@both.example one.example',
  'welcomelist_from_rcvd *@both.example two.example',
  'welcomelist_from_rcvd *@gone.example mx.bank.example',
  'unwelcomelist_from_rcvd *@gone.example',
].join('\n');
const fireForged = ruleFirer(FORGED_CF);
const FORGED_CASES: [string, string, string[]][] = [
  ['a bank sender by its relay', mail(['From: pay@bank.example'], BANK_HOP), []],
  ['a bank sender by another', mail(['From: pay@bank.example']), ['FORGED_WL']],
  ['a list sender by another relay', mail(['From: a@lists.example.net']), ['FORGED_DEF_WL']],
  ['allowed to come by any relay', mail(['From: news@allowed.example']), []],
  ['not that one', mail(['From: other@allowed.example']), ['FORGED_DEF_WL']],
  // Each fires only when the other list does not name the sender at all.
  ['forged in both lists', mail(['From: a@both.example']), []],
  ['a line removed', mail(['From: a@gone.example']), []],
];

describe('check_forged_in_welcomelist and check_forged_in_default_welcomelist', () => {
  for (const [name, text, expected] of FORGED_CASES)
    it(`${name}: ${expected.join(', ') || 'nothing'}`, () => {
      expect(fireForged(text)).toEqual(expected);
    });
});

describeWithPeer(debianSpamAssassin, 'the forgery checks against spamassassin', () => {
  it('fires the same rules on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      FORGED_CASES.map(([, text]) => text),
      FORGED_CF,
      /^FORGED_/,
    );
    expect(FORGED_CASES.map(([name], i) => [name, theirs[i]])).toEqual(
      FORGED_CASES.map(([name, , expected]) => [name, expected]),
    );
  });
});

describe('the lists read from configuration', () => {
  it('refuses a _rcvd line without its relay, and an empty list line', () => {
    const config = emptySaConfig();
    parseCfFile(config, 'local.cf', 'welcomelist_from_rcvd a@example.com\nblocklist_from\n');
    expect(config.problems.map((p) => p.line)).toEqual([1, 2]);
    expect(config.senderLists.relay.welcomelist_from_rcvd.size).toBe(0);
  });

  it('keeps an entry once, under its lower-case form', () => {
    const config = emptySaConfig();
    parseCfFile(config, 'local.cf', 'welcomelist_from A@Example.com a@example.com\n');
    expect(config.senderLists.address.welcomelist_from.size).toBe(1);
  });
});

describe('ListGlob', () => {
  it('matches a whole address, * any run and ? one character, no newline', () => {
    const glob = new ListGlob('*@*.Example.com', true);
    expect(glob.matchesWhole('a@b.example.com')).toBe(true);
    expect(glob.matchesWhole('a@example.com')).toBe(false);
    expect(glob.matchesWhole('a@b.example.com.evil')).toBe(false);
    expect(glob.matchesWhole('a\nb@c.example.com')).toBe(false);
    expect(new ListGlob('a?c@x', true).matchesWhole('abc@x')).toBe(true);
    expect(new ListGlob('a?c@x', true).matchesWhole('ac@x')).toBe(false);
    expect(new ListGlob('*a*a*', true).matchesWhole('aa')).toBe(true);
    expect(new ListGlob('*a*a*', true).matchesWhole('a')).toBe(false);
  });

  it('turns NUL, backslash and ( into _ in the pattern, as Conf/Parser.pm', () => {
    expect(new ListGlob('a(b@x', true).matchesWhole('a_b@x')).toBe(true);
    expect(new ListGlob('a(b@x', true).matchesWhole('a(b@x')).toBe(false);
  });

  it('finds a Subject entry within one line', () => {
    const glob = new ListGlob('free*money', false);
    expect(glob.matchesWithin('get free cash and money')).toBe(true);
    expect(glob.matchesWithin('free\nmoney')).toBe(false);
  });

  it('answers fast on a huge text with many stars', () => {
    const started = performance.now();
    const glob = new ListGlob('*a*b*c*d*e*f*g*?', true);
    expect(glob.matchesWhole('a'.repeat(1_000_000))).toBe(false);
    expect(glob.matchesWithin('abcdef'.repeat(200_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("all_to_addrs's recipient of a Received line", () => {
  it('reads the address before the semicolon, as the Perl pattern', () => {
    expect(receivedForAddress('from a by b id 1 for <bob@example.com>; Thu')).toEqual({
      address: 'bob@example.com',
      domain: 'example.com',
    });
    expect(receivedForAddress('from a by b for bob@example.com; Thu')?.address).toBe(
      'bob@example.com',
    );
    expect(receivedForAddress('from a by b for <a@b@c.example>; x')?.address).toBe('a@b@c.example');
    expect(receivedForAddress('from a by b for <bob@example.com> ; Thu')).toBeNull();
    // `<?` gives its `<` back to the address when nothing is before the `@`.
    expect(receivedForAddress('from a by b for <@x;')?.address).toBe('<@x');
    expect(receivedForAddress('from a by b for <@;')).toBeNull();
  });

  it('answers fast on a huge run of @ without a semicolon', () => {
    const started = performance.now();
    expect(receivedForAddress(` for <${'@'.repeat(500_000)}`)).toBeNull();
    expect(receivedForAddress(' for x'.repeat(200_000))).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the lists on hostile input', () => {
  it('checks a huge From header against 10,000 entries fast', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) =>
      i % 2 === 0
        ? `welcomelist_from user${i}@example${i}.com`
        : `welcomelist_from *@domain${i}.example`,
    );
    const config = emptySaConfig();
    parseCfFile(
      config,
      'local.cf',
      `header WL eval:check_from_in_welcomelist()\n${entries.join('\n')}\nwelcomelist_from *@last.example\n`,
    );
    const check = SA_EVAL_TESTS.check_from_in_welcomelist!([], config)!;
    const addresses = Array.from({ length: 2_000 }, (_, i) => `a${i}@x${i}.example`).join(', ');
    // The welcomed address first: the value is cut after 8,192 octets, as Message.pm cuts it.
    const text = `From: ${'x'.repeat(5_000)}@last.example, ${addresses}, ${'y'.repeat(200_000)}@z.example\r\nTo: b@example.com\r\n\r\nbody\r\n`;
    const bytes = new TextEncoder().encode(text);
    const started = performance.now();
    expect(check(new SaMessageView(bytes, summarize(bytes)), [])).toBe(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("the lists with Debian's whole rule set and a site's local.cf", () => {
  it('scores a welcomed sender -100 and a blocked one +100, as the docs show', async () => {
    const directory = await findDebianRuleDirectory();
    if (directory === null) return;
    const { config } = await loadSpamAssassinConfig(directory);
    parseCfFile(
      config,
      'local.cf',
      'welcomelist_from boss@example.com\nblocklist_from *@spammer.example\n',
    );
    const rules = SaRuleSet.compile(config);
    const scored = (from: string) => {
      const bytes = new TextEncoder().encode(mail([`From: ${from}`]));
      return rules
        .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
        .filter((hit) => RULE_NAMES.test(hit.name))
        .map(({ name, score }) => [name, score]);
    };
    expect(scored('boss@example.com')).toEqual([['USER_IN_WELCOMELIST', -100]]);
    expect(scored('eve@spammer.example')).toEqual([['USER_IN_BLOCKLIST', 100]]);
    expect(scored('someone@example.com')).toEqual([]);
  }, 120_000);
});
