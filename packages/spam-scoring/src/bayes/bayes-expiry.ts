/**
 * Bayes token expiry, SpamAssassin's way (BayesStore.pm's `expire_old_tokens`, `bayes_expiry_*`):
 * a database over its size forgets the tokens whose newest message is oldest. Each token keeps
 * the receive time of the newest message it was learned from (its atime); an expiry picks an age,
 * 12 hours times a power of two, and forgets every token older than that, choosing the smallest
 * such age that forgets no more than is needed to come down to three quarters of the size.
 * Without it a database that auto-learns grows for ever; with it, what Bayes knows follows the
 * mail of the last months.
 */

export interface BayesExpiryPolicy {
  /** Tokens the database may hold before an expiry is due (`bayes_expiry_max_db_size`). */
  readonly maxTokens: number;
  /** The share of maxTokens an expiry aims to keep (`bayes_expiry_pct`). */
  readonly keepShare: number;
  /** An expiry never aims below this many tokens, and a smaller database never expires. */
  readonly minKeep: number;
  /** The unit of token age, and the least time between two expiries (`bayes_expiry_period`). */
  readonly periodSeconds: number;
  /** Ages tried: periodSeconds times 1, 2, 4 ... 2^maxExponent (`bayes_expiry_max_exponent`). */
  readonly maxExponent: number;
  /** An expiry that would forget fewer tokens is not worth it (SpamAssassin's fixed 1,000). */
  readonly minForgotten: number;
  /**
   * The hard limit (ours; SpamAssassin has none): from this many tokens on, an expiry runs at a
   * classification or before a learning whatever the period (once per change to what is
   * learned), and a new message is not learned while the database stays at it (`LearnOutcome`
   * `full`). Without it, mail
   * auto-learned within one period could grow the database without bound, since an expiry never
   * forgets tokens younger than `periodSeconds`.
   */
  readonly hardMaxTokens: number;
}

/**
 * SpamAssassin's defaults (150,000 tokens, 75%, at least 100,000, 12 hours, up to 256 days), and a
 * hard limit of four times the size.
 */
export const DEFAULT_BAYES_EXPIRY: BayesExpiryPolicy = {
  maxTokens: 150_000,
  keepShare: 0.75,
  minKeep: 100_000,
  periodSeconds: 43_200,
  maxExponent: 9,
  minForgotten: 1000,
  hardMaxTokens: 600_000,
};

/** What a store tells of its tokens for an expiry. */
export interface BayesTokenAges {
  readonly count: number;
  /** The newest atime ever stored (seconds). */
  readonly newest: number;
  readonly atimes: () => Iterable<number>;
}

/**
 * The atime under which tokens are forgotten, or null when nothing should be: the database is
 * not over its size, its tokens span less than one period, or no age forgets at least
 * `minForgotten` tokens without forgetting more than needed.
 */
export function expiryCutoff(ages: BayesTokenAges, policy: BayesExpiryPolicy): number | null {
  if (ages.count <= policy.minKeep || ages.count < policy.maxTokens) return null;
  const keep = Math.max(Math.floor(policy.maxTokens * policy.keepShare), policy.minKeep);
  const reduction = ages.count - keep;
  if (reduction < policy.minForgotten) return null;
  // older[k]: tokens at least ages[k] = periodSeconds * 2^k old, for k = 0 ... maxExponent.
  const limits = Array.from(
    { length: policy.maxExponent + 1 },
    (_, k) => policy.periodSeconds * 2 ** k,
  );
  const older = new Array<number>(limits.length).fill(0);
  let oldest = Infinity;
  for (const atime of ages.atimes()) {
    if (atime < oldest) oldest = atime;
    const age = ages.newest - atime;
    for (let k = 0; k < limits.length && age >= limits[k]!; k++) older[k]!++;
  }
  if (ages.newest - oldest < policy.periodSeconds) return null;
  // From the oldest age down, the first that would forget too much: the one above it is the
  // smallest that does not (tokens old enough for one age are old enough for every smaller one).
  let chosen = 0;
  for (let k = policy.maxExponent; k >= 0; k--)
    if (older[k]! > reduction) {
      chosen = k + 1;
      break;
    }
  if (chosen > policy.maxExponent || older[chosen]! < policy.minForgotten) return null;
  return ages.newest - limits[chosen]!;
}
