/**
 * One of bench/spam.ts's Mailyard raters, in a worker thread (spamd has two children; Mailyard
 * gets as many threads): learns the training sets into its own Bayes database, says `ready`,
 * then rates each file it is sent and answers with the score.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NO_FACTS, readMessage, trainedEngine } from './spam-mailyard.js';

const { trainSpam, trainHam } = workerData as { trainSpam: string[]; trainHam: string[] };
const engine = await trainedEngine(trainSpam, trainHam);
parentPort!.on('message', async (file: string) => {
  const rated = await engine.rate(NO_FACTS, readMessage(file));
  parentPort!.postMessage({ file, score: rated.score });
});
parentPort!.postMessage('ready');
