// The FromNameSpoof plugin's evals (__PLUGIN_FROMNAME_SPOOF, __PLUGIN_FROMNAME_EQUALS_TO,
// __FROM_EQ_REPLY and the other four) with the settings Debian's 72_active.cf gives them, and
// spamassassin as the oracle: each message's expected answer is what SpamAssassin 4.0.1 gave,
// and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile } from '../src/index.js';
import { addressInName } from '../src/spamassassin/from-name-spoof.js';
import { receivedForAddress } from '../src/spamassassin/message-addresses.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const EVALS: [string, string][] = [
  ['SPOOF', 'check_fromname_spoof()'],
  ['SPOOF0', "check_fromname_spoof('0')"],
  ['SPOOF2', "check_fromname_spoof('2')"],
  ['EQ_TO', 'check_fromname_equals_to()'],
  ['EQ_REPLY', 'check_fromname_equals_replyto()'],
  ['DIFFERENT', 'check_fromname_different()'],
  ['DOMAIN_DIFFER', 'check_fromname_domain_differ()'],
  ['CONTAINS', 'check_fromname_contains_email()'],
  ['OWNERS', 'check_fromname_owners_differ()'],
];
const RULES = [
  // Debian's SpamAssassin does not load the plugin (v342.pre): the oracle loads it here.
  'loadplugin Mail::SpamAssassin::Plugin::FromNameSpoof',
  // What Debian's files say (the oracle reads them too): the TLDs these tests use, and the
  // plugin's settings in 72_active.cf.
  'util_rb_tld com net org uk',
  'util_rb_2tld co.uk',
  'fns_ignore_headers List-Id',
  'fns_check 1',
  'fns_add_addrlist (gmail) *@googlemail.com',
  ...EVALS.flatMap(([name, call]) => [`header ${name} eval:${call}`, `score ${name} 1`]),
].join('\n');
const NAMES = new RegExp(`^(?:${EVALS.map(([name]) => name).join('|')})$`);
const fire = ruleFirer(RULES);
const ours = (mail: string) => fire(mail).filter((name) => NAMES.test(name));

const mail = (fromHeader: string, ...headers: string[]) =>
  [
    `From: ${fromHeader}`,
    ...(headers.some((h) => h.startsWith('To:')) ? [] : ['To: b@example.com']),
    ...headers,
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    '',
    'Hello',
    '',
  ].join('\r\n');

const ALL_SPOOF = ['CONTAINS', 'DIFFERENT', 'DOMAIN_DIFFER', 'OWNERS', 'SPOOF', 'SPOOF0', 'SPOOF2'];

/** Messages and the rules SpamAssassin 4.0.1 fired on them. */
const CASES: [string, string, string[]][] = [
  ['another owner', mail('"service@paypal.com" <x@spam.example.com>'), ALL_SPOOF],
  [
    'the same owner under another TLD (fns_check 1)',
    mail('"service@paypal.co.uk" <service@paypal.com>'),
    ['CONTAINS', 'DIFFERENT', 'DOMAIN_DIFFER', 'SPOOF0', 'SPOOF2'],
  ],
  ['its own address', mail('"bob@example.com" <bob@example.com>'), ['CONTAINS']],
  ['its own address in capitals', mail('"Bob@Example.COM" <bob@example.com>'), ['CONTAINS']],
  [
    'another address of the same domain',
    mail('"alice@example.com" <bob@example.com>'),
    ['CONTAINS', 'DIFFERENT', 'SPOOF0'],
  ],
  [
    'an owner alias (fns_add_addrlist)',
    mail('"x@googlemail.com" <y@gmail.com>'),
    ['CONTAINS', 'DIFFERENT', 'DOMAIN_DIFFER', 'SPOOF0', 'SPOOF2'],
  ],
  [
    'too much else in the name (fns_extrachars 50)',
    mail(
      `"Your account service@paypal.com is suspended, sign in at once to restore it" <x@spam.example.com>`,
    ),
    ['CONTAINS'],
  ],
  [
    'a little else in the name',
    mail('"PayPal (service@paypal.com)" <x@spam.example.com>'),
    ALL_SPOOF,
  ],
  [
    'a List-Id (fns_ignore_headers)',
    mail('"service@paypal.com" <x@spam.example.com>', 'List-Id: <l.example.org>'),
    [],
  ],
  [
    'the name is the To address',
    mail('"b@example.com" <x@spammer.net>'),
    [...ALL_SPOOF, 'EQ_TO'].sort(),
  ],
  [
    'To compared as written',
    mail('"b@example.com" <x@spammer.net>', 'To: B@Example.com'),
    ALL_SPOOF,
  ],
  [
    "a Received line's for address",
    mail(
      '"c@example.com" <x@spammer.net>',
      'Received: from a.example.net by mx.example.com for <c@example.com>; Thu, 1 Aug 2002 10:00:00 +0000',
    ),
    [...ALL_SPOOF, 'EQ_TO'].sort(),
  ],
  [
    'the Cc address',
    mail('"c@example.com" <x@spammer.net>', 'Cc: Carol <c@example.com>'),
    [...ALL_SPOOF, 'EQ_TO'].sort(),
  ],
  [
    'the Reply-To address',
    mail('"r@example.org" <x@spammer.net>', 'Reply-To: R@example.org'),
    [...ALL_SPOOF, 'EQ_REPLY'].sort(),
  ],
  ['a name without an address', mail('"Bob Smith" <x@spammer.net>'), []],
  ['a From address under an unknown TLD', mail('"a@example.com" <x@host.zzzz>'), []],
  ['an address under an unknown TLD in the name', mail('"a@example.zzzz" <x@example.com>'), []],
  [
    'the address starts at a word boundary',
    mail('"-.-bob@example.com" <x@spammer.net>'),
    ALL_SPOOF,
  ],
  ['a name address ending in a dot', mail('"bob@example.com." <x@spammer.net>'), []],
  ['an encoded name', mail('=?utf-8?Q?service=40paypal.com?= <x@spam.example.com>'), ALL_SPOOF],
  [
    'the first of two addresses in the name',
    mail('"a@example.org b@example.com" <b@example.com>'),
    // Both owned by `example`: not a spoof at level 1.
    ['CONTAINS', 'DIFFERENT', 'DOMAIN_DIFFER', 'SPOOF0', 'SPOOF2'],
  ],
];

describe('the FromNameSpoof evals', () => {
  for (const [name, message, expected] of CASES)
    it(`${expected.length ? expected.join(' ') : 'nothing'}: ${name}`, () => {
      expect(ours(message)).toEqual([...expected].sort());
    });

  it("reads the plugin's settings with its defaults", () => {
    const config = emptySaConfig();
    expect(config.fromNameSpoof).toMatchObject({ extraChars: 50, check: 1 });
    parseCfFile(
      config,
      'fns.cf',
      [
        'fns_extrachars 10',
        'fns_check 2',
        'fns_check 3',
        'fns_ignore_dkim Example.COM other.example',
        'fns_ignore_headers List-Id X-Mailing-List',
        'fns_add_addrlist (Gmail) *@GoogleMail.com x@example.com',
        'fns_remove_addrlist (gmail) x@example.com',
      ].join('\n'),
    );
    expect(config.fromNameSpoof).toMatchObject({ extraChars: 10, check: 2 });
    expect([...config.fromNameSpoof.ignoreDkim]).toEqual(['example.com', 'other.example']);
    expect([...config.fromNameSpoof.ignoreHeaders]).toEqual(['List-Id', 'X-Mailing-List']);
    expect([...config.fromNameSpoof.ownerLists.get('gmail')!]).toEqual(['*@googlemail.com']);
    expect(config.problems.map((p) => p.line)).toEqual([3]);
  });

  it('finds the address of a name as the plugin’s pattern does', () => {
    expect(addressInName('write to bob@example.com now')).toBe('bob@example.com');
    expect(addressInName('a@b@example.com')).toBe('b@example.com');
    expect(addressInName('x@example.c-')).toBe(null);
    expect(addressInName('x@example.c')).toBe(null);
    expect(addressInName('x@-example.com y@example.net')).toBe('y@example.net');
    expect(receivedForAddress('by mx for <a@b.example>; Thu')).toEqual({
      address: 'a@b.example',
      domain: 'b.example',
    });
    expect(receivedForAddress('by mx for a@b@c.example;x; Thu')).toEqual({
      address: 'a@b@c.example',
      domain: 'c.example',
    });
    expect(receivedForAddress('by mx for <@b.example>; Thu')).toEqual({
      address: '<@b.example',
      domain: 'b.example',
    });
    // all_to_addrs then drops it: `b` is no valid host name.
    expect(receivedForAddress('by mx for a@b; Thu')).toEqual({ address: 'a@b', domain: 'b' });
    expect(receivedForAddress('by mx for a@b Thu;')).toEqual(null);
  });

  it('reads hostile names and Received lines in linear time', () => {
    const started = Date.now();
    expect(addressInName('a'.repeat(300_000))).toBe(null);
    expect(addressInName('a@'.repeat(100_000))).toBe(null);
    expect(addressInName(`${'.'.repeat(100_000)}a@b.example.com`)).toBe('a@b.example.com');
    expect(addressInName(`${'a@b.c.'.repeat(50_000)}`)).toBe('a@b.c.a');
    expect(addressInName(`${'a@b.c-@'.repeat(50_000)}`)).toBe(null);
    expect(receivedForAddress(` for ${'@'.repeat(300_000)}`)).toBe(null);
    // The last `@` a `;` follows: the address is the whole run, its domain the last `b`.
    expect(receivedForAddress(` for ${'a@b'.repeat(100_000)};`)?.domain).toBe('b');
    const names = (count: number) =>
      Array.from({ length: count }, (_, i) => `u${i}@example.com`).join(' ');
    const tos = Array.from({ length: 5_000 }, (_, i) => `t${i}@example.com`).join(', ');
    expect(ours(mail(`"${names(400)}" <x@spammer.net>`, `To: ${tos}`))).toEqual(['CONTAINS']);
    // Cut after 8,192 octets, as Message.pm cuts a value, the name's quote is never closed:
    // SpamAssassin's parser reads no name of it.
    expect(ours(mail(`"${names(5_000)}" <x@spammer.net>`, `To: ${tos}`))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describeWithPeer(debianSpamAssassin, 'the FromNameSpoof evals against spamassassin', () => {
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
