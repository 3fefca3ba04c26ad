/**
 * __FROM_NAME_IN_MSG (72_active.cf; FRNAME_IN_MSG_XPRIO_NO_SUB): a `From:` line's two-word name
 * that comes back alone on a line soon after, read in the whole raw message (`full`) by a
 * backreference in a lookahead RE2 cannot run. Matched by hand, keyed by the exact Perl source
 * for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/from-name-in-message-pattern.test.ts.
 *
 * `^From:\s+([^<]\S+\s\S+)\s(?=.{1,2048}^\1\r?$)` under /sm, case counting. At a line start,
 * `From:`, white space, then the name: its second word is the run of non-spaces after the
 * first word's run and one white space, and a white space must follow it; the name begins at
 * the first word (not `<`, two characters at least) or at the white space just before it
 * (`\s+` gives one back, when there are two). So a `From:` line has at most two names, which
 * share their end. A name must then fill a line (a `\r` may end it) that starts 2 to 2049
 * characters after that end. The lines are keyed by their content's hash, each key to its
 * lines' starts in order; a name without a newline looks its key up (a binary search for the
 * window), one with a newline (its white spaces may be newlines) tries the line starts in the
 * window. Time linear in the text (at most 2048 starts a name).
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

/** `.{1,2048}`: how far after the name's end (and its white space) the line may start. */
const MAX_LOOKAHEAD = 2048;

/** The end of the run of non-spaces from `start`. */
function runEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && !isPerlSpace(text[end])) end++;
  return end;
}

/** The first index of `sorted` whose value is at least `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

const fromNameInMessage: HandWrittenPattern = (text: string) => {
  if (!text.startsWith('From:') && !text.includes('\nFrom:')) return false;
  const hash = new SubstringHash(text);
  const lineStarts: number[] = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1))
    lineStarts.push(at + 1);
  /** Where the line from `start` ends (its newline or the text's end), a `\r` before it left out. */
  const contentEnd = (start: number) => {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    return end > start && text[end - 1] === '\r' ? end - 1 : end;
  };
  let lines: Map<number, number[]> | null = null;
  const linesByKey = () => {
    if (lines) return lines;
    lines = new Map();
    for (const start of lineStarts) {
      const key = hash.key(start, contentEnd(start));
      const list = lines.get(key);
      if (list) list.push(start);
      else lines.set(key, [start]);
    }
    return lines;
  };
  // `\1\r?$` at a line start: the name, then a newline or the end, a `\r` before it or not.
  const nameAt = (line: number, start: number, length: number) => {
    let after = line + length;
    if (text[after] === '\r') after++;
    return (after === text.length || text[after] === '\n') && hash.equal(start, line, length);
  };
  for (const from of lineStarts) {
    if (!text.startsWith('From:', from)) continue;
    let word = from + 5;
    while (word < text.length && isPerlSpace(text[word])) word++;
    if (word === from + 5) continue;
    const firstEnd = runEnd(text, word);
    if (firstEnd === word || firstEnd >= text.length || !isPerlSpace(text[firstEnd])) continue;
    const second = firstEnd + 1;
    const end = runEnd(text, second);
    if (end === second || end >= text.length) continue;
    const starts: number[] = [];
    if (firstEnd - word >= 2 && text[word] !== '<') starts.push(word);
    if (word - 1 >= from + 6) starts.push(word - 1);
    const windowStart = end + 2;
    const windowEnd = end + 1 + MAX_LOOKAHEAD;
    for (const start of starts) {
      const length = end - start;
      if (!text.slice(start, end).includes('\n')) {
        const found = linesByKey().get(hash.key(start, end));
        if (!found) continue;
        for (
          let i = lowerBound(found, windowStart);
          i < found.length && found[i]! <= windowEnd;
          i++
        )
          if (nameAt(found[i]!, start, length)) return true;
      } else {
        for (let i = lowerBound(lineStarts, windowStart); i < lineStarts.length; i++) {
          if (lineStarts[i]! > windowEnd) break;
          if (nameAt(lineStarts[i]!, start, length)) return true;
        }
      }
    }
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FROM_NAME_IN_MESSAGE_PATTERN: readonly [string, HandWrittenPattern] = [
  // __FROM_NAME_IN_MSG
  '(?sm)^From:\\s+([^<]\\S+\\s\\S+)\\s(?=.{1,2048}^\\1\\r?$)',
  fromNameInMessage,
];
