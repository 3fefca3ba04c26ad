import { BAYES_TOKENIZER_VERSION } from './bayes-tokenizer.js';
import type { TokenCounts } from './chi-square.js';
import { type BayesExpiryPolicy, expiryCutoff } from './bayes-expiry.js';

export type BayesClass = 'spam' | 'ham';

/** One message learned, unlearned or moved from one class to the other. */
export interface BayesUpdate {
  /** The message's signature: the same message is counted once (Kerio: unique messages). */
  readonly signature: string;
  /** The class it was learned as before, or null. */
  readonly from: BayesClass | null;
  /** The class it is learned as now, or null to forget it. */
  readonly to: BayesClass | null;
  readonly tokens: readonly string[];
  /**
   * When the message was received (seconds since the epoch; receive-date.ts): learned tokens
   * keep the newest such time, by which an expiry forgets the old ones. Without it, the learned
   * tokens take the newest time the store knows. An unlearning leaves the times as they are.
   */
  readonly atime?: number;
}

/** What one expiry did. */
export interface BayesExpiryOutcome {
  /** Tokens whose newest message was received before this (seconds) were forgotten. */
  readonly cutoff: number;
  readonly forgotten: number;
  readonly kept: number;
}

export interface BayesTotals {
  readonly spam: number;
  readonly ham: number;
}

/**
 * Where the Bayes filter keeps its counts. Asynchronous, so that a store can live in a database;
 * `MemoryBayesStore` is the reference, `FileBayesStore` (node) the durable default.
 */
export interface BayesStore {
  totals(): Promise<BayesTotals>;
  /** Counts of the given tokens; tokens never seen are left out. */
  counts(tokens: readonly string[]): Promise<ReadonlyMap<string, TokenCounts>>;
  learnedAs(signature: string): Promise<BayesClass | null>;
  apply(update: BayesUpdate): Promise<void>;
  /**
   * The version of the tokenizer whose tokens the store counts (BAYES_TOKENIZER_VERSION when it
   * was learned by this one; an empty store is this one's).
   */
  tokenizerVersion(): Promise<number>;
  /**
   * Forgets the oldest tokens if the store is over the policy's size (bayes-expiry.ts), at most
   * once per `policy.periodSeconds` of the clock (`now`, seconds); null when it did not. A store
   * without it keeps every token.
   */
  expire?(policy: BayesExpiryPolicy, now: number): Promise<BayesExpiryOutcome | null>;
  /**
   * Moves the time of the given tokens (those a classification used) up to `atime`, never back;
   * tokens not stored are left out. A store may keep this in memory until its next write, as
   * SpamAssassin keeps it in its journal. A store without it lets only learning move the times.
   */
  touch?(tokens: readonly string[], atime: number): Promise<void>;
  /** How many distinct tokens the store holds (for the expiry's hard limit). */
  storedTokens?(): Promise<number>;
}

/** A token's counts and the receive time of the newest message it was learned from. */
interface StoredToken {
  spam: number;
  ham: number;
  atime: number;
}

/** The counts in memory. */
export class MemoryBayesStore implements BayesStore {
  protected spamMessages = 0;
  protected hamMessages = 0;
  protected readonly tokenCounts = new Map<string, StoredToken>();
  /** The newest atime stored (seconds; 0 while none): SpamAssassin's newest-token magic. */
  protected newestAtime = 0;
  /** When (the clock, seconds) an expiry last ran or found nothing to do; null: never. */
  protected lastExpiry: number | null = null;
  /**
   * Whether anything was learned or forgotten since the last expiry: at the hard limit an expiry
   * runs whatever the period, but over the same tokens it would find the same nothing again.
   */
  private learnedSinceExpiry = true;
  protected readonly learned = new Map<string, BayesClass>();
  protected tokenizer = BAYES_TOKENIZER_VERSION;

  async totals(): Promise<BayesTotals> {
    return { spam: this.spamMessages, ham: this.hamMessages };
  }

  async counts(tokens: readonly string[]): Promise<ReadonlyMap<string, TokenCounts>> {
    const found = new Map<string, TokenCounts>();
    for (const token of tokens) {
      const counts = this.tokenCounts.get(token);
      if (counts) found.set(token, counts);
    }
    return found;
  }

  async learnedAs(signature: string): Promise<BayesClass | null> {
    return this.learned.get(signature) ?? null;
  }

  async apply(update: BayesUpdate): Promise<void> {
    this.applyInMemory(update);
  }

  async tokenizerVersion(): Promise<number> {
    return this.tokenizer;
  }

  async expire(policy: BayesExpiryPolicy, now: number): Promise<BayesExpiryOutcome | null> {
    return this.expireInMemory(policy, now);
  }

  async storedTokens(): Promise<number> {
    return this.tokenCounts.size;
  }

  async touch(tokens: readonly string[], atime: number): Promise<void> {
    for (const token of tokens) {
      const stored = this.tokenCounts.get(token);
      if (!stored || atime <= stored.atime) continue;
      stored.atime = atime;
      if (atime > this.newestAtime) this.newestAtime = atime;
    }
  }

  /** Forgets everything learned: an empty store, of this tokenizer's version. */
  clear(): void {
    this.spamMessages = 0;
    this.hamMessages = 0;
    this.newestAtime = 0;
    this.lastExpiry = null;
    this.learnedSinceExpiry = true;
    this.tokenCounts.clear();
    this.learned.clear();
    this.tokenizer = BAYES_TOKENIZER_VERSION;
  }

  /** How many distinct tokens are kept. */
  get tokenCount(): number {
    return this.tokenCounts.size;
  }

  protected applyInMemory({ signature, from, to, tokens, atime }: BayesUpdate): void {
    if (from === to) return;
    this.learnedSinceExpiry = true;
    if (atime !== undefined && atime > this.newestAtime) this.newestAtime = atime;
    if (from) this.count(from, tokens, -1, null);
    if (to) this.count(to, tokens, 1, atime ?? this.newestAtime);
    if (to) this.learned.set(signature, to);
    else this.learned.delete(signature);
  }

  /**
   * Expires as `expire` does, synchronously: no other update can come between the choice of the
   * cutoff and the forgetting.
   */
  protected expireInMemory(policy: BayesExpiryPolicy, now: number): BayesExpiryOutcome | null {
    if (this.tokenCounts.size < policy.maxTokens) return null;
    const gated = this.lastExpiry !== null && now - this.lastExpiry < policy.periodSeconds;
    const forced = this.tokenCounts.size >= policy.hardMaxTokens && this.learnedSinceExpiry;
    if (gated && !forced) return null;
    this.lastExpiry = now;
    this.learnedSinceExpiry = false;
    const tokens = this.tokenCounts;
    const cutoff = expiryCutoff(
      {
        count: tokens.size,
        newest: this.newestAtime,
        atimes: function* () {
          for (const stored of tokens.values()) yield stored.atime;
        },
      },
      policy,
    );
    if (cutoff === null) return null;
    let forgotten = 0;
    for (const [token, stored] of tokens)
      if (stored.atime < cutoff) {
        tokens.delete(token);
        forgotten++;
      }
    return { cutoff, forgotten, kept: tokens.size };
  }

  /** `atime` null: an unlearning, which leaves the tokens' times as they are. */
  private count(
    kind: BayesClass,
    tokens: readonly string[],
    delta: 1 | -1,
    atime: number | null,
  ): void {
    if (kind === 'spam') this.spamMessages = Math.max(0, this.spamMessages + delta);
    else this.hamMessages = Math.max(0, this.hamMessages + delta);
    for (const token of tokens) {
      const counts = this.tokenCounts.get(token) ?? { spam: 0, ham: 0, atime: atime ?? 0 };
      counts[kind] = Math.max(0, counts[kind] + delta);
      // A token's time never goes back (BayesStore/DBM.pm's tok_sync_counters).
      if (atime !== null && atime > counts.atime) counts.atime = atime;
      if (counts.spam === 0 && counts.ham === 0) this.tokenCounts.delete(token);
      else this.tokenCounts.set(token, counts);
    }
  }
}
