import type { BlockedMessageAction, ResolvedSpamOptions } from './spam-options.js';
import { MAX_SPAM_SCORE } from './spam-options.js';
import type { SmtpRejectReply, StagedHit } from './spam-test.js';

/**
 * - `accept`: deliver as it is (headers added).
 * - `tag`: the score reached the tag score: deliver with `X-Spam-Flag` and the Subject prefix.
 * - `block`: refuse it in the SMTP dialogue with `reply` (a list or rule set to block).
 * - `discard`: accepted, then not delivered (block score reached, or a custom Reject after
 *   DATA); `bounce` and `quarantine` say what else the application should do.
 */
export type SpamAction = 'accept' | 'tag' | 'block' | 'discard';

export interface SpamVerdict {
  /** Kerio's score: the sum of the tests' contributions, kept within 0-10, to 2 decimals. */
  readonly score: number;
  /** The sum before it is kept within 0-10 (SpamAssassin rules can add up to hundreds). */
  readonly rawScore: number;
  readonly action: SpamAction;
  /** Every test that fired, in order, with its stage and contribution. */
  readonly hits: readonly StagedHit[];
  /** For `block`: the SMTP reply. */
  readonly reply: SmtpRejectReply | null;
  /** For `discard`: what to do besides not delivering. */
  readonly blocked: Required<BlockedMessageAction> | null;
  /** The client is on the IP whitelist: nothing was rated and the message is not counted. */
  readonly whitelisted: boolean;
  /** A custom Allow rule matched: the message is not spam whatever else says. */
  readonly allowed: boolean;
  /** The message was over `maxContentBytes`, so content tests did not run. */
  readonly contentSkipped: boolean;
}

export interface VerdictInput {
  readonly hits: readonly StagedHit[];
  readonly whitelisted: boolean;
  readonly contentSkipped: boolean;
}

const DEFAULT_BLOCK_REPLY: SmtpRejectReply = {
  code: 554,
  enhanced: '5.7.1',
  text: 'Message rejected as spam',
};

/** Turns what the tests found into Kerio's decision (13.1, 13.3). Pure. */
export function decideVerdict(input: VerdictInput, options: ResolvedSpamOptions): SpamVerdict {
  const { hits, whitelisted, contentSkipped } = input;
  const base = { hits, whitelisted, contentSkipped, reply: null, blocked: null };
  const block = hits.find((hit) => hit.effect === 'block');
  const allowed = hits.some((hit) => hit.effect === 'allow');
  if (block && (block.stage !== 'content' || block.reply)) {
    return {
      ...base,
      score: MAX_SPAM_SCORE,
      rawScore: sumOf(hits),
      action: 'block',
      reply: block.reply ?? DEFAULT_BLOCK_REPLY,
      allowed: false,
    };
  }
  if (block) {
    // A custom Reject after DATA: "treat the message as spam and reject it" with the
    // custom-rule action settings (Kerio 13.3).
    return {
      ...base,
      score: MAX_SPAM_SCORE,
      rawScore: sumOf(hits),
      action: 'discard',
      blocked: options.customRuleAction,
      allowed: false,
    };
  }
  if (allowed || whitelisted) {
    return { ...base, score: 0, rawScore: 0, action: 'accept', allowed };
  }
  const rawScore = sumOf(hits);
  const score = round2(Math.min(MAX_SPAM_SCORE, Math.max(0, rawScore)));
  const common = { ...base, score, rawScore, allowed: false };
  if (!options.enabled) return { ...common, action: 'accept' };
  if (options.blockScore < MAX_SPAM_SCORE && score >= options.blockScore)
    return { ...common, action: 'discard', blocked: options.blockAction };
  if (score >= options.tagScore) return { ...common, action: 'tag' };
  return { ...common, action: 'accept' };
}

function sumOf(hits: readonly StagedHit[]): number {
  return round2(hits.reduce((sum, hit) => sum + hit.score, 0));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
