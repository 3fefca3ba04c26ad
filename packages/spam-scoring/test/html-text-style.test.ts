import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { summarize } from '@mailyard/mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { htmlStatistics, htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';
import { colorToRgb } from '../src/spamassassin/html-text-style.js';
import { ruleFirer, spamAssassinFiredEach } from './helpers.js';

const fire = ruleFirer(
  [
    "body LOW_CONTRAST eval:html_test('font_low_contrast')",
    "body INVALID_COLOR eval:html_test('font_invalid_color')",
    "body SIZE_LARGE eval:html_range('max_size', '5', '6')",
    "body SIZE_HUGE eval:html_range('max_size', '6', 'inf')",
  ].join('\n'),
  { sorted: false },
);
const { rules } = fire;
const fired = (html: string) => fire(`Content-Type: text/html\r\n\r\n${html}`);
const lowContrast = (html: string) => htmlStatisticsOf(html).fontLowContrast;

describe('colours as HTML.pm reads them', () => {
  it('names, hex of any length, rgb() in numbers and percents', () => {
    expect(colorToRgb('White')).toBe('#ffffff');
    expect(colorToRgb(' navy ')).toBe('#000080');
    expect(colorToRgb('#FfF')).toBe('#ffffff');
    expect(colorToRgb('#12345678')).toBe('#123456');
    expect(colorToRgb('#1234')).toBe('#112233');
    expect(colorToRgb('#1')).toBe('#110000');
    expect(colorToRgb('rgb(255, 0, 16)')).toBe('#ff0010');
    expect(colorToRgb('rgb(100%, 50%, 0%)')).toBe('#ff7f00');
  });

  it('anything else is invalid, a hex colour without # too', () => {
    expect(colorToRgb('ffffff')).toBe('invalid');
    expect(colorToRgb('blurple')).toBe('invalid');
    expect(colorToRgb('rebeccapurple')).toBe('invalid');
  });
});

describe("the text style's low-contrast flag (html_test('font_low_contrast'))", () => {
  it('runs as a rule (HTML_FONT_LOW_CONTRAST), on visible text only', () => {
    expect(rules.unsupported).toEqual([]);
    expect(fired('<p>shown</p><font color="#ffffff">hidden words</font>')).toEqual([
      'LOW_CONTRAST',
    ]);
    expect(fired('<font color="#ffffff">&nbsp;</font><p>shown</p>')).toEqual([]);
  });

  it('fires on text in the colour of the page, or nearly', () => {
    expect(lowContrast('<p>shown</p><font color="#ffffff">hidden words</font>')).toBe(true);
    expect(lowContrast('<font color="#fafafa">nearly white</font>')).toBe(true);
    expect(lowContrast('<span style="color: #000; background-color: #050505">x</span>')).toBe(true);
  });

  it('not on readable text, nor on white tags around no text', () => {
    expect(lowContrast('<font color="red">red text</font>')).toBe(false);
    expect(lowContrast('<font color="#999999">grey</font>')).toBe(false);
    expect(lowContrast('<font color="white"> \r\n\t</font><b>after</b>')).toBe(false);
    expect(lowContrast('<font color="white">&nbsp; &nbsp;</font>')).toBe(false);
    expect(lowContrast('<font color="white"><script>var a;</script></font>')).toBe(false);
  });

  it('a closing ends the colour, and an unclosed cell is closed by the next', () => {
    expect(lowContrast('<font color="white"></font>visible')).toBe(false);
    expect(lowContrast('<table><tr><td><font color=white></td><td>text')).toBe(false);
  });

  it("keeps SpamAssassin's quirk: a bgcolor attribute does not change the background", () => {
    expect(lowContrast('<body bgcolor="#000000" text="#ffffff">light on dark</body>')).toBe(true);
    expect(
      lowContrast('<div style="background-color: black"><font color="white">ok</font></div>'),
    ).toBe(false);
    expect(lowContrast('<div style="background: url(x.png) #000 no-repeat">black</div>')).toBe(
      true,
    );
  });

  it('a transparent background is the parent’s, transparent text is the background', () => {
    expect(lowContrast('<span style="color: transparent">gone</span>')).toBe(true);
    expect(
      lowContrast(
        '<div style="background-color: #000"><span style="background-color: transparent; color: #fff">x</span></div>',
      ),
    ).toBe(false);
  });
});

// SpamAssassin's own HTML.pm as the oracle: the messages through one SpamAssassin process
// configured with the one rule alone (the whole Debian set gives the same answer, slower), and
// through our text style; both must agree, firing or not.
describeWithPeer(
  {
    name: 'spamassassin',
    available: commandAvailable('spamassassin'),
    install: 'apt-get install spamassassin',
  },
  "font_low_contrast against spamassassin -t's HTML_FONT_LOW_CONTRAST",
  () => {
    const RULES = [
      'loadplugin Mail::SpamAssassin::Plugin::Check',
      'loadplugin Mail::SpamAssassin::Plugin::HTMLEval',
      "body HTML_FONT_LOW_CONTRAST eval:html_test('font_low_contrast')",
      'score HTML_FONT_LOW_CONTRAST 1',
    ].join('\n');
    const oursFires = (bytes: Buffer) =>
      htmlStatistics(new SaMessageView(bytes, summarize(bytes))).some(
        (html) => html.fontLowContrast,
      );
    const html = (charset: string, body: string) =>
      Buffer.from(
        `From: a@example.com\r\nTo: b@example.com\r\nSubject: t\r\n` +
          `Content-Type: text/html; charset=${charset}\r\n\r\n<html><body>${body}</body></html>\r\n`,
        'latin1',
      );

    // [charset, HTML body, whether SpamAssassin 4.0.1 fires]: the answers it gave, kept so that
    // a change of SpamAssassin's is seen as such.
    const cases: [string, string, boolean][] = [
      ['us-ascii', '<font color="white">hidden</font>', true],
      ['us-ascii', '<font color="#f4f4f4">nearly white</font>', true],
      ['us-ascii', '<font color="#999999">grey</font>', false],
      ['us-ascii', '<font color="white" color="red">the first of two wins</font>', true],
      ['us-ascii', '<font color="red" color="white">the first of two wins</font>', false],
      ['us-ascii', '<body bgcolor="#000000" text="#ffffff">light on dark</body>', true],
      ['us-ascii', '<div style="background-color: black"><font color=white>x</font></div>', false],
      ['us-ascii', '<span style="color: transparent">gone</span>', true],
      ['us-ascii', '<table><tr><td><font color=white></td><td>text</td></tr></table>', false],
      // Blank text is not checked: spaces, and &nbsp; (HTML.pm makes it a space first)...
      ['us-ascii', '<font color="white">&nbsp; &#32;\t</font>', false],
      // ...but every other no-break space is a character to it.
      ['us-ascii', '<font color="white">&#160;</font>', true],
      ['us-ascii', '<font color="white">&#xa0;</font>', true],
      ['us-ascii', '<font color="white">&NBSP;</font>', true],
      ['iso-8859-1', '<font color="white">\xa0</font>', true],
      ['utf-8', '<font color="white">\xc2\xa0</font>', true],
    ];

    let theirs: string[][];
    beforeAll(() => {
      theirs = spamAssassinFiredEach(
        cases.map(([charset, body]) => html(charset, body)),
        RULES,
        /^HTML_FONT_LOW_CONTRAST$/,
        { rules: 'alone' },
      );
    });

    for (const [index, [charset, body, expected]] of cases.entries())
      it(`fires where SpamAssassin does, and only there: ${body}`, () => {
        expect({ body, spamassassin: theirs[index]!.includes('HTML_FONT_LOW_CONTRAST') }).toEqual({
          body,
          spamassassin: expected,
        });
        expect({ body, ours: oursFires(html(charset, body)) }).toEqual({ body, ours: expected });
      });
  },
);

describe("html_test('font_invalid_color') and html_range('max_size')", () => {
  it('an invalid colour on visible text', () => {
    expect(fired('<font color="ffffff">hex without a hash</font>')).toEqual(['INVALID_COLOR']);
    expect(fired('<font color="ffffff"></font>')).toEqual([]);
  });

  it('the largest font size, absolute or relative to the base font', () => {
    expect(fired('<font size="6">big</font>')).toEqual(['SIZE_LARGE']);
    expect(fired('<basefont size="5"><font size="+2">huge</font>')).toEqual(['SIZE_HUGE']);
    expect(fired('<font size="5">normal</font><big><big><big>big</big></big></big>')).toEqual([]);
  });
});

describe("html_range('obfuscation_ratio'): words broken by tags, per tag", () => {
  // Each message as spamd rated it (HTML_OBFUSCATE_*), the part wrapped in <html>...</html>.
  const ratio = (html: string) => htmlStatisticsOf(`<html>${html}</html>`).obfuscationRatio;

  it('counts a piece of text glued to the previous word by a tag', () => {
    expect(ratio('<p>V<b></b>iagra now</p>')).toBeCloseTo(1 / 6); // HTML_OBFUSCATE_10_20
    expect(ratio('<p>word</p>word<br>word<span>x</span>y')).toBeCloseTo(2 / 7); // 20_30
  });

  it('not across a block or line tag, punctuation, or a no-break space', () => {
    expect(ratio('<b>bold</b>next &amp;<i>x</i>&nbsp;y')).toBeCloseTo(1 / 6); // 10_20
    expect(ratio('<p>one</p><p>two</p><div>three</div>four')).toBe(null);
  });

  it('is read by html_range as a rule', () => {
    const fire = ruleFirer("body OBFUSCATE_10_20 eval:html_range('obfuscation_ratio','.1','.2')", {
      sorted: false,
    });
    const rate = (html: string) => fire(`Content-Type: text/html\r\n\r\n<html>${html}</html>`);
    expect(rate('<p>V<b></b>iagra now</p>')).toEqual(['OBFUSCATE_10_20']);
    expect(rate('<p>Viagra now</p>')).toEqual([]);
  });
});
