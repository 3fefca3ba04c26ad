import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// MIMEEval's mime_qp_count is not the number of quoted-printable parts: once such a part has
// lines, it is the count of printable characters written as needless escapes in them. Metas read
// `!__MIME_QP` (TO_NO_BRKTS_HTML_ONLY, FORM_FRAUD_3, FROM_MISSPACED...), so quoted-printable
// HTML that escapes only `=` and 8-bit octets, as most encoders write it, is not __MIME_QP.
const RULES = [
  "rawbody __MIME_QP eval:check_for_mime('mime_qp_count')",
  'meta QP_ESCAPES __MIME_QP',
  'score QP_ESCAPES 1',
].join('\n');

const qp = (body: string, type = 'text/html') =>
  `From: a@b.example\nTo: c@d.example\nSubject: offer\nMessage-ID: <1@b.example>\n` +
  `Date: Tue, 14 Jan 2003 10:21:05 +0900\nMIME-Version: 1.0\nContent-Type: ${type}\n` +
  `Content-Transfer-Encoding: quoted-printable\n\n${body}`;

/** Each case with SpamAssassin 4.0.1's answer (`spamassassin -L -t`, the peer test below). */
const CASES: [string, string, boolean][] = [
  ['no escapes', qp(`<p>${'x'.repeat(40)}</p>\n`), false],
  ['only =3D and 8-bit escapes', qp('<font size=3D"3">=B9=AB=B7=E1 =C8=B8</font>\n'), false],
  ['an escaped letter', qp('<p>Cl=69ck here</p>\n'), true],
  ['an escaped space inside the line', qp('free=20money now\n'), true],
  ['escaped spaces ending the line', qp('free money=20=20\n'), false],
  ['escaped spaces ending the line, then white space', qp('free money=20=09  \n'), false],
  ['two escapes, one ending the line', qp('a=41b=20\n'), true],
  ['lower-case hex is no escape here', qp('a=6a b\n'), false],
  ['an empty part: the parts are counted', qp(''), true],
  [
    'a multipart with an escape in its second part',
    'From: a@b.example\nTo: c@d.example\nSubject: x\nMIME-Version: 1.0\n' +
      'Content-Type: multipart/alternative; boundary="b"\n\n--b\n' +
      'Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nplain\n--b\n' +
      'Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n<b>=46ree</b>\n--b--\n',
    true,
  ],
];

const fire = ruleFirer(RULES);

describe("check_for_mime('mime_qp_count')", () => {
  it('counts needless escapes in the quoted-printable lines, as MIMEEval does', () => {
    for (const [name, mail, expected] of CASES)
      expect([name, fire(mail)]).toEqual([name, expected ? ['QP_ESCAPES'] : []]);
  });

  it('reads a line of 100,000 escaped spaces before a letter in linear time', () => {
    // Perl's own pattern for the trailing run is quadratic here; the test's deadline catches that.
    expect(fire(qp(`${'=20'.repeat(100_000)}x\n`))).toEqual(['QP_ESCAPES']);
  });
});

describeWithPeer(debianSpamAssassin, 'mime_qp_count against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, mail]) => mail),
      RULES,
      /^QP_ESCAPES$/,
    );
    for (const [index, [name]] of CASES.entries())
      expect([name, fire(CASES[index]![1])]).toEqual([name, theirs[index]]);
  });
});
