import type { Logger } from '@mailyard/mailstore-interface';
import {
  type MessageInput,
  type SaRuleSet,
  type SpamTest,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
  spamAssassinTest,
} from '@mailyard/spam-scoring';

/**
 * The SpamAssassin rules, compiled when the first message needs them (seconds of work that a
 * server whose clients are all whitelisted or authenticated never does), then kept.
 * `dkimVerified` says whether the mailauth test verified a message's DKIM signatures (the
 * rules' `__DKIM_DEPENDABLE`); without it, never, as in spamd -L.
 */
export function lazyRulesTest(
  where: string,
  withBayes: boolean,
  logger: Logger,
  dkimVerified?: (message: MessageInput) => Promise<boolean>,
): SpamTest {
  let loading: Promise<SpamTest | null> | null = null;
  const load = async (): Promise<SpamTest | null> => {
    const directory = where === 'debian' ? await findDebianRuleDirectory() : where;
    if (directory === null) {
      logger.warn("spam: SpamAssassinRules is debian, but Debian's rules are not installed");
      return null;
    }
    const rules: SaRuleSet = (await loadSpamAssassinRules(directory)).rules;
    // Score set 2 is SpamAssassin's for Bayes on and network tests off.
    return spamAssassinTest(rules, {
      scoreSet: withBayes ? 2 : 0,
      ...(dkimVerified ? { dkimVerified } : {}),
    });
  };
  return {
    name: 'SPAMASSASSIN',
    stage: 'content',
    kind: 'rating',
    readsContent: true,
    async run(context) {
      loading ??= load().catch((error: unknown) => {
        loading = null;
        throw error;
      });
      const test = await loading;
      return test ? test.run(context) : [];
    },
  };
}
