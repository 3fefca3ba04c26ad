// The faraway charset tests (MIMEEval's, HeaderEval's and HTMLEval's) under three `ok_locales`
// settings: each message's expected rules are what SpamAssassin 4.0.1 fired with the same
// setting, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile } from '../src/index.js';
import {
  encodedWordCharsets,
  isCharsetOkForLocales,
} from '../src/spamassassin/faraway-charset-eval-tests.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const RULES = [
  'body T_FARAWAY_BODY eval:check_for_faraway_charset()',
  'header T_FARAWAY_HEADER eval:check_for_faraway_charset_in_headers()',
  'body T_FARAWAY_HTML eval:html_charset_faraway()',
  "rawbody T_FARAWAY_MIME eval:check_for_mime('mime_faraway_charset')",
  'score T_FARAWAY_BODY 1',
  'score T_FARAWAY_HEADER 1',
  'score T_FARAWAY_HTML 1',
  'score T_FARAWAY_MIME 1',
].join('\n');

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const mail = (headers: string[], body: string, from = 'a@example.com') =>
  latin1(
    [
      `From: ${from}`,
      'To: b@example.com',
      'Date: Thu, 1 Aug 2002 10:00:00 +0000',
      'Message-ID: <1@example.com>',
      'MIME-Version: 1.0',
      ...headers,
      ...(headers.some((h) => h.startsWith('Subject:')) ? [] : ['Subject: hello']),
      '',
      body,
      '',
    ].join('\r\n'),
  );

// "Privet" in KOI8-R, "ni hao" in GB2312, "konnichiwa" in Shift_JIS and ISO-2022-JP.
const KOI8 = '\xf0\xd2\xc9\xd7\xc5\xd4';
const GB = '\xc4\xe3\xba\xc3';
const SJIS = '\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd';
const JIS = '\x1b$B$3$s$K$A$O\x1b(B';
const many = (word: string) => Array<string>(12).fill(word).join(' ');
const html = (meta: string) =>
  `<html><head><meta http-equiv="Content-Type" content="text/html; charset=${meta}"></head><body><p>${many(GB)}</p></body></html>`;

/** Each message, and what SpamAssassin fired under ok_locales en, under ru, and by default. */
const CASES: [string, Uint8Array, { en: string[]; ru: string[] }][] = [
  [
    'a KOI8-R text',
    mail(['Content-Type: text/plain; charset=koi8-r'], many(KOI8)),
    { en: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'], ru: [] },
  ],
  [
    'KOI8-R declared, English written',
    mail(['Content-Type: text/plain; charset="KOI8-R"'], 'Plain English words, no more.'),
    { en: ['T_FARAWAY_MIME'], ru: [] },
  ],
  [
    'KOI8-R, a few words among many English ones',
    mail(['Content-Type: text/plain; charset=koi8-r'], `${'English text. '.repeat(8)}${KOI8}`),
    { en: ['T_FARAWAY_MIME'], ru: [] },
  ],
  [
    'a Shift_JIS text',
    mail(['Content-Type: text/plain; charset=Shift_JIS'], many(SJIS)),
    { en: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'], ru: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'] },
  ],
  [
    'ISO-2022-JP is 7-bit, but the body rules read it decoded',
    mail(['Content-Type: text/plain; charset=ISO-2022-JP'], many(JIS)),
    { en: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'], ru: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'] },
  ],
  [
    'windows-1251 is a Windows code page: never faraway',
    mail(['Content-Type: text/plain; charset=windows-1251'], many(KOI8)),
    { en: [], ru: [] },
  ],
  [
    'an encoded Subject in KOI8-R',
    mail(['Subject: =?koi8-r?B?8NLJ18XU?='], 'hello'),
    { en: ['T_FARAWAY_HEADER'], ru: [] },
  ],
  [
    'an encoded From name in GB2312',
    mail([], 'hello', '=?gb2312?B?xOO6ww==?= <a@example.com>'),
    { en: ['T_FARAWAY_HEADER'], ru: ['T_FARAWAY_HEADER'] },
  ],
  [
    'an encoded Subject in ISO-8859-1 and UTF-8',
    mail(['Subject: =?iso-8859-1?q?caf=E9?= =?utf-8?q?caf=C3=A9?='], 'hello'),
    { en: [], ru: [] },
  ],
  [
    'an encoded word never closed',
    mail(['Subject: =?koi8-r?B?8NLJ18XU'], 'hello'),
    { en: [], ru: [] },
  ],
  [
    // HTMLEval's html_charset_faraway finds no <meta> charset in SpamAssassin 4.0.1.
    'HTML whose meta names GB2312',
    mail(['Content-Type: text/html; charset=gb2312'], html('gb2312')),
    {
      en: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'],
      ru: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'],
    },
  ],
  [
    'HTML whose meta names ISO-8859-1, in a GB2312 part',
    mail(['Content-Type: text/html; charset=gb2312'], html('iso-8859-1')),
    {
      en: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'],
      ru: ['T_FARAWAY_BODY', 'T_FARAWAY_MIME'],
    },
  ],
  [
    'a multipart container that declares EUC-KR',
    mail(
      ['Content-Type: multipart/mixed; boundary="b"; charset=euc-kr'],
      ['--b', 'Content-Type: text/plain; charset=us-ascii', '', 'hello', '--b--'].join('\r\n'),
    ),
    { en: ['T_FARAWAY_MIME'], ru: ['T_FARAWAY_MIME'] },
  ],
  [
    'a KOI8-R part inside a multipart',
    mail(
      ['Content-Type: multipart/mixed; boundary="b"'],
      ['--b', 'Content-Type: text/plain; charset=koi8-r', '', many(KOI8), '--b--'].join('\r\n'),
    ),
    // The top Content-Type names no charset: CHARSET_FARAWAY reads that header alone.
    { en: ['T_FARAWAY_MIME'], ru: [] },
  ],
];

const firers = {
  en: ruleFirer(`${RULES}\nok_locales en`),
  ru: ruleFirer(`${RULES}\nok_locales ru`),
  all: ruleFirer(RULES),
};

describe('the faraway charset tests', () => {
  for (const [name, text, expected] of CASES) {
    it(`ok_locales en: ${name}: ${expected.en.join(', ') || 'nothing'}`, () => {
      expect(firers.en(text)).toEqual(expected.en);
    });
    it(`ok_locales ru: ${name}: ${expected.ru.join(', ') || 'nothing'}`, () => {
      expect(firers.ru(text)).toEqual(expected.ru);
    });
    it(`ok_locales all (the default): ${name}: nothing`, () => {
      expect(firers.all(text)).toEqual([]);
    });
  }
});

describeWithPeer(debianSpamAssassin, 'the faraway charset tests against spamassassin', () => {
  it('fire the same rules under each ok_locales', () => {
    const mails = CASES.map(([, text]) => text);
    const names = CASES.map(([name]) => name);
    for (const [setting, key] of [
      ['ok_locales en', 'en'],
      ['ok_locales ru', 'ru'],
      ['', 'all'],
    ] as const) {
      const theirs = spamAssassinFiredEach(mails, `${RULES}\n${setting}`, /^T_FARAWAY_/);
      expect(names.map((name, i) => [name, theirs[i]])).toEqual(
        CASES.map(([name, , expected]) => [name, key === 'all' ? [] : expected[key]]),
      );
    }
  });
});

describe('isCharsetOkForLocales', () => {
  it('reads names as Locales.pm normalizes them', () => {
    expect(isCharsetOkForLocales('koi8-r', ['en'])).toBe(false);
    expect(isCharsetOkForLocales('KOI8_R', ['ru'])).toBe(true);
    expect(isCharsetOkForLocales('3Dkoi8-r', ['ru'])).toBe(true);
    expect(isCharsetOkForLocales('big5', ['zh_TW'])).toBe(true);
    expect(isCharsetOkForLocales('big5', ['C'])).toBe(false);
    expect(isCharsetOkForLocales('iso-8859-5', ['en'])).toBe(true);
    expect(isCharsetOkForLocales('x-unknown', ['en'])).toBe(true);
    expect(isCharsetOkForLocales('IBM852', [])).toBe(true);
    expect(isCharsetOkForLocales('IBM8520', [])).toBe(false);
  });

  it('keeps the last ok_locales line', () => {
    const config = emptySaConfig();
    expect(config.okLocales).toEqual(['all']);
    parseCfFile(config, 'local.cf', 'ok_locales all\nok_locales en ja\n');
    expect(config.okLocales).toEqual(['en', 'ja']);
  });
});

describe('encodedWordCharsets', () => {
  it('finds each word as the Perl pattern, none across a line', () => {
    expect(encodedWordCharsets('=?a?B?x?= and =?b?Q?y?=')).toEqual(['a', 'b']);
    expect(encodedWordCharsets('=?a?b?=')).toEqual([]);
    expect(encodedWordCharsets('=?a\n?B?x?=')).toEqual([]);
    expect(encodedWordCharsets('=?a?B?x\n?= =?c?B?x?=')).toEqual(['c']);
    expect(encodedWordCharsets('=?=?koi8-r?B?x?=')).toEqual(['=?koi8-r']);
  });

  it('answers fast on a huge run of openings that never close', () => {
    const started = performance.now();
    expect(encodedWordCharsets('=?a?B?x '.repeat(100_000))).toEqual([]);
    expect(encodedWordCharsets('=?x'.repeat(200_000))).toEqual([]);
    // Each `=?=?=?=?=` is a word of charset `=` (Perl counts 1,000 in 5,000 `=?`).
    expect(encodedWordCharsets('=?'.repeat(200_000))).toHaveLength(40_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
