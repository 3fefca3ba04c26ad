/**
 * Mailyard as bench/spam.ts and bench/spam-holdout.ts run it: Debian's SpamAssassin rules
 * (score set 2) and a Bayes database learned from the given files, verdicts at Kerio's scale.
 */
import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import {
  BayesFilter,
  type BayesMath,
  MemoryBayesStore,
  type RegistryLists,
  type SaConfig,
  SpamEngine,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  loadSpamAssassinRules,
  spamAssassinTest,
} from '@mailyard/spam-scoring';

export function readMessage(file: string) {
  const bytes = readFileSync(file);
  return { bytes, summary: summarize(bytes) };
}

/**
 * What Debian's rule files tell Bayes: the headers not to read (`bayes_ignore_header`,
 * 72_active.cf) and the TLD lists that make a bare name in the text a URI (20_aux_tlds.cf).
 */
export async function debianBayesSettings(): Promise<{
  ignoredHeaders: ReadonlySet<string>;
  registry: RegistryLists;
}> {
  const directory = await findDebianRuleDirectory();
  if (!directory)
    throw new Error("Debian's spamassassin rules are not installed (apt-get install spamassassin)");
  // The settings alone: parsed, not compiled (the compilation is most of the time).
  const { config } = await loadSpamAssassinConfig(directory);
  return { ignoredHeaders: config.bayesIgnoreHeaders, registry: config };
}

/**
 * A Bayes filter that learned `spam` and `ham` (message files), without auto-learning, reading
 * the headers Debian's rules let it read (as spamd's Bayes does); `math` overrides the combining's
 * constants (bench/spam-holdout.ts's `--math`).
 */
export async function trainedBayes(
  spam: string[],
  ham: string[],
  math: Partial<BayesMath> = {},
): Promise<BayesFilter> {
  const bayes = new BayesFilter({
    store: new MemoryBayesStore(),
    autoLearn: null,
    math,
    ...(await debianBayesSettings()),
  });
  for (const file of spam) await bayes.learn(readMessage(file), 'spam');
  for (const file of ham) await bayes.learn(readMessage(file), 'ham');
  return bayes;
}

/** An engine with the rules alone (score set 2, as with Bayes): Bayes's band score is added apart. */
export async function rulesOnlyEngine(): Promise<SpamEngine> {
  const directory = await findDebianRuleDirectory();
  if (!directory)
    throw new Error("Debian's spamassassin rules are not installed (apt-get install spamassassin)");
  const { rules } = await loadSpamAssassinRules(directory);
  return new SpamEngine({
    tests: [spamAssassinTest(rules, { scoreSet: 2 })],
    whitelist: null,
    blockScore: 10,
    maxContentBytes: Number.MAX_SAFE_INTEGER,
  });
}

/** An engine with the rules and a Bayes filter that learned `spam` and `ham` (message files). */
export async function trainedEngine(
  spam: string[],
  ham: string[],
  bayes?: BayesFilter,
): Promise<SpamEngine> {
  const directory = await findDebianRuleDirectory();
  if (!directory)
    throw new Error("Debian's spamassassin rules are not installed (apt-get install spamassassin)");
  const { rules } = await loadSpamAssassinRules(directory);
  const filter = bayes ?? (await trainedBayes(spam, ham));
  return new SpamEngine({
    tests: [spamAssassinTest(rules, { scoreSet: 2 }), filter.test()],
    whitelist: null,
    blockScore: 10,
    maxContentBytes: Number.MAX_SAFE_INTEGER,
  });
}

/** The SMTP facts of a message read from a file: none known. */
export const NO_FACTS = { clientIp: '', helo: '', mailFrom: '', rcptTo: [], authenticated: false };

/**
 * A rule's points in score set 2 (Bayes on, network off: as bench/spam.ts rates), or
 * SpamAssassin's default for a rule without a score line: 1, 0.01 for a rule in testing (T_),
 * negative for a `nice` one.
 */
export function scoreSet2Of(config: SaConfig): (name: string) => number {
  return (name) => {
    const given = config.scores.get(name);
    if (given) return given[2] ?? given[0]!;
    const magnitude = name.startsWith('T_') ? 0.01 : 1;
    return (config.tflags.get(name) ?? []).includes('nice') ? -magnitude : magnitude;
  };
}
