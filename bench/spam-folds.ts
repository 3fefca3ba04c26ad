/**
 * bench/spam-holdout.ts's `--folds N`: a time-ordered N-fold cross validation over the training
 * sets (spam-1, easy-ham-1, hard-ham-1). Each set is cut in time order into N blocks; fold k
 * rates block k of each set with Debian's rules (score set 2) and a Bayes database learned from
 * the other blocks. Every training message is rated once, so the figures rest on 500 spam and
 * 2,750 ham rather than the one split's 150 and 825. The rules' score of a message does not
 * depend on the fold: it is computed once, and Bayes's band score (BayesFilter.hitsFor) added
 * per fold; each message is tokenized once (BayesFilter.classifyTokens).
 *
 * `forward` (spam-holdout.ts's `--forward`): fold k learns only the blocks before it, as the test
 * sets are later mail than the training sets; a cross validation lets a fold learn from mail
 * written after it, so it cannot show what a change does to mail of a later time (a campaign,
 * a relay, a mail program new by then). Only the folds whose blocks before them hold Bayes's
 * minimum to act (200 spam and 200 ham) are rated.
 */
import { basename, dirname } from 'node:path';
import {
  BayesFilter,
  type BayesMath,
  DEFAULT_BAYES_BANDS,
  DEFAULT_BAYES_STOPWORDS,
  MemoryBayesStore,
  SaMessageView,
  type SpamEngine,
  bayesTokens,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  receiveDate,
} from '@mailyard/spam-scoring';
import { NO_FACTS, readMessage, rulesOnlyEngine } from './spam-mailyard.js';
import { RulesCache, rulesCacheKey } from './spam-rules-cache.js';

interface Sample {
  readonly file: string;
  readonly kind: 'spam' | 'ham';
  readonly fold: number;
  readonly tokens: readonly string[];
  /** When it was received (seconds), as Bayes stamps the tokens it learns for expiry. */
  readonly atime: number;
  readonly rules: number;
  readonly ruleNames: readonly string[];
}

/** The fold a message falls in: its time-ordered block of its set. */
export const foldOf = (index: number, length: number, folds: number) =>
  Math.floor((index * folds) / length);

/** Bayes's minimum to act (BayesFilter's default): 200 spam and 200 ham learned. */
const BAYES_MINIMUM = 200;

/** How a fold's Bayes database is chosen: all other folds, or only the earlier ones. */
export interface FoldScheme {
  readonly folds: number;
  readonly forward: boolean;
}

/** Whether fold `fold` learns from a message of fold `other`. */
export const learnsFrom = (scheme: FoldScheme, fold: number, other: number) =>
  scheme.forward ? other < fold : other !== fold;

/**
 * The folds that are rated: every fold, or (forward) those whose earlier blocks hold Bayes's
 * minimum of each class.
 */
export function ratedFolds(
  sets: Record<string, { kind: 'spam' | 'ham'; files: string[] }>,
  scheme: FoldScheme,
): number[] {
  const all = Array.from({ length: scheme.folds }, (_, fold) => fold);
  if (!scheme.forward) return all;
  return all.filter((fold) =>
    (['spam', 'ham'] as const).every(
      (kind) =>
        Object.values(sets)
          .filter((set) => set.kind === kind)
          .reduce(
            (sum, set) =>
              sum +
              set.files.filter((_, index) =>
                learnsFrom(scheme, fold, foldOf(index, set.files.length, scheme.folds)),
              ).length,
            0,
          ) >= BAYES_MINIMUM,
    ),
  );
}

export interface FoldRated {
  readonly file: string;
  readonly kind: 'spam' | 'ham';
  readonly fold: number;
  readonly score: number;
  readonly band: string;
  readonly probability: number | null;
  /** The rules that fired (sub-rules, `__` names, left out), Bayes's band not among them. */
  readonly ruleNames: readonly string[];
}

/**
 * Rates every message of `sets` once, in the fold its time-ordered block falls in. With
 * `rulesCache` (a directory: spam-rules-cache.ts), the rules' result of each message is taken
 * from it when there and written to it when not, and the rule engine is built only if needed.
 */
export async function crossValidate(
  sets: Record<string, { kind: 'spam' | 'ham'; files: string[] }>,
  scheme: FoldScheme,
  math: Partial<BayesMath>,
  rulesCache?: string,
): Promise<FoldRated[]> {
  return (await crossValidateMaths(sets, scheme, [math], rulesCache))[0]!;
}

/**
 * crossValidate for several sets of Bayes constants at once (spam-holdout.ts's `--math-grid`):
 * the messages are tokenized and each fold's database learned once, then every `maths` entry
 * rates the fold; one list of ratings per entry, in its order.
 */
export async function crossValidateMaths(
  sets: Record<string, { kind: 'spam' | 'ham'; files: string[] }>,
  scheme: FoldScheme,
  maths: readonly Partial<BayesMath>[],
  rulesCache?: string,
): Promise<FoldRated[][]> {
  const ruleDirectory = await findDebianRuleDirectory();
  if (!ruleDirectory)
    throw new Error("Debian's spamassassin rules are not installed (apt-get install spamassassin)");
  const cache =
    rulesCache === undefined ? null : new RulesCache(rulesCache, rulesCacheKey(ruleDirectory));
  let engine: SpamEngine | null = null;
  // As spamd's Bayes reads them: without the headers the rule files name.
  const { config } = await loadSpamAssassinConfig(ruleDirectory);
  const samples: Sample[] = [];
  for (const { kind, files } of Object.values(sets))
    for (const [index, file] of files.entries()) {
      const message = readMessage(file);
      // The corpus set and file name: the same message in any worktree.
      const name = `${basename(dirname(file))}/${basename(file)}`;
      let result = cache?.get(name);
      if (!result) {
        engine ??= await rulesOnlyEngine();
        const verdict = await engine.rate(NO_FACTS, message);
        result = {
          rules: verdict.rawScore,
          ruleNames: verdict.hits.map((hit) => hit.name).filter((name) => !name.startsWith('__')),
        };
        cache?.set(name, result);
      }
      const view = new SaMessageView(message.bytes, message.summary);
      samples.push({
        file,
        kind,
        fold: foldOf(index, files.length, scheme.folds),
        tokens: bayesTokens(view, DEFAULT_BAYES_STOPWORDS, config.bayesIgnoreHeaders, config),
        atime: receiveDate(view, Math.floor(Date.now() / 1000)),
        ...result,
      });
    }
  cache?.save();
  const outs: FoldRated[][] = maths.map(() => []);
  for (const fold of ratedFolds(sets, scheme)) {
    const store = new MemoryBayesStore();
    for (const sample of samples)
      if (learnsFrom(scheme, fold, sample.fold))
        await store.apply({
          signature: sample.file,
          from: null,
          to: sample.kind,
          tokens: sample.tokens,
          atime: sample.atime,
        });
    for (const [index, math] of maths.entries()) {
      // Its first classification expires the fold's database, as spamd's first scan does.
      const bayes = new BayesFilter({ store, autoLearn: null, math });
      for (const sample of samples) {
        if (sample.fold !== fold) continue;
        const { probability } = await bayes.classifyTokens(sample.tokens);
        const hits = probability === null ? [] : bayes.hitsFor(probability);
        outs[index]!.push({
          file: sample.file,
          kind: sample.kind,
          fold,
          score: hits.reduce((sum, hit) => sum + hit.score, sample.rules),
          band: hits[0]?.name ?? 'none',
          probability,
          ruleNames: sample.ruleNames,
        });
      }
    }
  }
  return outs;
}

/** The folds rated, in order (forward: not the first ones). */
const foldsIn = (rated: readonly FoldRated[]) =>
  [...new Set(rated.map((r) => r.fold))].sort((a, b) => a - b);

/** One line of figures for a grid entry: false negatives/positives at 4, 5, 6 and per fold at 5. */
export function crossValidationSummary(rated: readonly FoldRated[]): string {
  const spam = rated.filter((r) => r.kind === 'spam');
  const ham = rated.filter((r) => r.kind === 'ham');
  const at = (threshold: number) =>
    `${spam.filter((r) => r.score < threshold).length}/${ham.filter((r) => r.score >= threshold).length}`;
  const perFold = foldsIn(rated).map(
    (fold) =>
      `${spam.filter((r) => r.fold === fold && r.score < 5).length}/${ham.filter((r) => r.fold === fold && r.score >= 5).length}`,
  );
  // Bayes on its own, apart from the rules: spam it puts on the ham side (under 0.4, BAYES_40 and
  // lower) and ham on the spam side (0.6 and over, BAYES_60 and higher).
  const spamLow = spam.filter((r) => r.probability !== null && r.probability < 0.4).length;
  const hamHigh = ham.filter((r) => r.probability !== null && r.probability >= 0.6).length;
  // The test set's ham is easy ham only: its false positives apart.
  const easy = (threshold: number) =>
    ham.filter((r) => r.file.includes('easy-ham') && r.score >= threshold).length;
  return `FN/FP at 4 ${at(4)}, at 5 ${at(5)}, at 6 ${at(6)}; per fold at 5 ${perFold.join(' ')}; easy ham FP at 4/5 ${easy(4)}/${easy(5)}; Bayes spam under 0.4 ${spamLow}, ham 0.6 and over ${hamHigh}`;
}

/** The figures spam-holdout.ts prints for the split, over every fold together and per fold. */
export function printCrossValidation(
  rated: readonly FoldRated[],
  scheme: FoldScheme,
  options: { bayes: boolean; list: boolean },
): void {
  const spam = rated.filter((r) => r.kind === 'spam');
  const ham = rated.filter((r) => r.kind === 'ham');
  for (const threshold of [3, 4, 5, 6]) {
    const missed = spam.filter(({ score }) => score < threshold).length;
    const alarms = ham.filter(({ score }) => score >= threshold).length;
    console.log(
      `${scheme.folds} folds${scheme.forward ? ' forward' : ''}, threshold ${threshold}: false negatives ${missed}/${spam.length}, false positives ${alarms}/${ham.length}`,
    );
  }
  const perFold = foldsIn(rated).map((fold) => {
    const missed = spam.filter((r) => r.fold === fold && r.score < 5).length;
    const alarms = ham.filter((r) => r.fold === fold && r.score >= 5).length;
    return `${missed}/${alarms}`;
  });
  console.log(
    `per fold at 5 (false negatives/false positives), folds ${foldsIn(rated).join(', ')}: ${perFold.join(', ')}`,
  );
  if (options.bayes) {
    const bands = [...DEFAULT_BAYES_BANDS.map((band) => band.name), 'none'];
    const count = (list: readonly FoldRated[]) =>
      bands.map((band) => `${band} ${list.filter((r) => r.band === band).length}`).join(', ');
    console.log(`Bayes bands, spam: ${count(spam)}`);
    console.log(`Bayes bands, ham: ${count(ham)}`);
    for (const r of spam.filter(({ score }) => score < 5))
      console.log(
        `missed ${basename(r.file)}: fold ${r.fold}, score ${r.score.toFixed(1)}, ${r.band}, p ${r.probability?.toFixed(3) ?? '-'}`,
      );
    for (const r of ham.filter(({ score }) => score >= 4))
      console.log(
        `ham ${r.file.split('/').slice(-2).join('/')}: fold ${r.fold}, score ${r.score.toFixed(1)}, ${r.band}`,
      );
  }
  if (options.list)
    for (const r of rated)
      console.log(
        `${r.file}\t${r.score.toFixed(2)}\t${r.band}\t${r.probability?.toFixed(4) ?? '-'}`,
      );
}
