/**
 * The training holdout (bench/spam-holdout.ts's split: the last 30% of spam-1, easy-ham-1 and
 * hard-ham-1 in time order, Bayes learned from the first 70%) rated as bench/spam.ts rates the
 * test set: in worker threads (spam-worker.ts, two by default; `--threads N`), one file at a
 * time, CPU seconds of every thread of the process. A speed change is checked here in the
 * test-set run's setting (one Bayes pass per message, the threads' garbage collection) without
 * reading the test set. Prints the CPU seconds and messages per CPU second on stderr, and each
 * file with its score (sorted) on stdout, to compare verdicts between two builds.
 * `npm run bench:spam-holdout-threads -w @mailyard/bench`
 */
import { corpusFiles } from './spam-corpus.js';
import { rateInWorkers, startSpamWorkers, stopSpamWorkers } from './spam-worker-pool.js';

const groups = corpusFiles();
const held = (files: string[]) => files.slice(Math.floor(files.length * 0.7));
const learned = (files: string[]) => files.slice(0, Math.floor(files.length * 0.7));
const files = [
  ...held(groups['spam-1']!),
  ...held(groups['easy-ham-1']!),
  ...held(groups['hard-ham-1']!),
];
const workerData = {
  trainSpam: learned(groups['spam-1']!),
  trainHam: [...learned(groups['easy-ham-1']!), ...learned(groups['hard-ham-1']!)],
};
const at = process.argv.indexOf('--threads');
const threads = at >= 0 ? Number(process.argv[at + 1]) : 2;
const workers = await startSpamWorkers(threads, workerData);
// process.cpuUsage counts every thread of the process.
const cpu = process.cpuUsage();
const scores: string[] = [];
await rateInWorkers(workers, files, ({ file, score }) =>
  scores.push(`${file}\t${score.toFixed(2)}`),
);
const used = process.cpuUsage(cpu);
const seconds = (used.user + used.system) / 1e6;
console.error(
  `rated ${files.length} messages in ${threads} threads in ${seconds.toFixed(2)} CPU seconds: ${(files.length / seconds).toFixed(1)} per CPU second`,
);
console.log(scores.sort().join('\n'));
await stopSpamWorkers(workers);
