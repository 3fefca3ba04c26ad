/**
 * bench/spam-holdout.ts's `--against-spamassassin`: SpamAssassin's Bayes on the same split,
 * message by message. Debian's SpamAssassin learns the split's 70% with sa-learn (spamd.ts) and
 * rates the held-out 30% through spamd -L; each message's BAYES_xx band (from spamc's report) is
 * set beside Mailyard's. Prints SpamAssassin's false negatives and false positives at each
 * threshold, the table of Mailyard's band against SpamAssassin's, and every message where
 * SpamAssassin's band is the better one (a spam it rates higher, a ham it rates lower).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BAYES_BANDS } from '@mailyard/spam-scoring';
import { learnedSpamAssassinSite, spamc, startSpamd } from './spamd.js';

export interface OurRating {
  readonly file: string;
  readonly kind: 'spam' | 'ham';
  readonly score: number;
  readonly band: string;
}

const BANDS = [...DEFAULT_BAYES_BANDS.map((band) => band.name), 'none'];

export async function compareWithSpamAssassin(
  learnSpam: readonly string[],
  learnHam: readonly string[],
  ours: readonly OurRating[],
  thresholds: readonly number[],
): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mailyard-bench-sa-bayes-'));
  try {
    const site = await learnedSpamAssassinSite(work, learnSpam, learnHam);
    const { port, spamd } = await startSpamd(site);
    const theirs = new Map<string, { score: number; band: string }>();
    try {
      let next = 0;
      const client = async () => {
        while (next < ours.length) {
          const { file } = ours[next++]!;
          const report = await spamc(port, file, '-R');
          theirs.set(file, {
            score: Number(report.split('/')[0]),
            band: /^\s*-?[\d.]+\s+(BAYES_\d\d)\b/m.exec(report)?.[1] ?? 'none',
          });
        }
      };
      await Promise.all([client(), client()]);
    } finally {
      spamd.kill('SIGTERM');
    }
    const spam = ours.filter((r) => r.kind === 'spam');
    const ham = ours.filter((r) => r.kind === 'ham');
    for (const threshold of thresholds) {
      const missed = spam.filter((r) => theirs.get(r.file)!.score < threshold).length;
      const alarms = ham.filter((r) => theirs.get(r.file)!.score >= threshold).length;
      console.log(
        `SpamAssassin, threshold ${threshold}: false negatives ${missed}/${spam.length}, false positives ${alarms}/${ham.length}`,
      );
    }
    for (const [kind, list] of [
      ['spam', spam],
      ['ham', ham],
    ] as const) {
      console.log(`held-out ${kind}: Mailyard's band (rows) against SpamAssassin's (columns)`);
      console.log(
        `          ${BANDS.map((band) => band.replace('BAYES_', '').padStart(4)).join('')}`,
      );
      for (const row of BANDS) {
        const cells = BANDS.map(
          (column) =>
            list.filter((r) => r.band === row && theirs.get(r.file)!.band === column).length,
        );
        if (cells.some((n) => n > 0))
          console.log(`${row.padEnd(10)}${cells.map((n) => String(n).padStart(4)).join('')}`);
      }
      const better = list.filter((r) => {
        const diff = BANDS.indexOf(theirs.get(r.file)!.band) - BANDS.indexOf(r.band);
        return (
          r.band !== 'none' &&
          theirs.get(r.file)!.band !== 'none' &&
          (kind === 'spam' ? diff > 0 : diff < 0)
        );
      });
      for (const r of better)
        console.log(
          `SpamAssassin's band better: ${r.file.split('/').slice(-2).join('/')} Mailyard ${r.band} (score ${r.score.toFixed(2)}), SpamAssassin ${theirs.get(r.file)!.band} (score ${theirs.get(r.file)!.score.toFixed(2)})`,
        );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
