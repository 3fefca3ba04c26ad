// check_for_ascii_text_illegal (PP_MIME_FAKE_ASCII_TEXT), with spamassassin as the oracle. Written
// and not run by the rule set (see eval-tests.ts): called directly here.
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { checkForAsciiTextIllegal } from '../src/spamassassin/ascii-text-eval-tests.js';
import { debianSpamAssassin, spamAssassinFiredEach } from './helpers.js';

const RULE = 'body FAKE_ASCII eval:check_for_ascii_text_illegal()';
const fired = (bytes: Uint8Array) =>
  checkForAsciiTextIllegal(new SaMessageView(bytes, summarize(bytes))) ? ['FAKE_ASCII'] : [];

const HEAD =
  'From: a@example.net\r\nTo: b@example.com\r\nSubject: hi\r\nMessage-ID: <1@example.net>\r\n';
const latin1 = (text: string) => Buffer.from(text, 'latin1');

/** Messages and whether the check fires on them. */
const CASES: [string, Uint8Array, boolean][] = [
  ['no Content-Type, 8-bit text', latin1(`${HEAD}\r\nCaf\xe9 ouvert\r\n`), true],
  ['no Content-Type, ASCII text', latin1(`${HEAD}\r\nPlain words\r\n`), false],
  [
    'text/plain without charset, 8-bit',
    latin1(`${HEAD}Content-Type: text/plain\r\n\r\nna\xefve\r\n`),
    true,
  ],
  [
    'us-ascii claimed, a lone CR',
    latin1(`${HEAD}Content-Type: text/plain; charset="US-ASCII"\r\n\r\nline\rmore\r\n`),
    true,
  ],
  [
    'us-ascii claimed, a NUL',
    latin1(`${HEAD}Content-Type: text/plain; charset=us-ascii\r\n\r\na\x00b\r\n`),
    true,
  ],
  [
    'iso-8859-1 declared',
    latin1(`${HEAD}Content-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n`),
    false,
  ],
  [
    'quoted-printable ASCII (the raw text is ASCII)',
    latin1(
      `${HEAD}Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9\r\n`,
    ),
    false,
  ],
  [
    '8-bit text/html only',
    latin1(`${HEAD}Content-Type: text/html\r\n\r\n<p>Caf\xe9</p>\r\n`),
    false,
  ],
  [
    'a multipart whose second text/plain part is 8-bit',
    latin1(
      `${HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nd\xc3\xa9j\xc3\xa0\r\n--b\r\nContent-Type: text/plain\r\n\r\nd\xc3\xa9j\xc3\xa0\r\n--b--\r\n`,
    ),
    true,
  ],
  ['LF line ends, ASCII', latin1(`${HEAD}\r\nPlain words\r\n`.replace(/\r\n/g, '\n')), false],
];

describe('check_for_ascii_text_illegal', () => {
  for (const [name, bytes, expected] of CASES)
    it(`${expected ? 'fires' : 'does not fire'}: ${name}`, () => {
      expect(fired(bytes)).toEqual(expected ? ['FAKE_ASCII'] : []);
    });
});

describeWithPeer(debianSpamAssassin, 'check_for_ascii_text_illegal against spamassassin', () => {
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      CASES.map(([, bytes]) => bytes),
      `${RULE}\nscore FAKE_ASCII 1`,
      /^FAKE_ASCII$/,
    );
  });

  for (const [index, [name, bytes]] of CASES.entries())
    it(`fires as spamassassin -L -t does: ${name}`, () => {
      expect(fired(bytes)).toEqual(theirs[index]);
    });
});
