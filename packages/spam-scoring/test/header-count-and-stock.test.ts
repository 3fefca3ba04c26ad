// check_header_count_range (HEADER_COUNT_CTYPE, HEADER_COUNT_SUBJECT) and check_stock_info
// (TVD_STOCK1), with spamassassin as the oracle: each message's expected answer is what
// SpamAssassin 4.0.1 gave, and the peer test asks it again.
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { stockLabels } from '../src/spamassassin/stock-info.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// Debian's calls, under names of our own.
const RULES = [
  "header CTYPES eval:check_header_count_range('Content-Type','2','999')",
  "header SUBJECTS eval:check_header_count_range('Subject','2','999')",
  "body STOCK eval:check_stock_info('2')",
  ...['CTYPES', 'SUBJECTS', 'STOCK'].map((name) => `score ${name} 1`),
].join('\n');
const NAMES = /^(?:CTYPES|SUBJECTS|STOCK)$/;
const fire = ruleFirer(RULES);
const HEAD = 'From: a@example.net\nTo: b@example.com\nMessage-ID: <1@example.net>\n';
const mail = (headers: string, body: string) => `${HEAD}${headers}\n${body}`;

/** Messages and what SpamAssassin 4.0.1 fired on them. */
const CASES: [string, string, string[]][] = [
  ['one Subject', mail('Subject: hi\n', 'body\n'), []],
  ['two different Subjects', mail('Subject: hi\nSubject: ho\n', 'body\n'), ['SUBJECTS']],
  ['the same Subject twice', mail('Subject: hi\nSubject: hi\n', 'body\n'), []],
  [
    'two Content-Types',
    mail('Subject: hi\nContent-Type: text/plain\nContent-Type: text/html\n', 'body\n'),
    ['CTYPES'],
  ],
  [
    'two stock labels',
    mail('Subject: hi\n', 'Company: Acme Corp\nSymbol: ACME\nIt will rise.\n'),
    ['STOCK'],
  ],
  ['one label only', mail('Subject: hi\n', 'Symbol: ACME\nIt will rise.\n'), []],
  ['the same label twice', mail('Subject: hi\n', 'Symbol: ACME\nSymbol: ACMX\n'), []],
  [
    'labels in odd spellings: letters only, any case, a word before',
    mail('Subject: hi\n', 'Current Price: $0.12\n  Target-Price : $2\nOur RATING: buy\n'),
    ['STOCK'],
  ],
  [
    'the first label word anchored: "trading date" only at the start',
    mail('Subject: hi\n', 'Next trading date: Monday\nSector: energy\n'),
    [],
  ],
  [
    'a label with nothing after its colon on the line reads the next line',
    mail('Subject: hi\n', 'Symbol:\n\n  ACME\nSector: energy\n'),
    ['STOCK'],
  ],
  [
    'only the first text/plain part is read',
    mail(
      'Subject: hi\nContent-Type: multipart/mixed; boundary=b\n',
      '--b\nContent-Type: text/plain\n\nHello\n--b\nContent-Type: text/plain\n\nSymbol: ACME\nSector: energy\n--b--\n',
    ),
    [],
  ],
  [
    'a label longer than 30 octets',
    mail('Subject: hi\n', 'The symbol of the company we love: ACME\nSector: energy\n'),
    [],
  ],
];

describe('check_header_count_range and check_stock_info', () => {
  for (const [name, text, expected] of CASES)
    it(`${name}: ${expected.join(', ') || 'none'}`, () => {
      expect(fire(text)).toEqual(expected);
    });

  it('reads hostile text in linear time: 200,000 blank lines, 100,000 unfinished labels', () => {
    expect(stockLabels(`${'\n'.repeat(200_000)}Symbol: A\nSector: B\n`)).toBe(2);
    expect(stockLabels(`${'abc '.repeat(10)}\n`.repeat(100_000))).toBe(0);
  });
});

describeWithPeer(
  debianSpamAssassin,
  'check_header_count_range and check_stock_info against spamassassin',
  () => {
    it('fires on the same messages', () => {
      const theirs = spamAssassinFiredEach(
        CASES.map(([, text]) => text),
        RULES,
        NAMES,
      );
      for (const [index, [name, text]] of CASES.entries())
        expect([name, fire(text)]).toEqual([name, theirs[index]]);
    }, 600_000);
  },
);
