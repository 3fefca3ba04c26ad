import type { RegistryLists } from '../spamassassin/registry-boundaries.js';
import type { BayesFilterOptions } from './bayes-filter.js';
import { type BayesStopwordSettings, bayesStopwords } from './bayes-stopwords.js';

/** What the rule files say about Bayes's tokens: an SaConfig (cf-parser.ts collects it) is one. */
export interface BayesRuleSettings extends BayesStopwordSettings, RegistryLists {
  /** `bayes_ignore_header` names, lower case. */
  readonly bayesIgnoreHeaders: ReadonlySet<string>;
}

/**
 * BayesFilter's options for the tokens the rule files ask for: their stopwords, the headers they
 * tell Bayes to leave out, and the TLDs and redirector patterns that decide the URIs. Whatever
 * learns and whatever classifies against one database must build its filter from the same rule
 * files, or the tokens learned are not the ones looked up (a header learned from and then
 * ignored, a word left out of one side only).
 */
export function bayesRuleOptions(
  settings: BayesRuleSettings,
): Pick<BayesFilterOptions, 'stopwords' | 'ignoredHeaders' | 'registry'> {
  return {
    stopwords: bayesStopwords(settings),
    ignoredHeaders: settings.bayesIgnoreHeaders,
    registry: {
      validTlds: settings.validTlds,
      twoLevelDomains: settings.twoLevelDomains,
      threeLevelDomains: settings.threeLevelDomains,
      redirectorPatterns: settings.redirectorPatterns,
    },
  };
}
