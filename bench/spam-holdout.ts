/**
 * The validation split bench/spam.ts's Mailyard side is tuned on: the training sets only
 * (spam-1, easy-ham-1, hard-ham-1), each cut in time order, the first 70% learned by Bayes and
 * the last 30% rated with Debian's rules (score set 2) and that Bayes. Prints false negatives
 * and false positives at several thresholds; the test sets (spam-2, easy-ham-2) are not read.
 * `npm run bench:spam-holdout -w @mailyard/bench`
 */
import { corpusFiles } from './spam-corpus.js';
import { NO_FACTS, readMessage, trainedEngine } from './spam-mailyard.js';

const groups = corpusFiles();
const split = (files: string[]) => {
  const cut = Math.floor(files.length * 0.7);
  return { learn: files.slice(0, cut), rate: files.slice(cut) };
};
const spam = split(groups['spam-1']!);
const easy = split(groups['easy-ham-1']!);
const hard = split(groups['hard-ham-1']!);
const engine = await trainedEngine(spam.learn, [...easy.learn, ...hard.learn]);
const scores = async (files: string[]) => {
  const out: number[] = [];
  for (const file of files) out.push((await engine.rate(NO_FACTS, readMessage(file))).rawScore);
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
