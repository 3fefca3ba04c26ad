import type { MessageInput, SpamTest, TestHit } from '../core/spam-test.js';
import type { SpamVerdict } from '../core/spam-verdict.js';
import { SaMessageView } from '../spamassassin/message-view.js';
import { receiveDate } from '../spamassassin/receive-date.js';
import { NO_REGISTRY, type RegistryLists } from '../spamassassin/registry-boundaries.js';
import { type BayesExpiryPolicy, DEFAULT_BAYES_EXPIRY } from './bayes-expiry.js';
import type { BayesClass, BayesExpiryOutcome, BayesStore } from './bayes-store.js';
import { type BayesStopwords, DEFAULT_BAYES_STOPWORDS } from './bayes-stopwords.js';
import { BAYES_TOKENIZER_VERSION, bayesTokens } from './bayes-tokenizer.js';
import { legacyMessageSignature, messageSignature } from './message-signature.js';
import {
  type BayesMath,
  DEFAULT_BAYES_MATH,
  combineStrongest,
  strongest,
  tokenProbability,
} from './chi-square.js';

/** A probability band and the score it adds, as SpamAssassin's BAYES_xx rules. */
export interface BayesBand {
  readonly name: string;
  /** The band holds probabilities from the previous band's `below` up to (not including) this. */
  readonly below: number;
  readonly score: number;
}

/**
 * SpamAssassin 4.0's bands with the scores of its score set 2 (Bayes on, network tests off),
 * from 50_scores.cf. BAYES_999 (0.999 and up) adds on top of BAYES_99.
 */
export const DEFAULT_BAYES_BANDS: readonly BayesBand[] = [
  { name: 'BAYES_00', below: 0.01, score: -1.5 },
  { name: 'BAYES_05', below: 0.05, score: -0.3 },
  { name: 'BAYES_20', below: 0.2, score: -0.001 },
  { name: 'BAYES_40', below: 0.4, score: -0.001 },
  { name: 'BAYES_50', below: 0.6, score: 2.0 },
  { name: 'BAYES_60', below: 0.8, score: 2.5 },
  { name: 'BAYES_80', below: 0.95, score: 2.7 },
  { name: 'BAYES_95', below: 0.99, score: 3.2 },
  { name: 'BAYES_99', below: Infinity, score: 3.8 },
];
const BAYES_999 = { name: 'BAYES_999', from: 0.999, score: 0.2 };

export interface AutoLearnThresholds {
  /** Learn as spam at or above this score (the other tests' raw sum, Bayes left out). Default 12. */
  readonly spamScore: number;
  /** Learn as ham at or below this score. Default 0.1. */
  readonly hamScore: number;
}

export interface BayesFilterOptions {
  readonly store: BayesStore;
  /** Spam messages that must be learned before the filter scores (Kerio: 200). */
  readonly minSpam?: number;
  /** Ham messages that must be learned before the filter scores (Kerio: 200). */
  readonly minHam?: number;
  /**
   * Learn from messages the other tests are sure about. SpamAssassin's default thresholds;
   * Kerio does not document its own. null: no auto-learning. Default on.
   */
  readonly autoLearn?: AutoLearnThresholds | null;
  readonly bands?: readonly BayesBand[];
  readonly math?: Partial<BayesMath>;
  /**
   * Words that give no token (bayes-stopwords.ts): default SpamAssassin's English list
   * (`bayes_stopword_languages en`); `bayesStopwords(ruleSettings)` for the rule files' languages
   * and regexes; null for none (`bayes_stopword_languages disable`). The same list must be used
   * to learn and to classify.
   */
  readonly stopwords?: BayesStopwords | null;
  /**
   * Headers Bayes does not read, by name (any case): the rule files' `bayes_ignore_header` list
   * (`loadSpamAssassinRules(dir).config.bayesIgnoreHeaders`; Debian's 72_active.cf names 331,
   * Precedence, X-MSMail-Priority, X-AntiAbuse...). Default none, as SpamAssassin without rule
   * files. The same list must be used to learn and to classify.
   */
  readonly ignoredHeaders?: Iterable<string>;
  /**
   * The TLDs and registries the rule files list (`util_rb_tld`, `util_rb_2tld`, `util_rb_3tld`;
   * a loaded SaConfig is one): which bare host names and addresses of the text are URIs, whose
   * words Bayes reads. Default none, as SpamAssassin without rule files: only links under an
   * IP address count. The same lists must be used to learn and to classify.
   */
  readonly registry?: RegistryLists;
  /**
   * Token expiry (bayes-expiry.ts): SpamAssassin's by default (a database over 150,000 tokens
   * forgets those whose newest message is oldest, down towards 112,500, at most every 12 hours,
   * when a message is classified); null: every token is kept (`bayes_auto_expire 0`). A store
   * without `expire` keeps every token either way.
   */
  readonly expiry?: Partial<BayesExpiryPolicy> | null;
  /**
   * The clock (milliseconds, default `Date.now`): the receive time of a message no header dates,
   * and when an expiry is due.
   */
  readonly clock?: () => number;
}

export interface BayesClassification {
  /**
   * The spam probability, or null while the filter is inactive (too little learned) or when no
   * token of the message is known well enough to say anything.
   */
  readonly probability: number | null;
  readonly tokens: number;
}

/**
 * What learning a message did. `refused`: nothing, the database is of another tokenizer's
 * version (see BayesFilter.status). `full`: nothing, the database is at the expiry's hard limit
 * and an expiry could not bring it under (its tokens are all too recent); moving or forgetting a
 * message learned before still works.
 */
export type LearnOutcome = 'learned' | 'relearned' | 'unlearned' | 'unchanged' | 'refused' | 'full';

/**
 * Whether the filter scores, and why not. `active`: it does. `learning`: too little is learned
 * yet. `outdated`: the database was learned with another version of the tokenizer (an older
 * Mailyard's, or a newer one's), whose tokens this one's almost never match; the filter gives no
 * opinion and learns nothing until the database is relearned (`mailyard-spam learn --reset`).
 * `message` says it in a sentence, for a log.
 */
export type BayesStatus =
  | {
      readonly state: 'active' | 'learning';
      readonly spam: number;
      readonly ham: number;
      readonly message: string;
    }
  | {
      readonly state: 'outdated';
      /** The tokenizer version the database was learned with (1: written without one). */
      readonly databaseVersion: number;
      /** This tokenizer's version (BAYES_TOKENIZER_VERSION). */
      readonly tokenizerVersion: number;
      readonly message: string;
    };

/**
 * Kerio's Bayesian filter: learns from messages marked spam or ham (by users, by folder moves, or
 * automatically), scores once 200 spam and 200 ham are learned, and is a content test of the
 * engine (`test()`) and one of its learners.
 */
export class BayesFilter {
  readonly store: BayesStore;
  readonly minSpam: number;
  readonly minHam: number;
  readonly autoLearnThresholds: AutoLearnThresholds | null;
  private readonly bands: readonly BayesBand[];
  private readonly math: BayesMath;
  private readonly stopwords: BayesStopwords | null;
  private readonly ignoredHeaders: ReadonlySet<string>;
  private readonly registry: RegistryLists;
  private readonly expiry: BayesExpiryPolicy | null;
  private readonly clock: () => number;

  constructor(options: BayesFilterOptions) {
    this.store = options.store;
    this.minSpam = options.minSpam ?? 200;
    this.minHam = options.minHam ?? 200;
    this.autoLearnThresholds =
      options.autoLearn === undefined ? { spamScore: 12, hamScore: 0.1 } : options.autoLearn;
    this.bands = options.bands ?? DEFAULT_BAYES_BANDS;
    this.math = { ...DEFAULT_BAYES_MATH, ...options.math };
    this.stopwords = options.stopwords === undefined ? DEFAULT_BAYES_STOPWORDS : options.stopwords;
    this.ignoredHeaders = new Set(
      [...(options.ignoredHeaders ?? [])].map((name) => name.toLowerCase()),
    );
    this.registry = options.registry ?? NO_REGISTRY;
    this.expiry =
      options.expiry === null ? null : { ...DEFAULT_BAYES_EXPIRY, ...(options.expiry ?? {}) };
    this.clock = options.clock ?? Date.now;
  }

  /** Whether the filter scores: enough learned, with this tokenizer. */
  async active(): Promise<boolean> {
    return (await this.status()).state === 'active';
  }

  /** Whether the filter scores, and why not (see BayesStatus). */
  async status(): Promise<BayesStatus> {
    const databaseVersion = await this.store.tokenizerVersion();
    if (databaseVersion !== BAYES_TOKENIZER_VERSION)
      return {
        state: 'outdated',
        databaseVersion,
        tokenizerVersion: BAYES_TOKENIZER_VERSION,
        message:
          `the Bayes database was learned with tokenizer version ${databaseVersion}, ` +
          `${databaseVersion < BAYES_TOKENIZER_VERSION ? 'older than' : 'newer than'} this one (${BAYES_TOKENIZER_VERSION}): ` +
          'Bayes gives no opinion and learns nothing until the database is relearned ' +
          '(mailyard-spam learn --reset)',
      };
    const { spam, ham } = await this.store.totals();
    if (spam < this.minSpam || ham < this.minHam)
      return {
        state: 'learning',
        spam,
        ham,
        message: `Bayes scores once ${this.minSpam} spam and ${this.minHam} ham are learned; ${spam} spam and ${ham} ham are`,
      };
    return {
      state: 'active',
      spam,
      ham,
      message: `Bayes scores (${spam} spam and ${ham} ham learned)`,
    };
  }

  async classify(message: MessageInput): Promise<BayesClassification> {
    const view = new SaMessageView(message.bytes, message.summary);
    const tokens = bayesTokens(view, this.stopwords, this.ignoredHeaders, this.registry);
    return this.classifyTokens(tokens, receiveDate(view, Math.floor(this.clock() / 1000)));
  }

  /**
   * classify for tokens already made (bayesTokens): a program that weighs the same messages
   * against several databases (bench/spam-holdout.ts's folds) tokenizes each once. Given the
   * message's receive time (receive-date.ts), the tokens the verdict used are touched with it.
   */
  async classifyTokens(
    tokens: readonly string[],
    receivedAt?: number,
  ): Promise<BayesClassification> {
    if ((await this.status()).state !== 'active')
      return { probability: null, tokens: tokens.length };
    const totals = await this.store.totals();
    const known = [...(await this.store.counts(tokens))].map(([token, counts]) => ({
      token,
      probability: tokenProbability(counts, totals.spam, totals.ham, this.math),
    }));
    const used = strongest(known, (entry) => entry.probability, this.math);
    // As spamd does at the end of a scan (Bayes.pm's opportunistic expiry): the database in use
    // is the one kept within its size.
    await this.expire();
    // No token that says anything: no opinion (SpamAssassin fires no BAYES_xx then either).
    if (used.length === 0) return { probability: null, tokens: tokens.length };
    const probability = combineStrongest(
      used.map((entry) => entry.probability),
      { spamMessages: totals.spam, hamMessages: totals.ham },
    );
    // The tokens that proved useful stay as new as the mail they rate (Bayes.pm's
    // tok_touch_all), after the expiry, as spamd's touches reach the database after its own.
    if (receivedAt !== undefined && this.store.touch)
      await this.store.touch(
        used.map((entry) => entry.token),
        receivedAt,
      );
    return { probability, tokens: tokens.length };
  }

  /** Whether a new message may be learned: under the hard limit, after an expiry if need be. */
  private async belowHardLimit(): Promise<boolean> {
    if (!this.expiry || !this.store.storedTokens) return true;
    if ((await this.store.storedTokens()) < this.expiry.hardMaxTokens) return true;
    await this.expire();
    return (await this.store.storedTokens()) < this.expiry.hardMaxTokens;
  }

  /**
   * Forgets the oldest tokens if the database is over its size and the last expiry is at least a
   * period ago, or at once at the hard limit (bayes-expiry.ts); null when nothing was done.
   * `classify` calls it, and `learn` at the hard limit.
   */
  async expire(): Promise<BayesExpiryOutcome | null> {
    if (!this.expiry || !this.store.expire) return null;
    return this.store.expire(this.expiry, Math.floor(this.clock() / 1000));
  }

  /**
   * Learns the message as spam or ham, or forgets it (null). The same message learned twice
   * counts once; learned as the other class, it moves. Into a database of another tokenizer's
   * version nothing is learned (`refused`): the two tokenizers' counts must not mix.
   */
  async learn(message: MessageInput, as: BayesClass | null): Promise<LearnOutcome> {
    if ((await this.store.tokenizerVersion()) !== BAYES_TOKENIZER_VERSION) return 'refused';
    const view = new SaMessageView(message.bytes, message.summary);
    const { signature, before } = await this.learnedAs(message, view);
    if (before === as) return 'unchanged';
    if (before === null && as !== null && !(await this.belowHardLimit())) return 'full';
    const tokens = bayesTokens(view, this.stopwords, this.ignoredHeaders, this.registry);
    const atime = receiveDate(view, Math.floor(this.clock() / 1000));
    await this.store.apply({ signature, from: before, to: as, tokens, atime });
    return as === null ? 'unlearned' : before === null ? 'learned' : 'relearned';
  }

  /** Under which signature the message was learned, and as what (the current one if neither). */
  private async learnedAs(
    message: MessageInput,
    view: SaMessageView,
  ): Promise<{ signature: string; before: BayesClass | null }> {
    const signature = messageSignature(message, view);
    const before = await this.store.learnedAs(signature);
    if (before !== null) return { signature, before };
    const legacy = legacyMessageSignature(message);
    const legacyBefore = await this.store.learnedAs(legacy);
    return legacyBefore === null
      ? { signature, before: null }
      : { signature: legacy, before: legacyBefore };
  }

  /** The content test: one BAYES_xx hit with the band's score, nothing while inactive. */
  test(): SpamTest {
    return {
      name: 'BAYES',
      stage: 'content',
      kind: 'rating',
      readsContent: true,
      run: async ({ message }) => {
        if (!message) return [];
        const { probability } = await this.classify(message);
        if (probability === null) return [];
        return this.hitsFor(probability);
      },
    };
  }

  /**
   * Learns a rated message the other tests were sure about: spam at or above the spam threshold,
   * ham at or below the ham one (Bayes's own score left out). Returns what it learned.
   */
  async autoLearn(message: MessageInput, verdict: SpamVerdict): Promise<BayesClass | null> {
    const thresholds = this.autoLearnThresholds;
    if (!thresholds || verdict.whitelisted || verdict.allowed || verdict.contentSkipped)
      return null;
    if (verdict.hits.some((hit) => hit.effect !== 'score' || hit.name === 'GTUBE')) return null;
    const points = verdict.hits
      .filter((hit) => !hit.name.startsWith('BAYES_'))
      .reduce((sum, hit) => sum + hit.score, 0);
    const as =
      points >= thresholds.spamScore ? 'spam' : points <= thresholds.hamScore ? 'ham' : null;
    if (!as) return null;
    const outcome = await this.learn(message, as);
    return outcome === 'learned' ? as : null;
  }

  /** The BAYES_xx hit (and BAYES_999) for a spam probability, as the test gives them. */
  hitsFor(probability: number): TestHit[] {
    const band =
      this.bands.find((b) => probability < b.below) ?? this.bands[this.bands.length - 1]!;
    const percent = (probability * 100).toFixed(1);
    const hits: TestHit[] = [
      {
        name: band.name,
        effect: 'score',
        score: band.score,
        description: `Bayes spam probability is ${percent}%`,
      },
    ];
    if (probability >= BAYES_999.from && band === this.bands[this.bands.length - 1])
      hits.push({
        name: BAYES_999.name,
        effect: 'score',
        score: BAYES_999.score,
        description: 'Bayes spam probability is 99.9 to 100%',
      });
    return hits;
  }
}
