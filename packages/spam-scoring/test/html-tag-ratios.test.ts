import { describe, expect, it } from 'vitest';
import { htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';
import { ruleFirer } from './helpers.js';

// Debian's rules (20_html_tests.cf), as written there.
const RULES = `
body HTML_BADTAG_40_50	eval:html_range('bad_tag_ratio','0.40','0.50')
body HTML_BADTAG_50_60	eval:html_range('bad_tag_ratio','0.50','0.60')
body HTML_BADTAG_60_70	eval:html_range('bad_tag_ratio','0.60','0.70')
body HTML_BADTAG_90_100	eval:html_range('bad_tag_ratio','0.90','1.00')
body HTML_NONELEMENT_30_40	eval:html_range('non_element_ratio','0.30','0.40')
body HTML_NONELEMENT_40_50	eval:html_range('non_element_ratio','0.40','0.50')
body HTML_NONELEMENT_60_70	eval:html_range('non_element_ratio','0.60','0.70')
body HTML_NONELEMENT_80_90	eval:html_range('non_element_ratio','0.80','0.90')
body HTML_EXTRA_CLOSE		eval:html_range('closed_extra_ratio', '0.09', 'inf')
`;
const fire = ruleFirer(RULES);
const html = (source: string) =>
  fire(
    `From: a@example.com\nTo: b@example.com\nSubject: hello there\nMIME-Version: 1.0\nContent-Type: text/html\n\n${source}\n`,
  );

describe("HTML.pm's tag ratios (html_range)", () => {
  // Each expectation is SpamAssassin 4.0.1's answer: `spamassassin -t -L` with the rules forced
  // to score 1 (most score 0 in Debian's set), and HTML.pm's numbers read from its results.
  it('bad_tag_ratio and non_element_ratio: tags no DTD defines, per tag and per name seen', () => {
    // 11 tags, 5 bad (0.4545); 6 names seen, 3 not elements (0.5).
    const badtag = '<html><body><p>Hi <zz>there</zz> <qq>friend</qq> <xx>ok</p></body></html>';
    expect(html(badtag)).toEqual(['HTML_BADTAG_40_50', 'HTML_NONELEMENT_40_50']);
    expect(htmlStatisticsOf(badtag).badTagRatio).toBeCloseTo(5 / 11, 12);
    expect(htmlStatisticsOf(badtag).nonElementRatio).toBe(0.5);
    // 16 tags, 10 bad (0.625); 5 names seen, 2 not elements (0.4: the range's top is in it).
    const nonelem =
      '<html><body><p>Hi <zz>there</zz> <zz>friend</zz> <zz>a</zz> <zz>b</zz> <qq>ok</qq></p></body></html>';
    expect(html(nonelem)).toEqual(['HTML_BADTAG_60_70', 'HTML_NONELEMENT_30_40']);
  });

  it('closed_extra_ratio: closings with nothing of their kind open, per tag', () => {
    // 10 tags, 4 extra closings (0.4).
    expect(html('<html><body><p>Hi</p></p></p></b> there</i></body></html>')).toEqual([
      'HTML_EXTRA_CLOSE',
    ]);
    expect(html('<html><body><p>Hi</p> there</body></html>')).toEqual([]);
  });

  it('a part with no element (no tag at all, or unknown tags only) has no ratio', () => {
    // HTML.pm sets bad_tag_ratio only once an element was counted: all-unknown tags give none.
    expect(htmlStatisticsOf('<zz>a</zz><qq>b').badTagRatio).toBeNull();
    expect(htmlStatisticsOf('<zz>a</zz><qq>b').nonElementRatio).toBeNull();
    expect(htmlStatisticsOf('<zz>a</zz><qq>b').closedExtraRatio).toBe(0);
    expect(htmlStatisticsOf('plain words').closedExtraRatio).toBeNull();
    expect(html('<zz>a</zz><qq>b</qq>')).toEqual([]);
  });

  it("reads tag names and raw text as HTML::Parser does (HTML.pm's numbers for this source)", () => {
    // `</table</th>` closes a `table</th` (a bad tag, an extra closing); the div's unclosed
    // quote runs to the next quote, so the zz tags are inside its attribute; an iframe's
    // content is text. SpamAssassin: 14 tags, 1 bad, 1 extra; 8 names seen, 1 not an element.
    const cut =
      '<html><body><table><tr><th>Hi</th></tr></table</th> <div style="x;><zz>a</zz><zz>b</zz>">t</div><iframe src="http://x.example/"><zz>c</zz></iframe></body></html>';
    const stats = htmlStatisticsOf(cut);
    expect(stats.badTagRatio).toBeCloseTo(1 / 14, 12);
    expect(stats.closedExtraRatio).toBeCloseTo(1 / 14, 12);
    expect(stats.nonElementRatio).toBe(1 / 8);
    expect(stats.inside.has('zz')).toBe(false);
    // Office's namespace tags are elements; `<br/>` is `<br>` (HTML.pm rewrites it first).
    const office = htmlStatisticsOf('<p>a<o:p></o:p><st1:place>b</st1:place><o:p/><br/></p>');
    expect(office.badTagRatio).toBe(0);
    expect(office.inside.has('br')).toBe(true);
  });

  it('a title and a textarea are raw text; a plaintext runs to the end', () => {
    const stats = htmlStatisticsOf(
      '<title>A <b>bold</b> title</title><textarea><i>x</i></textarea><plaintext><u>y</u>',
    );
    expect(stats.titles).toEqual(['A <b>bold</b> title']);
    expect([...stats.inside.keys()].sort()).toEqual(['plaintext', 'textarea', 'title']);
  });

  it('a title never closed ends at the next tag, and the rest is markup (HTML::Parser)', () => {
    // SpamAssassin's HTML.pm: the title "Hi", every tag closed but the head.
    const stats = htmlStatisticsOf('<html><head><title>Hi<body><p>text</p><b>x</b></body></html>');
    expect(stats.titles).toEqual(['Hi']);
    expect(Object.fromEntries(stats.inside)).toEqual({
      b: 0,
      body: 0,
      head: 1,
      html: 0,
      p: 0,
      title: 0,
    });
  });

  it('a script or style left open is closed at the end, one tag more, as HTML.pm does', () => {
    const stats = htmlStatisticsOf('<p>x</p></p><script>if (a<b) {');
    // 4 tags (p, /p, /p, script) and HTML.pm's `</script>`: 5, one extra closing.
    expect(stats.closedExtraRatio).toBe(1 / 5);
    expect(stats.inside.get('script')).toBe(0);
  });

  it('stays linear on hostile input: many unclosed raw elements and names', () => {
    const hostile = '<title>'.repeat(200_000) + '<iframe '.repeat(100_000) + '</zz'.repeat(100_000);
    const stats = htmlStatisticsOf(hostile);
    // As HTML.pm: each title never closed ends at the next tag (the iframes never complete).
    expect(stats.inside.get('title')).toBe(0);
    expect(stats.titles.length).toBe(200_000);
  });
});
