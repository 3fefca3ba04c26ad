// HTTPSMismatch's check_https_http_mismatch (HTTPS_HTTP_MISMATCH) and the RegistryBoundaries it
// reads, with spamassassin as the oracle: each message's expected answer is what SpamAssassin
// 4.0.1 gave, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile } from '../src/index.js';
import {
  isFqdnValid,
  isIpAddress,
  splitDomain,
  uriToDomain,
} from '../src/spamassassin/registry-boundaries.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  // TLDs Debian's 20_aux_tlds.cf lists too (the oracle reads it).
  'util_rb_tld com net org uk',
  'util_rb_2tld co.uk',
  "body MISMATCH eval:check_https_http_mismatch('1','10')",
  'score MISMATCH 1',
].join('\n');
const fire = ruleFirer(RULES);
const ours = (mail: string) => fire(mail).filter((name) => name === 'MISMATCH');

const mail = (body: string, type = 'text/html') =>
  [
    'From: a@example.com',
    'To: b@example.com',
    'Subject: hello',
    'Date: Thu, 1 Aug 2002 10:00:00 +0000',
    'Message-ID: <1@example.net>',
    'MIME-Version: 1.0',
    `Content-Type: ${type}`,
    '',
    `<html><body>${body}</body></html>`,
    '',
  ].join('\r\n');
const link = (href: string, text: string) => `<a href="${href}">${text}</a>\r\n`;
const others = (count: number) =>
  Array.from({ length: count }, (_, i) => link(`http://www.site${i}.com/`, `site ${i}`)).join('');

/** Messages and whether SpamAssassin 4.0.1 fired the test on them. */
const CASES: [string, string, boolean][] = [
  [
    'another domain shown',
    mail(link('http://evil.example.com/login', 'https://www.bank.com/login')),
    true,
  ],
  ['the same domain', mail(link('http://www.bank.com/', 'https://secure.bank.com/')), false],
  ['an https link', mail(link('https://www.bank.com/', 'https://www.bank.com/')), false],
  ['a numeric link (not counted)', mail(link('http://192.0.2.4/', 'https://www.bank.com')), false],
  ['an address shown', mail(link('http://evil.com/', 'https://192.0.2.1/')), true],
  ['an unknown TLD shown', mail(link('http://evil.com/', 'see https://www.bank.zzzz')), false],
  ['an http address shown', mail(link('http://evil.com/', 'http://www.bank.com')), false],
  ['nine links in all', mail(link('http://evil.com/', 'https://bank.com/') + others(8)), true],
  ['ten links in all', mail(link('http://evil.com/', 'https://bank.com/') + others(9)), false],
  [
    'a link written twelve times counts once',
    mail(link('http://evil.com/', 'https://bank.com/') + link('http://evil.com/', 'x').repeat(11)),
    true,
  ],
  [
    'a later text of the same link',
    mail(
      link('http://evil.com/', 'https://evil.com/') + link('http://evil.com/', 'https://bank.com/'),
    ),
    true,
  ],
  ['two-level TLDs', mail(link('http://evil.co.uk/', 'https://www.bank.co.uk/')), true],
  [
    'under one two-level TLD',
    mail(link('http://www.bank.co.uk/', 'https://login.bank.co.uk/')),
    false,
  ],
  ['capitals', mail(link('HTTP://Evil.com/', 'HTTPS://WWW.BANK.COM')), true],
  ['a user name in the link', mail(link('http://bank.com@evil.com/', 'https://bank.com')), true],
  ['plain text', mail('http://evil.com/ https://bank.com/', 'text/plain'), false],
  [
    'an image in the anchor',
    mail(link('http://evil.com/', '<img src="x.png"> https://bank.com')),
    true,
  ],
];

describe('check_https_http_mismatch', () => {
  for (const [name, message, expected] of CASES)
    it(`${expected ? 'fires' : 'does not fire'}: ${name}`, () => {
      expect(ours(message)).toEqual(expected ? ['MISMATCH'] : []);
    });

  it('reads thousands of links fast', () => {
    const started = Date.now();
    const many = Array.from({ length: 20_000 }, (_, i) =>
      link(`http://h${i}.evil.com/`, `https://bank${i}.com/`),
    ).join('');
    expect(ours(mail(many))).toEqual([]);
    const oneLink = link('http://evil.com/', `https://${'a.'.repeat(50_000)}com `.repeat(20));
    expect(ours(mail(oneLink))).toEqual(['MISMATCH']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('RegistryBoundaries', () => {
  const lists = emptySaConfig();
  parseCfFile(
    lists,
    'tlds.cf',
    [
      'util_rb_tld com uk us',
      'util_rb_2tld co.uk',
      'util_rb_3tld demon.co.uk',
      'util_rb_2tld co.uk.bad',
    ].join('\n'),
  );

  it('reads the lists and refuses a name of other label counts', () => {
    expect([...lists.validTlds]).toEqual(['com', 'uk', 'us']);
    expect([...lists.threeLevelDomains]).toEqual(['demon.co.uk']);
    expect(lists.problems.map((p) => p.line)).toEqual([4]);
    const cleared = emptySaConfig();
    parseCfFile(cleared, 'tlds.cf', 'util_rb_tld com\nclear_util_rb\nutil_rb_tld net');
    expect([...cleared.validTlds]).toEqual(['net']);
  });

  it('splits host names as split_domain does', () => {
    expect(splitDomain(lists, 'www.foo.com')).toEqual(['www', 'foo.com']);
    expect(splitDomain(lists, 'WWW.Foo.CO.UK')).toEqual(['www', 'foo.co.uk']);
    expect(splitDomain(lists, 'a.b.demon.co.uk')).toEqual(['a', 'b.demon.co.uk']);
    expect(splitDomain(lists, 'www.ci.boston.ma.us')).toEqual(['', 'www.ci.boston.ma.us']);
    expect(splitDomain(lists, 'x.city.ma.us')).toEqual(['', 'x.city.ma.us']);
    expect(splitDomain(lists, '..a..foo.com.')).toEqual(['a', 'foo.com']);
    expect(splitDomain(lists, 'com')).toEqual(['', 'com']);
  });

  it('gives a URI host and domain as uri_to_domain does', () => {
    expect(uriToDomain(lists, 'http://user@www.Foo.co.uk:80/x')).toEqual({
      host: 'www.foo.co.uk',
      domain: 'foo.co.uk',
    });
    expect(uriToDomain(lists, 'mailto:a@b.foo.com?subject=x')).toEqual({
      host: 'b.foo.com',
      domain: 'foo.com',
    });
    expect(uriToDomain(lists, 'mailto:a@b@foo.com')).toBe(null);
    expect(uriToDomain(lists, 'http://foo.zzzz/')).toBe(null);
    expect(uriToDomain(lists, 'http://f%6fo.com/')).toBe(null);
    expect(uriToDomain(lists, 'http://192.0.2.1/')).toEqual({
      host: '192.0.2.1',
      domain: '192.0.2.1',
    });
    expect(uriToDomain(lists, 'javascript:alert(1)')).toBe(null);
  });

  it('checks names and addresses as Util.pm and Constants.pm do', () => {
    expect(isFqdnValid('a_b.foo.com')).toBe(true);
    expect(isFqdnValid('foo_b.com')).toBe(false);
    expect(isFqdnValid('-foo.com')).toBe(false);
    expect(isFqdnValid(`${'a'.repeat(64)}.com`)).toBe(false);
    expect(isFqdnValid(`${'a.'.repeat(130)}com`)).toBe(false);
    expect(isFqdnValid('com')).toBe(false);
    expect(isIpAddress('192.0.2.1')).toBe(true);
    expect(isIpAddress('192.0.2.256')).toBe(false);
    expect(isIpAddress('2001:db8::1')).toBe(true);
    expect(isIpAddress('::ffff:192.0.2.1')).toBe(true);
    expect(isIpAddress('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIpAddress('2001:db8::1::2')).toBe(false);
  });

  it('splits hostile names in linear time', () => {
    const started = Date.now();
    expect(splitDomain(lists, `${'a.'.repeat(200_000)}foo.com`)[1]).toBe('foo.com');
    expect(uriToDomain(lists, `http://${'a.'.repeat(200_000)}com/`)).toBe(null);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describeWithPeer(debianSpamAssassin, 'check_https_http_mismatch against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, message]) => message),
      RULES,
      /^MISMATCH$/,
    );
    for (const [index, [name, message]] of CASES.entries())
      expect([name, ours(message)]).toEqual([name, theirs[index]]);
  }, 180_000);
});
