import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROM_EQ_ORG_PATTERN } from '../src/spamassassin/from-eq-org-pattern.js';
import { FROM_TWO_ADDRESSES_PATTERN } from '../src/spamassassin/from-two-addresses-pattern.js';
import { FORGED_WROTE_RECEIVED_PATTERN } from '../src/spamassassin/forged-wrote-received-pattern.js';
import { SPOOFED_URL_PATTERN } from '../src/spamassassin/spoofed-url-pattern.js';
import { TO_NAME_EQ_LOCAL_PATTERN } from '../src/spamassassin/to-name-eq-local-pattern.js';
import { FROM_NAME_IN_MESSAGE_PATTERN } from '../src/spamassassin/from-name-in-message-pattern.js';
import { SPAMMY_IMAGE_LINK_PATTERNS } from '../src/spamassassin/spammy-image-link-patterns.js';
import { TO_EQ_FROM_NAME_PATTERN } from '../src/spamassassin/to-eq-from-name-pattern.js';
import { RECEIVED_FOR_IN_SUBJECT_PATTERN } from '../src/spamassassin/received-for-in-subject-pattern.js';
import { SUBJECT_ADDRESS_IN_TO_PATTERN } from '../src/spamassassin/subject-address-in-to-pattern.js';
import { FROM_NAME_EQ_TO_PATTERN } from '../src/spamassassin/from-name-eq-to-pattern.js';
import { FILL_THIS_FORM_SEARCHES } from '../src/spamassassin/fill-this-form-patterns.js';
import { HAND_WRITTEN_PATTERNS } from '../src/spamassassin/hand-written-patterns.js';
import { IP_IN_RELAY_PATTERN } from '../src/spamassassin/ip-in-relay-pattern.js';
import { PDS_PATTERNS } from '../src/spamassassin/pds-patterns.js';
import { RELAY_TWICE_PATTERNS } from '../src/spamassassin/relay-twice-patterns.js';
import {
  SUBJECT_HAS_PATTERNS,
  TO_EQ_FROM_PATTERNS,
} from '../src/spamassassin/to-eq-from-patterns.js';
import { URI_DOUBLE_DOMAIN_PATTERN } from '../src/spamassassin/uri-double-domain-pattern.js';
import { URI_LONG_REPEAT_PATTERN } from '../src/spamassassin/uri-long-repeat-pattern.js';
import { ZERO_TZ_PATTERNS } from '../src/spamassassin/zero-tz-patterns.js';
import { ruleFirer } from './helpers.js';

/** Perl's answer for each text (texts must not hold newlines). */
function perl(pattern: string, texts: string[]): boolean[] {
  const run = spawnSync(
    'perl',
    ['-ne', `chomp; print((/${pattern.replace(/\//g, '\\/')}/ ? 1 : 0), "\\n")`],
    { input: texts.join('\n') + '\n', encoding: 'latin1' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

const relay = fc
  .record({
    rdns: fc.constantFrom('', 'mx.example.net', 'MX.Example.NET', 'mx', 'a.b'),
    helo: fc.constantFrom('', 'mx.example.net', 'mx.EXAMPLE.net.extra', 'other', 'mx', '!1.2.3.4!'),
  })
  .map(({ rdns, helo }) => `[ ip=192.0.2.1 rdns=${rdns} helo=${helo} by=x ident= envfrom= ]`);
const relayTexts = fc
  .array(relay, { minLength: 0, maxLength: 3 })
  .map((relays) => relays.join(' '));

// From headers built from pieces that meet at the edges the pattern cares about: addresses
// that differ in case or by a character, quotes and spaces, a second `<`, one never closed.
const fromPiece = fc.constantFrom(
  'eve@shop.example',
  'EVE@Shop.Example',
  'xeve@shop.example',
  'eve@shop.ex',
  'eve@shop.e',
  'Eve Smith',
  '"',
  "'",
  '`',
  ' ',
  '\t',
  '<',
  '>',
  '< ',
  ',',
  'é',
  '\xa0',
);
const fromTexts = fc.array(fromPiece, { minLength: 0, maxLength: 8 }).map((p) => p.join(''));

// Addresses built from local parts that look random or not, each exception, an `@` or two.
const addressPiece = fc.constantFrom(
  'mail-',
  'bounce.',
  'Mail_',
  'mailx',
  'xkcdq',
  'BCDFG',
  'aeiou',
  'abab',
  'ABab',
  'ab',
  'zz',
  'zZ',
  'a',
  'q',
  '@',
  '@amazon.com',
  '@shop.cnn.co',
  '@example.com',
  '.com',
  '.',
  '+',
  '#',
  'kpmg',
  'mcbr',
  'tori',
  'abcdefghijklm',
);
const addressTexts = fc.array(addressPiece, { minLength: 0, maxLength: 6 }).map((p) => p.join(''));

/** The texts each pattern is checked on, by its Perl source (as in the rule files). */
const CASES: { rule: string; pattern: string; texts: fc.Arbitrary<string> }[] = [
  {
    rule: '__HELO_NOT_RDNS',
    pattern: '^[^\\]]+ rdns=(\\S+) helo=(?!(?i)\\1)\\S',
    texts: relayTexts,
  },
  {
    rule: '__NAME_EQ_EMAIL',
    pattern: '(?i)([\\w+.-]+\\@[\\w.-]+\\.\\w\\w+)["\'`\\s]*<\\s*\\1>',
    texts: fromTexts,
  },
  {
    rule: 'HK_RANDOM_FROM',
    pattern:
      '(?mi)^(?!(?:mail|bounce)[_.-]|[^@]*(?:[+=^~#-]|mc(?:b|g)r|kpmg|nlpbr|ndqv|lcgc|cplpr)|[^@]{26}|.*?\\@.{0,20}\\b(?:cmp-info|cmpgnr|cnn|tori|jysk|amadeus|amazon)\\.[a-z]{2,3}$)[^@]*(?:[bcdfgjklmnpqrtvwxz]{5}|[aeiouy]{5}|([a-z]{1,2})(?:\\1){3})',
    texts: addressTexts,
  },
];

describe('hand-written patterns agree with Perl', () => {
  it('every hand-written pattern is checked here (__TO_EQ_FROM_*, __IP_IN_RELAY and the form patterns in their own)', () => {
    const elsewhere = new Set([
      ...[
        ...TO_EQ_FROM_PATTERNS,
        IP_IN_RELAY_PATTERN,
        // Issue 15's, each in its own test file.
        ...RELAY_TWICE_PATTERNS,
        ...SUBJECT_HAS_PATTERNS,
        ...PDS_PATTERNS,
        ...ZERO_TZ_PATTERNS,
        URI_LONG_REPEAT_PATTERN,
        URI_DOUBLE_DOMAIN_PATTERN,
        // feat/spam-regex-rest's, each in its own test file.
        FROM_EQ_ORG_PATTERN,
        FROM_TWO_ADDRESSES_PATTERN,
        FORGED_WROTE_RECEIVED_PATTERN,
        SPOOFED_URL_PATTERN,
        TO_NAME_EQ_LOCAL_PATTERN,
        FROM_NAME_IN_MESSAGE_PATTERN,
        ...SPAMMY_IMAGE_LINK_PATTERNS,
        TO_EQ_FROM_NAME_PATTERN,
        RECEIVED_FOR_IN_SUBJECT_PATTERN,
        SUBJECT_ADDRESS_IN_TO_PATTERN,
        FROM_NAME_EQ_TO_PATTERN,
      ].map(([pattern]) => pattern),
      ...FILL_THIS_FORM_SEARCHES.keys(),
    ]);
    const here = [...HAND_WRITTEN_PATTERNS.keys()].filter((key) => !elsewhere.has(key));
    expect(here.sort()).toEqual(CASES.map((c) => c.pattern).sort());
    expect(TO_EQ_FROM_PATTERNS.every(([pattern]) => HAND_WRITTEN_PATTERNS.has(pattern))).toBe(true);
  });

  for (const { rule, pattern, texts: arbitrary } of CASES)
    it(`${rule}: ${pattern}`, () => {
      const match = HAND_WRITTEN_PATTERNS.get(pattern)!;
      const texts = fc.sample(arbitrary, { seed: 15, numRuns: 3000 });
      const expected = perl(pattern, texts);
      const disagreements = texts.filter((text, i) => match(text) !== expected[i]);
      expect(disagreements).toEqual([]);
      expect(expected.some(Boolean) && !expected.every(Boolean)).toBe(true);
    });
});

describe('a rule set runs a hand-written pattern with flags', () => {
  it('__NAME_EQ_EMAIL (/i) runs, and a meta reads it under !', () => {
    const fire = ruleFirer(
      [
        `header __NAME_EQ_EMAIL From:raw =~ /${CASES[1]!.pattern.slice(4)}/i`,
        'header __FROM_EXISTS exists:From',
        'meta NAME_EQ_EMAIL __NAME_EQ_EMAIL',
        'meta NAME_NOT_EMAIL __FROM_EXISTS && !__NAME_EQ_EMAIL',
      ].join('\n'),
      { subrules: true, sorted: false },
    );
    const { rules } = fire;
    expect(rules.unsupported).toEqual([]);
    const fired = (from: string) => fire(`From: ${from}\r\n\r\nbody\r\n`);
    expect(fired('"Eve@Shop.example" <eve@shop.example>')).toEqual(['NAME_EQ_EMAIL']);
    expect(fired('Eve <eve@shop.example>')).toEqual(['NAME_NOT_EMAIL']);
  });

  it('HK_RANDOM_FROM (/mi) runs on the From address', () => {
    const fire = ruleFirer(
      // As the rule file writes it: `#` starts a comment there, `\#` is the character.
      `header HK_RANDOM_FROM From:addr =~ /${CASES[2]!.pattern.slice(5).replace('#', '\\#')}/mi`,
      { sorted: false },
    );
    const { rules } = fire;
    expect(rules.unsupported).toEqual([]);
    const fired = (from: string) => fire(`From: ${from}\r\n\r\nbody\r\n`);
    expect(fired('"Q" <xkcdqw@example.com>')).toEqual(['HK_RANDOM_FROM']);
    expect(fired('"Xkcdq" <alice@example.com>')).toEqual([]);
    expect(fired('<mail-xkcdqw@example.com>')).toEqual([]);
  });
});
