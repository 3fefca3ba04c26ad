// `tflags nosubject`: Check.pm runs such a body rule on every line of the body but the first,
// the Subject. Debian's __NONEMPTY_BODY (/\S/) is one, so EMPTY_MESSAGE fires on a message
// whose parts render to no text (an image-only HTML part: spam-1/00139, 00329) whatever its
// Subject says.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nMessage-ID: <n@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\n';
const IMAGE_ONLY =
  `${HEADER}Subject: Look at this\nContent-Type: text/html\n\n` +
  '<html><body><a href="http://a.example/"><img src="http://a.example/i.jpg"></a></body></html>\n';
const SOME_TEXT = `${HEADER}Subject: Look at this\nContent-Type: text/plain\n\nhello\n`;
const NO_SUBJECT = `${HEADER}Content-Type: text/plain\n\nhello\n`;
const MAILS = { IMAGE_ONLY, SOME_TEXT, NO_SUBJECT };

const RULES = [
  'body __NONEMPTY_BODY /\\S/',
  'tflags __NONEMPTY_BODY nosubject',
  'body T_NS_ANY_TEXT /\\S/',
  'meta T_NS_EMPTY_BODY !__NONEMPTY_BODY',
  'score T_NS_EMPTY_BODY 0.01',
  'score T_NS_ANY_TEXT 0.01',
].join('\n');

const fired = ruleFirer(RULES);

describe('tflags nosubject', () => {
  it('leaves the Subject out of the body rule', () => {
    expect(fired(IMAGE_ONLY)).toEqual(['T_NS_ANY_TEXT', 'T_NS_EMPTY_BODY']);
    expect(fired(SOME_TEXT)).toEqual(['T_NS_ANY_TEXT']);
    expect(fired(NO_SUBJECT)).toEqual(['T_NS_ANY_TEXT']);
  });
});

describeWithPeer(debianSpamAssassin, 'tflags nosubject against spamassassin', () => {
  const mails = Object.entries(MAILS);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, mail]) => mail),
      RULES,
      /^T_NS_/,
    );
  });

  for (const [index, [name, mail]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(mail)).toEqual(theirs[index]);
    });
});
