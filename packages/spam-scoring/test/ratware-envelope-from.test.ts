// HeaderEval's check_ratware_envelope_from (RATWARE_EFROM, spam-1/00344 and 00365): the
// envelope sender spells the recipient's registered domain and user name before its `@`.
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const mail = (returnPath: string, to: string) =>
  `Return-Path: <${returnPath}>\nFrom: a@b.example\nTo: ${to}\nSubject: offer\n` +
  'Message-ID: <n@b.example>\nDate: Sun, 6 Dec 2026 08:00:00 +0000\n\nhello\n';
const MAILS = {
  USER_AT_SUBDOMAIN: mail('mail.example.com-bob@list.example.net', 'Bob <bob@mx.mail.example.com>'),
  ANY_SEPARATOR: mail('bounce+example.co.uk=bob@list.example.net', 'bob@example.co.uk'),
  CASE: mail('EXAMPLE.COM.Bob@list.example.net', 'bob@example.com'),
  OTHER_USER: mail('example.com-alice@list.example.net', 'bob@example.com'),
  SRS: mail('SRS0=abcd=example.com-bob@fwd.example.net', 'bob@example.com'),
  NO_SUFFIX: mail('example.invalidtld-bob@list.example.net', 'bob@example.invalidtld'),
  JOINED_WORD: mail('xexample.com-bob@list.example.net', 'bob@example.com'),
};

const RULES = [
  'header T_RATWARE_EFROM eval:check_ratware_envelope_from()',
  'score T_RATWARE_EFROM 0.01',
];
const fired = ruleFirer(RULES.join('\n'));

describe('check_ratware_envelope_from', () => {
  it("fires on the recipient's domain and user before the @", () => {
    expect(fired(MAILS.USER_AT_SUBDOMAIN)).toEqual(['T_RATWARE_EFROM']);
    expect(fired(MAILS.ANY_SEPARATOR)).toEqual(['T_RATWARE_EFROM']);
    expect(fired(MAILS.CASE)).toEqual(['T_RATWARE_EFROM']);
  });

  it('not on another user, an SRS sender, an unknown suffix or inside a word', () => {
    expect(fired(MAILS.OTHER_USER)).toEqual([]);
    expect(fired(MAILS.SRS)).toEqual([]);
    expect(fired(MAILS.NO_SUFFIX)).toEqual([]);
    expect(fired(MAILS.JOINED_WORD)).toEqual([]);
  });
});

describeWithPeer(debianSpamAssassin, 'check_ratware_envelope_from against spamassassin', () => {
  const mails = Object.entries(MAILS);
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, text]) => text),
      RULES.join('\n'),
      /^T_RATWARE_EFROM$/,
    );
  });

  for (const [index, [name, text]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(text)).toEqual(theirs[index]);
    });
});
