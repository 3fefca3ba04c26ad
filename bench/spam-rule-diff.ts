/**
 * Where the points are lost: for each training message (spam-1, easy-ham-1, hard-ham-1; the test
 * sets are not read), the rules Debian's spamd fires (`spamc -y`, spamd `-L` without Bayes, the
 * site configuration of /etc/spamassassin) minus the rules Mailyard fires with the same rule
 * files; the score-set-2 points of each missing rule summed over the spam and, apart, over the
 * ham, largest first. Also lists the rules Mailyard fires and spamd does not (each a defect).
 * spamd's answers are cached (`--cache DIR`, default a directory in the system's temp), so a
 * second run after a change to Mailyard asks spamd nothing.
 * `npm run bench:spam-rule-diff -w @mailyard/bench [-- --cache DIR] [--top N] [--files RULE]`
 * `--cached-only` compares only the messages spamd has answered (no spamd started).
 * `--files RULE` prints the training files where spamd fires RULE and Mailyard does not.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  SaMessageView,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '@mailyard/spam-scoring';
import { TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { readMessage, scoreSet2Of } from './spam-mailyard.js';
import { cacheSpamdRules } from './spamd.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const cache = option('--cache') ?? join(tmpdir(), 'mailyard-spam-rule-diff');
const top = Number(option('--top') ?? 40);
const listFilesOf = option('--files');

const groups = corpusFiles();
const training = [...TRAIN_SPAM, ...TRAIN_HAM].flatMap((group) =>
  groups[group]!.map((file) => ({ group, file })),
);
const cacheFile = (group: string, file: string) => join(cache, group, `${basename(file)}.rules`);

for (const group of [...TRAIN_SPAM, ...TRAIN_HAM])
  mkdirSync(join(cache, group), { recursive: true });
const missing = training.filter(({ group, file }) => !existsSync(cacheFile(group, file)));
// --cached-only: the messages spamd has answered so far (a first look while it works).
const cachedOnly = process.argv.includes('--cached-only');
if (missing.length && !cachedOnly) {
  const cacheOf = new Map(missing.map(({ group, file }) => [file, cacheFile(group, file)]));
  await cacheSpamdRules(
    cache,
    missing.map(({ file }) => file),
    (file) => cacheOf.get(file)!,
  );
}
const compared = training.filter(({ group, file }) => existsSync(cacheFile(group, file)));

const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules, config } = await loadSpamAssassinRules(directory);
const scoreOf = scoreSet2Of(config);
const why = new Map(rules.unsupported.map(({ name, reason }) => [name, reason]));

interface Loss {
  spam: number;
  ham: number;
  points: number;
  hamPoints: number;
  files: string[];
}
const lost = new Map<string, Loss>();
const extra = new Map<string, string[]>();
for (const { group, file } of compared) {
  const theirs = readFileSync(cacheFile(group, file), 'utf8').split('\n').filter(Boolean);
  const message = readMessage(file);
  const view = new SaMessageView(message.bytes, message.summary, { mailFrom: null });
  // Score set 0 leaves out no rule spamd -L (score set 0 too) lists.
  const ours = new Set(rules.evaluate(view, 0).map(({ name }) => name));
  const isSpam = TRAIN_SPAM.includes(group);
  for (const name of theirs) {
    if (ours.has(name) || /^BAYES_/.test(name)) continue;
    const loss = lost.get(name) ?? { spam: 0, ham: 0, points: 0, hamPoints: 0, files: [] };
    if (isSpam) {
      loss.spam++;
      loss.points += scoreOf(name);
    } else {
      loss.ham++;
      loss.hamPoints += scoreOf(name);
    }
    loss.files.push(`${group}/${basename(file)}`);
    lost.set(name, loss);
  }
  for (const name of ours)
    if (!theirs.includes(name))
      extra.set(name, [...(extra.get(name) ?? []), `${group}/${basename(file)}`]);
}

const describe = (name: string, loss: Loss) =>
  `${name.padEnd(28)} spam ${String(loss.spam).padStart(3)} ${loss.points.toFixed(1).padStart(7)} pts | ham ${String(loss.ham).padStart(4)} ${loss.hamPoints.toFixed(1).padStart(7)} pts | score2 ${scoreOf(name)} | ${why.get(name) ?? 'runs'}`;
console.log('Rules spamd fires and Mailyard does not, by score-set-2 points lost on spam-1:');
for (const [name, loss] of [...lost].sort((a, b) => b[1].points - a[1].points).slice(0, top))
  console.log(describe(name, loss));
console.log('\nThe same, by points on the ham (easy-ham-1 + hard-ham-1):');
for (const [name, loss] of [...lost].sort((a, b) => b[1].hamPoints - a[1].hamPoints).slice(0, top))
  console.log(describe(name, loss));
console.log('\nRules Mailyard fires and spamd does not:');
for (const [name, files] of [...extra].sort((a, b) => b[1].length - a[1].length))
  console.log(`${name}: ${files.length} (${files.slice(0, 5).join(', ')})`);
// Both directions in one list, each message where exactly one side fires a rule weighted by the
// rule's score-set-2 points: a rule worth 0.001 on 300 messages matters less than one worth 2
// on 3 (the order in which to look for causes).
const differing = new Map<string, { missed: number; extra: number }>();
for (const [name, loss] of lost) differing.set(name, { missed: loss.spam + loss.ham, extra: 0 });
for (const [name, files] of extra)
  differing.set(name, { missed: differing.get(name)?.missed ?? 0, extra: files.length });
const weight = (name: string, count: { missed: number; extra: number }) =>
  (count.missed + count.extra) * Math.abs(scoreOf(name));
const ranked = [...differing].sort((a, b) => weight(b[0], b[1]) - weight(a[0], a[1]));
let total = 0;
let totalMessages = 0;
for (const [name, count] of ranked) {
  total += weight(name, count);
  totalMessages += count.missed + count.extra;
}
console.log(
  `\nRules by messages where one side fires, times |score2| (total ${totalMessages} rule-messages, ${total.toFixed(2)} points):`,
);
for (const [name, count] of ranked.slice(0, top))
  console.log(
    `${name.padEnd(28)} ${weight(name, count).toFixed(2).padStart(7)} | spamd only ${String(count.missed).padStart(4)} | Mailyard only ${String(count.extra).padStart(4)} | score2 ${scoreOf(name)}`,
  );
if (listFilesOf) console.log(`\n${listFilesOf}: ${(lost.get(listFilesOf)?.files ?? []).join(' ')}`);
