// __FILL_THIS_FORM_LONG2 and __FILL_THIS_FORM_SHORT2 matched over sets of positions
// (fill-this-form-patterns.ts): the same answer as re2js running the rules' pattern, and as
// Perl, on texts built from the pattern's own pieces; work linear in the text.
import { existsSync } from 'node:fs';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { perlMatches } from './perl-matches.js';
import { findDebianRuleDirectory, loadSpamAssassinRules } from '../src/index.js';
import type { SaConfig } from '../src/spamassassin/cf-parser.js';
import {
  FILL_THIS_FORM_LONG2,
  FILL_THIS_FORM_SEARCHES,
  FILL_THIS_FORM_SHORT2,
} from '../src/spamassassin/fill-this-form-patterns.js';
import { HAND_WRITTEN_PATTERNS } from '../src/spamassassin/hand-written-patterns.js';
import { readPerlMatch, translatePerlRegex } from '../src/spamassassin/perl-regex.js';
import { PositionSetPattern, PositionSetText } from '../src/spamassassin/position-set-pattern.js';
import { replaceTags } from '../src/spamassassin/replace-tags.js';

const KEYS = [FILL_THIS_FORM_LONG2, FILL_THIS_FORM_SHORT2];

/** re2js running the pattern as the rule set would without the hand-written matcher. */
function re2jsMatches(key: string): (text: string) => boolean {
  const translated = translatePerlRegex(key.slice('(?i)'.length), 'i');
  if (!translated.ok) throw new Error(translated.reason);
  return (text) => translated.regex.matcher(text).find();
}

function ours(key: string): (text: string) => boolean {
  return HAND_WRITTEN_PATTERNS.get(key)!;
}

// Form fields from the tags' words, with what may go before and after them, and near misses:
// a letter short or doubled, other case, words of prose that share their letters.
const YOUR = fc.constantFrom('', '', 'your ', 'Your: ', 'a copy of ', 'full ', 'present valid ');
const FIELD_WORD = fc.constantFrom(
  'name',
  'Names',
  'nam',
  'first name',
  'address',
  'adress',
  'ADDRES',
  'addre',
  'country',
  'contry',
  'city',
  'state',
  'zip code',
  'phone',
  'telephone number',
  'tel no.',
  'mobile #',
  'fax',
  'age',
  'sex',
  'marital status',
  'date of birth',
  'occupation',
  'occuption',
  'income',
  'monthly income',
  'e-mail',
  'email address',
  'bank name',
  'account number',
  'passport',
  'pasport no',
  'id card',
  'amount won',
  'amount you have lost',
  'login name',
  'reference number',
  'ref no.',
  'nationality',
  'religion',
  'Staatsangeh\xf6rigkeit',
  'vollst\xe4ndige name',
  'VOLLST\xc4NDIGE name',
  'zaw\xf3d',
  'endere\xe7o',
  'user',
);
const NEAR_MISS = fc.constantFrom('message', 'page', 'the', 'send', 'nme', 'adr', 'telephon', 'sx');
const FIELD = fc.oneof({ arbitrary: FIELD_WORD, weight: 5 }, { arbitrary: NEAR_MISS, weight: 1 });
const SUFFIX = fc.constantFrom('', '', ':', ' in full:', ' (required)', '(', ' (a)b)');
const END = fc.constantFrom(
  ' ',
  ': ',
  ':____',
  '.....',
  ' - ',
  '\t',
  '\n',
  '&#95;&#95;',
  '&#1234;',
  '\xe2\x80\xa6',
  '\x85',
  ' / ',
  ' and ',
  ' or ',
  ', ',
  '&',
  ' Please fill in here ',
);
const ODD_END = fc.constantFrom('!! ', '', ' Please', 'x', ' Please write your answers in full');
const FIELD_END = fc.oneof({ arbitrary: END, weight: 5 }, { arbitrary: ODD_END, weight: 1 });
const field = fc.tuple(YOUR, FIELD, SUFFIX, FIELD_END).map((parts) => parts.join(''));
const NOISE = fc.constantFrom('', '', '', 'Dear sir, ', 'send us ', '1. ', 'hello ', '\n');
const formTexts = fc
  .tuple(NOISE, fc.array(field, { minLength: 2, maxLength: 10 }), NOISE)
  .map(([before, fields, after]) => before + fields.join('') + after);

describe('the fill-this-form patterns over sets of positions', () => {
  const texts = fc.sample(formTexts, { seed: 4, numRuns: 600 });

  it('match exactly where re2js matches the rules pattern, near misses included', () => {
    for (const key of KEYS) {
      const re2js = re2jsMatches(key);
      const matcher = ours(key);
      const results = texts.map((text) => [matcher(text), re2js(text)]);
      const disagreements = texts.filter((_, i) => results[i]![0] !== results[i]![1]);
      expect(disagreements, key.slice(0, 40)).toEqual([]);
      // The texts hold both answers often, so the agreement says something.
      const matched = results.filter(([, expected]) => expected).length;
      expect(matched).toBeGreaterThan(texts.length / 15);
      expect(matched).toBeLessThan(texts.length * 0.9);
    }
  });

  it('match where Perl matches (texts without what only re2js folds or spaces)', () => {
    // Perl's /i does not fold octets over 0x7f in a byte string, and its \s takes \v: the
    // texts here leave out upper-case Latin-1 letters, where the two engines differ.
    const perlTexts = texts.filter((text) => !/[\xc0-\xde\v]/.test(text));
    const perl = perlMatches(
      KEYS.map((key): [string, string] => [key.slice('(?i)'.length), 'i']),
      perlTexts,
    );
    KEYS.forEach((key, k) => {
      const matcher = ours(key);
      const disagreements = perlTexts.filter((text, t) => matcher(text) !== perl[k]![t]);
      expect(disagreements, key.slice(0, 40)).toEqual([]);
    });
  });

  it('fold case as re2js does: Latin-1 letters, and the long s and Kelvin sign onto ASCII', () => {
    for (const key of KEYS) {
      const re2js = re2jsMatches(key);
      const matcher = ours(key);
      for (const text of [
        'VOLLST\xc4NDIGE NAME: __ NAME: __ AGE: __ SEX: __ CITY: __',
        'Name: __ \u017fex: __ Age: __ City: __ Country: __',
        'Name: __ Ban\u212a name: __ Age: __ City: __ Country: __',
        'ENDERE\xc7O: __ Name: __ Age: __',
      ])
        expect(matcher(text), text).toBe(re2js(text));
    }
  });

  it('do work linear in the text, hostile texts and forms 100 times over included', () => {
    const bases = [
      'Name: ____ Address: ____ Phone: ____ Age: ___ Country: ___ ',
      'name' + ' '.repeat(150),
      'address' + '_'.repeat(150) + 'ssssss',
      'addddddresssssss ',
      '& & & & & / / / ',
      'your your your full full ',
      'message page the state of the age ',
      '&#12;&#12;&#12;\xe2\x80\xa6\xe2\x80\xa6',
    ];
    for (const key of KEYS) {
      const search = FILL_THIS_FORM_SEARCHES.get(key)!;
      for (const base of bases) {
        // Over 50 copies, so that where a chain of fields ends early weighs little.
        const once = new PositionSetText(base.repeat(50), true);
        search(once);
        const hundredfold = new PositionSetText(base.repeat(5000), true);
        search(hundredfold);
        expect(hundredfold.work, JSON.stringify(base)).toBeLessThanOrEqual(100 * once.work * 1.1);
      }
    }
  });

  it('end where they end from every position when searched from the screened starts', () => {
    const sorted = (positions: number[]) => [...positions].sort((a, b) => a - b);
    for (const key of KEYS) {
      const pattern = PositionSetPattern.compile(key.slice('(?i)'.length), true);
      for (const text of texts.slice(0, 200)) {
        const everywhere = new PositionSetText(text, true);
        const screened = new PositionSetText(text, true);
        expect(sorted(pattern.endsAnywhere(screened)), text).toEqual(
          sorted(pattern.ends(everywhere, everywhere.everyPosition())),
        );
      }
    }
  });

  it('refuse what they cannot run in linear time or do not read as re2js does', () => {
    for (const source of ['(?:ab)+', 'a+?', '^a', 'a.b', '(?=a)', '(a)\\1', 'x{2,}y'])
      expect(() => PositionSetPattern.compile(source, false), source).toThrow();
    const pattern = PositionSetPattern.compile('a+b[^\\w]{0,3}\\bc', true);
    expect(pattern.test('xAAB!!C')).toBe(true);
    expect(pattern.test('xAABC')).toBe(false);
    expect(pattern.test('xAAB!!!!C')).toBe(false);
  });
});

const spamassassinRules = {
  name: "Debian's spamassassin rules",
  available: existsSync('/usr/share/spamassassin/72_active.cf') && commandAvailable('perl'),
  install: 'apt-get install spamassassin',
};

describeWithPeer(spamassassinRules, 'the fill-this-form rules of the rule files', () => {
  let config: SaConfig;
  beforeAll(async () => {
    ({ config } = await loadSpamAssassinRules((await findDebianRuleDirectory())!));
  });

  it('are the keys the hand-written matchers are found by', () => {
    for (const [name, key] of [
      ['__FILL_THIS_FORM_LONG2', FILL_THIS_FORM_LONG2],
      ['__FILL_THIS_FORM_SHORT2', FILL_THIS_FORM_SHORT2],
    ] as const) {
      const match = readPerlMatch(config.rules.get(name)!.spec)!;
      expect(`(?${match.flags})${replaceTags(match.pattern, config)}`, name).toBe(key);
    }
  });
});
