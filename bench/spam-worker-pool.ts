/**
 * Mailyard rating in worker threads (spam-worker.ts), shared by bench/spam.ts (the test set) and
 * spam-holdout-threads.ts (the training holdout): each worker learns its Bayes database from the
 * training files, then the files to rate are handed out one at a time, as spamc clients take them.
 */
import { Worker } from 'node:worker_threads';

export interface SpamWorkerTraining {
  readonly trainSpam: readonly string[];
  readonly trainHam: readonly string[];
}

export interface RatedFile {
  readonly file: string;
  readonly score: number;
}

// The worker is TypeScript: it registers tsx's loader first (tsx does not pass it to workers).
// Under bench/spam-ab.ts (MAILYARD_SPAM_AB_BASE set, empty on the current side) it registers
// spam-ab's resolve hook before, for the same reason: a worker runs no `--import` of the process.
const entry = new URL('./spam-worker.ts', import.meta.url).href;
const abHook = new URL('./spam-ab-loader.mjs', import.meta.url).href;

/** `threads` workers, each trained and ready; none left running if one fails to start. */
export async function startSpamWorkers(
  threads: number,
  training: SpamWorkerTraining,
): Promise<Worker[]> {
  const abHookFirst =
    process.env.MAILYARD_SPAM_AB_BASE === undefined
      ? 'Promise.resolve()'
      : `import(${JSON.stringify(abHook)})`;
  const loader = `${abHookFirst}.then(() => import('tsx/esm/api')).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const workers = Array.from(
    { length: threads },
    () => new Worker(loader, { eval: true, workerData: training }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('message', () => resolve());
            worker.once('error', reject);
          }),
      ),
    );
    return workers;
  } catch (error) {
    await stopSpamWorkers(workers);
    throw error;
  }
}

/** Rates `files` across the workers, each taking the next file when done with its last. */
export function rateInWorkers(
  workers: readonly Worker[],
  files: readonly string[],
  rated: (result: RatedFile) => void,
): Promise<void> {
  let next = 0;
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => (next < files.length ? worker.postMessage(files[next++]) : resolve());
          worker.on('message', (result: RatedFile) => {
            rated(result);
            send();
          });
          worker.once('error', reject);
          send();
        }),
    ),
  ).then(() => undefined);
}

export async function stopSpamWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.terminate()));
}
