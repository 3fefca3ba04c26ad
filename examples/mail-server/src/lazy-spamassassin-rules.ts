import { type MessageInput, type SpamTest, spamAssassinTest } from '@mailyard/spam-scoring';
import type { SpamAssassinRuleFiles } from './spam-rule-files.js';

/**
 * The SpamAssassin rules as a content test, compiled when the first message needs them
 * (SpamAssassinRuleFiles), then kept. `dkimVerified` says whether the mailauth test verified a
 * message's DKIM signatures (the rules' `__DKIM_DEPENDABLE`); without it, never, as in spamd -L.
 */
export function lazyRulesTest(
  ruleFiles: SpamAssassinRuleFiles,
  withBayes: boolean,
  dkimVerified?: (message: MessageInput) => Promise<boolean>,
): SpamTest {
  let test: SpamTest | null = null;
  return {
    name: 'SPAMASSASSIN',
    stage: 'content',
    kind: 'rating',
    readsContent: true,
    async run(context) {
      if (!test) {
        const rules = await ruleFiles.rules();
        if (!rules) return [];
        // Score set 2 is SpamAssassin's for Bayes on and network tests off.
        test = spamAssassinTest(rules, {
          scoreSet: withBayes ? 2 : 0,
          ...(dkimVerified ? { dkimVerified } : {}),
        });
      }
      return test.run(context);
    },
  };
}
