import { describe, expect, it } from 'vitest';
import { htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';
import { ruleFirer } from './helpers.js';

// Debian's rules (20_html_tests.cf), as written there.
const fire = ruleFirer(`
body HTML_IMAGE_RATIO_02	eval:html_image_ratio('0.000','0.002')
body HTML_IMAGE_RATIO_04        eval:html_image_ratio('0.002','0.004')
body HTML_IMAGE_RATIO_06        eval:html_image_ratio('0.004','0.006')
body HTML_IMAGE_RATIO_08        eval:html_image_ratio('0.006','0.008')
`);
const html = (source: string) =>
  fire(
    `From: a@example.com\nTo: b@example.com\nSubject: hello there\nMIME-Version: 1.0\nContent-Type: text/html\n\n${source}\n`,
  );
const words = (n: number) => Array(n).fill('abcdefghi').join(' ');

describe('html_image_ratio: visible characters per pixel of sized image', () => {
  // Each expectation is SpamAssassin 4.0.1's answer (`spamassassin -t -L`, the rules forced to
  // score 1) and, for the numbers, Node.pm's non_space_len and HTML.pm's image_area.
  it('counts the characters that are not white space against the image area', () => {
    // 270 characters, 600x400: 0.001125.
    const img02 = `<html><body><img src="a.gif" width=600 height=400><p>${words(30)}</p></body></html>`;
    expect(html(img02)).toEqual(['HTML_IMAGE_RATIO_02']);
    // 900 letters and the & (entities are one character, &nbsp; and &#32; spaces): 901 / 240,000.
    const img04 = `<html><body><img src="a.gif" width="600" height="400"><p>${words(100)} &amp; &nbsp; &#32;</p></body></html>`;
    expect(htmlStatisticsOf(img04).nonSpaceLength).toBe(901);
    expect(htmlStatisticsOf(img04).imageArea).toBe(240_000);
    expect(html(img04)).toEqual(['HTML_IMAGE_RATIO_04']);
  });

  it('a percentage is of an 800x600 screen; a size that is no number counts 200', () => {
    const percent = `<html><body><img src="a.gif" width="50%" height="50%"><p>${words(30)}</p></body></html>`;
    expect(htmlStatisticsOf(percent).imageArea).toBe(400 * 300);
    expect(html(percent)).toEqual(['HTML_IMAGE_RATIO_04']);
    const pixels = '<html><body><img src="a.gif" width="100px" height="10"><p>ab</p></body></html>';
    expect(htmlStatisticsOf(pixels).imageArea).toBe(200 * 10);
    expect(html(pixels)).toEqual(['HTML_IMAGE_RATIO_02']);
  });

  it('an image without both a width and a height has no area: nothing fires', () => {
    const noHeight = `<html><body><img src="a.gif" width="600"><p>${words(30)}</p></body></html>`;
    expect(htmlStatisticsOf(noHeight).imageArea).toBe(0);
    expect(html(noHeight)).toEqual([]);
    expect(html(`<html><body><p>${words(30)}</p></body></html>`)).toEqual([]);
  });

  it("counts an iframe's content, which HTML::Parser gives as text, and not a script's", () => {
    // 3 + 7 + 3 visible characters; the script's 9 are not displayed.
    const stats = htmlStatisticsOf(
      '<iframe src="x"><script src="y"></iframe><p>abc<script>var a=1;</script>def</p>',
    );
    expect(stats.nonSpaceLength).toBe(`<script src="y">`.replace(/ /g, '').length + 6);
  });
});
