/**
 * The crash test's victim: appends messages (one at a time, and every fourth time a batch of
 * three, as MULTIAPPEND does) and replaces flags in a loop, forever, and says on stdout what it
 * is about to do (`I`, `T`) and what the store acknowledged (`A`, `F`). The test kills it with
 * SIGKILL at a random moment and checks the store against what it said.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { FsMailStore } from '../../src/index.js';

const [directory, startText] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);
const store = new FsMailStore({ directory: directory! });
const access = store.access('crash@example.com');
const flagSets = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['Work'], ['\\Answered', 'Todo']];

const box = await access.open('INBOX');
const uids = (await box.messages()).map((m) => m.uid);
say('ready');
for (let seq = Number(startText); ;) {
  const size = seq % 4 === 3 ? 3 : 1;
  const batch = Array.from({ length: size }, (_, i) => {
    const content = Buffer.concat([
      Buffer.from(`Subject: crash ${seq + i}\r\n\r\n`),
      randomBytes(1 + ((seq + i) % 7) * 1500),
    ]);
    return { content, digest: createHash('sha256').update(content).digest('hex') };
  });
  // `I <seq> <digest> <batch>`: the batch is named by its first message's seq.
  for (const [i, { digest }] of batch.entries()) say(`I ${seq + i} ${digest} ${seq}`);
  const results = await access.append(
    'INBOX',
    batch.map(({ content }) => ({ content })),
  );
  for (const [i, result] of results.entries()) {
    say(`A ${result.uid} ${batch[i]!.digest}`);
    uids.push(result.uid);
  }
  const uid = uids[seq % uids.length]!;
  const flags = flagSets[seq % flagSets.length]!;
  say(`T ${uid} ${flags.join(',')}`);
  await box.updateFlags([uid], { operation: 'replace', flags });
  say(`F ${uid} ${flags.join(',')}`);
  seq += size;
}
