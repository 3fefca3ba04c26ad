import { readFile } from 'node:fs/promises';
import type { BayesExpiryPolicy } from '../bayes/bayes-expiry.js';
import {
  type BayesClass,
  type BayesExpiryOutcome,
  type BayesUpdate,
  MemoryBayesStore,
} from '../bayes/bayes-store.js';
import { BAYES_TOKENIZER_VERSION } from '../bayes/bayes-tokenizer.js';
import { writeAtomically } from './atomic-file.js';

const FORMAT = 'mailyard-bayes';
const VERSION = 1;

interface BayesFile {
  format: typeof FORMAT;
  version: number;
  /** The tokenizer's version (BAYES_TOKENIZER_VERSION); absent in files written before it: 1. */
  tokenizer?: number;
  spam: number;
  ham: number;
  learned: Record<string, 's' | 'h'>;
  /**
   * Spam count, ham count, and the receive time (seconds) of the newest message the token was
   * learned from; files written before expiry have no time (read as the newest time known, or
   * the time of opening: their tokens' age counts from then).
   */
  tokens: Record<string, [number, number, number?]>;
  /** The newest token time stored; absent before expiry. */
  newest?: number;
  /** When (the clock, seconds) the last expiry ran; absent: never. */
  lastExpiry?: number;
}

/** The Bayes database file is not one this store wrote, or is damaged. */
export class BayesStoreError extends Error {
  override readonly name = 'BayesStoreError';
}

export interface FileBayesStoreOptions {
  /** Write the file after every learn (durable at once). Default true; false: call save(). */
  readonly autoSave?: boolean;
}

/**
 * The Bayes counts in one JSON file, held in memory and written whole, atomically: a temporary
 * file beside it, flushed to disk, renamed over it, and the directory flushed, so a crash leaves
 * the old file or the new one, never half of one. A missing file (ENOENT, and only that) is an
 * empty database; any other error, or a file that is not a Bayes database, fails the open.
 * A database of another tokenizer's version opens (tokenizerVersion() says which; BayesFilter
 * then gives no opinion and learns nothing) but is never written: learning into it would mix
 * two tokenizers' counts. clear() and a save start it afresh, when the user asks for that.
 */
export class FileBayesStore extends MemoryBayesStore {
  private dirty = false;

  private constructor(
    readonly path: string,
    private readonly autoSave: boolean,
  ) {
    super();
  }

  static async open(path: string, options: FileBayesStoreOptions = {}): Promise<FileBayesStore> {
    const store = new FileBayesStore(path, options.autoSave ?? true);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw error;
    }
    store.load(text);
    return store;
  }

  override async apply(update: BayesUpdate): Promise<void> {
    if (this.tokenizer !== BAYES_TOKENIZER_VERSION)
      throw new BayesStoreError(
        `${this.path} was learned with the Bayes tokenizer of version ${this.tokenizer}, not ${BAYES_TOKENIZER_VERSION}: not learning into it`,
      );
    this.applyInMemory(update);
    this.dirty = true;
    if (this.autoSave) await this.save();
  }

  /**
   * An expiry that forgot tokens is written at once, as a learn is (unless autoSave is off). One
   * that forgot nothing is written with the next write: at the hard limit an expiry is tried at
   * every classification, and rewriting the file each time for its time alone would cost the
   * most when the database is largest.
   */
  override async expire(
    policy: BayesExpiryPolicy,
    now: number,
  ): Promise<BayesExpiryOutcome | null> {
    if (this.tokenizer !== BAYES_TOKENIZER_VERSION) return null;
    const before = this.lastExpiry;
    const outcome = this.expireInMemory(policy, now);
    if (this.lastExpiry !== before) this.dirty = true;
    if (outcome !== null && this.autoSave) await this.save();
    return outcome;
  }

  /** Forgets everything learned; the file is rewritten, empty, at the next save. */
  override clear(): void {
    super.clear();
    this.dirty = true;
  }

  /** Writes the counts if anything changed since the last save. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const learned: Record<string, 's' | 'h'> = {};
    for (const [signature, kind] of this.learned) learned[signature] = kind === 'spam' ? 's' : 'h';
    const tokens: Record<string, [number, number, number]> = {};
    for (const [token, counts] of this.tokenCounts)
      tokens[token] = [counts.spam, counts.ham, counts.atime];
    const file: BayesFile = {
      format: FORMAT,
      version: VERSION,
      tokenizer: this.tokenizer,
      spam: this.spamMessages,
      ham: this.hamMessages,
      learned,
      tokens,
      newest: this.newestAtime,
      ...(this.lastExpiry === null ? {} : { lastExpiry: this.lastExpiry }),
    };
    await writeAtomically(this.path, JSON.stringify(file));
    this.dirty = false;
  }

  private load(text: string): void {
    let file: BayesFile;
    try {
      file = JSON.parse(text) as BayesFile;
    } catch (error) {
      throw new BayesStoreError(
        `${this.path} is not a Bayes database: ${(error as Error).message}`,
      );
    }
    if (
      file?.format !== FORMAT ||
      file.version !== VERSION ||
      typeof file.tokens !== 'object' ||
      typeof file.learned !== 'object' ||
      (file.tokenizer !== undefined &&
        !(Number.isSafeInteger(file.tokenizer) && file.tokenizer > 0))
    )
      throw new BayesStoreError(
        `${this.path} is not a Bayes database of format ${FORMAT} ${VERSION}`,
      );
    this.tokenizer = file.tokenizer ?? 1;
    this.spamMessages = file.spam;
    this.hamMessages = file.ham;
    for (const [signature, kind] of Object.entries(file.learned))
      this.learned.set(signature, (kind === 's' ? 'spam' : 'ham') as BayesClass);
    this.newestAtime = file.newest ?? Math.floor(Date.now() / 1000);
    this.lastExpiry = file.lastExpiry ?? null;
    for (const [token, [spam, ham, atime]] of Object.entries(file.tokens))
      this.tokenCounts.set(token, { spam, ham, atime: atime ?? this.newestAtime });
  }
}
