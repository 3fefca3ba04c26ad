// A multipart whose body never opens with its boundary (spam-1/00467: `boundary="=Multipart
// Boundary 0925021429"`, delimiters `--= Multipart Boundary 0925021429`), or that names none.
// @mailyard/mime shows Dovecot's one empty part; Message.pm's _parse_multipart reads the whole
// body as one part (MIME header lines first, then text up to a close delimiter), so the body
// rules see its text and EMPTY_MESSAGE does not fire.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: deals\nMessage-ID: <n@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\n';
const INNER =
  'Content-Type: text/plain;\n\tcharset="ISO-8859-1"\n\nIncredible deals on cartridges\n';
const MISMATCHED =
  `${HEADER}Content-Type: multipart/alternative; boundary="=Multipart Boundary 09"\n\n` +
  `This is a multipart MIME message.\n\n--= Multipart Boundary 09\n${INNER}` +
  '--= Multipart Boundary 09--\n';
const NO_BOUNDARY =
  `${HEADER}Content-Type: multipart/mixed\n\nThis is a multipart MIME message.\n\n` +
  `--abc\n${INNER}--abc--\n`;
const CLOSED_ONLY =
  `${HEADER}Content-Type: multipart/mixed; boundary="abc"\n\n` +
  'Incredible deals on cartridges\n--abc--\nafter the end\n';
// A message's own multipart body reads no MIME header when its first line has text (Message.pm,
// bug 6845); a nested one does.
const HTML_LINES =
  'Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n' +
  '<html><body><b>Incredible deals</b> on cart=\nridges</body></html>\n';
const HTML_HEADED = `${HEADER}Content-Type: multipart/mixed; boundary="abc"\n\n${HTML_LINES}`;
const HTML_HEADED_NESTED =
  `${HEADER}Content-Type: multipart/mixed; boundary="out"\n\n--out\n` +
  `Content-Type: multipart/alternative; boundary="abc"\n\n${HTML_LINES}--out--\n`;
const OPENED =
  `${HEADER}Content-Type: multipart/mixed; boundary="abc"\n\n` +
  `This is a multipart MIME message.\n\n--abc\n${INNER}--abc--\n`;
const MAILS = { MISMATCHED, NO_BOUNDARY, CLOSED_ONLY, HTML_HEADED, HTML_HEADED_NESTED, OPENED };

const RULES = [
  'body T_UM_PREAMBLE /multipart MIME message/',
  'body T_UM_INNER /Incredible deals on cartridges/',
  'body T_UM_HEADER_AS_TEXT /charset=|Content-Type/',
  'body T_UM_DELIMITER /Multipart Boundary|--abc/',
  'body T_UM_AFTER /after the end/',
  'body T_UM_TAG /<b>/',
  'body __UM_NONEMPTY /\\S/',
  'tflags __UM_NONEMPTY nosubject',
  'meta T_UM_EMPTY !__UM_NONEMPTY',
  ...['PREAMBLE', 'INNER', 'HEADER_AS_TEXT', 'DELIMITER', 'AFTER', 'TAG', 'EMPTY'].map(
    (name) => `score T_UM_${name} 0.01`,
  ),
].join('\n');

const fired = ruleFirer(RULES);

describe('a multipart that never opens with its boundary', () => {
  it('is read whole, preamble and delimiters as text', () => {
    expect(fired(MISMATCHED)).toEqual([
      'T_UM_DELIMITER',
      'T_UM_HEADER_AS_TEXT',
      'T_UM_INNER',
      'T_UM_PREAMBLE',
    ]);
    expect(fired(NO_BOUNDARY)).toEqual([
      'T_UM_DELIMITER',
      'T_UM_HEADER_AS_TEXT',
      'T_UM_INNER',
      'T_UM_PREAMBLE',
    ]);
  });

  it('ends at a close delimiter', () => {
    expect(fired(CLOSED_ONLY)).toEqual(['T_UM_INNER']);
  });

  it('takes the MIME header lines it starts with, but in the message body', () => {
    expect(fired(HTML_HEADED_NESTED)).toEqual(['T_UM_INNER']);
    expect(fired(HTML_HEADED)).toEqual(['T_UM_HEADER_AS_TEXT', 'T_UM_TAG']);
  });

  it('leaves a multipart that opens alone', () => {
    expect(fired(OPENED)).toEqual(['T_UM_INNER']);
  });
});

describeWithPeer(debianSpamAssassin, 'an unopened multipart against spamassassin', () => {
  const mails = Object.entries(MAILS);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, mail]) => mail),
      RULES,
      /^T_UM_/,
    );
  });

  for (const [index, [name, mail]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(mail)).toEqual(theirs[index]);
    });
});
