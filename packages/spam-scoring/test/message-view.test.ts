import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/spamassassin/html-text.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';

const view = (text: string, mailFrom: string | null = null) => {
  const bytes = new TextEncoder().encode(text);
  return new SaMessageView(bytes, summarize(bytes), { mailFrom });
};

const MULTIPART = [
  'From: "Jörg Sender" <joerg@example.net>, other@example.org',
  'To: a@example.com',
  'Cc: b@example.com',
  'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= and',
  ' more',
  'Message-ID: <m1@example.net>',
  'Content-Type: multipart/alternative; boundary=b',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'First line',
  'same paragraph=',
  ' continued.',
  '',
  'Visit www.example.com/offer today.',
  '--b',
  'Content-Type: text/html',
  '',
  '<html><head><title>t</title><style>p{}</style></head><body><p>Hello&nbsp;<b>World</b> &amp; more</p>',
  '<a href="http://link.example/x">click</a><script>var x = "<p>no</p>";</script><!-- hidden --></body></html>',
  '--b--',
  '',
].join('\r\n');

describe("SpamAssassin's view of a message", () => {
  it('gives body rules the Subject, then paragraphs with whitespace squeezed, HTML rendered', () => {
    expect(view(MULTIPART).body()).toEqual([
      'Gr\xc3\xbc\xc3\x9fe and more',
      'First line same paragraph continued.',
      'Visit www.example.com/offer today.',
      'Hello World & more',
      'click',
    ]);
  });

  it('gives rawbody rules the decoded parts, HTML tags and all, line by line', () => {
    const raw = view(MULTIPART).rawBody();
    expect(raw).toContain('First line');
    expect(raw).toContain('same paragraph continued.');
    expect(raw.some((line) => line.includes('<b>World</b>'))).toBe(true);
  });

  it('finds the URIs of text and HTML', () => {
    expect(view(MULTIPART).uris()).toEqual([
      'http://link.example/x',
      'www.example.com/offer',
      'http://www.example.com/offer',
    ]);
  });

  it('takes the e-mail addresses a text spells out as mailto: URIs, as SpamAssassin does', () => {
    const text = view(
      'Subject: list\r\n\r\nTo unsubscribe, write to:\r\nlist-unsubscribe@lists.example.org.\r\nNot an address: a@b, @example.com, x@localhost\r\n',
    );
    expect(text.uris()).toEqual(['mailto:list-unsubscribe@lists.example.org']);
    // Found from each @ outwards: a long run of word characters costs one pass, not one per start.
    const long = view(`Subject: x\r\n\r\n${'a'.repeat(200_000)}@example.com\r\n`);
    expect(long.uris()).toEqual([`mailto:${'a'.repeat(64)}@example.com`]);
  });

  it('reads headers as SpamAssassin does: decoded or raw, each ending in a newline; :addr and :name alone', () => {
    const v = view(MULTIPART, 'bounce@example.net');
    expect(v.header('Subject', null)).toBe('Gr\xc3\xbc\xc3\x9fe and more\n');
    expect(v.header('Subject', 'raw')).toBe('=?utf-8?q?Gr=C3=BC=C3=9Fe?= and\n more\n');
    expect(v.header('From', 'addr')).toBe('joerg@example.net');
    expect(v.header('From', 'name')).toBe('J\xc3\xb6rg Sender');
    expect(v.header('ToCc', null)).toBe('a@example.com\nb@example.com\n');
    expect(v.header('MESSAGEID', null)).toBe('<m1@example.net>\n');
    expect(v.header('MessageID', null)).toBeNull();
    expect(v.header('EnvelopeFrom', null)).toBe('bounce@example.net');
    expect(v.header('X-Missing', null)).toBeNull();
    expect(v.header('ALL', null)).toMatch(
      /^From: .*\nTo: a@example.com\nCc: b@example.com\nSubject: /,
    );
  });

  it('reads the headers of every MIME part for mimeheader rules', () => {
    expect(view(MULTIPART).mimeHeader('Content-Type', false)).toEqual([
      'text/plain; charset=utf-8\n',
      'text/html\n',
    ]);
  });
});

describe('HTML rendering', () => {
  it('decodes entities to UTF-8 octets and leaves octets around them alone', () => {
    expect(renderHtml('caf\xc3\xa9 &eacute; &#8364;').text).toBe(
      'caf\xc3\xa9 \xc3\xa9 \xe2\x82\xac',
    );
  });

  it('collects link targets and image alt text', () => {
    const rendered = renderHtml(
      '<a href=\'http://a.example\'>x</a><img src=http://b.example/i.gif alt="Buy">',
    );
    expect(rendered.links).toEqual(['http://a.example', 'http://b.example/i.gif']);
    expect(rendered.text).toBe('xBuy');
  });

  it('takes time linear in the input on unclosed tags and comments', () => {
    const hostile = '<a '.repeat(50_000) + '<!--'.repeat(50_000);
    expect(renderHtml(hostile).text.length).toBeLessThan(hostile.length);
  });
});
