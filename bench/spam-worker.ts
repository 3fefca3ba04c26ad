/**
 * One of bench/spam.ts's Mailyard raters, in a worker thread (spamd has two children; Mailyard
 * gets as many threads): loads Debian's rules, learns the training sets into its own Bayes
 * database, says `ready`, then rates each file it is sent and answers with the score.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { summarize } from '@mailyard/mime';
import {
  BayesFilter,
  MemoryBayesStore,
  SpamEngine,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
  spamAssassinTest,
} from '@mailyard/spam-scoring';

const { trainSpam, trainHam } = workerData as { trainSpam: string[]; trainHam: string[] };
const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules } = await loadSpamAssassinRules(directory);
const bayes = new BayesFilter({ store: new MemoryBayesStore(), autoLearn: null });
const read = (file: string) => {
  const bytes = readFileSync(file);
  return { bytes, summary: summarize(bytes) };
};
for (const file of trainSpam) await bayes.learn(read(file), 'spam');
for (const file of trainHam) await bayes.learn(read(file), 'ham');
const engine = new SpamEngine({
  tests: [spamAssassinTest(rules, { scoreSet: 2 }), bayes.test()],
  whitelist: null,
  blockScore: 10,
  maxContentBytes: Number.MAX_SAFE_INTEGER,
});
const facts = { clientIp: '', helo: '', mailFrom: '', rcptTo: [], authenticated: false };
parentPort!.on('message', async (file: string) => {
  const rated = await engine.rate(facts, read(file));
  parentPort!.postMessage({ file, score: rated.score });
});
parentPort!.postMessage('ready');
