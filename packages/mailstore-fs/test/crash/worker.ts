/**
 * The crash test's victim: appends messages and replaces flags in a loop, forever, and says on
 * stdout what it is about to do (`I`, `T`) and what the store acknowledged (`A`, `F`). The test
 * kills it with SIGKILL at a random moment and checks the store against what it said.
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
for (let seq = Number(startText); ; seq++) {
  const content = Buffer.concat([
    Buffer.from(`Subject: crash ${seq}\r\n\r\n`),
    randomBytes(1 + (seq % 7) * 1500),
  ]);
  const digest = createHash('sha256').update(content).digest('hex');
  say(`I ${seq} ${digest}`);
  const [result] = await access.append('INBOX', [{ content }]);
  say(`A ${result!.uid} ${digest}`);
  uids.push(result!.uid);
  const uid = uids[seq % uids.length]!;
  const flags = flagSets[seq % flagSets.length]!;
  say(`T ${uid} ${flags.join(',')}`);
  await box.updateFlags([uid], { operation: 'replace', flags });
  say(`F ${uid} ${flags.join(',')}`);
}
