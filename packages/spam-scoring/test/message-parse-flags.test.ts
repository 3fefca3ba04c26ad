// check_msg_parse_flags (HEAD_LONG, MISSING_HB_SEP, MISSING_MIME_HB_SEP, T_TVD_MIME_EPI,
// T_TVD_MIME_NO_HEADERS), with spamassassin as the oracle: each message's expected answer is
// what SpamAssassin 4.0.1 gave, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// Debian's calls (20_head_tests.cf, 20_body_tests.cf, 72_active.cf), under names of our own.
const RULES = [
  "header LONG eval:check_msg_parse_flags('truncated_header')",
  "header HB_SEP eval:check_msg_parse_flags('missing_head_body_separator')",
  "body MIME_HB_SEP eval:check_msg_parse_flags('missing_mime_head_body_separator')",
  "body EPI eval:check_msg_parse_flags('mime_epilogue_exists')",
  "body NO_HEADERS eval:check_msg_parse_flags('missing_mime_headers')",
  ...['LONG', 'HB_SEP', 'MIME_HB_SEP', 'EPI', 'NO_HEADERS'].map((name) => `score ${name} 1`),
].join('\n');
const NAMES = /^(?:LONG|HB_SEP|MIME_HB_SEP|EPI|NO_HEADERS)$/;
const fire = ruleFirer(RULES);
const HEAD = 'From: a@example.net\nTo: b@example.com\nSubject: hi\nMessage-ID: <1@example.net>\n';
const MULTIPART = `${HEAD}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n`;
const PART = 'Content-Type: text/plain\n\nHello there\n';
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

/** Multiparts nested `levels` deep (the message's own is the first), an epilogue in the last. */
function nested(levels: number): string {
  let inner = `--b${levels}\n${PART}--b${levels}--\nepilogue\n`;
  for (let level = levels - 1; level >= 1; level--)
    inner = `--b${level}\nContent-Type: multipart/mixed; boundary=b${level + 1}\n\n${inner}--b${level}--\n`;
  return `${HEAD}Content-Type: multipart/mixed; boundary=b1\n\n${inner}`;
}

/** Messages and what SpamAssassin 4.0.1 fired on them. */
const CASES: [string, string, string[]][] = [
  ['a plain message', `${HEAD}\nbody\n`, []],
  ['a header and no body', HEAD, ['HB_SEP']],
  ['a delimiter line right after the header', `${HEAD}--b\n${PART}`, ['HB_SEP']],
  ['four lines that are no fields', `${HEAD}one\ntwo\nthree\nfour\nfive\n`, ['HB_SEP']],
  ['three lines that are no fields', `${HEAD}one\ntwo\nthree\n\nbody\n`, []],
  ['a multipart', `${MULTIPART}\n--b\n${PART}--b\n${PART}--b--\n`, []],
  ['text after the close delimiter', `${MULTIPART}\n--b\n${PART}--b--\nepilogue\n`, ['EPI']],
  ['dots and blanks after it', `${MULTIPART}\n--b\n${PART}--b--\n\n.\n \n`, []],
  [
    'a CRLF multipart with an epilogue',
    crlf(`${MULTIPART}\n--b\n${PART}--b--\nepilogue\n`),
    ['EPI'],
  ],
  [
    'a part whose header runs into its body',
    `${MULTIPART}\n--b\nContent-Type: text/plain\nHello\n--b--\n`,
    ['MIME_HB_SEP'],
  ],
  [
    'a delimiter followed by text',
    `${MULTIPART}\n--b\nHello\n--b--\n`,
    ['MIME_HB_SEP', 'NO_HEADERS'],
  ],
  ['a delimiter followed by a blank line', `${MULTIPART}\n--b\n\nHello\n--b--\n`, ['NO_HEADERS']],
  [
    'a second delimiter followed by text',
    `${MULTIPART}\n--b\n${PART}--b\nHello\n--b--\n`,
    ['MIME_HB_SEP', 'NO_HEADERS'],
  ],
  [
    'an epilogue in a nested multipart',
    `${MULTIPART}\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n${PART}--c--\ninner epilogue\n--b--\n`,
    ['EPI'],
  ],
  [
    'an epilogue in an attached message',
    `${MULTIPART}\n--b\nContent-Type: message/rfc822\n\n${MULTIPART.replace('"b"', '"c"')}\n--c\n${PART}--c--\ninner epilogue\n--b--\n`,
    ['EPI'],
  ],
  [
    'an attached message without a blank line after its header',
    `${MULTIPART}\n--b\nContent-Type: message/rfc822\n\n${HEAD}--b--\n`,
    [],
  ],
  [
    'an attached message in base64 with a header running into its part',
    `${MULTIPART}\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n${Buffer.from(
      `${MULTIPART.replace('"b"', '"c"')}\n--c\nContent-Type: text/plain\nHello\n--c--\n`,
    ).toString('base64')}\n--b--\n`,
    ['MIME_HB_SEP'],
  ],
  ['a multipart body that opens with text and no delimiter', `${MULTIPART}\nHello\nWorld\n`, []],
  // Message.pm parses 20 levels of multiparts (its `subparse`), no deeper.
  ['an epilogue 20 multiparts deep', nested(20), ['EPI']],
  ['an epilogue 21 multiparts deep', nested(21), []],
  ['a header value over 8,192 octets', `${HEAD}X-Long: ${'x'.repeat(8200)}\n\nbody\n`, ['LONG']],
  ['a header value of 8,190', `${HEAD}X-Long: ${'x'.repeat(8190)}\n\nbody\n`, []],
  ['a header name over 256 octets', `${HEAD}X-${'n'.repeat(260)}: v\n\nbody\n`, ['LONG']],
  [
    'headers over 65,536 octets in all',
    `${HEAD}${`X-Pad: ${'p'.repeat(7000)}\n`.repeat(10)}\nbody\n`,
    ['LONG'],
  ],
];

describe('check_msg_parse_flags', () => {
  for (const [name, text, expected] of CASES)
    it(`${name}: ${expected.join(', ') || 'none'}`, () => {
      expect(fire(text)).toEqual(expected);
    });

  it('reads hostile structures in bounded work: 2,000 nested multiparts, 20,000 parts (20 times the 1,000 read)', () => {
    expect(fire(nested(2000))).toEqual([]);
    const many = `${MULTIPART}\n${`--b\nno header\n`.repeat(20_000)}--b--\n`;
    expect(fire(many)).toEqual(['MIME_HB_SEP', 'NO_HEADERS']);
  });

  it('an unknown flag leaves the rule not run', () => {
    const rules = ruleFirer("body ODD eval:check_msg_parse_flags('no_such_flag')").rules;
    expect(rules.unsupported.map((rule) => rule.name)).toEqual(['ODD']);
  });
});

describeWithPeer(debianSpamAssassin, 'check_msg_parse_flags against spamassassin', () => {
  it('fires on the same messages', () => {
    const theirs = spamAssassinFiredEach(
      CASES.map(([, text]) => text),
      RULES,
      NAMES,
    );
    for (const [index, [name, text]] of CASES.entries())
      expect([name, fire(text)]).toEqual([name, theirs[index]]);
  }, 600_000);
});
