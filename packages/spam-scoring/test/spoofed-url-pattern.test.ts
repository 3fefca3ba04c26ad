// __SPOOFED_URL matched by hand (spoofed-url-pattern.ts) against Perl itself, on generated
// links, in a rule set against spamassassin, and in linear time on hostile bodies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPOOFED_URL_PATTERN } from '../src/spamassassin/spoofed-url-pattern.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [SOURCE, spoofedUrl] = SPOOFED_URL_PATTERN;
const PERL: [string, string] = [SOURCE.replace(/^\(\?i\)/, ''), 'i'];

const url = fc.constantFrom(
  'http://evil.example/x',
  'HTTPS://Evil.Example/',
  'http://bank.example/',
  'http://a.b',
  'http://abcdefgh/',
  'https://bank.example/login?x=1',
  'http://' + 'a'.repeat(40),
  'ftp://evil.example',
);
const anchor = fc
  .tuple(
    fc.constantFrom('<a ', '<A\n', '<a', '<a title="x" ', '<abbr ', '<a data-x="y>" '),
    fc.constantFrom(
      'href=',
      'HREF=',
      'xhref=',
      'href=3D',
      'href="',
      "href='",
      'href=3D"',
      'href=>',
    ),
    url,
    fc.constantFrom('', '"', '" target=x', '#top"', ' >'),
    fc.constantFrom('>', '', '>>'),
  )
  .map((parts) => parts.join(''));
const between = fc.constantFrom(
  '',
  ' ',
  '\n  ',
  ' '.repeat(11),
  '<b>',
  '<b> <i>',
  'x<b>',
  '</a>',
  '<>',
  '<br/>\n',
);
const linkText = fc.constantFrom(
  'http://bank.example/login',
  'HTTP://EVIL.EXAMPLE/x now',
  'http://evil.example/x',
  'https://bank.example/',
  'http://a.b',
  'http://a<b',
  'https x',
  'http:/x',
  'httpsx://abcdef',
  'bank',
);
const bodies = fc
  .tuple(
    fc.constantFrom('', 'Click: '),
    anchor,
    between,
    linkText,
    fc.constantFrom('</a>', '', '\n'),
  )
  .map((parts) => parts.join(''));

describe('__SPOOFED_URL by hand', () => {
  it('agrees with Perl on generated links', () => {
    const texts = fc.sample(
      fc.array(bodies, { minLength: 1, maxLength: 2 }).map((list) => list.join('')),
      { seed: 25, numRuns: 10000 },
    );
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.filter((text, i) => spoofedUrl(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(500);
  });

  it('agrees with Perl at the limits: 2048 in the tag, 99 tags, 1024 in and between tags', () => {
    const link = (before: string, after: string, tags: string) =>
      `<a ${before}href="http://evil.example/x"${after}>${tags}http://bank.example/`;
    const texts = [2047, 2048, 2049].flatMap((n) => [
      link('x'.repeat(n), '', ''),
      link('', 'x'.repeat(n - 1), ''),
      link('', '', `${'y'.repeat(n / 2)}<b>`),
      link('', '', `<${'b'.repeat(n / 2)}>`),
      link('', '', '<b>'.repeat(n / 21)),
      link('', '', `<b>${' '.repeat(n % 2048)}`),
    ]);
    const expected = perlMatches([PERL], texts)[0]!;
    expect(texts.map(spoofedUrl)).toEqual(expected);
    expect(expected.filter(Boolean).length).toBeGreaterThan(5);
    expect(expected.filter((fired) => !fired).length).toBeGreaterThan(2);
  });

  it("is the rule of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`m/${PERL[0].replace(/# /g, '\\# ')}/${PERL[1]}`);
  });

  it("gives Perl's answer on hostile bodies, fast at 1 MB", () => {
    const same = '<a href="http://bank.example/x">';
    expectLinear(
      [
        (n) => `${`${same}http://bank.example/x <b>`.repeat(n)}`,
        (n) => `${same}${'<b>'.repeat(n)}http://evil.example/`,
        (n) => `<a ${'href=http://bank.example/x '.repeat(n)}>http://bank.example/x/`,
        (n) => `${'<a '.repeat(n)}href="http://bank.example/x">http://bank.example/x/`,
        (n) => `${'<a href=http://bank.example/x<a href=http://bank.example/y'.repeat(n)}`,
        (n) => `${same}${'<'.repeat(n)}`,
        (n) => `${'<a href=3Dhttp://bankexample'.repeat(n)}>`,
      ],
      spoofedUrl,
      PERL,
      100,
    );
  });

  it('runs in a rule set as spamassassin does', () => {
    const cf = `rawbody SPOOFED_URL m/${PERL[0].replace(/# /g, '\\# ')}/${PERL[1]}\nscore SPOOFED_URL 1\n`;
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (html: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\nTo: bob@example.com\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<html><body><p>${html}</p></body></html>\r\n`;
    const mails = [
      mail('<a href="http://evil.example/login">https://bank.example/login</a>'),
      mail('<a href="http://bank.example/login">http://bank.example/login</a>'),
      mail('<a href="http://evil.example/login"><b>  HTTP://bank.example/</b></a>'),
      mail('<a href="http://evil.example/login">Bank</a>'),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^SPOOFED_URL$/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
