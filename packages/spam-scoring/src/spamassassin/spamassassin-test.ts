import type { MessageInput, SpamTest, TestHit } from '../core/spam-test.js';
import { SaMessageView } from './message-view.js';
import type { SaRuleSet, ScoreSet } from './sa-rule-set.js';

export interface SpamAssassinTestOptions {
  /** Which of the four score sets to use. Default 0 (no network tests, no Bayes). */
  readonly scoreSet?: ScoreSet;
  /**
   * Whether the engine verified this message's DKIM signatures before this test ran (a
   * mailauth test earlier in the engine's list ran on it: `MailauthAuthenticator.dkimVerified`).
   * It is SpamAssassin's `__DKIM_DEPENDABLE`, which END_FUTURE_EMAILS, COMPENSATION and
   * PHP_NOVER_MUA read under `!`. Default: never, as spamd -L, which verifies no signature.
   */
  readonly dkimVerified?: (message: MessageInput) => boolean | Promise<boolean>;
}

/**
 * A compiled SpamAssassin rule set as a content test: every rule that fires is a hit of its own,
 * with the rule's score and description. Skipped, like all content tests, for messages over the
 * engine's `maxContentBytes`.
 */
export function spamAssassinTest(
  rules: SaRuleSet,
  options: SpamAssassinTestOptions = {},
): SpamTest {
  const scoreSet = options.scoreSet ?? 0;
  const hitsOf = (view: SaMessageView): TestHit[] =>
    rules
      .evaluate(view, scoreSet)
      .map(({ name, score, description }) => ({ name, effect: 'score', score, description }));
  const dkimVerified = options.dkimVerified;
  return {
    name: 'SPAMASSASSIN',
    stage: 'content',
    kind: 'rating',
    readsContent: true,
    run({ facts, message }): TestHit[] | Promise<TestHit[]> {
      if (!message) return [];
      const viewWith = (verified: boolean) =>
        new SaMessageView(message.bytes, message.summary, {
          mailFrom: facts.mailFrom || null,
          dkimVerified: verified,
        });
      if (!dkimVerified) return hitsOf(viewWith(false));
      const verified = dkimVerified(message);
      return typeof verified === 'boolean'
        ? hitsOf(viewWith(verified))
        : verified.then((answer) => hitsOf(viewWith(answer)));
    },
  };
}
