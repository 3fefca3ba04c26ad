// MIMEEval's check_base64_length (BASE64_LENGTH_78_79, BASE64_LENGTH_79_INF): the longest line of
// the base64 parts, counted with its line ending as Perl's length() of the raw lines counts it.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: pictures\nMessage-ID: <n@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\n';
const base64Lines = (width: number, count = 3) =>
  Array.from({ length: count }, () => 'QUJD'.repeat(25).slice(0, width)).join('\n');
const multipart = (partHeader: string, body: string, eol = '\n') =>
  `${HEADER}Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n` +
  `hello\n--b\n${partHeader}\n\n${body}${eol}--b--\n`;
const B64 = 'Content-Type: image/gif\nContent-Transfer-Encoding: base64';
const MAILS = {
  // 76 characters and a newline: 77.
  RFC_WIDTH: multipart(B64, base64Lines(76)),
  WIDTH_77: multipart(B64, base64Lines(77)),
  WIDTH_78: multipart(B64, base64Lines(78)),
  WIDTH_79: multipart(B64, base64Lines(79)),
  // The last line before the delimiter loses its newline: 78 characters count 78 there.
  LAST_LINE_78: multipart(B64, `${base64Lines(76, 2)}\n${base64Lines(78, 1)}`),
  CALENDAR: multipart(
    'Content-Type: application/ics\nContent-Transfer-Encoding: base64',
    base64Lines(90),
  ),
  SEVEN_BIT: multipart('Content-Type: image/gif', base64Lines(90)),
  CASE_AND_SPACE: multipart(
    'Content-Type: image/gif\nContent-Transfer-Encoding:  BASE64 ',
    base64Lines(90),
  ),
  // Message.pm turns a CRLF message's line endings into LFs: 76 characters and CRLF count 77.
  CRLF_RFC_WIDTH: multipart(B64, base64Lines(76)).replace(/\n/g, '\r\n'),
  CRLF_WIDTH_77: multipart(B64, base64Lines(77)).replace(/\n/g, '\r\n'),
  // Not when the first and last lines end in LF: then a CR is a character of the line.
  INNER_CRLF: multipart(B64, base64Lines(76).replace(/\n/g, '\r\n')),
  SINGLE_PART:
    `${HEADER}Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n` +
    `${base64Lines(77)}\n`,
};

const RULES = [
  "body T_B64_78_79 eval:check_base64_length('78','79')",
  "body T_B64_79_INF eval:check_base64_length('79')",
  'score T_B64_78_79 0.01',
  'score T_B64_79_INF 0.01',
].join('\n');

const fired = ruleFirer(RULES);

describe('check_base64_length', () => {
  it('counts the line ending', () => {
    expect(fired(MAILS.RFC_WIDTH)).toEqual([]);
    expect(fired(MAILS.WIDTH_77)).toEqual(['T_B64_78_79']);
    expect(fired(MAILS.WIDTH_78)).toEqual(['T_B64_78_79', 'T_B64_79_INF']);
    expect(fired(MAILS.WIDTH_79)).toEqual(['T_B64_79_INF']);
    expect(fired(MAILS.LAST_LINE_78)).toEqual(['T_B64_78_79']);
    expect(fired(MAILS.SINGLE_PART)).toEqual(['T_B64_78_79']);
    expect(fired(MAILS.CRLF_RFC_WIDTH)).toEqual([]);
    expect(fired(MAILS.CRLF_WIDTH_77)).toEqual(['T_B64_78_79']);
    expect(fired(MAILS.INNER_CRLF)).toEqual(['T_B64_78_79']);
  });

  it('reads base64 parts only, and not application/ics', () => {
    expect(fired(MAILS.CALENDAR)).toEqual([]);
    expect(fired(MAILS.SEVEN_BIT)).toEqual([]);
    expect(fired(MAILS.CASE_AND_SPACE)).toEqual(['T_B64_79_INF']);
  });
});

describeWithPeer(debianSpamAssassin, 'check_base64_length against spamassassin', () => {
  const mails = Object.entries(MAILS);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, mail]) => mail),
      RULES,
      /^T_B64_/,
    );
  });

  for (const [index, [name, mail]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(mail)).toEqual(theirs[index]);
    });
});
