/**
 * Kerio's Spam Rating tab (Administrator's Guide 13.1) and the content limit of 13.4. Every field
 * has Kerio's default; `resolveSpamOptions` fills them in and refuses values Kerio refuses.
 */
export interface SpamRatingOptions {
  /**
   * Rating on. When off, messages are still rated (the headers say so) but the score is
   * ignored: only tests set to block have an effect. Default true.
   */
  readonly enabled?: boolean;
  /**
   * Rate mail from authenticated clients and trusted relays too (Kerio's "Enable rating of
   * messages received from trustworthy relay agents"). Lists and custom rules apply either way.
   * Default false, as Kerio recommends.
   */
  readonly rateTrustedSenders?: boolean;
  /** Score (0-10) at or above which a message is tagged. Default 5. */
  readonly tagScore?: number;
  /**
   * Score at or above which a message is blocked (discarded). At most 9.9; 10 means never.
   * Default 9.5 (Kerio's factory setting).
   */
  readonly blockScore?: number;
  /**
   * Text put before the Subject of a tagged message; `[%s]` in it becomes one `*` per whole
   * point of the score. null: the Subject is left alone. Default `'*SPAM* '`.
   */
  readonly subjectPrefix?: string | null;
  /** What happens to a message blocked by its score. Default: no bounce, no quarantine. */
  readonly blockAction?: BlockedMessageAction;
  /** What happens to a message a custom Reject rule blocks after DATA. Default: the same. */
  readonly customRuleAction?: BlockedMessageAction;
  /**
   * Messages larger than this (bytes) skip the content tests (SpamAssassin rules, Bayes).
   * Default 131072 (Kerio's 128 kB).
   */
  readonly maxContentBytes?: number;
}

/** Kerio's "Reached Block score limit action". The application carries it out. */
export interface BlockedMessageAction {
  /** Send a bounce (DSN) to the sender. Kerio advises against it: spam senders are forged. */
  readonly bounce?: boolean;
  /** Forward a copy to this address (with the per-test scores in its headers). */
  readonly quarantine?: string | null;
}

export type ResolvedSpamOptions = Required<
  Omit<SpamRatingOptions, 'blockAction' | 'customRuleAction'>
> & {
  readonly blockAction: Required<BlockedMessageAction>;
  readonly customRuleAction: Required<BlockedMessageAction>;
};

export const SPAM_DEFAULTS: ResolvedSpamOptions = Object.freeze({
  enabled: true,
  rateTrustedSenders: false,
  tagScore: 5,
  blockScore: 9.5,
  subjectPrefix: '*SPAM* ',
  blockAction: Object.freeze({ bounce: false, quarantine: null }),
  customRuleAction: Object.freeze({ bounce: false, quarantine: null }),
  maxContentBytes: 131_072,
});

/** The top of Kerio's scale; a block score of exactly this disables blocking. */
export const MAX_SPAM_SCORE = 10;
/** The highest block score that still blocks. */
export const MAX_BLOCK_SCORE = 9.9;

/** A setting Kerio would refuse. */
export class SpamConfigError extends Error {
  override readonly name = 'SpamConfigError';
}

export function resolveSpamOptions(options: SpamRatingOptions = {}): ResolvedSpamOptions {
  const resolved: ResolvedSpamOptions = {
    ...SPAM_DEFAULTS,
    ...definedOnly(options),
    blockAction: { ...SPAM_DEFAULTS.blockAction, ...definedOnly(options.blockAction ?? {}) },
    customRuleAction: {
      ...SPAM_DEFAULTS.customRuleAction,
      ...definedOnly(options.customRuleAction ?? {}),
    },
  };
  const { tagScore, blockScore, maxContentBytes } = resolved;
  if (!(tagScore >= 0 && tagScore <= MAX_SPAM_SCORE))
    throw new SpamConfigError(`tagScore must be between 0 and 10, not ${tagScore}`);
  if (!((blockScore >= 0 && blockScore <= MAX_BLOCK_SCORE) || blockScore === MAX_SPAM_SCORE))
    throw new SpamConfigError(
      `blockScore must be between 0 and 9.9, or 10 (never block), not ${blockScore}`,
    );
  if (!Number.isSafeInteger(maxContentBytes) || maxContentBytes < 0)
    throw new SpamConfigError(
      `maxContentBytes must be a whole number of bytes, not ${maxContentBytes}`,
    );
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
