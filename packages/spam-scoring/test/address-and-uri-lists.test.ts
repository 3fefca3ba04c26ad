// WLBLEval's named lists: check_from_in_list / check_replyto_in_list over `enlist_addrlist`,
// check_uri_host_listed over `enlist_uri_host` / `delist_uri_host`, and MIMEEval's
// check_for_mime('mimepart_limit_exceeded'), with spamassassin as the oracle: each message's
// expected answer is what SpamAssassin 4.0.1 gave, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { summarize } from '@mailyard/mime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type SaRuleSet,
  SaMessageView,
  emptySaConfig,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
  parseCfFile,
} from '../src/index.js';
import { addressListMatcher } from '../src/spamassassin/address-lists.js';
import { URI_HOST_LOOKUP_NAMES, hostListed } from '../src/spamassassin/uri-host-lists.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  // Lists of the test's own, so that Debian's (also loaded by the oracle) do not answer.
  'util_rb_tld com net org icu',
  'enlist_addrlist (T_LIST) *@*.icu service@paypal.com',
  'enlist_addrlist (T_LIST) *@bank?.example a(b@example.com',
  'enlist_uri_host (T_URI) icu !safe.example.icu bad.example.com 192.0.2.7',
  'enlist_uri_host (T_URI) gone.example.com',
  'delist_uri_host (T_URI) gone.example.com',
  'enlist_uri_host (T_URI2) !other.example.com',
  'header FROM_L eval:check_from_in_list("T_LIST")',
  'header REPLY_L eval:check_replyto_in_list("T_LIST")',
  'header NONE_L eval:check_from_in_list("T_NO_SUCH_LIST")',
  'header URI_L eval:check_uri_host_listed("T_URI")',
  'header URI2_L eval:check_uri_host_listed("T_URI2")',
  'body MPL eval:check_for_mime("mimepart_limit_exceeded")',
  ...['FROM_L', 'REPLY_L', 'NONE_L', 'URI_L', 'URI2_L', 'MPL'].map((rule) => `score ${rule} 1`),
].join('\n');
const NAMES = /^(?:FROM_L|REPLY_L|NONE_L|URI_L|URI2_L|MPL)$/;
const fire = ruleFirer(RULES);
const ours = (mail: string) => fire(mail).filter((name) => NAMES.test(name));

const mail = (headers: string[], body = 'Hello\r\n') =>
  [
    ...headers,
    'To: b@example.com',
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    '',
    body,
  ].join('\r\n');
const from = (address: string, ...more: string[]) => mail([`From: ${address}`, ...more]);
const text = (body: string) => mail(['From: a@example.com'], body);
const html = (body: string) =>
  mail(['From: a@example.com', 'MIME-Version: 1.0', 'Content-Type: text/html'], body);

const manyParts = (count: number) =>
  mail(
    ['From: a@example.com', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"'],
    Array.from({ length: count }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`)
      .join('')
      .concat('--b--\r\n'),
  );

/** Messages and the rules SpamAssassin 4.0.1 fired on them. */
const CASES: [string, string, string[]][] = [
  ['a From under a listed TLD', from('a@mail.x.icu'), ['FROM_L']],
  ['the TLD alone is not *.icu', from('a@icu'), []],
  ['in capitals', from('A@MAIL.X.ICU'), ['FROM_L']],
  ['a display name and an exact address', from('"PayPal" <service@paypal.com>'), ['FROM_L']],
  ['another address at the exact one', from('servicex@paypal.com'), []],
  ['? stands for one character', from('a@bank1.example'), ['FROM_L']],
  ['? stands for no more than one', from('a@bank12.example'), []],
  ['( in a glob stands for _', from('a_b@example.com'), ['FROM_L']],
  ['the second address of From', from('a@example.com, b@x.icu'), ['FROM_L']],
  ['X-Envelope-From is a sender', from('a@example.com', 'X-Envelope-From: e@y.icu'), ['FROM_L']],
  ['Envelope-Sender is a sender', from('a@example.com', 'Envelope-Sender: e@y.icu'), ['FROM_L']],
  ['Resent-From comes first', from('a@x.icu', 'Resent-From: r@example.com'), []],
  ['a listed Resent-From', from('a@example.com', 'Resent-From: r@x.icu'), ['FROM_L']],
  ['a listed Reply-To', from('a@example.com', 'Reply-To: r@x.icu'), ['REPLY_L']],
  [
    'only the first Reply-To address',
    from('a@example.com', 'Reply-To: r@example.com, s@x.icu'),
    [],
  ],
  ['a link under a listed TLD', text('See http://www.shop.icu/x now\r\n'), ['URI_L']],
  ['an excluded host', text('See http://safe.example.icu/ now\r\n'), []],
  ['under an excluded host', text('See http://a.safe.example.icu/ now\r\n'), []],
  ['a listed host', text('See http://bad.example.com/ now\r\n'), ['URI_L']],
  ['under a listed host', text('See http://x.bad.example.com/ now\r\n'), ['URI_L']],
  ['a name that ends alike', text('See http://notbad.example.com/ now\r\n'), []],
  ['a listed address', text('See http://192.0.2.7/ now\r\n'), ['URI_L']],
  ['another address', text('See http://192.0.2.77/ now\r\n'), []],
  ['a delisted host', text('See http://gone.example.com/ now\r\n'), []],
  ['mailto: links are not read', text('Write to mailto:x@shop.icu now\r\n'), []],
  ['nor addresses', text('Write to x@shop.icu now\r\n'), []],
  ['an unknown TLD', text('See http://shop.icux/ now\r\n'), []],
  ['an HTML link', html('<a href="http://deal.icu/">click</a>\r\n'), ['URI_L']],
  [
    'one listed host among excluded ones',
    text('http://safe.example.icu/ http://www.shop.icu/\r\n'),
    ['URI_L'],
  ],
  ['a list of exclusions only', text('See http://other.example.com/ now\r\n'), []],
  ['1,100 parts: never MIMEPART_LIMIT_EXCEEDED in 4.0.1', manyParts(1100), []],
];

describe('check_from_in_list, check_replyto_in_list, check_uri_host_listed', () => {
  for (const [name, message, expected] of CASES)
    it(`${expected.length ? expected.join(' ') : 'nothing'}: ${name}`, () => {
      expect(ours(message)).toEqual(expected);
    });

  it('reads the named lists as Conf.pm does', () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      'lists.cf',
      [
        'enlist_addrlist (L) A@Example.COM *@*.icu',
        'enlist_addrlist L no-parentheses@example.com',
        'enlist_uri_host (U) Example.COM !Sub.Example.com',
        // An octet of the file read as Latin-1: Perl's lc leaves it.
        'enlist_uri_host (W) \xc0.Example.com',
        'enlist_uri_host (V) example.com',
        'delist_uri_host !example.com',
        // Not a directive of SpamAssassin 4.0.1: it removes nothing there, nor here.
        'delist_addrlist (L) a@example.com',
      ].join('\n'),
    );
    expect([...config.addressLists.get('L')!]).toEqual(['a@example.com', '*@*.icu']);
    expect([...config.uriHostLists.get('U')!]).toEqual([['sub.example.com', false]]);
    expect([...config.uriHostLists.get('V')!]).toEqual([]);
    expect([...config.uriHostLists.get('W')!]).toEqual([['\xc0.example.com', true]]);
    expect(config.problems.map((p) => p.line)).toEqual([2]);
  });

  it('matches hostile addresses and hosts in time linear in their length', () => {
    const inList = addressListMatcher(new Set(['*a*a*a*a*a*b', '*@*.icu']));
    const started = Date.now();
    expect(inList(`${'a'.repeat(200_000)}c`)).toBe(false);
    expect(inList(`${'a'.repeat(200_000)}b`)).toBe(true);
    expect(inList(`x@${'y.'.repeat(100_000)}icu`)).toBe(true);
    const list = new Map([['icu', true]]);
    // Only the last URI_HOST_LOOKUP_NAMES names of a host are looked up.
    expect(hostListed(list, `${'a.'.repeat(50_000)}icu`)).toBe(true);
    expect(
      hostListed(new Map([['a.a.a.a.a.a.a.a.a.a.a.icu', true]]), 'a.'.repeat(20) + 'icu'),
    ).toBe(false);
    expect(URI_HOST_LOOKUP_NAMES).toBe(11);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads thousands of addresses and links fast', () => {
    const addresses = Array.from({ length: 5_000 }, (_, i) => `u${i}@example.com`).join(', ');
    // Links are found in the body rules' text, which ends at 50,000 octets (as there).
    const links = Array.from({ length: 1_700 }, (_, i) => `http://h${i}.example.org/`).join(' ');
    const started = Date.now();
    // A header value is cut after 8,192 octets, as Message.pm cuts it: the first address is
    // read, one after the cut is not.
    expect(ours(from(`last@x.icu, ${addresses}`))).toEqual(['FROM_L']);
    expect(ours(from(`${addresses}, last@x.icu`))).toEqual([]);
    expect(ours(from('a@example.com', `Reply-To: ${addresses}`))).toEqual([]);
    expect(ours(text(`${links} http://z.icu/\r\n`))).toEqual(['URI_L']);
    expect(ours(text(`http://${'a.'.repeat(20_000)}icu/\r\n`))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

/**
 * Messages for Debian's own lists and the metas over them, and what SpamAssassin 4.0.1 fired of
 * those families with Debian's rules alone.
 */
const DEBIAN_CASES: [string, string, string[]][] = [
  [
    'a From and a link under .icu',
    mail(['From: Deals <deals@shop.icu>'], 'http://shop.icu/x\r\n'),
    ['FROM_NTLD_LINKBAIT', 'FROM_SUSPICIOUS_NTLD', 'FROM_SUSPICIOUS_NTLD_FP', 'PDS_OTHER_BAD_TLD'],
  ],
  [
    'a list message from .top',
    mail(['From: deals@news.top', 'List-Id: <n.news.top>', 'Sender: s@news.top'], 'hi\r\n'),
    ['FROM_SUSPICIOUS_NTLD'],
  ],
  [
    'a link to a .pro host',
    mail(['From: a@example.com'], 'See http://www.shop.pro/ now\r\n'),
    ['T_PDS_PRO_TLD'],
  ],
  [
    'a relayed PayPal From',
    mail(
      [
        'Received: from mx.spam.example (mx.spam.example [203.0.113.9]) by mx.example.com; Thu, 1 Aug 2002 10:00:00 +0000',
        'From: PayPal <service@paypal.com>',
      ],
      'Confirm your account\r\n',
    ),
    ['FROM_PAYPAL_SPOOF'],
  ],
  [
    'a relayed bank From',
    mail(
      [
        'Received: from mx.spam.example (mx.spam.example [203.0.113.9]) by mx.example.com; Thu, 1 Aug 2002 10:00:00 +0000',
        'From: Alerts <alerts@hsbc.co.uk>',
      ],
      'Confirm your account\r\n',
    ),
    ['FROM_BANK_NOAUTH'],
  ],
  [
    'an https address shown over an http link',
    mail(
      ['From: a@example.com', 'MIME-Version: 1.0', 'Content-Type: text/html'],
      '<html><body><a href="http://evil.example.net/">https://www.bank.com/</a></body></html>\r\n',
    ),
    ['HTTPS_HTTP_MISMATCH'],
  ],
  ['a pay-per-click shortener', mail(['From: a@example.com'], 'http://2xs.io/abc\r\n'), []],
];
const DEBIAN_NAMES =
  /NTLD|_TLD|PAYPAL|FROM_GOV|FROM_BANK|HTTPS_HTTP|CASHSHORT|FROMNAME|FREEM_FROM_NOT_REPLY/;

describe("Debian's rules over the lists", () => {
  let debian: SaRuleSet;
  beforeAll(async () => {
    const directory = await findDebianRuleDirectory();
    if (directory !== null) debian = (await loadSpamAssassinRules(directory)).rules;
  }, 120_000);
  const debianFired = (message: string) => {
    const bytes = new TextEncoder().encode(message);
    return debian
      .evaluate(new SaMessageView(bytes, summarize(bytes)), 0)
      .map((hit) => hit.name)
      .filter((name) => DEBIAN_NAMES.test(name) && !name.startsWith('__'))
      .sort();
  };

  it('run the rules over the lists (none refused), and no FromNameSpoof rule', () => {
    if (!debian) return;
    const refused = new Set(debian.unsupported.map((rule) => rule.name));
    for (const name of [
      '__FROM_ADDRLIST_SUSPNTLD',
      '__FROM_ADDRLIST_PAYPAL',
      '__REPLYTO_ADDRLIST_SUSPNTLD',
      'FROM_SUSPICIOUS_NTLD',
      'FROM_PAYPAL_SPOOF',
      'GOOGLE_DRIVE_REPLY_BAD_NTLD',
      'PDS_OTHER_BAD_TLD',
      'T_PDS_PRO_TLD',
      '__PDS_CASHSHORTENER',
      'HTTPS_HTTP_MISMATCH',
      'MIMEPART_LIMIT_EXCEEDED',
    ])
      expect([name, refused.has(name)]).toEqual([name, false]);
  });

  for (const [name, message, expected] of DEBIAN_CASES)
    it(`${expected.join(' ') || 'nothing'}: ${name}`, () => {
      if (debian) expect(debianFired(message)).toEqual(expected);
    });

  // The oracle with Debian's rules alone: the same rules of these families fire.
  it.runIf(debianSpamAssassin.available)(
    'fire as spamassassin fires them',
    () => {
      const theirs = spamAssassinFiredEach(
        DEBIAN_CASES.map(([, message]) => message),
        '',
        DEBIAN_NAMES,
      );
      for (const [index, [name, message]] of DEBIAN_CASES.entries())
        expect([name, debianFired(message)]).toEqual([name, theirs[index]]);
    },
    180_000,
  );
});

describeWithPeer(debianSpamAssassin, 'the named lists against spamassassin', () => {
  it('fire on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, message]) => message),
      RULES,
      NAMES,
    );
    for (const [index, [name, message]] of CASES.entries())
      expect([name, ours(message)]).toEqual([name, theirs[index]]);
  }, 180_000);
});
