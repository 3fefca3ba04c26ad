// Header rules over raw values (`Name:raw`, `ALL:raw`), with spamassassin as the oracle. A raw
// value is all after the colon, the space after it included (`Date:<TAB>...` starts with a
// tab), and ALL:raw is the header block as written (`Subject:x` keeps no space).
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// Debian's own patterns (20_head_tests.cf, 72_active.cf), under names of their own.
const RULES = [
  'header T_DATE_TAB Date:raw =~ /^\\t/',
  'header T_HDRS_MISSP ALL:raw =~ /^(?:Subject|From|To|Reply-To):\\S/ism',
  'header T_FROMSPACE From:raw =~ /^\\s?\\"\\s/',
  'header T_SUBJECT_EMPTY Subject:raw =~ /^\\s*$/',
  'header T_VBOUNCE Subject:raw =~ /^=?iso-8859-1?Q?Messagerie/',
  'header T_RAW_FOLD Subject:raw =~ /and\\n\\t/',
  'header T_BAD_ENC ALL:raw =~ /=\\?[^?\\s]+\\?[^?\\s]\\?\\s*[^?]+\\s(?!\\?=)/',
  ...[
    'T_DATE_TAB',
    'T_HDRS_MISSP',
    'T_FROMSPACE',
    'T_SUBJECT_EMPTY',
    'T_VBOUNCE',
    'T_RAW_FOLD',
    'T_BAD_ENC',
  ].map((name) => `score ${name} 0.01`),
].join('\n');

const mail = (headers: string[]) =>
  `${['Message-ID: <1@example.net>', 'To: b@example.com', ...headers].join('\r\n')}\r\n\r\nHello\r\n`;

const MAILS: Record<string, string> = {
  plain: mail(['From: a@example.net', 'Subject: hi', 'Date: Tue, 7 May 2002 09:38:27 -0600']),
  tabbedDate: mail(['From: a@example.net', 'Subject: hi', 'Date:\tTue, 7 May 2002 09:38:27 -0600']),
  noSpaceSubject: mail([
    'From: a@example.net',
    'Subject:hi',
    'Date: Tue, 7 May 2002 09:38:27 -0600',
  ]),
  spacedFromName: mail([
    'From:  " Deals" <a@example.net>',
    'Subject: x',
    'Date: Tue, 7 May 2002 09:38:27 -0600',
  ]),
  emptySubject: mail(['From: a@example.net', 'Subject: ', 'Date: Tue, 7 May 2002 09:38:27 -0600']),
  encodedSubject: mail([
    'From: a@example.net',
    'Subject: =?iso-8859-1?Q?Messagerie_x?=',
    'Date: Tue, 7 May 2002 09:38:27 -0600',
  ]),
  foldedSubject: mail([
    'From: a@example.net',
    'Subject: this and',
    '\tthat',
    'Date: Tue, 7 May 2002 09:38:27 -0600',
  ]),
};

const fired = ruleFirer(RULES);

describe('header rules over raw values', () => {
  it('see the space after the colon, and ALL:raw the header block as it is written', () => {
    expect(fired(MAILS.plain!)).toEqual([]);
    expect(fired(MAILS.tabbedDate!)).toEqual(['T_DATE_TAB']);
    expect(fired(MAILS.noSpaceSubject!)).toEqual(['T_HDRS_MISSP']);
    expect(fired(MAILS.foldedSubject!)).toEqual(['T_RAW_FOLD']);
  });
});

describeWithPeer(debianSpamAssassin, 'header rules over raw values against spamassassin', () => {
  const mails = Object.entries(MAILS);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, text]) => text),
      RULES,
      /^T_/,
    );
  });

  for (const [index, [name, text]] of mails.entries())
    it(`fire where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(text)).toEqual(theirs[index]);
    });
});
