import type { ResolvedSpamOptions } from './spam-options.js';
import type { SpamVerdict } from './spam-verdict.js';

export interface HeaderLine {
  readonly name: string;
  /** The value, folded with CRLF + tab where it runs over several lines. */
  readonly value: string;
}

/**
 * The headers a rated message gets. The seeds do not give their values (spam.md 1), so they follow
 * SpamAssassin's convention, which mail clients and Sieve scripts already read:
 *
 * ```
 * X-Spam-Flag: YES                                   (tagged messages only)
 * X-Spam-Status: Yes, score=7.20 required=5.00 tests=GTUBE,BAYES_99
 * X-Spam-Score: 7.20
 * X-Spam-Report:
 * 	* 1000 GTUBE Generic Test for Unsolicited Bulk Email
 * ```
 *
 * Scores are Kerio's 0-10 with 2 decimals; the report lists each test's own contribution.
 */
export function spamHeaders(verdict: SpamVerdict, options: ResolvedSpamOptions): HeaderLine[] {
  const spam = verdict.action !== 'accept';
  const score = verdict.score.toFixed(2);
  const tests = verdict.hits.map((hit) => headerSafe(hit.name)).join(',') || 'none';
  const headers: HeaderLine[] = [];
  if (spam) headers.push({ name: 'X-Spam-Flag', value: 'YES' });
  headers.push({
    name: 'X-Spam-Status',
    value: foldList(
      `${spam ? 'Yes' : 'No'}, score=${score} required=${options.tagScore.toFixed(2)} tests=`,
      tests,
    ),
  });
  headers.push({ name: 'X-Spam-Score', value: score });
  if (verdict.hits.length > 0) {
    const lines = verdict.hits.map((hit) =>
      `* ${formatContribution(hit.score)} ${headerSafe(hit.name)} ${headerSafe(hit.description)}`.trimEnd(),
    );
    headers.push({ name: 'X-Spam-Report', value: lines.map((line) => `\r\n\t${line}`).join('') });
  }
  return headers;
}

/**
 * The Subject prefix of a tagged message, with `[%s]` replaced by one `*` per whole point of
 * the score (so users filter on the number of asterisks, Kerio 13.1); null when not tagged or
 * when no prefix is configured.
 */
export function subjectTag(verdict: SpamVerdict, options: ResolvedSpamOptions): string | null {
  if (verdict.action !== 'tag' || options.subjectPrefix === null) return null;
  const stars = '*'.repeat(Math.floor(verdict.score));
  return headerSafe(options.subjectPrefix.replaceAll('[%s]', stars));
}

function formatContribution(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(2).replace(/0$/, '');
}

/** Test names and descriptions come from rule files: nothing in them may end the header. */
function headerSafe(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
}

/** `prefix` + comma-separated items, folded before 78 columns so long test lists stay valid. */
function foldList(prefix: string, items: string): string {
  const parts = items.split(',');
  let out = prefix;
  let column = 'X-Spam-Status: '.length + prefix.length;
  parts.forEach((part, index) => {
    const piece = index < parts.length - 1 ? `${part},` : part;
    if (index > 0 && column + piece.length > 76) {
      out += '\r\n\t';
      column = 8;
    }
    out += piece;
    column += piece.length;
  });
  return out;
}
