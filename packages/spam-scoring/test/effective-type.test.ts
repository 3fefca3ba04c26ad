// Message::Node's effective_type: a part named `*.html` is HTML whatever its declared type
// (spam-1/00219, 00271 attach `application/octet-stream; name="warezcds.html"`), so SpamAssassin
// renders it for the body rules, gives it to the rawbody rules and parses it as HTML
// (HTML_TAG_BALANCE_HEAD on an unclosed <head>).
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: cds\nMessage-ID: <n@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\n' +
  'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhello\n--b\n';
const HTML = '<html><head><title>cds</title><body><b>bold words</b></body></html>\n';
const attached = (header: string) => `${HEADER}${header}\n\n${HTML}--b--\n`;
const MAILS = {
  OCTET_NAMED_HTML:
    'Content-Type: application/octet-stream; name="warezcds.html"\n' +
    'Content-Disposition: attachment; filename="warezcds.html"',
  DISPOSITION_ONLY:
    'Content-Type: application/octet-stream\nContent-Disposition: inline; filename=a.SHTM',
  TYPE_NAME_ONLY: 'Content-Type: text/plain; name="a.htm"',
  // The Content-Disposition's name wins over the Content-Type's.
  DISPOSITION_FIRST:
    'Content-Type: application/octet-stream; name="a.html"\n' +
    'Content-Disposition: attachment; filename="a.bin"',
  OCTET_UNNAMED_HTML: 'Content-Type: application/octet-stream; name="a.html.bin"',
};

const RULES = [
  'body T_ET_TEXT /bold words/',
  'body T_ET_TAG /<b>/',
  'rawbody T_ET_RAW /<b>bold/',
  "body T_ET_HEAD eval:html_tag_balance('head', '!= 0')",
  ...['TEXT', 'TAG', 'RAW', 'HEAD'].map((name) => `score T_ET_${name} 0.01`),
].join('\n');

const fired = ruleFirer(RULES);

describe("a part's effective type", () => {
  it('is HTML when the part is named .html, .htm, .shtml', () => {
    const html = ['T_ET_HEAD', 'T_ET_RAW', 'T_ET_TEXT'];
    expect(fired(attached(MAILS.OCTET_NAMED_HTML))).toEqual(html);
    expect(fired(attached(MAILS.DISPOSITION_ONLY))).toEqual(html);
    expect(fired(attached(MAILS.TYPE_NAME_ONLY))).toEqual(html);
  });

  it('is the declared one otherwise', () => {
    expect(fired(attached(MAILS.DISPOSITION_FIRST))).toEqual([]);
    expect(fired(attached(MAILS.OCTET_UNNAMED_HTML))).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, "a part's effective type against spamassassin", () => {
  const mails = Object.entries(MAILS).map(([name, header]) => [name, attached(header)] as const);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, mail]) => mail),
      RULES,
      /^T_ET_/,
    );
  });

  for (const [index, [name, mail]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(mail)).toEqual(theirs[index]);
    });
});
