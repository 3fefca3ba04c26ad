import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { summarize } from '@mailyard/mime';
import { BayesFilter, type BayesFilterOptions } from '../bayes/bayes-filter.js';
import { bayesRuleOptions } from '../bayes/bayes-rule-settings.js';
import type { SpamTest } from '../core/spam-test.js';
import { SpamEngine } from '../engine/spam-engine.js';
import { spamAssassinTest } from '../spamassassin/spamassassin-test.js';
import { FileBayesStore } from './file-bayes-store.js';
import {
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  loadSpamAssassinRules,
} from './load-spamassassin-rules.js';
import { messageFiles } from './message-files.js';

export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `usage:
  mailyard-spam learn --db FILE [--reset] [--rules DIR | --no-rules] (--spam|--ham) PATH...
  mailyard-spam score --db FILE [--rules DIR | --no-rules] PATH...

PATH is a message file or a directory of them. learn refuses a database learned with another
version of the tokenizer; --reset empties the database first (everything learned is lost). score prints PATH<TAB>SCORE<TAB>spam|ham per
message (SCORE on Kerio's 0-10 scale; spam at the default tag score, 5). --rules names a
directory of SpamAssassin .cf files (default: Debian's, when installed); learn reads their
Bayes settings (bayes_ignore_header, bayes_stopword_*), score their rules and the same
settings: learn and score a database with the same rules.
`;

/** The `mailyard-spam` command. Returns the exit code. */
export async function runSpamCli(args: readonly string[], out: CliOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        spam: { type: 'boolean' },
        ham: { type: 'boolean' },
        reset: { type: 'boolean' },
        rules: { type: 'string' },
        'no-rules': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    out.stderr(`mailyard-spam: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.stdout(USAGE);
    return 0;
  }
  const [command, ...paths] = positionals;
  const usageError = (message: string) => {
    out.stderr(`mailyard-spam: ${message}\n${USAGE}`);
    return 2;
  };
  if (command !== 'learn' && command !== 'score')
    return usageError(command ? `unknown command "${command}"` : 'no command');
  if (!values.db) return usageError('--db FILE is required');
  if (paths.length === 0) return usageError('no PATH given');
  try {
    const rules = values['no-rules'] ? null : (values.rules ?? (await findDebianRuleDirectory()));
    if (command === 'learn') {
      if (values.spam === values.ham)
        return usageError('learn takes exactly one of --spam and --ham');
      return await learn(
        values.db,
        values.spam ? 'spam' : 'ham',
        values.reset ?? false,
        rules,
        paths,
        out,
      );
    }
    if (values.reset) return usageError('--reset goes with learn');
    return await score(values.db, rules, paths, out);
  } catch (error) {
    out.stderr(`mailyard-spam: ${(error as Error).message}\n`);
    return 1;
  }
}

async function learn(
  db: string,
  as: 'spam' | 'ham',
  reset: boolean,
  rulesDirectory: string | null,
  paths: readonly string[],
  out: CliOutput,
): Promise<number> {
  // Only the rule files' Bayes settings: parsed, not compiled (the compilation is most of the time).
  const settings: Partial<BayesFilterOptions> = rulesDirectory
    ? bayesRuleOptions((await loadSpamAssassinConfig(rulesDirectory)).config)
    : {};
  const store = await FileBayesStore.open(db, { autoSave: false });
  const filter = new BayesFilter({ store, ...settings });
  if (reset) store.clear();
  const status = await filter.status();
  if (status.state === 'outdated') {
    // As sa-learn on an old database: refuse, say why and what to do; the file stays as it is.
    out.stderr(
      `mailyard-spam: ${db} was learned with Bayes tokenizer version ${status.databaseVersion}, ` +
        `this mailyard-spam tokenizes with version ${status.tokenizerVersion}: its counts would ` +
        'match almost nothing, and the two must not mix. Nothing was learned and the database ' +
        'is unchanged. To relearn it from your mail, start with learn --reset (which empties it), ' +
        'then learn the other class without --reset.\n',
    );
    return 1;
  }
  let learned = 0;
  let full = 0;
  let seen = 0;
  for await (const path of messageFiles(paths)) {
    const bytes = await readFile(path);
    seen++;
    const outcome = await filter.learn({ bytes, summary: summarize(bytes) }, as);
    if (outcome === 'full') full++;
    else if (outcome !== 'unchanged') learned++;
  }
  if (full > 0)
    out.stderr(
      `mailyard-spam: warning: ${db}: ${full} messages not learned: the database is at its hard limit of tokens and none is old enough to forget\n`,
    );
  await store.save();
  const totals = await store.totals();
  out.stdout(
    `learned ${learned} of ${seen} messages as ${as}; the database holds ${totals.spam} spam and ${totals.ham} ham\n`,
  );
  return 0;
}

async function score(
  db: string,
  rulesDirectory: string | null,
  paths: readonly string[],
  out: CliOutput,
): Promise<number> {
  const loaded = rulesDirectory ? await loadSpamAssassinRules(rulesDirectory) : null;
  const store = await FileBayesStore.open(db, { autoSave: false });
  // The rule files' Bayes settings, as learn read them: the tokens looked up are those learned.
  const bayes = new BayesFilter({
    store,
    autoLearn: null,
    ...(loaded ? bayesRuleOptions(loaded.config) : {}),
  });
  const tests: SpamTest[] = [];
  const status = await bayes.status();
  const bayesActive = status.state === 'active';
  // Scoring still works without Bayes; the warning says why its tests are missing.
  if (status.state === 'outdated') out.stderr(`mailyard-spam: warning: ${db}: ${status.message}\n`);
  if (loaded) tests.push(spamAssassinTest(loaded.rules, { scoreSet: bayesActive ? 2 : 0 }));
  tests.push(bayes.test());
  // The verdict is the tag threshold's; blocking is an SMTP server's business, not this command's.
  const engine = new SpamEngine({ tests, whitelist: null, blockScore: 10 });
  const facts = { clientIp: '', helo: '', mailFrom: '', rcptTo: [], authenticated: false };
  for await (const path of messageFiles(paths)) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      // A message that cannot be read still gets its line (scored as nothing), and a word why.
      out.stderr(`mailyard-spam: ${path}: ${(error as Error).message}\n`);
      bytes = new Uint8Array(0);
    }
    const rated = await engine.rate(facts, { bytes, summary: summarize(bytes) });
    const verdict = rated.score >= engine.options.tagScore ? 'spam' : 'ham';
    out.stdout(`${path}\t${rated.score.toFixed(2)}\t${verdict}\n`);
  }
  return 0;
}
