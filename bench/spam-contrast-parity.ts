/**
 * HTML_FONT_LOW_CONTRAST, Mailyard against spamd, message by message on the training sets
 * (spam-1, easy-ham-1, hard-ham-1; the test sets are not read). spamd's answers are read, read
 * only, from the cache that bench/spam-rule-diff.ts (branch feat/spam-evals-2) writes: one
 * `spamc -y` line of rule names per message, in `mailyard-spam-rule-diff` under the system's
 * temp directory unless `--cache DIR`;
 * ours from the one rule compiled alone. Prints each message where the two differ, then the
 * counts per group (neither, Mailyard only, spamd only, both).
 * `npm run bench:spam-contrast-parity -w @mailyard/bench [-- --cache DIR]`
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SaMessageView, SaRuleSet, emptySaConfig, parseCfFile } from '@mailyard/spam-scoring';
import { TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { readMessage } from './spam-mailyard.js';

const RULE = 'HTML_FONT_LOW_CONTRAST';
const cacheOption = process.argv.indexOf('--cache');
const cache =
  cacheOption >= 0 ? process.argv[cacheOption + 1]! : join(tmpdir(), 'mailyard-spam-rule-diff');

const config = emptySaConfig();
parseCfFile(config, 'contrast.cf', `body ${RULE} eval:html_test('font_low_contrast')`);
const rules = SaRuleSet.compile(config);

const groups = corpusFiles();
let compared = 0;
for (const group of [...TRAIN_SPAM, ...TRAIN_HAM]) {
  // neither, Mailyard only, spamd only, both
  const counts = [0, 0, 0, 0];
  for (const file of groups[group]!) {
    const answer = join(cache, group, `${basename(file)}.rules`);
    if (!existsSync(answer)) continue;
    const spamd = readFileSync(answer, 'utf8')
      .split(/[\s,]+/)
      .includes(RULE);
    const { bytes, summary } = readMessage(file);
    const ours = rules
      .evaluate(new SaMessageView(bytes, summary), 0)
      .some((hit) => hit.name === RULE);
    counts[(spamd ? 2 : 0) + (ours ? 1 : 0)]!++;
    compared++;
    if (spamd !== ours)
      console.log(`${spamd ? 'spamd only   ' : 'Mailyard only'} ${group}/${basename(file)}`);
  }
  console.log(
    `${group}: neither ${counts[0]}, Mailyard only ${counts[1]}, spamd only ${counts[2]}, both ${counts[3]}`,
  );
}
if (compared === 0) {
  console.error(`no spamd answers under ${cache}: run bench/spam-rule-diff.ts first`);
  process.exitCode = 1;
}
