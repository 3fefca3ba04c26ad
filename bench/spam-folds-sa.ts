/**
 * bench/spam-holdout.ts's `--folds N --against-spamassassin`: Debian's SpamAssassin on the same
 * time-ordered folds as Mailyard's cross validation (spam-folds.ts). For fold k, sa-learn learns
 * the other blocks of each training set and spamd -L rates block k (spamd.ts), so both engines
 * rate every training message once with a Bayes database that did not learn it. Prints
 * SpamAssassin's false negatives and false positives beside Mailyard's at each threshold, then
 * every message one engine rates right at 5 and the other wrong, with both scores, both Bayes
 * bands and both rule lists (and which rules only one of them fires), the material for finding
 * where our computation differs from SpamAssassin's.
 * spamd's reports are kept in `--sa-cache DIR` (one file a message and fold count), so a run after
 * a change to Mailyard asks SpamAssassin nothing for the folds it already answered.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type FoldRated, type FoldScheme, foldOf, learnsFrom } from './spam-folds.js';
import { learnedSpamAssassinSite, spamc, startSpamd } from './spamd.js';

/** SpamAssassin's answer for one message: score, Bayes band and the rules of its report. */
export interface SpamAssassinRating {
  readonly score: number;
  readonly band: string;
  readonly ruleNames: readonly string[];
}

/** Reads spamc -R's report: the score on the first line, then one ` pts RULE description` line a rule. */
export function parseSpamcReport(report: string): SpamAssassinRating {
  const ruleNames = [...report.matchAll(/^\s*-?\d+(?:\.\d+)?\s+([A-Z][A-Z0-9_]+)\b/gm)].map(
    (match) => match[1]!,
  );
  return {
    score: Number(report.split('/')[0]),
    band: ruleNames.find((name) => /^BAYES_\d\d$/.test(name)) ?? 'none',
    // BAYES_999 rides on BAYES_99, as Mailyard's band does (not in its rule list either).
    ruleNames: ruleNames.filter((name) => !/^BAYES_\d+$/.test(name)),
  };
}

/** `<set directory>__<file>`: the message's name in the cache, unique over the training sets. */
const cacheName = (file: string) => `${basename(dirname(file))}__${basename(file)}.report`;

/**
 * SpamAssassin's rating of each message of `rated` in its fold, learning what Mailyard's Bayes
 * learned for that fold (the other folds of `sets`, or with `scheme.forward` the earlier ones);
 * `cache` holds spamd's reports between runs.
 */
export async function spamAssassinFolds(
  rated: readonly FoldRated[],
  scheme: FoldScheme,
  sets: Record<string, { kind: 'spam' | 'ham'; files: string[] }>,
  cache: string,
): Promise<Map<string, SpamAssassinRating>> {
  const out = new Map<string, SpamAssassinRating>();
  const foldCache = join(cache, `${scheme.forward ? 'forward' : 'folds'}-${scheme.folds}`);
  mkdirSync(foldCache, { recursive: true });
  const learned = (fold: number, kind: 'spam' | 'ham') =>
    Object.values(sets)
      .filter((set) => set.kind === kind)
      .flatMap((set) =>
        set.files.filter((_, index) =>
          learnsFrom(scheme, fold, foldOf(index, set.files.length, scheme.folds)),
        ),
      );
  for (const fold of [...new Set(rated.map((r) => r.fold))].sort((a, b) => a - b)) {
    const inFold = rated.filter((r) => r.fold === fold);
    const missing = inFold.filter((r) => !existsSync(join(foldCache, cacheName(r.file))));
    if (missing.length > 0) {
      const work = mkdtempSync(join(tmpdir(), 'mailyard-bench-sa-folds-'));
      try {
        const started = Date.now();
        const site = await learnedSpamAssassinSite(
          work,
          learned(fold, 'spam'),
          learned(fold, 'ham'),
        );
        console.error(
          `fold ${fold}: sa-learn took ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
        const { port, spamd } = await startSpamd(site);
        try {
          let next = 0;
          const client = async () => {
            while (next < missing.length) {
              const { file } = missing[next++]!;
              const report = await spamc(port, file, '-R');
              writeFileSync(join(foldCache, cacheName(file)), report);
              if (next % 250 === 0) console.error(`fold ${fold}: spamd ${next}/${missing.length}`);
            }
          };
          await Promise.all([client(), client()]);
        } finally {
          spamd.kill('SIGTERM');
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    for (const r of inFold)
      out.set(r.file, parseSpamcReport(readFileSync(join(foldCache, cacheName(r.file)), 'utf8')));
  }
  return out;
}

/** Both engines' false negatives and false positives, and every message they disagree on at 5. */
export function printFoldsAgainstSpamAssassin(
  rated: readonly FoldRated[],
  theirs: ReadonlyMap<string, SpamAssassinRating>,
  thresholds: readonly number[],
): void {
  const spam = rated.filter((r) => r.kind === 'spam');
  const ham = rated.filter((r) => r.kind === 'ham');
  const sa = (r: FoldRated) => theirs.get(r.file)!;
  for (const threshold of thresholds) {
    const ours = `false negatives ${spam.filter((r) => r.score < threshold).length}/${spam.length}, false positives ${ham.filter((r) => r.score >= threshold).length}/${ham.length}`;
    const saFigures = `false negatives ${spam.filter((r) => sa(r).score < threshold).length}/${spam.length}, false positives ${ham.filter((r) => sa(r).score >= threshold).length}/${ham.length}`;
    console.log(`threshold ${threshold}: Mailyard ${ours}; SpamAssassin ${saFigures}`);
  }
  const describe = (label: string, r: FoldRated) => {
    const their = sa(r);
    const onlyTheirs = their.ruleNames.filter((name) => !r.ruleNames.includes(name));
    const onlyOurs = r.ruleNames.filter((name) => !their.ruleNames.includes(name));
    console.log(
      `${label} ${r.file.split('/').slice(-2).join('/')} (fold ${r.fold}): ` +
        `Mailyard ${r.score.toFixed(2)} ${r.band}, SpamAssassin ${their.score.toFixed(2)} ${their.band}`,
    );
    console.log(`  Mailyard's rules: ${r.ruleNames.join(',')}`);
    console.log(`  SpamAssassin's rules: ${their.ruleNames.join(',')}`);
    console.log(
      `  only SpamAssassin fires: ${onlyTheirs.join(',') || '-'}; only Mailyard fires: ${onlyOurs.join(',') || '-'}`,
    );
  };
  const lists: [string, FoldRated[]][] = [
    [
      'spam SpamAssassin catches, Mailyard misses',
      spam.filter((r) => sa(r).score >= 5 && r.score < 5),
    ],
    [
      'spam Mailyard catches, SpamAssassin misses',
      spam.filter((r) => r.score >= 5 && sa(r).score < 5),
    ],
    [
      'ham Mailyard flags, SpamAssassin does not',
      ham.filter((r) => r.score >= 5 && sa(r).score < 5),
    ],
    [
      'ham SpamAssassin flags, Mailyard does not',
      ham.filter((r) => sa(r).score >= 5 && r.score < 5),
    ],
  ];
  for (const [title, list] of lists) {
    console.log(`${title} at 5: ${list.length}`);
    for (const r of list) describe(title.split(' ')[0]!, r);
  }
}
