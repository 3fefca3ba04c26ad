import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// Debian's rules (20_body_tests.cf, 20_meta_tests.cf), as written there; the `__UPPERCASE`
// sub-rules under names of their own, to be seen.
const RULES = `
body MIME_HTML_MOSTLY		eval:check_mime_multipart_ratio('0.00','0.01')
body MULTIPART_ALT_NON_TEXT	eval:check_ma_non_text()
body BLANK_LINES_80_90	eval:check_blank_line_ratio('80','90','4')
body UPPERCASE_25_50          eval:check_for_uppercase('25', '50')
body UPPERCASE_50_75          eval:check_for_uppercase('50', '75')
body UPPERCASE_75_100         eval:check_for_uppercase('75', '100')
`;
const fire = ruleFirer(RULES);
const HEADER =
  'From: a@example.com\nTo: b@example.com\nSubject: hello there\nDate: Sun, 6 Dec 2026 10:00:00 +0000\nMessage-ID: <1@example.com>\nMIME-Version: 1.0\n';
const plain = (body: string, charset = '') =>
  fire(`${HEADER}Content-Type: text/plain${charset}\n\n${body}`);
const alternative = (...parts: string[]) =>
  fire(
    `${HEADER}Content-Type: multipart/alternative; boundary="b"\n\n${parts.map((p) => `--b\n${p}\n`).join('')}--b--\n`,
  );
const HTML = `Content-Type: text/html\n\n<html><body>${'<p>Some words in a paragraph of HTML.</p>'.repeat(60)}</body></html>`;
const GIF = 'Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=';

// Every expectation is SpamAssassin 4.0.1's answer: `spamassassin -t -L` with these rules
// forced to score 1, and MIMEEval's numbers (uppercase, mime_multipart_ratio) read from its
// PerMsgStatus for the same messages.
describe('check_mime_multipart_ratio (MIME_HTML_MOSTLY)', () => {
  it('fires on a plain alternative of a few octets beside a long HTML one', () => {
    // SpamAssassin's ratio: 0.0012.
    expect(alternative('Content-Type: text/plain\n\nHi', HTML)).toEqual(['MIME_HTML_MOSTLY']);
  });

  it('not on alternatives of like sizes, nor without a multipart/alternative', () => {
    const text = `Content-Type: text/plain\n\n${'Some words in a paragraph of text. '.repeat(50)}`;
    expect(alternative(text, HTML)).toEqual([]); // 0.70
    expect(
      fire(
        `${HEADER}Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n--b\n${HTML}\n--b--\n`,
      ),
    ).toEqual([]);
  });
});

describe('check_ma_non_text (MULTIPART_ALT_NON_TEXT)', () => {
  it('fires on an image as an alternative to the text', () => {
    expect(alternative('Content-Type: text/plain\n\nHi there friend', GIF)).toEqual([
      'MULTIPART_ALT_NON_TEXT',
    ]);
  });

  it('not on an image inside a multipart/related alternative (the usual HTML with pictures)', () => {
    const related = `Content-Type: multipart/related; boundary="c"\n\n--c\nContent-Type: text/html\n\n<p>Hi there friend</p>\n--c\n${GIF}\n--c--`;
    expect(alternative('Content-Type: text/plain\n\nHi there friend', related)).toEqual([]);
  });
});

describe('check_for_uppercase (UPPERCASE_*)', () => {
  it('the share of capitals among the letters and digits of lines with words', () => {
    expect(plain('THIS IS A VERY LOUD MESSAGE WITH ALL CAPS. '.repeat(8))).toEqual([
      'UPPERCASE_75_100', // 96.35
    ]);
    expect(plain('THIS IS A VERY LOUD message with some CAPS. '.repeat(8))).toEqual([
      'UPPERCASE_50_75', // 53.90
    ]);
    expect(plain('THIS IS A LOUD message with some caps. '.repeat(8))).toEqual([
      'UPPERCASE_25_50', // 35.2
    ]);
  });

  it('nothing under 200 octets, nor in a charset whose text reads as capitals', () => {
    expect(plain('THIS IS SHORT AND LOUD\n')).toEqual([]);
    expect(
      plain('THIS IS A VERY LOUD MESSAGE WITH ALL CAPS. '.repeat(8), '; charset=koi8-r'),
    ).toEqual([]);
  });

  it('stays linear on ISO-2022-JP escapes that never close', () => {
    // Nothing is cut: the B of each escape is a capital beside two small letters (33%).
    const hostile = `${'\x1b$B ab '.repeat(200_000)}\n`;
    expect(plain(hostile)).toEqual(['UPPERCASE_25_50']);
    // Closed, the escapes and what they enclose are cut: only the small letters are left.
    expect(plain(`${'x \x1b$B JAPANESE TEXT \x1b(B y '.repeat(20)}\n`)).toEqual([]);
  });
});

describe('check_blank_line_ratio (BLANK_LINES_80_90)', () => {
  it('the share of blank lines of the decoded text, with at least 4 lines', () => {
    // 17 blank lines of 20: 85.
    expect(plain(`one\n${'\n'.repeat(17)}two\nthree`)).toEqual(['BLANK_LINES_80_90']);
    expect(plain('one\n\ntwo\nthree\n')).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'check_for_uppercase against spamassassin', () => {
  // Around the 200 octets of text it asks for, each line counted with its line break (a
  // mutated training message, spam-1/00125 with a short Subject, was counted over it here).
  // The Subject line (12 octets) and one line of 132 octets and n: 195 to 203 in all.
  const mails = [51, 52, 53, 54, 55, 56, 57, 58, 59].map(
    (n) => `${HEADER}Content-Type: text/plain\n\n${'LOUD '.repeat(25)}quiet ${'a'.repeat(n)}\n`,
  );
  it('fires as spamassassin -L -t fires', () => {
    const theirs = spamAssassinFiredEach(mails, RULES, /^UPPERCASE_/);
    expect(new Set(theirs.map((names) => names.length)).size).toBe(2);
    for (const [index, text] of mails.entries())
      expect([index, fire(text).filter((name) => name.startsWith('UPPERCASE_'))]).toEqual([
        index,
        theirs[index],
      ]);
  }, 60_000);
});
