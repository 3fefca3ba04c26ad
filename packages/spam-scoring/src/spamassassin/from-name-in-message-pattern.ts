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
 * window. Time linear in the text (at most 2048 starts a name). A mail's few short names are
 * compared with their window's lines directly instead, without hashing the message.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';
import { lowerBound } from './sorted-places.js';

/** `.{1,2048}`: how far after the name's end (and its white space) the line may start. */
const MAX_LOOKAHEAD = 2048;
/**
 * Up to this many names, each of at most DIRECT_NAME_LENGTH octets, are compared with their
 * window's lines directly (at most 2048 lines of a few octets each: a mail's usual case, no
 * hashing of the whole message); more or longer ones go through the hashed lines.
 */
const DIRECT_NAMES = 16;
const DIRECT_NAME_LENGTH = 256;

/** The end of the run of non-spaces from `start`. */
function runEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && !isPerlSpace(text[end])) end++;
  return end;
}

/** The names (start, end) each `From:` line allows. */
function namesOf(text: string, lineStarts: readonly number[]): [number, number][] {
  const names: [number, number][] = [];
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
    if (firstEnd - word >= 2 && text[word] !== '<') names.push([word, end]);
    if (word - 1 >= from + 6) names.push([word - 1, end]);
  }
  return names;
}

const fromNameInMessage: HandWrittenPattern = (text: string) => {
  if (!text.startsWith('From:') && !text.includes('\nFrom:')) return false;
  const lineStarts: number[] = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1))
    lineStarts.push(at + 1);
  const names = namesOf(text, lineStarts);
  if (names.length === 0) return false;
  // `\1\r?$` at a line start: the name, then a newline or the end, a `\r` before it or not.
  const endsLine = (line: number, length: number) => {
    let after = line + length;
    if (text[after] === '\r') after++;
    return after === text.length || text[after] === '\n';
  };
  const windowOf = (end: number) => [end + 2, end + 1 + MAX_LOOKAHEAD] as const;
  // A mail's few short names: each compared with the lines of its window, octet by octet.
  if (
    names.length <= DIRECT_NAMES &&
    names.every(([start, end]) => end - start <= DIRECT_NAME_LENGTH)
  ) {
    for (const [start, end] of names) {
      const name = text.slice(start, end);
      const [first, last] = windowOf(end);
      for (
        let i = lowerBound(lineStarts, first);
        i < lineStarts.length && lineStarts[i]! <= last;
        i++
      )
        if (endsLine(lineStarts[i]!, name.length) && text.startsWith(name, lineStarts[i]!))
          return true;
    }
    return false;
  }
  const hash = new SubstringHash(text);
  /** Where the line from `start` ends, a `\r` before its newline left out. */
  const contentEnd = (start: number) => {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    return end > start && text[end - 1] === '\r' ? end - 1 : end;
  };
  const lines = new Map<number, number[]>();
  for (const start of lineStarts) {
    const key = hash.key(start, contentEnd(start));
    const list = lines.get(key);
    if (list) list.push(start);
    else lines.set(key, [start]);
  }
  for (const [start, end] of names) {
    const length = end - start;
    const [first, last] = windowOf(end);
    const nameAt = (line: number) => endsLine(line, length) && hash.equal(start, line, length);
    // A name without a newline fills its line: look its key up. One with a newline (its white
    // spaces may be newlines) spans lines: try the window's line starts.
    const found = text.slice(start, end).includes('\n')
      ? lineStarts
      : (lines.get(hash.key(start, end)) ?? []);
    for (let i = lowerBound(found, first); i < found.length && found[i]! <= last; i++)
      if (nameAt(found[i]!)) return true;
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FROM_NAME_IN_MESSAGE_PATTERN: readonly [string, HandWrittenPattern] = [
  // __FROM_NAME_IN_MSG
  '(?sm)^From:\\s+([^<]\\S+\\s\\S+)\\s(?=.{1,2048}^\\1\\r?$)',
  fromNameInMessage,
];
