import type { SpamTest, TestHit } from '../core/spam-test.js';
import { SaMessageView } from './message-view.js';
import type { SaRuleSet, ScoreSet } from './sa-rule-set.js';

export interface SpamAssassinTestOptions {
  /** Which of the four score sets to use. Default 0 (no network tests, no Bayes). */
  readonly scoreSet?: ScoreSet;
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
  return {
    name: 'SPAMASSASSIN',
    stage: 'content',
    kind: 'rating',
    readsContent: true,
    run({ facts, message }): TestHit[] {
      if (!message) return [];
      const view = new SaMessageView(message.bytes, message.summary, {
        mailFrom: facts.mailFrom || null,
      });
      return rules
        .evaluate(view, scoreSet)
        .map(({ name, score, description }) => ({ name, effect: 'score', score, description }));
    },
  };
}
