/**
 * __URI_LONG_REPEAT (72_active.cf, read by URI_LONG_REPEAT): a host name with a long label
 * twice in a row, `http://www.example1.example1.com/`. `(?:://|@)(?:\w+\.)*(\w{7,}\.)\1`, caseless:
 * a backreference RE2 cannot run; matched by hand, keyed by the exact Perl source for
 * HAND_WRITTEN_PATTERNS and checked against Perl in test/uri-long-repeat-pattern.test.ts.
 *
 * After `://` or `@`, `(?:\w+\.)*` steps over whole labels (word characters then a dot), so the
 * group is a whole label of 7 or more word characters with its dot, and the backreference asks
 * that the next label be the same (ASCII case ignored) and end in a dot too. The chain of labels
 * from one start ends at the first octet that is neither a word character nor a dot, which no
 * start (`:` or `@`) is: the chains never overlap, and the text is read about twice.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

const isWord = (c: string | undefined) =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_');
const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** Whether the chain of `\w+\.` labels from `at` holds a label of 7+ twice in a row. */
function repeatsFrom(text: string, at: number): boolean {
  let previous: string | null = null;
  for (;;) {
    let end = at;
    while (isWord(text[end])) end++;
    if (end === at || text[end] !== '.') return false;
    const label = text.slice(at, end);
    if (previous !== null && label === previous) return true;
    previous = label.length >= 7 ? label : null;
    at = end + 1;
  }
}

const uriLongRepeat: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  for (let at = 0; at < lower.length; at++) {
    const start = lower.startsWith('://', at) ? at + 3 : lower[at] === '@' ? at + 1 : -1;
    if (start >= 0 && repeatsFrom(lower, start)) return true;
  }
  return false;
};

export const URI_LONG_REPEAT_PATTERN: readonly [string, HandWrittenPattern] = [
  '(?i)(?:://|@)(?:\\w+\\.)*(\\w{7,}\\.)\\1',
  uriLongRepeat,
];
