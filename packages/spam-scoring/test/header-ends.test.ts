// Headers that run into their bodies, and other header shapes where Message.pm and
// @mailyard/mime part ways (header-ends.ts, message-view.ts): the body text, the header block
// and the To header against SpamAssassin 4.0.1's own PerMsgStatus.
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { readStructure } from '../src/spamassassin/header-ends.js';
import {
  debianSpamAssassin,
  ruleFirer,
  spamAssassinEach,
  spamAssassinFiredEach,
} from './helpers.js';

const HEAD = 'From: a@b.example\r\nSubject: hi\r\n';
const longTo = Array.from({ length: 600 }, (_, i) => `user${i}@example${i}.com`).join(',\r\n\t');

const MESSAGES = [
  // No blank line before the first boundary: the header ends at the `--` line.
  `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="xx"\r\n--xx\r\n` +
    'Content-Type: text/plain\r\n\r\nplain words here\r\n--xx\r\nContent-Type: text/html\r\n\r\n' +
    '<p>html words</p>\r\n--xx--\r\n',
  // Three lines that are no field are skipped; the fourth starts the body.
  `${HEAD}bad line one\r\nbad line two\r\nbad line three\r\nbad line four\r\nX-After: 1\r\n\r\nreal body\r\n`,
  // Two are skipped, and are no header (`ALL` leaves them out).
  `${HEAD}this is no field\r\nnor this\r\n\r\nbody\r\n`,
  // A part's header runs into its body (Python's email test msg_47), and there is no Subject.
  'From: arthur@example.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=foo\r\n\r\n' +
    '--foo\r\nContent-Type: text/plain\r\nbar\r\n\r\n--foo\r\nContent-Type: text/html\r\n' +
    '<html><body><p>baz</p></body></html>\r\n\r\n--foo--\r\n',
  // A part whose first line is no field: all of it is body, read as text/plain.
  `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n` +
    'hello there\r\nContent-Type: text/html\r\n\r\n<b>bold</b>\r\n--b\r\n' +
    'Content-Type: text/html\r\n\r\n<p>end</p>\r\n--b--\r\n',
  // A value over 8,192 octets is cut there.
  `${HEAD}To: ${longTo}\r\n\r\nbody\r\n`,
  // An ordinary message is read as it is.
  `${HEAD}To: Bob <bob@example.org>\r\n\r\nbody\r\n`,
  // Not declared MIME, yet its transfer encoding is read (a mutated training message,
  // easy-ham-1/01142, base64 under Content-Transfer-Encoding alone).
  `${HEAD}Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Hello in base64, a few words.\r\n').toString('base64')}\r\n`,
  `${HEAD}Content-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak caf=E9\r\n`,
];

const PERL = String.raw`[ @{ $pms->get_decoded_stripped_body_text_array() }, '--',
  join('', $pms->get('ALL')), scalar($pms->get('To')) // '', scalar($pms->get('To:raw')) // '',
  join(',', $pms->get('To:addr')) ]`;

function ours(text: string): string[] {
  const bytes = Buffer.from(text, 'latin1');
  const view = new SaMessageView(bytes, summarize(bytes));
  return [
    ...view.body(),
    '--',
    view.header('ALL', null) ?? '',
    view.header('To', null) ?? '',
    view.header('To', 'raw') ?? '',
    view.addresses('To').join(','),
  ];
}

describeWithPeer(debianSpamAssassin, "headers that run into the body, against Message.pm's", () => {
  it('gives the body text, the header block and the To header PerMsgStatus gives', () => {
    const theirs = spamAssassinEach(MESSAGES, PERL);
    for (const [index, message] of MESSAGES.entries())
      expect([message.slice(0, 100), ours(message)]).toEqual([
        message.slice(0, 100),
        theirs[index],
      ]);
  }, 60_000);
});

describeWithPeer(debianSpamAssassin, 'the MIME rules on a message not declared MIME', () => {
  it('fire as spamassassin -L -t fires them', () => {
    const mails = MESSAGES.slice(-2);
    const rules = "rawbody B64_TEXT eval:check_for_mime('mime_base64_encoded_text')";
    const theirs = spamAssassinFiredEach(mails, rules, /^B64_TEXT$/);
    expect(theirs).toEqual([['B64_TEXT'], []]);
    const fire = ruleFirer(rules);
    expect(mails.map((mail) => fire(mail))).toEqual(theirs);
  }, 60_000);
});

describe('readStructure', () => {
  it('reads an ordinary message as it is, and a header that runs on with a line break put in', () => {
    const ordinary = Buffer.from(MESSAGES[6]!, 'latin1');
    const summary = summarize(ordinary);
    expect(readStructure(ordinary, summary)).toEqual({ bytes: ordinary, summary });
    const runOn = Buffer.from(MESSAGES[0]!, 'latin1');
    const read = readStructure(runOn, summarize(runOn));
    expect(Buffer.from(read.bytes).toString('latin1')).toContain('boundary="xx"\r\n\r\n--xx\r\n');
    expect(read.summary.body.parts).toHaveLength(2);
    // The full message stays as it came.
    const view = new SaMessageView(runOn, summarize(runOn));
    expect(view.full()).toBe(MESSAGES[0]);
  });

  it('reads hostile headers: thousands of parts and lines, each header read once', () => {
    const parts = Array.from({ length: 3_000 }, () => '--b\r\nno field\r\n').join('');
    const text = `${HEAD}Content-Type: multipart/mixed; boundary=b\r\n${'junk\r\n'.repeat(10_000)}\r\n${parts}--b--\r\n`;
    const bytes = Buffer.from(text, 'latin1');
    const read = readStructure(bytes, summarize(bytes));
    expect(read.bytes.length).toBeGreaterThan(bytes.length);
    expect(new SaMessageView(bytes, summarize(bytes)).body().length).toBeGreaterThan(0);
  }, 30_000);
});
