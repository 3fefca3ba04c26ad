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
import { Worker } from 'node:worker_threads';
import { corpusFiles } from './spam-corpus.js';

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
// The worker is TypeScript: it registers tsx's loader first (tsx does not pass it to workers).
// Under bench/spam-ab.ts (MAILYARD_SPAM_AB_BASE set, empty on the current side) it registers
// spam-ab's resolve hook before, for the same reason: a worker runs no `--import` of the process.
const entry = new URL('./spam-worker.ts', import.meta.url).href;
const abHook = new URL('./spam-ab-loader.mjs', import.meta.url).href;
const abHookFirst =
  process.env.MAILYARD_SPAM_AB_BASE === undefined
    ? 'Promise.resolve()'
    : `import(${JSON.stringify(abHook)})`;
const loader = `${abHookFirst}.then(() => import('tsx/esm/api')).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
const workers = Array.from(
  { length: threads },
  () => new Worker(loader, { eval: true, workerData }),
);
await Promise.all(
  workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }),
  ),
);
// process.cpuUsage counts every thread of the process.
const cpu = process.cpuUsage();
const scores: string[] = [];
let next = 0;
await Promise.all(
  workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        const send = () => (next < files.length ? worker.postMessage(files[next++]) : resolve());
        worker.on('message', ({ file, score }: { file: string; score: number }) => {
          scores.push(`${file}\t${score.toFixed(2)}`);
          send();
        });
        worker.once('error', reject);
        send();
      }),
  ),
);
const used = process.cpuUsage(cpu);
const seconds = (used.user + used.system) / 1e6;
console.error(
  `rated ${files.length} messages in ${threads} threads in ${seconds.toFixed(2)} CPU seconds: ${(files.length / seconds).toFixed(1)} per CPU second`,
);
console.log(scores.sort().join('\n'));
await Promise.all(workers.map((worker) => worker.terminate()));
