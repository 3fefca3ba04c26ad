import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  "body IMAGE_ONLY_04 eval:html_image_only('0000','0400')",
  "body IMAGE_ONLY_08 eval:html_image_only('0400','0800')",
  "body HAS_CENTER eval:html_tag_exists('center')",
  "body HEAD_OPEN eval:html_tag_balance('head', '!= 0')",
  "body BODY_OPEN eval:html_tag_balance('body', '!= 0')",
  "body TITLE_LONG eval:html_title_subject_ratio('3.5')",
].join('\n');
const TEXT_RULES = [
  "body LENGTH_0_100 eval:html_range('length', '0', '100')",
  "body LENGTH_OVER_100 eval:html_range('length', '100', 'inf')",
  "body LENGTH_UNDER_50 eval:html_eval('length', '< 50')",
  "body LINKED_IMAGE eval:html_text_match('anchor', '<img>')",
  "body SAVED_URL eval:html_text_match('comment', '<!-- saved from url=\\(\\d{4}\\)')",
  "body TITLE_FREE eval:html_text_match('title', '(?i)free')",
].join('\n');
const htmlFirer = ruleFirer(RULES);
const textFirer = ruleFirer(TEXT_RULES);
const { rules } = htmlFirer;
const firedText = (html: string) => fired(html, 'A subject line', textFirer);
const fired = (html: string, subject = 'A subject line', firer = htmlFirer) =>
  firer(`Subject: ${subject}\r\nContent-Type: text/html\r\n\r\n${html}`);

describe('the HTML statistics', () => {
  it('counts each tag open at the end, extra closings apart, and the titles', () => {
    const stats = htmlStatisticsOf(
      '<html><head><title>Hi &amp; bye</title></head><body><p>x</p></b><script>if (a<b) "<p>"</script>',
    );
    expect(stats.inside.get('html')).toBe(1);
    expect(stats.inside.get('head')).toBe(0);
    expect(stats.inside.get('body')).toBe(1);
    expect(stats.inside.get('p')).toBe(0);
    expect(stats.inside.get('b')).toBe(0);
    expect(stats.inside.get('script')).toBe(0);
    expect(stats.closedExtra).toBe(1);
    expect(stats.titles).toEqual(['Hi &amp; bye']);
  });

  it('html_image_only: an image in a short HTML source, by the source length', () => {
    const short = '<html><body><img src="http://x.example/a.gif"></body></html>\r\n';
    expect(fired(short)).toEqual(['IMAGE_ONLY_04']);
    const longer = `<html><body><img src="a.gif">${'<br>'.repeat(100)}</body></html>\r\n`;
    expect(fired(longer)).toEqual(['IMAGE_ONLY_08']);
    expect(fired('<html><body>no image</body></html>\r\n')).toEqual([]);
  });

  it('html_tag_exists and html_tag_balance', () => {
    expect(fired('<html><head><center>x</center><body>text</html>\r\n')).toEqual([
      'BODY_OPEN',
      'HAS_CENTER',
      'HEAD_OPEN',
    ]);
  });

  it('html_title_subject_ratio: a title far longer than the Subject', () => {
    const html = (title: string) => `<html><head><title>${title}</title></head></html>\r\n`;
    expect(fired(html('Welcome to the best offer of the year, click now to save'))).toEqual([
      'TITLE_LONG',
    ]);
    expect(fired(html('Welcome'))).toEqual([]);
  });

  it('html_range and html_eval over the source length', () => {
    expect(firedText('<b>x</b>\r\n')).toEqual(['LENGTH_0_100', 'LENGTH_UNDER_50']);
    expect(firedText(`<b>${'x'.repeat(60)}</b>\r\n`)).toEqual(['LENGTH_0_100']);
    expect(firedText(`<b>${'x'.repeat(200)}</b>\r\n`)).toEqual(['LENGTH_OVER_100']);
  });

  it('html_text_match over link texts, comments and titles', () => {
    const padding = `<p>${'text '.repeat(30)}</p>`;
    const linked = `<a href="http://x.example/">Click <img src="a.gif"></a>${padding}\r\n`;
    expect(firedText(linked)).toEqual(['LENGTH_OVER_100', 'LINKED_IMAGE']);
    const saved = `<!-- saved from url=(0022)http://internet.e-mail -->${padding}\r\n`;
    expect(firedText(saved)).toEqual(['LENGTH_OVER_100', 'SAVED_URL']);
    const titled = `<!DOCTYPE html><title>FREE</title>${padding}\r\n`;
    expect(firedText(titled)).toEqual(['LENGTH_OVER_100', 'TITLE_FREE']);
    expect(htmlStatisticsOf(titled).comments).toEqual([]);
  });

  it('reads only HTML parts', () => {
    const bytes = new TextEncoder().encode(
      'Subject: x\r\nContent-Type: text/plain\r\n\r\n<html><body><img src="a.gif"><center>\r\n',
    );
    expect(rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0)).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'html_title_subject_ratio against spamassassin', () => {
  // Perl measures the Subject in octets and a title in characters where its part was decoded
  // (spam-1/00293's Big5 title under a short Subject, a mutated training message, fired here).
  const page = (charset: string, title: string, subject: string) =>
    Buffer.concat([
      Buffer.from(
        `From: a@b.example\r\nTo: c@d.example\r\nSubject: ${subject}\r\n` +
          `Content-Type: text/html; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><head><title>`,
      ),
      Buffer.from(title, 'latin1'),
      Buffer.from('</title></head><body>x</body></html>\r\n'),
    ]);
  const big5 = '\xb3\x6f\xac\x4f\xa9\x65\xb0\x55\xa5\xd1\xb1\x4d\xb7\x7e\xbc\x73'.repeat(2);
  const mails = [
    page('big5', big5, 'hi there'),
    page('big5', big5, 'hi'),
    page('utf-8', '\xe2\x9c\x93'.repeat(30), 'hello you'),
    page('us-ascii', 'plain title words go here', 'hey'),
    page('iso-8859-1', '\xe9'.repeat(40), 'hello there'),
  ];
  it('fires as spamassassin -L -t fires', () => {
    const theirs = spamAssassinFiredEach(
      mails,
      "body TITLE_LONG eval:html_title_subject_ratio('3.5')",
      /^TITLE_LONG$/,
    );
    expect(theirs.some((names) => names.length > 0)).toBe(true);
    expect(theirs.some((names) => names.length === 0)).toBe(true);
    for (const [index, mail] of mails.entries())
      expect([index, htmlFirer(mail).filter((name) => name === 'TITLE_LONG')]).toEqual([
        index,
        theirs[index],
      ]);
  }, 60_000);
});

describeWithPeer(debianSpamAssassin, 'html_image_only against spamassassin', () => {
  // The source's length in characters where its part was decoded (a mutated training message,
  // spam-1/00072 as Latin-1 HTML, fell in the next band here).
  const page = (charset: string, text: string) =>
    Buffer.concat([
      Buffer.from(
        `From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\nContent-Type: text/html; charset=${charset}\r\n\r\n<html><body><img src="http://i.example/a.gif">`,
      ),
      Buffer.from(text, 'latin1'),
      Buffer.from('</body></html>\r\n'),
    ]);
  const mails = [
    page('iso-8859-1', '\xe9'.repeat(300)),
    page('iso-8859-1', 'e'.repeat(300)),
    page('utf-8', '\xc3\xa9'.repeat(300)),
  ];
  it('fires as spamassassin -L -t fires', () => {
    const rules = [
      "body IMAGE_ONLY_04 eval:html_image_only('0000','0400')",
      "body IMAGE_ONLY_08 eval:html_image_only('0400','0800')",
    ].join('\n');
    const theirs = spamAssassinFiredEach(mails, rules, /^IMAGE_ONLY_/);
    expect(new Set(theirs.map((names) => names.join()))).toEqual(new Set(['IMAGE_ONLY_04']));
    for (const [index, mail] of mails.entries())
      expect([index, htmlFirer(mail).filter((name) => name.startsWith('IMAGE_ONLY_'))]).toEqual([
        index,
        theirs[index],
      ]);
  }, 60_000);
});
