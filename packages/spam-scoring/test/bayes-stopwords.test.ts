import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BAYES_STOPWORDS,
  STOPWORD_CACHE_SIZE,
  SaMessageView,
  bayesStopwords,
  bayesTokens,
  emptySaConfig,
  parseCfFile,
} from '../src/index.js';
import { message } from './helpers.js';

const DEBIAN_STOPWORDS = '/usr/share/spamassassin/60_bayes_stopwords.cf';
const fixture = readFileSync(join(import.meta.dirname, 'fixtures', 'bayes-stopwords.eml'));
const view = (bytes: Uint8Array) => {
  const m = message(bytes);
  return new SaMessageView(m.bytes, m.summary);
};

/**
 * What SpamAssassin 4.0.1 skips in test/fixtures/bayes-stopwords.eml, its "skipped token" lines of
 * `sa-learn --dbpath /tmp/db/bayes --spam -D bayes test/fixtures/bayes-stopwords.eml`
 * (sorted, once each), Debian's 60_bayes_stopwords.cf loaded.
 */
const SKIPPED_BY_SPAMASSASSIN = [
  'EMAIL',
  'Mail',
  'Mailing',
  'THIS',
  'The',
  'YOU',
  'and',
  'can',
  'email',
  'for',
  'from',
  'http',
  'information',
  "it's",
  'just',
  'know',
  'mail',
  'more',
  'number',
  'one',
  'people',
  'see',
  'the',
  'time',
  'web',
  'without',
  'work',
  'years',
  'you',
  "you're",
  'your',
];

describe('Bayes stopwords', () => {
  it('skips the words SpamAssassin skips in the same message, in the body, the URIs and the header', () => {
    const skipped = new Set<string>();
    bayesTokens(view(fixture), (token) => {
      const stop = DEFAULT_BAYES_STOPWORDS!(token);
      if (stop) skipped.add(token);
      return stop;
    });
    expect([...skipped].sort()).toEqual(SKIPPED_BY_SPAMASSASSIN);
  });

  it('gives no token for a stopword, but keeps what its punctuated form breaks out', () => {
    const tokens = bayesTokens(view(fixture));
    for (const word of ['You', 'YOU', 'your', 'email', 'EMAIL', 'the', 'and', 'http'])
      expect(tokens).not.toContain(word);
    // "you!" is not a stopword (the regex is anchored), and its broken-out "you" stays a token.
    expect(tokens).toEqual(expect.arrayContaining(['you!', 'you']));
    expect(tokens).toEqual(expect.arrayContaining(['should', 'worry', 'delay']));
    // Without stopwords (bayes_stopword_languages disable) they are tokens again.
    const all = bayesTokens(view(fixture), null);
    expect(all).toEqual(expect.arrayContaining(['you', 'EMAIL', 'email', 'the', 'and']));
  });

  it.skipIf(!existsSync(DEBIAN_STOPWORDS))(
    'reads the languages and regexes of the rule files, as Bayes.pm does',
    () => {
      const config = emptySaConfig();
      parseCfFile(config, '60_bayes_stopwords.cf', readFileSync(DEBIAN_STOPWORDS, 'latin1'));
      expect(config.problems).toEqual([]);
      expect([...config.bayesStopwordRegexes.keys()].sort()).toEqual(
        expect.arrayContaining(['de', 'en', 'es', 'fr']),
      );
      // Default: English only.
      const english = bayesStopwords(config)!;
      expect(english('Information')).toBe(true);
      expect(english('informations')).toBe(false);
      expect(english('oder')).toBe(false);
      // A user's `bayes_stopword_languages en de` (the last such line wins).
      parseCfFile(config, 'local.cf', 'bayes_stopword_languages en, de\n');
      const both = bayesStopwords(config)!;
      expect(both('oder')).toBe(true);
      expect(both('ODER')).toBe(true);
      // Octets are matched as octets: "über" in UTF-8, and not its capital (Perl folds ASCII only).
      expect(both('\xc3\xbcber')).toBe(true);
      expect(both('\xc3\x9cber')).toBe(false);
      expect(both('\xe3\xbcber')).toBe(false);
      // A user's own regex, and `disable`.
      parseCfFile(config, 'local.cf', 'bayes_stopword_en (?:foo|bar)\n');
      expect(bayesStopwords(config)!('FOO')).toBe(true);
      expect(bayesStopwords(config)!('you')).toBe(false);
      parseCfFile(config, 'local.cf', 'bayes_stopword_languages disable\n');
      expect(bayesStopwords(config)).toBeNull();
      parseCfFile(config, 'local.cf', 'bayes_stopword_languages english\n');
      expect(config.problems.map((p) => p.message)).toEqual([
        'bayes_stopword_languages: "english" is no two-letter language code',
      ]);
    },
  );
  it('answers the same past STOPWORD_CACHE_SIZE words, and for words too long to remember', () => {
    const stopwords = bayesStopwords()!;
    for (let i = 0; i <= STOPWORD_CACHE_SIZE; i++) expect(stopwords(`w${i}`)).toBe(false);
    for (const word of ['you', 'YOUR', 'email']) expect(stopwords(word)).toBe(true);
    expect(stopwords('x'.repeat(100_000))).toBe(false);
    expect(stopwords('people')).toBe(true);
  });
});
