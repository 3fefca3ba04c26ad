import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/spamassassin/html-text.js';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import { TEST_REGISTRY } from './helpers.js';

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
  it('gives body rules the Subject, then lines with whitespace squeezed, HTML rendered', () => {
    expect(view(MULTIPART).body()).toEqual([
      // Each line but the last ends in its line break, as Message.pm's lines do.
      'Gr\xc3\xbc\xc3\x9fe and more\n',
      'First line same paragraph continued.\n',
      'Visit www.example.com/offer today.\n',
      // The title is text to HTML.pm, a paragraph of its own (spamassassin's view shows it).
      't\n',
      'Hello World & more\n',
      'click',
    ]);
  });

  it('gives rawbody rules the decoded parts, HTML tags and all, a short part whole', () => {
    const raw = view(MULTIPART).rawBody();
    expect(raw.some((part) => /First line\r?\nsame paragraph continued\./.test(part))).toBe(true);
    expect(raw.some((part) => part.includes('<b>World</b>'))).toBe(true);
  });

  it('finds the URIs of text and HTML', () => {
    // A bare `www.` name is given `http://`, as SpamAssassin adds it before the list.
    expect([...view(MULTIPART).uris(TEST_REGISTRY)].sort()).toEqual([
      'http://link.example/x',
      'http://www.example.com/offer',
    ]);
  });

  it('takes the e-mail addresses a text spells out as mailto: URIs, as SpamAssassin does', () => {
    // SpamAssassin 4.0.1's get_uri_list of the same message: no address of more than 251
    // characters before its `@` (the domain after it is still a bare host name), none without a
    // dot after the `@`.
    const text = view(
      'Subject: list\r\n\r\nTo unsubscribe, write to:\r\nlist-unsubscribe@lists.example.org.\r\n' +
        'Not an address: a@b, @example.com, x@localhost\r\n' +
        `${'a'.repeat(1000)}@example.com and ${'b'.repeat(251)}@example.net\r\n`,
    );
    expect([...text.uris(TEST_REGISTRY)].sort()).toEqual([
      'http://example.com',
      `mailto:${'b'.repeat(251)}@example.net`,
      'mailto:list-unsubscribe@lists.example.org',
    ]);
  });

  it('reads headers as SpamAssassin does: decoded or raw, each ending in a newline; :addr and :name alone', () => {
    const v = view(MULTIPART, 'bounce@example.net');
    expect(v.header('Subject', null)).toBe('Gr\xc3\xbc\xc3\x9fe and more\n');
    // Raw as Message.pm keeps it: all after the colon, its space and the fold included.
    expect(v.header('Subject', 'raw')).toBe(' =?utf-8?q?Gr=C3=BC=C3=9Fe?= and\n more\n');
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

describe('no-break spaces in the body', () => {
  /** A one-part message whose body is the given octets, in the given charset. */
  const octetView = (body: number[], charset: string | null, type = 'text/plain') => {
    const header = `Subject: s\r\nContent-Type: ${type}${charset ? `; charset=${charset}` : ''}\r\n\r\n`;
    const bytes = Uint8Array.from([...new TextEncoder().encode(header), ...body, 13, 10]);
    return new SaMessageView(bytes, summarize(bytes));
  };
  const utf8 = (text: string) => [...new TextEncoder().encode(text)];
  const octets = (text: string) =>
    [...new TextEncoder().encode(text)].map((b) => String.fromCharCode(b)).join('');

  it('keeps UTF-8 characters whose last octet is 0xA0 whole ("à" is C3 A0, "你" E4 BD A0)', () => {
    for (const charset of ['utf-8', null]) {
      // A paragraph keeps the space its last line break became, as there ('voilà 你好 déjà ').
      expect(octetView(utf8('voilà 你好 déjà'), charset).body()).toEqual([
        's\n',
        octets('voilà 你好 déjà '),
      ]);
      expect(octetView(utf8('<p>voilà</p>'), charset, 'text/html').body()).toEqual([
        's\n',
        '\n',
        octets('voilà\n'),
      ]);
    }
  });

  it('makes a real NO-BREAK SPACE a space: C2 A0 in UTF-8, A0 in Latin-1 and Windows-1252', () => {
    expect(octetView(utf8('prix\u00a0\u00a0: 10\u00a0€'), 'utf-8').body()).toEqual([
      's\n',
      octets('prix : 10 € '),
    ]);
    // Undeclared 8-bit text that is not UTF-8 is Windows-1252, as SpamAssassin reads it; the
    // body is then UTF-8 (what get_decoded_stripped_body_text_array gives: "ok caf\xc3\xa9").
    for (const charset of ['iso-8859-1', 'windows-1252', null])
      expect(octetView([0x6f, 0x6b, 0xa0, 0xa0, 0x63, 0x61, 0x66, 0xe9], charset).body()).toEqual([
        's\n',
        'ok caf\xc3\xa9 ',
      ]);
    // A line of no-break spaces between two paragraphs is a blank line.
    expect(octetView(utf8('one\n\u00a0\u00a0\ntwo'), 'utf-8').body()).toEqual([
      's\n',
      'one\n',
      'two ',
    ]);
  });

  it("makes Perl's other Unicode white space a space too: IDEOGRAPHIC SPACE, EM SPACE, NEXT LINE...", () => {
    // What SpamAssassin 4.0.1's get_decoded_stripped_body_text_array gave for the same parts:
    // Message.pm squeezes `\s+` in the decoded text, and `\s` matches these; not U+200B.
    expect(
      octetView(
        utf8('a\u3000b\u2003c\u0085d\u202fe\u205ff\u1680g\u2028h\u200bi\u00a0j'),
        'utf-8',
      ).body(),
    ).toEqual(['s\n', 'a b c d e f g h\xe2\x80\x8bi j ']);
    // Japanese in Shift_JIS: 伊藤, IDEOGRAPHIC SPACE, 正義, a space, です.
    expect(
      octetView(
        [0x88, 0xc9, 0x93, 0xa1, 0x81, 0x40, 0x90, 0xb3, 0x8b, 0x60, 0x20, 0x82, 0xc5, 0x82, 0xb7],
        'shift_jis',
      ).body(),
    ).toEqual([
      's\n',
      '\xe4\xbc\x8a\xe8\x97\xa4 \xe6\xad\xa3\xe7\xbe\xa9 \xe3\x81\xa7\xe3\x81\x99 ',
    ]);
  });

  it('leaves 0xA0 alone where it is no space (KOI8-R box drawing, a byte of a GB2312 character)', () => {
    // KOI8-R's A0 is U+2550 (E2 95 90 in UTF-8), as SpamAssassin 4.0.1 renders it.
    expect(octetView([0x61, 0xa0, 0x62], 'koi8-r').body()).toEqual(['s\n', 'a\xe2\x95\x90b ']);
    // "啊" in GB2312 is B0 A1, "你" C4 E3: E5 95 8A and E4 BD A0 in UTF-8.
    expect(octetView([0xb0, 0xa1, 0x20, 0xc4, 0xe3], 'gb2312').body()).toEqual([
      's\n',
      '\xe5\x95\x8a \xe4\xbd\xa0 ',
    ]);
  });

  it('does not change the raw body', () => {
    expect(
      octetView(utf8('a\u00a0b'), 'utf-8')
        .rawBody()
        .some((part) => part.includes(octets('a\u00a0b'))),
    ).toBe(true);
  });
});

describe('the body in UTF-8, decoded from its charset (normalize_charset, on in SpamAssassin 4)', () => {
  // Each expectation is what SpamAssassin 4.0.1's get_decoded_stripped_body_text_array gave
  // for the same message (Debian's package, no Encode::Detect).
  const charsetView = (body: number[], type: string) => {
    const header = `Subject: s\r\nContent-Type: ${type}\r\n\r\n`;
    const bytes = Uint8Array.from([...new TextEncoder().encode(header), ...body, 13, 10]);
    return new SaMessageView(bytes, summarize(bytes));
  };
  const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

  it('decodes 7-bit ISO-2022-JP, so its ESC $ B shifts are not in the body', () => {
    const jp = charsetView([...ascii('\x1b$B$3$s\x1b(B ok')], 'text/plain; charset=iso-2022-jp');
    expect(jp.body()).toEqual(['s\n', '\xe3\x81\x93\xe3\x82\x93 ok ']);
    // The rawbody rules still read the octets as sent (one piece: the part is short).
    expect(jp.rawBody()).toEqual(['\x1b$B$3$s\x1b(B ok\n']);
  });

  it('reads Latin-1 as Windows-1252, and keeps 8-bit text that is valid UTF-8 whatever its label', () => {
    expect(
      charsetView([...ascii('caf\xe9 \x93q\x94')], 'text/plain; charset=windows-1252').body(),
    ).toEqual(['s\n', 'caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d ']);
    expect(charsetView(utf8Octets('voilà déjà'), 'text/plain; charset=iso-8859-1').body()).toEqual([
      's\n',
      'voil\xc3\xa0 d\xc3\xa9j\xc3\xa0 ',
    ]);
    expect(charsetView([...ascii('\xf0\xd2\xc9')], 'text/plain; charset=koi8-r').body()).toEqual([
      's\n',
      '\xd0\x9f\xd1\x80\xd0\xb8 ',
    ]);
  });

  it('decodes an HTML part before rendering it', () => {
    expect(
      charsetView([...ascii('<p>caf\xe9&nbsp;ok</p>')], 'text/html; charset=iso-8859-1').body(),
    ).toEqual(['s\n', '\n', 'caf\xc3\xa9 ok\n']);
  });
});

const utf8Octets = (text: string) => [...new TextEncoder().encode(text)];

describe('HTML rendering', () => {
  it('decodes entities to UTF-8 octets and leaves octets around them alone', () => {
    expect(renderHtml('caf\xc3\xa9 &eacute; &#8364;').text).toBe(
      'caf\xc3\xa9 \xc3\xa9 \xe2\x82\xac',
    );
  });

  it('collects link targets, and no image alt text (HTML.pm shows none)', () => {
    const rendered = renderHtml(
      '<a href=\'http://a.example\'>x</a><img src=http://b.example/i.gif alt="Buy">',
    );
    expect(rendered.links).toEqual(['http://a.example', 'http://b.example/i.gif']);
    expect(rendered.text).toBe('x');
  });

  // spam-1/00078 and 00036 of the training set, cut down; SpamAssassin's
  // get_decoded_stripped_body_text_array gives the paragraphs expected here.
  const html = (body: string) =>
    view(['Subject: s', 'Content-Type: text/html', '', body].join('\r\n')).body();

  it("never ends a paragraph at the document's own line breaks, only at tags", () => {
    expect(
      html(
        '<p>Go here.</p>\r\n<font color="ffffff">drywall</font>\r\n</body>\r\n' +
          '<font color="ffffff">1gate\r\n</html>\r\n5297gdqK6-498jyxl3033RafD3-195RTcz6485obQU9',
      ),
    ).toEqual([
      's\n',
      '\n',
      'Go here.\n',
      'drywall 1gate 5297gdqK6-498jyxl3033RafD3-195RTcz6485obQU9',
    ]);
  });

  it('does not show a declaration as text', () => {
    expect(
      html('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">\r\nDear Friend,'),
    ).toEqual(['s\n', ' Dear Friend,']);
    expect(renderHtml('<?xml version="1.0"?>a').text).toBe('a');
  });

  it('takes time linear in the input on unclosed tags and comments', () => {
    const hostile = '<a '.repeat(50_000) + '<!--'.repeat(50_000);
    expect(renderHtml(hostile).text.length).toBeLessThan(hostile.length);
  });
});

describe('header values unfolded as SpamAssassin unfolds them', () => {
  const folded = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return new SaMessageView(bytes, summarize(bytes));
  };

  it("makes each fold one space and keeps the line's own spaces (what get() gave in 4.0.1)", () => {
    const view = folded(
      'Received: from a.example ([10.1.1.1]) by b.example\r\n    with SMTP id x; Fri, 13 Sep 2002 06:05:19\r\n\t +0100\r\nX-Test: one\r\n\t  two   three\r\nSubject: s\r\n\r\nbody\r\n',
    );
    expect(view.header('Received', null)).toBe(
      'from a.example ([10.1.1.1]) by b.example with SMTP id x; Fri, 13 Sep 2002 06:05:19 +0100\n',
    );
    expect(view.header('X-Test', null)).toBe('one two   three\n');
  });

  it('drops a CR only before an LF, and an LF with no indent after it; trims the ends', () => {
    const view = folded('X-A:  \t a\r\r\n b \r\nX-C: \r\nSubject: s\r\n\r\nbody\r\n');
    expect(view.header('X-A', null)).toBe('a\r b\n');
    expect(view.header('X-C', null)).toBe('\n');
  });

  it('reads an 8-bit value as UTF-8 when it is, else in the fallback charset', () => {
    const bytes = Buffer.concat([
      Buffer.from('X-U: caf\xc3\xa9\r\n  au lait\r\nX-L: caf\xe9\r\n', 'latin1'),
      Buffer.from('Subject: s\r\n\r\nbody\r\n'),
    ]);
    const view = new SaMessageView(bytes, summarize(bytes));
    expect(view.header('X-U', null)).toBe('caf\xc3\xa9 au lait\n');
    expect(view.header('X-L', null)).toBe('caf\xc3\xa9\n');
  });
});

describe('views of one message', () => {
  const message = () => {
    const bytes = new TextEncoder().encode(MULTIPART);
    return { bytes, summary: summarize(bytes) };
  };

  it("share what they computed (the rules' view and Bayes's read the same texts once)", () => {
    const { bytes, summary } = message();
    const rules = new SaMessageView(bytes, summary, { mailFrom: 'a@example.org' });
    const bayes = new SaMessageView(bytes, summary);
    expect(bayes.body()).toBe(rules.body());
    expect(bayes.rawBody()).toBe(rules.rawBody());
    expect(bayes.uris(TEST_REGISTRY)).toBe(rules.uris(TEST_REGISTRY));
    expect(bayes.links()).toBe(rules.links());
    expect(bayes.contentKey).toBe(rules.contentKey);
    expect(bayes.mimeHeader('content-type', false)).toBe(rules.mimeHeader('Content-Type', false));
    expect(rules.mimeHeader('Content-Type', false)).toEqual([
      'text/plain; charset=utf-8\n',
      'text/html\n',
    ]);
  });

  it('keep their own envelope: EnvelopeFrom is not shared, in either order', () => {
    const { bytes, summary } = message();
    const given = new SaMessageView(bytes, summary, { mailFrom: 'bounce@example.org' });
    const none = new SaMessageView(bytes, summary);
    expect(given.header('EnvelopeFrom', null)).toBe('bounce@example.org');
    expect(none.header('EnvelopeFrom', null)).toBeNull();
    const second = new SaMessageView(bytes, summary, { mailFrom: 'other@example.org' });
    expect(second.header('EnvelopeFrom', null)).toBe('other@example.org');
    expect(given.header('EnvelopeFrom', null)).toBe('bounce@example.org');
  });

  it('of the same octets with another summary compute their own', () => {
    const { bytes, summary } = message();
    const first = new SaMessageView(bytes, summary);
    const other = new SaMessageView(bytes, summarize(bytes));
    expect(other.body()).not.toBe(first.body());
    expect(other.body()).toEqual(first.body());
    expect(other.contentKey).not.toBe(first.contentKey);
  });
});
