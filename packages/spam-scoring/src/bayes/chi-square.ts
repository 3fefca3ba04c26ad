/** Token counts as learned. */
export interface TokenCounts {
  readonly spam: number;
  readonly ham: number;
}

/**
 * Robinson/Fisher constants: SpamAssassin's chi-square combiner's values (Bayes/CombineChi.pm)
 * but for s, which is larger than SpamAssassin's.
 */
export interface BayesMath {
  /**
   * Robinson's s: how strongly the prior x counts against few observations. Default 0.3, chosen
   * with x over a 5-fold time-ordered cross validation (docs/spam-scoring.md, "Measured", round
   * 10). SpamAssassin has 0.030, with which a word seen in one ham alone is as strong as one seen
   * in a hundred, and a spam that shares a few rare words with some ham ends at 0.5.
   */
  readonly s: number;
  /**
   * Robinson's x: the probability a token tends to while it has been seen little. Default 0.6
   * (SpamAssassin: 0.538), chosen with s: what Bayes has seen little of leans to spam, which over
   * the folds caught more spam and wrongly flagged no more ham at every threshold.
   */
  readonly x: number;
  /** Tokens closer than this to 0.5 are ignored. Default 0.346. */
  readonly minStrength: number;
  /** At most this many of the strongest tokens are combined. Default 150. */
  readonly maxTokens: number;
}

export const DEFAULT_BAYES_MATH: BayesMath = {
  s: 0.3,
  x: 0.6,
  minStrength: 0.346,
  maxTokens: 150,
};

/**
 * Robinson's f(w): the token's spam probability from the counts, pulled towards x when it has been
 * seen few times.
 */
export function tokenProbability(
  counts: TokenCounts,
  spamMessages: number,
  hamMessages: number,
  math: BayesMath,
): number {
  const spamRatio = spamMessages > 0 ? counts.spam / spamMessages : 0;
  const hamRatio = hamMessages > 0 ? counts.ham / hamMessages : 0;
  if (spamRatio + hamRatio === 0) return math.x;
  const p = spamRatio / (spamRatio + hamRatio);
  const n = counts.spam + counts.ham;
  return (math.s * math.x + n * p) / (math.s + n);
}

/**
 * Fisher's chi-square combining of the token probabilities (Robinson's method, as SpamBayes and
 * SpamAssassin use it): 1 is spam, 0 ham, 0.5 undecided (also when no token is strong enough).
 * Given the learned message counts, each class's product starts at that class's share of them, as
 * SpamAssassin's does; without them, at 1 (plain Robinson).
 */
export function combineProbabilities(
  probabilities: readonly number[],
  math: BayesMath = DEFAULT_BAYES_MATH,
  learned?: { readonly spamMessages: number; readonly hamMessages: number },
): number {
  return combineStrongest(
    strongest(probabilities, (p) => p, math),
    learned,
  );
}

/**
 * combineProbabilities for probabilities already selected by `strongest` (a classification that
 * keeps the selected tokens to touch them does not select twice).
 */
export function combineStrongest(
  strong: readonly number[],
  learned?: { readonly spamMessages: number; readonly hamMessages: number },
): number {
  if (strong.length === 0) return 0.5;
  // SpamAssassin's combiner (CombineChi.pm, its bug 3118) starts each product at its class's share
  // of the learned messages, not at 1: with fewer spam than ham learned, the spam product starts
  // smaller, so the same tokens read spammier than they would without the prior.
  let lnSpam = 0;
  let lnHam = 0;
  if (learned && learned.spamMessages > 0 && learned.hamMessages > 0) {
    const total = learned.spamMessages + learned.hamMessages;
    lnSpam = Math.log(learned.spamMessages / total);
    lnHam = Math.log(learned.hamMessages / total);
  }
  for (const p of strong) {
    const clamped = Math.min(1 - 1e-12, Math.max(1e-12, p));
    lnSpam += Math.log(1 - clamped);
    lnHam += Math.log(clamped);
  }
  const spamminess = 1 - chi2Q(-2 * lnSpam, 2 * strong.length);
  const hamminess = 1 - chi2Q(-2 * lnHam, 2 * strong.length);
  return (1 + spamminess - hamminess) / 2;
}

/**
 * The items whose probability is far enough from 0.5 (`minStrength`), the strongest first, at
 * most `maxTokens` of them: the tokens a classification combines.
 */
export function strongest<T>(
  items: readonly T[],
  probabilityOf: (item: T) => number,
  math: BayesMath,
): T[] {
  const strength = (item: T) => Math.abs(probabilityOf(item) - 0.5);
  return items
    .filter((item) => strength(item) >= math.minStrength)
    .sort((a, b) => strength(b) - strength(a))
    .slice(0, math.maxTokens);
}

/** The chi-square survival function for an even number of degrees of freedom. */
export function chi2Q(chi2: number, degrees: number): number {
  const m = chi2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < degrees / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}
