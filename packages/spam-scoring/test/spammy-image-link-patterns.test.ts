// JH_SPAMMY_PATTERN01 and JH_SPAMMY_PATTERN02 matched by hand (spammy-image-link-patterns.ts)
// against Perl itself, on generated bodies, in a rule set against spamassassin, and in linear
// time on hostile ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPAMMY_IMAGE_LINK_PATTERNS } from '../src/spamassassin/spammy-image-link-patterns.js';
import { debianRuleFile, ruleFirer, spamAssassinFiredEach } from './helpers.js';
import { expectLinear, perlMatches } from './perl-matches.js';

const [[SOURCE_1, cThenUImage], [SOURCE_2, openClickUnsubscribe]] = SPAMMY_IMAGE_LINK_PATTERNS as [
  [string, (text: string) => boolean],
  [string, (text: string) => boolean],
];
const PERL_1: [string, string] = [SOURCE_1.replace(/^\(\?ism\)/, ''), 'ism'];
const PERL_2: [string, string] = [SOURCE_2.replace(/^\(\?ism\)/, ''), 'ism'];

const host = fc.constantFrom(
  'http://img.example/',
  'HTTPS://Img.Example/a/',
  'http://x/',
  'ftp://img.example/',
  'http://' + 'a'.repeat(79) + '/',
);
const imageName = fc.constantFrom('pic', 'PIC', 'p/c', 'a'.repeat(30), 'a'.repeat(31), '');
const gap = fc.constantFrom('', ' ', 'x'.repeat(199), 'x'.repeat(200), 'x'.repeat(201), '\n<br>\n');
/** Mostly null (the same as the first side), now and then another value. */
const mostlySame = <T>(other: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, { arbitrary: other, weight: 1 });

// The same host and name on both sides mostly (the rule's case), another now and then.
const firstBodies = fc
  .tuple(
    fc.constantFrom('<img src="', "<IMG SRC='", '<img  src="', '<img src='),
    host,
    fc.constantFrom('C', 'c', 'X'),
    imageName,
    fc.constantFrom('.jpg">', ".JPG'>", '.jpg" >', '.png">', '.jpg"'),
    gap,
    fc.constantFrom('<img src="', '<IMG SRC="', "<img src='"),
    mostlySame(host),
    fc.constantFrom('U', 'u', 'C'),
    mostlySame(imageName),
    fc.constantFrom('.jpg"', '.jpg', ".jpg'"),
  )
  .map(([open, h, c, n, close, between, again, h2, u, n2, end]) =>
    [open, h, c, n, close, between, again, h2 ?? h, u, n2 ?? n, end].join(''),
  );
const base = fc.constantFrom(
  'http://t.example/o.php?',
  'HTTP://T.Example/o.php?',
  'http://t.example/a.php?b=1.php?',
  'http://t.example/o.php',
);
const id = fc.constantFrom(
  '&id=7',
  '&ID=7',
  '&',
  '&' + 'i'.repeat(50),
  '&' + 'i'.repeat(51),
  '&id=8',
);
const secondBodies = fc
  .tuple(
    fc.constantFrom(
      '<img src="',
      "<img width=1 src='",
      '<img ' + 'w'.repeat(51) + 'src="',
      '<img>src="',
    ),
    base,
    fc.constantFrom('t=o', 't=o', 't=x'),
    id,
    fc.constantFrom('">', '" ', '"x', "'\n"),
    gap,
    fc.constantFrom('<a href="', '<A HREF="'),
    mostlySame(base),
    fc.constantFrom('t=c', 't=c', 't=u'),
    mostlySame(id),
    fc.constantFrom('"', '"', ''),
    gap,
    fc.constantFrom('<a href="', '<a href="', "<a href='"),
    mostlySame(base),
    fc.constantFrom('t=u', 't=u', 't=c'),
    mostlySame(id),
    fc.constantFrom('">', ''),
  )
  .map(([img, b, o, i, close, gap1, a1, b1, c, i1, q1, gap2, a2, b2, u, i2, end]) =>
    [
      img,
      b,
      o,
      i,
      close,
      gap1,
      a1,
      b1 ?? b,
      c,
      i1 ?? i,
      q1,
      gap2,
      a2,
      b2 ?? b,
      u,
      i2 ?? i,
      end,
    ].join(''),
  );

describe('JH_SPAMMY_PATTERN01 and JH_SPAMMY_PATTERN02 by hand', () => {
  it('JH_SPAMMY_PATTERN01 agrees with Perl on generated bodies', () => {
    const texts = fc.sample(firstBodies, { seed: 25, numRuns: 8000 });
    const expected = perlMatches([PERL_1], texts)[0]!;
    expect(texts.filter((text, i) => cThenUImage(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
  });

  it('JH_SPAMMY_PATTERN02 agrees with Perl on generated bodies', () => {
    const texts = fc.sample(secondBodies, { seed: 25, numRuns: 8000 });
    const expected = perlMatches([PERL_2], texts)[0]!;
    expect(texts.filter((text, i) => openClickUnsubscribe(text) !== expected[i])).toEqual([]);
    expect(expected.filter(Boolean).length).toBeGreaterThan(10);
  });

  it("are the rules of Debian's 72_active.cf, where it is installed", () => {
    const file = debianRuleFile('72_active.cf');
    if (file === null) return;
    expect(file).toContain(`m;${PERL_1[0]};${PERL_1[1]}`);
    expect(file).toContain(`m;${PERL_2[0]};${PERL_2[1]}`);
  });

  it("give Perl's answer on hostile bodies, fast at 1 MB", () => {
    const image = '<img src="http://i.example/a/Cpic.jpg">';
    expectLinear(
      [
        (n) => `${image.repeat(n)}<img src="http://i.example/a/Upic.jpg"`,
        (n) => `${`${image}<img src="http://i.example/a/Upix.jpg"`.repeat(n)}`,
        (n) => `<img src="http://${'/c'.repeat(n)}`,
        (n) => `${'<img src="http://i/cp'.repeat(n)}`,
      ],
      cThenUImage,
      PERL_1,
      100,
    );
    const open = '<img src="http://t.example/o.php?t=o&id=7">';
    const click = '<a href="http://t.example/o.php?t=c&id=7"';
    expectLinear(
      [
        (n) => `${open.repeat(n)}${click}<a href="http://t.example/o.php?t=u&id=8"`,
        (n) => `${open}${click.repeat(n)}`,
        (n) => `${`${open}${click}`.repeat(n)}`,
        (n) => `<img ${'src="http://'.repeat(n)}`,
        (n) => `${'<img src="http://t.php?t=o&'.repeat(n)}`,
      ],
      openClickUnsubscribe,
      PERL_2,
      100,
    );
  });

  it('run in a rule set as spamassassin does', () => {
    const cf = [
      `rawbody SPAMMY_1 m;${PERL_1[0]};${PERL_1[1]}`,
      'score SPAMMY_1 1',
      `rawbody SPAMMY_2 m;${PERL_2[0]};${PERL_2[1]}`,
      'score SPAMMY_2 1',
    ].join('\n');
    const fire = ruleFirer(cf);
    expect(fire.rules.unsupported).toEqual([]);
    const mail = (html: string) =>
      `Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nFrom: eve@shop.example\r\nTo: bob@example.com\r\nSubject: hi\r\nMessage-ID: <1@shop.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<html><body>${html}</body></html>\r\n`;
    const mails = [
      mail('<img src="http://i.example/a/Cpic.jpg"><br><img src="http://i.example/a/Upic.jpg">'),
      mail('<img src="http://i.example/a/Cpic.jpg"><br><img src="http://i.example/b/Upic.jpg">'),
      mail(
        '<img src="http://t.example/o.php?t=o&id=7"> <a href="http://t.example/o.php?t=c&id=7">x</a> <a href="http://t.example/o.php?t=u&id=7">y</a>',
      ),
      mail(
        '<img src="http://t.example/o.php?t=o&id=7"> <a href="http://t.example/o.php?t=c&id=7">x</a> <a href="http://t.example/o.php?t=u&id=9">y</a>',
      ),
    ];
    const ours = mails.map((text) => fire(text));
    expect(ours).toEqual(spamAssassinFiredEach(mails, cf, /^SPAMMY_/));
    expect(ours.filter((names) => names.length > 0).length).toBe(2);
  });
});
