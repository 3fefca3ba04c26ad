import { describe, expect, it } from 'vitest';
import {
  BayesFilter,
  DEFAULT_BAYES_STOPWORDS,
  MAX_TOKENS_PER_MESSAGE,
  MemoryBayesStore,
  SaMessageView,
  bayesTokens,
  emptySaConfig,
  parseCfFile,
} from '../src/index.js';
import { message } from './helpers.js';

const tokensOf = (text: string | Uint8Array) => {
  const m = message(text);
  return bayesTokens(new SaMessageView(m.bytes, m.summary));
};
const withPrefix = (tokens: string[], prefix: string) =>
  tokens.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));

describe('body tokens', () => {
  it('keeps words of 3 or more octets with their punctuation, and also without it and in lower case', () => {
    const tokens = tokensOf(
      'Subject: Act fast\r\n\r\nyou can WIN $31,000,000 today, Free!! it is at no cost\r\n',
    );
    expect(tokens).toEqual(
      expect.arrayContaining(['WIN', 'win', '$31,000,000', '31000000', 'Free!!', 'free!!', 'free']),
    );
    // Trailing commas and full stops are not part of a word; words under 3 octets say nothing.
    expect(tokens).toContain('today');
    expect(tokens).not.toContain('today,');
    for (const short of ['it', 'is', 'at', 'no']) expect(tokens).not.toContain(short);
    // The Subject is the body's first line: its words are body words.
    expect(tokens).toEqual(expect.arrayContaining(['act', 'fast']));
    expect(tokens.filter((t) => t === 'win')).toHaveLength(1);
  });

  it('gives no empty token for a word of punctuation alone', () => {
    const tokens = tokensOf('Subject: x\r\n\r\nact now !!! *** ... $$$ go\r\n');
    expect(tokens).toEqual(expect.arrayContaining(['!!!', '***', '$$$']));
    expect(tokens).not.toContain('');
  });

  it("lower-cases a sentence's first word in Title Case, but keeps capitals elsewhere", () => {
    const tokens = tokensOf('Subject: x\r\n\r\nHello there. Cheap Pills from Canada\r\n');
    expect(tokens).toContain('hello');
    expect(tokens).not.toContain('Hello');
    expect(tokens).toContain('cheap');
    expect(tokens).toEqual(expect.arrayContaining(['Pills', 'pills', 'Canada', 'canada']));
  });

  it('cuts long words to skip tokens of their first 7 characters, and splits "..." and "--"', () => {
    const tokens = tokensOf(
      'Subject: x\r\n\r\nsupercalifragilisticexpialidocious wait...what second--third\r\n',
    );
    expect(tokens).toContain('sk:superca');
    expect(tokens).not.toContain('supercalifragilisticexpialidocious');
    expect(tokens).toEqual(expect.arrayContaining(['wait', 'what', 'second', 'third']));
  });

  it('breaks addresses and domain names in the text into user and domain tokens', () => {
    const tokens = tokensOf(
      'Subject: x\r\n\r\nwrite to sales@mail.bulk-offers.example or see www.bulk-offers.example today\r\n',
    );
    expect(tokens).toEqual(
      expect.arrayContaining([
        'U*sales',
        'D*mail.bulk-offers.example',
        'D*bulk-offers.example',
        'D*example',
        'UD:www.bulk-offers.example',
        'UD:bulk-offers.example',
        'UD:example',
      ]),
    );
  });

  it('reads the visible text of HTML, not its tags or styles', () => {
    const tokens = tokensOf(
      'Subject: x\r\nContent-Type: text/html\r\n\r\n<html><style>.hidden{color:white}</style><body><p>Refinance <b>today</b></p></body></html>\r\n',
    );
    expect(tokens).toEqual(expect.arrayContaining(['refinance', 'today']));
    for (const markup of ['html', 'body', 'style', 'hidden', 'color:white'])
      expect(tokens).not.toContain(markup);
  });

  it('takes a long run of non-ASCII characters character by character (u8:), decoded from QP', () => {
    // Six CJK characters with no space between them (18 octets in UTF-8); "你" ends in the
    // octet A0 (E4 BD A0), which is no space in UTF-8.
    const text = '\u4f60\u597d\u4e16\u754c\u514d\u8d39';
    const qp = [...new TextEncoder().encode(text)]
      .map((b) => `=${b.toString(16).toUpperCase()}`)
      .join('');
    const tokens = tokensOf(
      `Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}\r\n`,
    );
    const characters = withPrefix(tokens, 'u8:').map((octets) =>
      new TextDecoder().decode(Uint8Array.from([...octets].map((c) => c.charCodeAt(0)))),
    );
    expect(characters.sort()).toEqual([...text].sort());
  });

  it('keeps a word whose UTF-8 ends in the octet A0 ("déjà", "voilà") one word', () => {
    const tokens = tokensOf(
      'Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nc\u0027est d\u00e9j\u00e0 voil\u00e0 tout\r\n',
    );
    const octets = (text: string) =>
      [...new TextEncoder().encode(text)].map((b) => String.fromCharCode(b)).join('');
    expect(tokens).toEqual(expect.arrayContaining([octets('déjà'), octets('voilà')]));
  });

  it('keeps a header word whose UTF-8 ends in the octet A0 whole, at the end of the value too', () => {
    const tokens = tokensOf(
      'Subject: =?utf-8?q?d=C3=A9j=C3=A0?=\r\nFrom: =?utf-8?q?Voil=C3=A0?= <v@example.org>\r\n\r\nx\r\n',
    );
    expect(tokens.filter((t) => t.endsWith('j\xc3\xa0') || t.endsWith('l\xc3\xa0'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/d\xc3\xa9j\xc3\xa0$/), 'H*F:N*Voil\xc3\xa0']),
    );
  });

  it('tokenizes the URIs: host, its parent domains and the path words, long ones whole', () => {
    const tokens = tokensOf(
      'Subject: x\r\nContent-Type: text/html\r\n\r\n<a href="http://click.tracker.example/r/abcdefghijklmnopqrstuvwxyz0123">here</a>\r\n',
    );
    expect(tokens).toEqual(
      expect.arrayContaining([
        'click.tracker.example',
        'UD:click.tracker.example',
        'UD:tracker.example',
        'abcdefghijklmnopqrstuvwxyz0123',
      ]),
    );
  });

  it(`keeps at most ${MAX_TOKENS_PER_MESSAGE} tokens of one message, at 100 times that many words, the header's first`, () => {
    const words = Array.from(
      { length: 100 * MAX_TOKENS_PER_MESSAGE },
      (_, i) => `w${i.toString(36)}x`,
    );
    // In parts of 5,000 words (about 40 KB): SpamAssassin reads 50,000 octets of each part
    // (BODY_PART_SCAN_SIZE), so one huge part would give far fewer words than this.
    const parts: string[] = [];
    for (let i = 0; i < words.length; i += 5000)
      parts.push(
        `--b\r\nContent-Type: text/plain\r\n\r\n${words.slice(i, i + 5000).join(' ')}\r\n`,
      );
    const tokens = tokensOf(
      `From: eve@spam.example\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts.join('')}--b--\r\n`,
    );
    expect(tokens).toHaveLength(MAX_TOKENS_PER_MESSAGE);
    expect(tokens).toContain('H*F:D*spam.example');
  });
});

describe('header tokens', () => {
  it('maps header names as SpamAssassin does and breaks addresses into name, user and domains', () => {
    const tokens = tokensOf(
      'From: "Cheap Meds" <eve@mail.spam.example>\r\nTo: bob@example.org\r\nX-Mailer: BulkMailer 2.0\r\nSubject: hello\r\n\r\nbody\r\n',
    );
    expect(withPrefix(tokens, 'H*F:')).toEqual(
      expect.arrayContaining([
        'N*Cheap',
        'N*Meds',
        'U*eve',
        'D*mail.spam.example',
        'D*spam.example',
        'D*example',
      ]),
    );
    // From, To and Cc also count together (*Ad); X-Mailer and User-Agent together (*UA).
    expect(withPrefix(tokens, 'H*Ad:')).toEqual(
      expect.arrayContaining(['U*eve', 'U*bob', 'D*example.org']),
    );
    expect(withPrefix(tokens, 'HTo:')).toContain('D*example.org');
    expect(withPrefix(tokens, 'H*UA:')).toEqual(expect.arrayContaining(['BulkMailer']));
    expect(withPrefix(tokens, 'H*x:')).toEqual(expect.arrayContaining(['BulkMailer']));
    // The Subject is read in the body, not as a header.
    expect(tokens.filter((t) => /^HSubject:/.test(t))).toEqual([]);
  });

  it('leaves out what filters, mailbox programs and mailing lists write, and the Date', () => {
    const tokens = tokensOf(
      'X-Spam-Status: No, hits=-2\r\nStatus: RO\r\nList-Id: <talk.lists.example>\r\nDate: Thu, 22 Aug 2002 21:45:09 +0100\r\nX-Campaign: summer-blast\r\nSubject: x\r\n\r\nbody\r\n',
    );
    for (const name of ['X-Spam-Status', 'Status', 'List-Id', 'Date'])
      expect(tokens.filter((t) => t.startsWith(`H${name}:`))).toEqual([]);
    // A header nobody knows is a spammer's tracking header: it is read.
    expect(tokens).toContain('HX-Campaign:summer-blast');
  });

  it('reads the first two hops of the Received lines alone, without ids, dates and the last octet', () => {
    const tokens = tokensOf(
      [
        'Received: from mx.example.org by in.example.org with LMTP id 8FF2A2; Fri, 23 Aug 2002 09:00:00 +0100',
        'Received: from relay.bulk.ex ([192.0.2.7]) by mx.example.org (8.11.6/8.11.6)',
        '\twith ESMTP id g7MKj9Z21370 for <bob@example.org>; Thu, 22 Aug 2002 21:45:09 +0100 (IST)',
        'Received: from sender-pc ([10.1.2.3]) by relay.bulk.ex; Thu, 22 Aug 2002 21:45:01 +0100',
        'Subject: x',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
    const received = withPrefix(tokens, 'H*r:');
    expect(received).toEqual(
      expect.arrayContaining([
        'relay.bulk.ex',
        '192.0.2',
        'ip*192.0.2.7',
        'mx.example.org',
        'sender-pc',
        // A private address too as its /24, as SpamAssassin's Bayes.pm in fact tokenizes it.
        '10.1.2',
        'ip*10.1.2.3',
      ]),
    );
    expect(received).not.toContain('10.1.2.3');
    // The later hops (a list's, the mailbox provider's) give no token, as in Bayes.pm.
    expect(received).not.toContain('in.example.org');
    expect(received).not.toContain('LMTP');
    expect(tokens.some((token) => token.includes('in.example.org'))).toBe(false);
    for (const noise of ['Thu', 'Aug', '2002', '21:45:09', '+0100', 'IST', 'g7MKj9Z21370', 'ESMTP'])
      expect(received).not.toContain(noise);
  });

  it('splits Message-IDs at their fields (an Outlook Express one into its three) and keeps the shape of MIME boundaries, not their value', () => {
    const tokens = tokensOf(
      'Message-ID: <000801c2a0b3$5e1c8a40$0a00a8c0@desktop.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="----=_NextPart_000_0005_01C2A089.3D4B9E20"\r\nSubject: x\r\n\r\n------=_NextPart_000_0005_01C2A089.3D4B9E20\r\nContent-Type: text/plain\r\n\r\nhi there\r\n------=_NextPart_000_0005_01C2A089.3D4B9E20--\r\n',
    );
    expect(withPrefix(tokens, 'H*M:')).toEqual(
      expect.arrayContaining(['OEA0008', 'OEB5e1c', 'OEC0a00a8c0', 'desktop', 'example']),
    );
    expect(withPrefix(tokens, 'H*MI:')).toContain('desktop');
    const contentType = withPrefix(tokens, 'H*ct:');
    expect(contentType).toEqual(
      expect.arrayContaining(['multipart', 'alternative', 'NHxtPHrt', 'HHHH', 'HHHHHHHH']),
    );
    expect(contentType.some((t) => t.includes('3D4B9E20'))).toBe(false);
    // "1.0" in MIME-Version says nothing.
    expect(tokens.filter((t) => t.startsWith('HMIME-Version:'))).toEqual([]);
  });

  it('reads the relays SpamAssassin infers, without their field names', () => {
    const tokens = tokensOf(
      'Received: from ms.snd.example (ms.snd.example [203.0.113.5]) by mx.example.org (Postfix) with ESMTP id 4F2A1; Thu, 22 Aug 2002 21:45:09 +0100\r\nSubject: x\r\n\r\nbody\r\n',
    );
    const untrusted = withPrefix(tokens, 'H*RU:');
    expect(untrusted).toEqual(expect.arrayContaining(['203.0.113.5', 'ms.snd.example']));
    expect(untrusted.filter((t) => /^[a-z]+=/.test(t))).toEqual([]);
    // The external relays under SpamAssassin's own (metadata) name, in lower case.
    expect(withPrefix(tokens, 'Hx-spam-relays-external:')).toEqual(
      expect.arrayContaining(['203.0.113.5', 'ms.snd.example']),
    );
    expect(tokens.filter((t) => t.startsWith('HX-Spam-Relays-'))).toEqual([]);
  });

  it("leaves out the headers the rule files' bayes_ignore_header names, the relays and Received too", async () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      '72_active.cf',
      'bayes_ignore_header Precedence\nbayes_ignore_header X-MSMail-Priority x-spam-relays-external\n',
    );
    expect(config.problems).toEqual([]);
    expect([...config.bayesIgnoreHeaders].sort()).toEqual([
      'precedence',
      'x-msmail-priority',
      'x-spam-relays-external',
    ]);
    const text =
      'Received: from ms.snd.example (ms.snd.example [203.0.113.5]) by mx.example.org (Postfix) with ESMTP id 4F2A1; Thu, 22 Aug 2002 21:45:09 +0100\r\nPrecedence: bulk\r\nX-MSMail-Priority: Normal\r\nX-Mailer: Pegasus\r\nSubject: x\r\n\r\nbody\r\n';
    const m = message(text);
    const view = () => new SaMessageView(m.bytes, m.summary);
    const all = bayesTokens(view());
    expect(all).toEqual(
      expect.arrayContaining(['HPrecedence:bulk', 'HX-MSMail-Priority:Normal', 'H*x:Pegasus']),
    );
    const tokens = bayesTokens(view(), DEFAULT_BAYES_STOPWORDS, config.bayesIgnoreHeaders);
    expect(
      tokens.filter((t) => /^H(?:Precedence|X-MSMail-Priority|x-spam-relays-external):/.test(t)),
    ).toEqual([]);
    // The rest as before: the other headers, the untrusted relays, the Received line.
    expect(tokens).toEqual(
      expect.arrayContaining(['H*x:Pegasus', 'H*RU:203.0.113.5', 'H*r:ms.snd.example']),
    );
    expect(withPrefix(bayesTokens(view(), null, new Set(['received'])), 'H*r:')).toEqual([]);
    // The filter's option (any case) learns and classifies without them.
    const store = new MemoryBayesStore();
    const filter = new BayesFilter({
      store,
      minSpam: 1,
      minHam: 1,
      ignoredHeaders: ['PRECEDENCE'],
    });
    await filter.learn(m, 'spam');
    const counts = await store.counts(['HPrecedence:bulk', 'H*x:Pegasus']);
    expect(counts.has('HPrecedence:bulk')).toBe(false);
    expect(counts.get('H*x:Pegasus')).toMatchObject({ spam: 1, ham: 0 });
  });

  it('marks only the presence of headers whose value is unique to the message', () => {
    const tokens = tokensOf(
      'X-Face: "8n!)]=Xk*ZD1e5M#3_u~f~PE/pq6[m0@zQ3LZSsm]=m2tYt\r\nDKIM-Signature: v=1; a=rsa-sha256; b=abcdef\r\nSubject: x\r\n\r\nbody\r\n',
    );
    expect(withPrefix(tokens, 'HX-Face:')).toEqual([]);
    expect(withPrefix(tokens, 'HDKIM-Signature:')).toEqual([]);
  });
});

describe('MIME tokens', () => {
  const multipart = (image: string) =>
    [
      'Subject: x',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset="ISO-8859-1"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<img src=3D"cid:logo">',
      '--b1',
      'Content-Type: image/gif',
      'Content-Transfer-Encoding: base64',
      '',
      image,
      '--b1--',
      '',
    ].join('\r\n');

  it("gives the tree of media types, each leaf's type, charset and encoding, and its content's digest", () => {
    const gif = Buffer.from('GIF89a one campaign image').toString('base64');
    const tokens = tokensOf(multipart(gif));
    expect(tokens).toEqual(
      expect.arrayContaining([
        'MIME*:multipart/related(text/html,image/gif)',
        'MIME*part:text/html;iso-8859-1;quoted-printable',
        'MIME*part:image/gif',
        'MIME*part:image/gif;;base64',
      ]),
    );
    // The same image, however it is wrapped, is the same token; another image another one.
    const digests = (text: string) =>
      tokensOf(text).filter((t) => /^MIME:[0-9a-f]{40}:image/.test(t));
    const wrapped = gif.replace(/(.{8})/g, '$1\r\n');
    expect(digests(multipart(wrapped))).toEqual(digests(multipart(gif)));
    expect(digests(multipart(Buffer.from('GIF89a another').toString('base64')))).not.toEqual(
      digests(multipart(gif)),
    );
  });
});
