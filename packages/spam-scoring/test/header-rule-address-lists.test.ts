import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import { message, ruleFirer, spamAssassinFiredEach } from './helpers.js';

// A header rule's `:addr` and `:name` read every address (display name) of the header, a line
// each: Check.pm asks `get` for the list and joins it with newlines (SpamAssassin 4). The evals'
// `get` in scalar context still gives the first alone. spam-1/00252's From of two addresses
// fires FROM_ADDR_WS's `From:addr =~ /\s/` on the newline between them.

const RULES = [
  'header T_ADDR_WS       From:addr =~ /\\s/',
  'header T_SECOND_ADDR   From:addr =~ /second\\.example/',
  'header T_ADDR_END      From:addr =~ /first\\.example$/',
  'header T_TO_ALL        To:addr =~ /^carol\\@/m',
  'header T_NAME_SECOND   From:name =~ /Second Person/',
  'header T_NAME_LINES    From:name =~ /Person\\nSecond/',
  'header T_NAME_UNQUOTED From:name =~ /^deals\\@/',
  'score T_ADDR_WS 0.01',
  'score T_SECOND_ADDR 0.01',
  'score T_ADDR_END 0.01',
  'score T_TO_ALL 0.01',
  'score T_NAME_SECOND 0.01',
  'score T_NAME_LINES 0.01',
  'score T_NAME_UNQUOTED 0.01',
].join('\n');

const mail = (from: string, to = 'bob@example.net') =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: addresses\r\nMessage-ID: <x@example.net>\r\n` +
  'Date: Sun, 06 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n';

// [what it shows, message]
const CASES: [string, string][] = [
  ['one address', mail('First Person <one@first.example>')],
  [
    'two addresses: both read, a line each',
    mail('First Person <one@first.example>, Second Person <two@second.example>'),
  ],
  ['two From fields', mail('one@first.example\r\nFrom: two@second.example')],
  ['the recipients after the first', mail('a@x.example', 'bob@example.net, carol@example.net')],
  ['a name on the second address only', mail('one@first.example, Second Person <two@s.example>')],
  // get() takes single quotes around a whole display name off.
  // easy-ham-1/00002's To.
  ['a name in single quotes', mail(`"'deals@shop.example'" <deals@shop.example>`)],
];

const fire = ruleFirer(RULES);

describe('header rules read every address', () => {
  it('fires on the second address and on the newline between two', () => {
    expect(fire(CASES[1]![1])).toEqual([
      'T_ADDR_WS',
      'T_NAME_LINES',
      'T_NAME_SECOND',
      'T_SECOND_ADDR',
    ]);
  });

  it('still gives the evals the first address alone', () => {
    const m = message(CASES[1]![1]);
    const view = new SaMessageView(m.bytes, m.summary);
    expect(view.header('From', 'addr')).toBe('one@first.example');
    expect(view.header('From', 'name')).toBe('First Person');
    expect(view.header('From', 'addr', true)).toBe('one@first.example\ntwo@second.example');
  });
});

describeWithPeer(
  {
    name: 'spamassassin',
    available: commandAvailable('spamassassin'),
    install: 'apt-get install spamassassin',
  },
  "header rules' addresses against spamassassin -t",
  () => {
    let theirs: string[][];
    beforeAll(() => {
      theirs = spamAssassinFiredEach(
        CASES.map(([, text]) => text),
        RULES,
        /^T_/,
      );
    });

    it('fires what SpamAssassin fires, case by case', () => {
      expect(fire.rules.unsupported).toEqual([]);
      CASES.forEach(([what, text], i) => expect(fire(text), what).toEqual(theirs[i]));
    });
  },
);
