/**
 * Bayes stopwords, after SpamAssassin 4's Plugin/Bayes.pm (`parse_config`, `_tokenize_line`
 * near "check stopwords regexp"): a word that matches `^(?i)<bayes_stopword_xx>$` for one of
 * the `bayes_stopword_languages` (default `en`) never becomes a token, in any region (body,
 * URIs, headers). The regexes come from the rule files (60_bayes_stopwords.cf), as SpamAssassin
 * reads them; without rule files, Bayes.pm's own English list.
 */
import { translatePerlRegex } from '../spamassassin/perl-regex.js';
import type { RE2JS } from 're2js';

/** Tells whether a token (a binary string, one character per octet) is a stopword. */
export type BayesStopwords = (token: string) => boolean;

/** Bayes.pm's built-in English list, used when no rule file defines `bayes_stopword_en`. */
export const BUILT_IN_ENGLISH_STOPWORDS =
  "(?:a(?:ble|l(?:ready|l)|n[dy]|re)|b(?:ecause|oth)|c(?:an|ome)|e(?:ach|mail|ven)|f(?:ew|irst|or|rom)|give|h(?:a(?:ve|s)|ttp)|i(?:n(?:formation|to)|t\\'s)|just|know|l(?:ike|o(?:ng|ok))|m(?:a(?:de|il(?:(?:ing|to))?|ke|ny)|o(?:re|st)|uch)|n(?:eed|o[tw]|umber)|o(?:ff|n(?:ly|e)|ut|wn)|p(?:eople|lace)|right|s(?:ame|ee|uch)|t(?:h(?:at|is|rough|e)|ime)|using|w(?:eb|h(?:ere|y)|ith(?:out)?|or(?:ld|k))|y(?:ears?|ou(?:(?:\\'re|r))?))";

/** At most this many words' answers are remembered by one stopword test (memory stays bounded). */
export const STOPWORD_CACHE_SIZE = 100_000;

/** SpamAssassin's default `bayes_stopword_languages`. */
export const DEFAULT_STOPWORD_LANGUAGES: readonly string[] = ['en'];

/** What the rule files said about stopwords: an SaConfig (cf-parser.ts collects it) is one. */
export interface BayesStopwordSettings {
  /** `bayes_stopword_xx REGEX`: the regex of each language (lower-case code), the last one read. */
  readonly bayesStopwordRegexes: ReadonlyMap<string, string>;
  /** `bayes_stopword_languages`: null when no file set it (then `en`); empty for `disable`. */
  readonly bayesStopwordLanguages: readonly string[] | null;
}

/**
 * Octets 80-FF moved to the private use area (U+E080-U+E0FF) on both sides, so that the
 * case-insensitive match folds ASCII only, as Perl does on a string of octets: RE2 would
 * otherwise take the octet C3 for the letter Ã and match it against E3.
 */
const HIGH_OCTET_BASE = 0xe000;
function hideHighOctets(text: string): string {
  return text.replace(/[\x80-\xff]/g, (octet) =>
    String.fromCharCode(HIGH_OCTET_BASE + octet.charCodeAt(0)),
  );
}
function hideHighOctetEscapes(pattern: string): string {
  return pattern
    .replace(
      /(\\\\)|\\x([89a-fA-F][0-9a-fA-F])/g,
      (all, escaped: string | undefined, hex: string) =>
        escaped ? all : `\\x{${(HIGH_OCTET_BASE + parseInt(hex, 16)).toString(16)}}`,
    )
    .replace(
      /[\x80-\xff]/g,
      (octet) => `\\x{${(HIGH_OCTET_BASE + octet.charCodeAt(0)).toString(16)}}`,
    );
}

/**
 * Compiles one language's regex as Bayes.pm does (`^(?i)` + regex + `$`; Perl's `(?^:` groups
 * read as plain groups), to a linear-time RE2 program, or the reason it cannot be compiled
 * (SpamAssassin warns and keeps the language's previous regex).
 */
export function compileStopwordRegex(regex: string): { regex: RE2JS } | { reason: string } {
  // Not wrapped in a group, as Bayes.pm does not: `you|me` is `^you` or `me$`.
  const pattern = `^${hideHighOctetEscapes(regex.replace(/\(\?\^:/g, '(?:'))}$`;
  const translated = translatePerlRegex(pattern, 'i');
  return translated.ok ? { regex: translated.regex } : { reason: translated.reason };
}

/**
 * The stopword test for the given settings (a parsed rule set's SaConfig, or none): each enabled language's regex (a language without
 * one is left out, as Bayes.pm warns and leaves it out), English from Bayes.pm when no file
 * defines it. Returns null when no language is enabled (`bayes_stopword_languages disable`).
 */
export function bayesStopwords(
  settings: BayesStopwordSettings = {
    bayesStopwordRegexes: new Map(),
    bayesStopwordLanguages: null,
  },
): BayesStopwords | null {
  const sources = new Map<string, string>([['en', BUILT_IN_ENGLISH_STOPWORDS]]);
  for (const [language, regex] of settings.bayesStopwordRegexes) {
    if (compileStopwordRegexOk(regex)) sources.set(language.toLowerCase(), regex);
  }
  const regexes: RE2JS[] = [];
  for (const language of settings.bayesStopwordLanguages ?? DEFAULT_STOPWORD_LANGUAGES) {
    const source = sources.get(language.toLowerCase());
    if (source === undefined) continue;
    const compiled = compileStopwordRegex(source);
    if ('regex' in compiled) regexes.push(compiled.regex);
  }
  if (regexes.length === 0) return null;
  // Mail repeats its words: each is matched once, up to STOPWORD_CACHE_SIZE of them (a long
  // run of text is no word worth remembering).
  const cache = new Map<string, boolean>();
  return (token) => {
    let known = cache.get(token);
    if (known === undefined) {
      const hidden = hideHighOctets(token);
      known = regexes.some((regex) => regex.matcher(hidden).matches());
      if (cache.size < STOPWORD_CACHE_SIZE && token.length <= 64) cache.set(token, known);
    }
    return known;
  };
}

function compileStopwordRegexOk(regex: string): boolean {
  return 'regex' in compileStopwordRegex(regex);
}

/** SpamAssassin's default: English, from the rule files or Bayes.pm. */
export const DEFAULT_BAYES_STOPWORDS: BayesStopwords | null = bayesStopwords();
