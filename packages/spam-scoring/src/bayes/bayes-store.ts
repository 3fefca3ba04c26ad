import { BAYES_TOKENIZER_VERSION } from './bayes-tokenizer.js';
import type { TokenCounts } from './chi-square.js';

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
}

/** The counts in memory. */
export class MemoryBayesStore implements BayesStore {
  protected spamMessages = 0;
  protected hamMessages = 0;
  protected readonly tokenCounts = new Map<string, { spam: number; ham: number }>();
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

  /** Forgets everything learned: an empty store, of this tokenizer's version. */
  clear(): void {
    this.spamMessages = 0;
    this.hamMessages = 0;
    this.tokenCounts.clear();
    this.learned.clear();
    this.tokenizer = BAYES_TOKENIZER_VERSION;
  }

  /** How many distinct tokens are kept. */
  get tokenCount(): number {
    return this.tokenCounts.size;
  }

  protected applyInMemory({ signature, from, to, tokens }: BayesUpdate): void {
    if (from === to) return;
    if (from) this.count(from, tokens, -1);
    if (to) this.count(to, tokens, 1);
    if (to) this.learned.set(signature, to);
    else this.learned.delete(signature);
  }

  private count(kind: BayesClass, tokens: readonly string[], delta: 1 | -1): void {
    if (kind === 'spam') this.spamMessages = Math.max(0, this.spamMessages + delta);
    else this.hamMessages = Math.max(0, this.hamMessages + delta);
    for (const token of tokens) {
      const counts = this.tokenCounts.get(token) ?? { spam: 0, ham: 0 };
      counts[kind] = Math.max(0, counts[kind] + delta);
      if (counts.spam === 0 && counts.ham === 0) this.tokenCounts.delete(token);
      else this.tokenCounts.set(token, counts);
    }
  }
}
