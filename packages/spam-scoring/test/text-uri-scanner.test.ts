// The URIs a text spells out, against SpamAssassin 4.0.1's own get_uri_list (PerMsgStatus.pm's
// _tbirdurire and _process_text_uri_list), with Debian's TLD lists; and in linear time.
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { rawTextUris } from '../src/spamassassin/text-uri-scanner.js';
import { TEST_REGISTRY, debianRegistry, debianSpamAssassin, spamAssassinEach } from './helpers.js';

const plainMessage = (body: string) =>
  `From: a@example.com\r\nSubject: s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`;
const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const viewOf = (text: string) => {
  const bytes = bytesOf(text);
  return new SaMessageView(bytes, summarize(bytes));
};

const EDGE_CASES = [
  'Visit PURPOSE.BEST or 3.Energy today, and sf.net.',
  'see example.com:8080/path?q=1, example.com:123456 and example.com.:80',
  'foo.community is no .com; foo.com_bar neither; a.b.c.example.co.uk is',
  '(http://a.example.com/x) and http://b.example.com/y) and (c.example.com/z)',
  'write to list@lists.example.org. or mailto:x%40y.example.net or skype:me@example.com',
  'a@b, @example.com, x@localhost, me@host.nosuchtld, first@a.com,second@b.com',
  'http://www.qves.com/trim/?zzzz@example.org%7C17 holds an address, not another URI',
  'www.example.com www1.example.com ftp.example.com www123.example.com wwww.example.com',
  'cid:image001.png@01D4986E.E3459640 mid:x@y.com http:// ftp://',
  'trailing punctuation: http://x.example.com/a.,;:!?-~ and x.example.net!!!',
  'user name@example.com and "quoted"@example.com and <angle@example.com>',
  'host_with_underscore.example.com and a_b.com and -lead.example.com',
  '1.2.3.4 and http://1.2.3.4/x and 999.999.999.999',
  'Date.com, TawneeStone.com; SendGreatOffers.com|OffersRus.net',
  'email:a@example.com e-mail:b@example.com mail:c@example.com',
  'a\x1b(Bwww.example.com and \x1b(Jexample.org',
  'nbsp\xa0example.com\xa0end and tab\texample.net',
  'x/y@example.com and path/to@host.example.com',
  'http://a.example.com/(paren) and http://b.example.com/x(y)z',
  'mailto:?subject=hi and mailto:a@example.com?subject=x&body=y',
  'ex-ample.com and exa--mple.com and example-.com and 123.com',
  `${'a'.repeat(300)}.com and ${'b'.repeat(60)}.example.com`,
  'UPPER.CASE.COM and MiXeD@ExAmPlE.CoM',
];

// Random texts of the pieces a URI is made of: every branch, delimiter and ending mixed.
const PIECES = [
  'http://',
  'https://',
  'ftp://',
  'www.',
  'www2.',
  'ftp.',
  'mailto:',
  '@',
  '.',
  '..',
  ':',
  ':80',
  '/',
  '?',
  '&',
  '#',
  '(',
  ')',
  ',',
  ';',
  '!',
  "'",
  '"',
  '<',
  '>',
  '[',
  ']',
  '{',
  '}',
  '|',
  '-',
  '_',
  '%40',
  '%2E',
  ' ',
  '  ',
  '\t',
  'com',
  'net',
  'org',
  'uk',
  'co',
  'best',
  'xyz',
  'example',
  'a',
  'b1',
  'X',
  '123',
  'nosuch',
  '\xa0',
  '\xe9',
  '\x1b(B',
  'example.com',
  'me@',
  'x.org',
  'sub.example.co.uk',
  ' http://h.example.net',
  ' a@b.example.org',
];

function randomTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = 3 + (next() % 25);
    return Array.from({ length }, () => PIECES[next() % PIECES.length]!).join('');
  });
}

describeWithPeer(debianSpamAssassin, "text URIs against SpamAssassin's get_uri_list", () => {
  const registry = debianRegistry();
  const compare = (bodies: readonly string[]) => {
    const messages = bodies.map(plainMessage);
    const theirs = spamAssassinEach(messages, '[ $pms->get_uri_list() ]').map((list) =>
      list.sort(),
    );
    const ours = messages.map((text) => [...viewOf(text).uris(registry)].sort());
    return { ours, theirs };
  };

  it('finds what it finds on hand-picked texts: bare hosts, ports, addresses, punctuation', () => {
    const { ours, theirs } = compare(EDGE_CASES);
    expect(EDGE_CASES.map((text, n) => [text, ours[n]])).toEqual(
      EDGE_CASES.map((text, n) => [text, theirs[n]]),
    );
    // The cases are not empty answers: most find something.
    expect(theirs.filter((list) => list.length > 0).length).toBeGreaterThan(15);
  }, 60_000);

  it('finds what it finds on 2,000 random texts of URI pieces', () => {
    const bodies = randomTexts(2_000, 7);
    const { ours, theirs } = compare(bodies);
    const differ = bodies
      .map((text, n) => ({ text, ours: ours[n], theirs: theirs[n] }))
      .filter(({ ours: a, theirs: b }) => JSON.stringify(a) !== JSON.stringify(b));
    expect(differ.slice(0, 5)).toEqual([]);
    expect(theirs.filter((list) => list.length > 0).length).toBeGreaterThan(500);
  }, 120_000);
});

describe('the text URI scanner', () => {
  it('keeps an address inside a link part of the link', () => {
    expect(
      rawTextUris('see http://a.example/?me@example.com now', TEST_REGISTRY.validTlds),
    ).toEqual([{ text: 'http://a.example/?me@example.com', kind: 'scheme' }]);
  });

  it('takes a bare host only under a listed TLD, with its port and path', () => {
    expect(
      rawTextUris('at shop.example.com:81/x, or shop.nosuch', TEST_REGISTRY.validTlds),
    ).toEqual([{ text: 'shop.example.com:81/x,', kind: 'schemeless', host: 'shop.example.com' }]);
  });

  // Each of these took the regular expression's backtracking quadratic (or worse) time.
  const HOSTILE = [
    'a.'.repeat(500_000),
    '/a.com'.repeat(150_000),
    'x@'.repeat(500_000),
    'www.'.repeat(250_000),
    `${'a'.repeat(1_000_000)}@example.com`,
    `http://${'.,'.repeat(500_000)}`,
    `(${')'.repeat(1_000_000)}`,
    `${'-a'.repeat(500_000)}.com`,
  ];

  it('scans hostile megabyte texts in linear time', () => {
    for (const text of HOSTILE) {
      const found = viewOf(plainMessage(text)).uris(TEST_REGISTRY);
      expect(Array.isArray(found)).toBe(true);
    }
  }, 60_000);
});
