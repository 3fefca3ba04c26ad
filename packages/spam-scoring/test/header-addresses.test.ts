import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';
import {
  MAX_HEADER_ADDRESSES,
  parseHeaderAddresses,
} from '../src/spamassassin/header-addresses.js';
import { debianSpamAssassin, spamAssassinEach } from './helpers.js';

// Header values SpamAssassin's own address parser (Util.pm `_parse_header_addresses`) reads in
// ways RFC 5322 does not: the training messages' To and From lines (spam-1/00096, 00133, 00159,
// 00089, 00319, 00381, easy-ham-1/00495), Python's email test messages (msg_15: `To: XX`) and
// the forms around them.
const VALUES = [
  'bob@example.org',
  'Bob <bob@example.org>',
  '"Bob, Jr." <bob@example.org>, carol@example.net',
  'bob@example.org (Bob Smith)',
  'XX',
  'foo bar',
  '<foo>',
  'x@',
  '@x',
  'a b@c.d',
  '<Undisclosed-Recipient:;@spamassassin.taint.org>',
  '<undisclosed-recipients:@webnote.net;>',
  'undisclosed-recipients:;',
  'Undisclosed Recipients <>',
  'friends: a@b.example, d@e.example;',
  '"" <>',
  '<....@dogma.slashnull.org>',
  '<"Books@Books"@BlackRealityPublishing.com>',
  '"OPtinList" <itshappening07@yahoo.co.uk>',
  'harley@argote.ch ((Robert Harley))',
  "'Single Quoted' <sq@example.org>",
  '=?iso-8859-1?Q?Andr=E9?= <andre@example.fr>',
  '=?UTF-8?Q?"Foobar"_<noreply@foobar.com>?=',
  'a@b.example <c@d.example>',
  'Name <a@b.example> <c@d.example>',
  '"unclosed <a@b.example>',
  'first@a.example second@b.example',
  'bob@example.org@evil.example',
  '"bob@example.org"',
  'Jo "Q" Public <jq@example.org>',
  '"bob@example.org" <>',
  '"bob@example.org"<>',
];

const mail = (to: string) =>
  `From: sender@example.org\r\nTo: ${to}\r\nCc: ${to}\r\nSubject: s\r\n\r\nbody\r\n`;

const ours = (text: string, header: string) => {
  const bytes = Buffer.from(text, 'latin1');
  const view = new SaMessageView(bytes, summarize(bytes));
  return ['addr', 'name'].map((modifier) => view.header(header, modifier as 'addr' | 'name') ?? '');
};

describeWithPeer(debianSpamAssassin, "header addresses against SpamAssassin's get()", () => {
  it('gives every value the :addr and :name of get() in scalar context (To, and ToCc decoded)', () => {
    const messages = VALUES.map(mail);
    const theirs = spamAssassinEach(
      messages,
      "[ map { scalar($pms->get($_)) // '' } qw(To:addr To:name ToCc:addr ToCc:name) ]",
    );
    for (const [index, text] of messages.entries())
      expect([...ours(text, 'To'), ...ours(text, 'ToCc')], VALUES[index]).toEqual(theirs[index]);
  });
});

describe('parseHeaderAddresses', () => {
  it('reads a group, a bare word, an empty enclosure and a phrase that is an address', () => {
    expect(parseHeaderAddresses('friends: a@b.example, d@e.example;')).toEqual([
      { address: 'a@b.example', phrase: null },
      { address: 'd@e.example', phrase: null },
    ]);
    expect(parseHeaderAddresses('XX')).toEqual([{ address: null, phrase: 'XX' }]);
    expect(parseHeaderAddresses('<>')).toEqual([{ address: null, phrase: null }]);
    // Swapped only where the phrase is the address alone: the space before `<` is the phrase's.
    expect(parseHeaderAddresses('"bob@example.org"<>')).toEqual([
      { address: 'bob@example.org', phrase: null },
    ]);
    expect(parseHeaderAddresses('"bob@example.org" <>')).toEqual([
      { address: null, phrase: 'bob@example.org ' },
    ]);
    expect(parseHeaderAddresses('  ')).toEqual([]);
  });

  // A hang shows as the test's timeout: the patterns run in re2js, linear in the value.
  it('reads hostile values and at most MAX_HEADER_ADDRESSES addresses', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `u${i}@example.org`).join(', ');
    expect(parseHeaderAddresses(many)).toHaveLength(MAX_HEADER_ADDRESSES);
    for (const hostile of [
      '"'.repeat(200_000),
      `${'a'.repeat(200_000)}@`,
      `<${'"a'.repeat(50_000)}`,
      `${'x ('.repeat(50_000)}`,
      `${'<'.repeat(100_000)}a@b.example>`,
      `\0${'\\'.repeat(100_001)}`,
    ])
      expect(parseHeaderAddresses(hostile).length).toBeLessThanOrEqual(MAX_HEADER_ADDRESSES);
  }, 30_000);
});
