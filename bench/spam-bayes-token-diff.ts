/**
 * Mailyard's Bayes tokens against SpamAssassin's, over every training message (spam-1,
 * easy-ham-1, hard-ham-1; the test sets are not read): for each message the tokens only one side
 * makes, counted by class (`H<header>:` with its sub-kind such as `ip*` or `sk:`, `UD:`, `D*`,
 * `u8:`, `MIME*`..., plain words), with the number of messages and a few examples, most frequent
 * first. SpamAssassin's tokens come from its own tokenizer (Plugin/Bayes.pm `tokenize`, called by
 * test/fixtures/sa-bayes-tokens.pl on each message, with Debian's configuration).
 * `npm run bench:spam-bayes-token-diff -w @mailyard/bench`
 * `-- --sa-tokens FILE` reads (or, when FILE is absent, writes) SpamAssassin's tokens there, so a
 * run after a change to Mailyard's tokenizer does not run Perl again (about 5 minutes).
 * `-- --examples N` examples per class (default 6); `-- --file NAME` prints both token lists
 * of one message (`spam-1/00332.eml`).
 * `-- --root DIR` reads the messages of DIR's training-group directories instead (e.g. the
 * re-encoded training messages bench/spam-transform-parity.ts writes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_BAYES_STOPWORDS, SaMessageView, bayesTokens } from '@mailyard/spam-scoring';
import { SA_BAYES_TOKENS_SCRIPT, printableToken, tokenClass } from './bayes-token-classes.js';
import { CORPUS, TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { debianBayesSettings, readMessage } from './spam-mailyard.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;

const root = option('--root');
const groups = corpusFiles();
const files = [...TRAIN_SPAM, ...TRAIN_HAM].flatMap((group) =>
  root
    ? existsSync(join(root, group))
      ? readdirSync(join(root, group))
          .filter((name) => name.endsWith('.eml'))
          .map((name) => join(root, group, name))
      : []
    : groups[group]!,
);
const relative = (file: string) => `${basename(dirname(file))}/${basename(file)}`;

const saFile = option('--sa-tokens');
let saText: string;
if (saFile && existsSync(saFile)) saText = readFileSync(saFile, 'utf8');
else {
  saText = execFileSync('perl', [SA_BAYES_TOKENS_SCRIPT, ...files.map(relative)], {
    cwd: root ?? CORPUS,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (saFile) writeFileSync(saFile, saText);
}
const theirs = new Map<string, Set<string>>();
for (const line of saText.split('\n')) {
  const tab = line.indexOf('\t');
  if (tab > 0) theirs.set(line.slice(0, tab), new Set(line.slice(tab + 1).split(' ')));
}

interface ClassCount {
  tokens: number;
  messages: Set<string>;
  examples: Map<string, number>;
}
const onlyOurs = new Map<string, ClassCount>();
const onlyTheirs = new Map<string, ClassCount>();
const count = (map: Map<string, ClassCount>, token: string, file: string) => {
  const name = tokenClass(token);
  let entry = map.get(name);
  if (!entry) map.set(name, (entry = { tokens: 0, messages: new Set(), examples: new Map() }));
  entry.tokens++;
  entry.messages.add(file);
  entry.examples.set(token, (entry.examples.get(token) ?? 0) + 1);
};
const one = option('--file');
const { ignoredHeaders, registry } = await debianBayesSettings();
let same = 0;
for (const file of files) {
  const name = relative(file);
  if (one && name !== one) continue;
  const message = readMessage(file);
  const ours = new Set(
    bayesTokens(
      new SaMessageView(message.bytes, message.summary),
      DEFAULT_BAYES_STOPWORDS,
      ignoredHeaders,
      registry,
    ).map(printableToken),
  );
  const their = theirs.get(name);
  if (!their) throw new Error(`SpamAssassin gave no tokens for ${name}`);
  if (one) {
    console.log(
      `only Mailyard: ${[...ours]
        .filter((t) => !their.has(t))
        .sort()
        .join(' ')}`,
    );
    console.log(
      `only SpamAssassin: ${[...their]
        .filter((t) => !ours.has(t))
        .sort()
        .join(' ')}`,
    );
  }
  for (const token of ours)
    if (their.has(token)) same++;
    else count(onlyOurs, token, name);
  for (const token of their) if (!ours.has(token)) count(onlyTheirs, token, name);
}
const examples = Number(option('--examples') ?? 6);
const total = (map: Map<string, ClassCount>) =>
  [...map.values()].reduce((sum, entry) => sum + entry.tokens, 0);
console.log(
  `${files.length} messages: ${same} tokens both make, ${total(onlyOurs)} only Mailyard, ${total(onlyTheirs)} only SpamAssassin (token x message)`,
);
for (const [title, map] of [
  ['only Mailyard', onlyOurs],
  ['only SpamAssassin', onlyTheirs],
] as const) {
  console.log(`\n${title}, by class (tokens, messages, most frequent examples):`);
  for (const [name, entry] of [...map].sort((a, b) => b[1].tokens - a[1].tokens)) {
    const top = [...entry.examples]
      .sort((a, b) => b[1] - a[1])
      .slice(0, examples)
      .map(([token, n]) => `${token} (${n})`)
      .join(', ');
    console.log(`  ${name}\t${entry.tokens}\t${entry.messages.size}\t${top}`);
  }
}
