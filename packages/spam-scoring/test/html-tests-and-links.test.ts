import { describe, expect, it } from 'vitest';
import { htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';
import { ruleFirer } from './helpers.js';

// Debian's rules (20_html_tests.cf, 20_body_tests.cf), as written there.
const fire = ruleFirer(
  `
body HTML_EMBEDS		eval:html_test('embeds')
body HTML_FORMACTION_MAILTO	eval:html_test('form_action_mailto')
body HTML_COMMENT_SHORT		eval:html_text_match('comment', '<!(?!-).{0,6}>')
body HTML_IFRAME_SRC	eval:check_iframe_src()
body HTTPS_IP_MISMATCH	eval:check_https_ip_mismatch()
body URI_TRUNCATED	eval:check_uri_truncated()
body __HTML_LINK_IMAGE		eval:html_text_match('anchor', '<img>')
`,
  { subrules: true },
);
const message = (type: string, body: string) =>
  fire(
    `From: a@example.com\nTo: b@example.com\nSubject: hello there\nMIME-Version: 1.0\nContent-Type: ${type}\n\n${body}\n`,
  );
const html = (source: string) => message('text/html', `<html><body>${source}</body></html>`);
const LONG = 'a'.repeat(9000);

// Every expectation is SpamAssassin 4.0.1's answer: `spamassassin -t -L` over the same
// messages, the rules forced to score 1 (most score 0 in Debian's set).
describe("HTMLEval's html_test, html_text_match and link tests", () => {
  it("html_test('embeds'): an <embed> or an <object>", () => {
    expect(
      html('<p>Play</p><embed src="http://x.example/a.swf"><object data="b.swf"></object>'),
    ).toEqual(['HTML_EMBEDS']);
    expect(html('<p>Play</p>')).toEqual([]);
  });

  it("html_test('form_action_mailto'): a form that mails its answers", () => {
    expect(html('<form action="MAILTO:x@example.com"><input name=a></form>')).toEqual([
      'HTML_FORMACTION_MAILTO',
    ]);
    expect(html('<form action="http://x.example/"><input name=a></form>')).toEqual([]);
  });

  it('HTML_COMMENT_SHORT: a short comment that HTML::Parser reads from `<!x>` (a lookahead)', () => {
    expect(html('<!x><p>Hi</p><!-- a normal comment -->')).toEqual(['HTML_COMMENT_SHORT']);
    expect(html('<!-- a normal comment --><!-->x<p>Hi</p>')).toEqual([]);
  });

  it('an anchor starts at every <a>, with a link or not (HTML.pm: `<img>` is its text)', () => {
    expect(htmlStatisticsOf('<p><a name="top"><img src="y.gif"></a>Hi</p>').anchors).toEqual([
      '<img>\n',
    ]);
  });

  it('check_iframe_src: an iframe with a source', () => {
    expect(html('<iframe src="http://x.example/"></iframe><p>Hi</p>')).toEqual(['HTML_IFRAME_SRC']);
    expect(html('<iframe src=" "></iframe><p>Hi</p>')).toEqual([]);
  });

  it('check_https_ip_mismatch: a link to a numeric host that shows another https address', () => {
    expect(html('<a href="http://10.1.2.3/login">https://www.bank.example/</a>')).toEqual([
      'HTTPS_IP_MISMATCH',
    ]);
    expect(
      html(
        '<a href="https://10.1.2.3/">https://10.1.2.3/</a> <a href="http://www.bank.example/">https://www.bank.example/</a>',
      ),
    ).toEqual([]);
  });

  it('check_uri_truncated: an HTML link over 8,192 octets; not a URI of the text', () => {
    expect(html(`<a href="http://x.example/${LONG}">x</a>`)).toEqual(['URI_TRUNCATED']);
    expect(message('text/plain', `See http://x.example/${LONG} for more`)).toEqual([]);
    // 100 times the limit: still one linear pass.
    expect(html(`<a href="http://x.example/${'a'.repeat(100 * 8192)}">x</a>`)).toEqual([
      'URI_TRUNCATED',
    ]);
  });
});
