/**
 * The validation split bench/spam.ts's Mailyard side is tuned on: the training sets only
 * (spam-1, easy-ham-1, hard-ham-1), each cut in time order, the first 70% learned by Bayes and
 * the last 30% rated with Debian's rules (score set 2) and that Bayes. Prints false negatives
 * and false positives at several thresholds; the test sets (spam-2, easy-ham-2) are not read.
 * `npm run bench:spam-holdout -w @mailyard/bench`
 * `-- --bayes` also prints how Bayes alone rates the held-out messages: the messages per
 * BAYES_xx band, and for each spam missed at 5 its score, band, probability and known tokens.
 * `-- --list` prints every held-out message's file, score and Bayes band (for comparing with
 * SpamAssassin's `spamc -y` on the same split).
 * `-- --math s=0.1,minStrength=0.3` changes the Bayes combining's constants (BayesMath).
 * `-- --cpu` prints on stderr the CPU seconds the rating took (learning left out) and the
 * messages rated per CPU second, for comparing a change on the same message set.
 * `-- --against-spamassassin` also has Debian's SpamAssassin learn the same 70% (sa-learn) and
 * rate the same 30% (spamd -L), and sets its Bayes band beside Mailyard's for each message
 * (spam-sa-compare.ts).
 * `-- --folds 5` instead: a time-ordered 5-fold cross validation over the training sets
 * (spam-folds.ts), every training message rated once by a Bayes database that did not learn it;
 * `--bayes`, `--list` and `--math` as above; with `--against-spamassassin`, SpamAssassin learns
 * and rates the same folds and the messages the two engines disagree on are listed
 * (spam-folds-sa.ts; `--sa-cache DIR` keeps spamd's reports, default a directory in the temp).
 * `--math-grid "s=0.1,0.2;minStrength=0.3,0.346"` (with `--folds`) rates the folds once per
 * combination of the listed constants (each fold learned once) and prints one line of figures per
 * combination, instead of the figures above.
 * `--forward` (with `--folds`): each fold learns only the folds before it (later mail rated by
 * what was learned earlier, as the test sets are), and only the folds after Bayes's minimum of
 * 200 spam and 200 ham are rated (spam-folds.ts); `--folds 10 --forward` rates the last six.
 * `--rules-cache DIR` (with `--folds`) keeps each message's rule result (score without Bayes and
 * rule list) in DIR, keyed by a hash of the rule files and the built engine code
 * (spam-rules-cache.ts): a run that changes only Bayes (tokenizer, `--math`) skips the rules.
 */
import { DEFAULT_BAYES_BANDS } from '@mailyard/spam-scoring';
import { corpusFiles } from './spam-corpus.js';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  crossValidate,
  crossValidateMaths,
  crossValidationSummary,
  printCrossValidation,
} from './spam-folds.js';
import { printFoldsAgainstSpamAssassin, spamAssassinFolds } from './spam-folds-sa.js';
import { compareWithSpamAssassin } from './spam-sa-compare.js';
import { NO_FACTS, readMessage, trainedBayes, trainedEngine } from './spam-mailyard.js';

const groups = corpusFiles();
const split = (files: string[]) => {
  const cut = Math.floor(files.length * 0.7);
  return { learn: files.slice(0, cut), rate: files.slice(cut) };
};
const spam = split(groups['spam-1']!);
const easy = split(groups['easy-ham-1']!);
const hard = split(groups['hard-ham-1']!);
const mathOption = process.argv[process.argv.indexOf('--math') + 1];
const math = process.argv.includes('--math')
  ? Object.fromEntries(
      (mathOption ?? '').split(',').map((pair) => {
        const [name, value] = pair.split('=');
        return [name, Number(value)];
      }),
    )
  : {};
const folds = process.argv.includes('--folds')
  ? Number(process.argv[process.argv.indexOf('--folds') + 1])
  : 0;
const scheme = { folds, forward: process.argv.includes('--forward') };
/** The training sets, each message with its class, for the folds. */
const trainingSets = {
  'spam-1': { kind: 'spam', files: groups['spam-1']! },
  'easy-ham-1': { kind: 'ham', files: groups['easy-ham-1']! },
  'hard-ham-1': { kind: 'ham', files: groups['hard-ham-1']! },
} as const;
const rulesCache = process.argv.includes('--rules-cache')
  ? process.argv[process.argv.indexOf('--rules-cache') + 1]!
  : undefined;
const gridOption = process.argv.includes('--math-grid')
  ? process.argv[process.argv.indexOf('--math-grid') + 1]!
  : null;
if (folds >= 2 && gridOption !== null) {
  // Every combination of the listed values, on top of `--math`.
  let grid: Record<string, number>[] = [math];
  for (const axis of gridOption.split(';')) {
    const [name, values] = axis.split('=');
    grid = grid.flatMap((entry) =>
      values!.split(',').map((value) => ({ ...entry, [name!]: Number(value) })),
    );
  }
  const rated = await crossValidateMaths(trainingSets, scheme, grid, rulesCache);
  for (const [index, entry] of grid.entries())
    console.log(`${JSON.stringify(entry)}: ${crossValidationSummary(rated[index]!)}`);
  process.exit(0);
}
if (folds >= 2) {
  const rated = await crossValidate(trainingSets, scheme, math, rulesCache);
  printCrossValidation(rated, scheme, {
    bayes: process.argv.includes('--bayes'),
    list: process.argv.includes('--list'),
  });
  if (process.argv.includes('--against-spamassassin')) {
    const cache = process.argv.includes('--sa-cache')
      ? process.argv[process.argv.indexOf('--sa-cache') + 1]!
      : join(tmpdir(), 'mailyard-bench-sa-folds');
    const theirs = await spamAssassinFolds(rated, scheme, trainingSets, cache);
    printFoldsAgainstSpamAssassin(rated, theirs, [3, 4, 5, 6]);
  }
  process.exit(0);
}
const bayes = await trainedBayes(spam.learn, [...easy.learn, ...hard.learn], math);
const engine = await trainedEngine(spam.learn, [...easy.learn, ...hard.learn], bayes);

interface Rated {
  readonly file: string;
  readonly score: number;
  readonly band: string;
  readonly probability: number | null;
  readonly tokens: number;
}
const bandOf = (hits: readonly { name: string }[]) =>
  hits.find((hit) => /^BAYES_\d\d$/.test(hit.name))?.name ?? 'none';
const rate = async (files: string[]) => {
  const out: Rated[] = [];
  for (const file of files) {
    const message = readMessage(file);
    const verdict = await engine.rate(NO_FACTS, message);
    const { probability, tokens } = await bayes.classify(message);
    out.push({ file, score: verdict.rawScore, band: bandOf(verdict.hits), probability, tokens });
  }
  return out;
};
const cpuBefore = process.cpuUsage();
const spamRated = await rate(spam.rate);
const hamRated = await rate([...easy.rate, ...hard.rate]);
if (process.argv.includes('--cpu')) {
  const { user, system } = process.cpuUsage(cpuBefore);
  const seconds = (user + system) / 1e6;
  const messages = spamRated.length + hamRated.length;
  console.error(
    `rated ${messages} messages in ${seconds.toFixed(2)} CPU seconds: ${(messages / seconds).toFixed(1)} per CPU second`,
  );
}
for (const threshold of [3, 4, 5, 6]) {
  const missed = spamRated.filter(({ score }) => score < threshold).length;
  const alarms = hamRated.filter(({ score }) => score >= threshold).length;
  console.log(
    `threshold ${threshold}: false negatives ${missed}/${spamRated.length}, false positives ${alarms}/${hamRated.length}`,
  );
}
if (process.argv.includes('--bayes')) {
  const bands = [...DEFAULT_BAYES_BANDS.map((band) => band.name), 'none'];
  const count = (rated: Rated[]) =>
    bands.map((band) => `${band} ${rated.filter((r) => r.band === band).length}`).join(', ');
  console.log(`Bayes bands, held-out spam: ${count(spamRated)}`);
  console.log(`Bayes bands, held-out ham: ${count(hamRated)}`);
  for (const r of spamRated.filter(({ score }) => score < 5))
    console.log(
      `missed ${basename(r.file)}: score ${r.score.toFixed(1)}, ${r.band}, p ${r.probability?.toFixed(3) ?? '-'}, ${r.tokens} tokens`,
    );
  const closest = [...hamRated].sort((a, b) => b.score - a.score).slice(0, 5);
  for (const r of closest)
    console.log(`ham ${basename(r.file)}: score ${r.score.toFixed(1)}, ${r.band}`);
}
if (process.argv.includes('--list'))
  for (const r of [...spamRated, ...hamRated])
    console.log(`${r.file}\t${r.score.toFixed(2)}\t${r.band}`);
if (process.argv.includes('--against-spamassassin'))
  await compareWithSpamAssassin(
    spam.learn,
    [...easy.learn, ...hard.learn],
    [
      ...spamRated.map((r) => ({ ...r, kind: 'spam' as const })),
      ...hamRated.map((r) => ({ ...r, kind: 'ham' as const })),
    ],
    [3, 4, 5, 6],
  );
