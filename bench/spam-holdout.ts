/**
 * The validation split bench/spam.ts's Mailyard side is tuned on: the training sets only
 * (spam-1, easy-ham-1, hard-ham-1), each cut in time order, the first 70% learned by Bayes and
 * the last 30% rated with Debian's rules (score set 2) and that Bayes. Prints false negatives
 * and false positives at several thresholds; the test sets (spam-2, easy-ham-2) are not read.
 * `npm run bench:spam-holdout -w @mailyard/bench`
 */
import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import {
  BayesFilter,
  MemoryBayesStore,
  SpamEngine,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
  spamAssassinTest,
} from '@mailyard/spam-scoring';
import { corpusFiles } from './spam-corpus.js';

const groups = corpusFiles();
const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules } = await loadSpamAssassinRules(directory);
const split = (files: string[]) => {
  const cut = Math.floor(files.length * 0.7);
  return { learn: files.slice(0, cut), rate: files.slice(cut) };
};
const spam = split(groups['spam-1']!);
const easy = split(groups['easy-ham-1']!);
const hard = split(groups['hard-ham-1']!);
const read = (file: string) => {
  const bytes = readFileSync(file);
  return { bytes, summary: summarize(bytes) };
};
const bayes = new BayesFilter({ store: new MemoryBayesStore(), autoLearn: null });
for (const file of spam.learn) await bayes.learn(read(file), 'spam');
for (const file of [...easy.learn, ...hard.learn]) await bayes.learn(read(file), 'ham');
const engine = new SpamEngine({
  tests: [spamAssassinTest(rules, { scoreSet: 2 }), bayes.test()],
  whitelist: null,
  blockScore: 10,
  maxContentBytes: Number.MAX_SAFE_INTEGER,
});
const facts = { clientIp: '', helo: '', mailFrom: '', rcptTo: [], authenticated: false };
const scores = async (files: string[]) => {
  const out: number[] = [];
  for (const file of files) out.push((await engine.rate(facts, read(file))).rawScore);
  return out;
};
const spamScores = await scores(spam.rate);
const hamScores = await scores([...easy.rate, ...hard.rate]);
for (const threshold of [3, 4, 5, 6]) {
  const missed = spamScores.filter((score) => score < threshold).length;
  const alarms = hamScores.filter((score) => score >= threshold).length;
  console.log(
    `threshold ${threshold}: false negatives ${missed}/${spamScores.length}, false positives ${alarms}/${hamScores.length}`,
  );
}
