/**
 * Where the SpamAssassin rules' time goes: every plain rule's matching time summed over the
 * TRAINING sets (spam-1, easy-ham-1, hard-ham-1; the test sets are never read), costliest first.
 * Each message's views (body, raw body, URIs, headers) are rendered once before timing, so a
 * rule is not charged for the rendering the first rule to ask pays.
 * `npx tsx spam-rule-cpu.ts [--top N] [--limit MESSAGES]`
 */
import {
  SaMessageView,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '@mailyard/spam-scoring';
import { corpusFiles } from './spam-corpus.js';
import { readMessage } from './spam-mailyard.js';

const option = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const groups = corpusFiles();
const files = [...groups['spam-1']!, ...groups['easy-ham-1']!, ...groups['hard-ham-1']!].slice(
  0,
  option('--limit', Infinity),
);
const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules, config } = await loadSpamAssassinRules(directory);
const cpuByRule = new Map<string, number>();
let total = 0;
for (const file of files) {
  const { bytes, summary } = readMessage(file);
  const view = new SaMessageView(bytes, summary);
  view.body();
  view.rawBody();
  view.uris(config);
  view.full();
  const started = performance.now();
  rules.evaluate(view, 2, cpuByRule);
  total += performance.now() - started;
}
const ruleSum = [...cpuByRule.values()].reduce((a, b) => a + b, 0);
console.log(
  `${files.length} messages: evaluate ${(total / 1000).toFixed(2)} s, of which plain rules ${(ruleSum / 1000).toFixed(2)} s`,
);
for (const [name, ms] of [...cpuByRule].sort((a, b) => b[1] - a[1]).slice(0, option('--top', 40)))
  console.log(`${(ms / 1000).toFixed(3).padStart(8)} s  ${name}`);
