/**
 * __PDS_TONAME_EQ_TOLOCAL (72_active.cf; TONOM_EQ_TOLOC_SHRT_SHRTNER, __VISTA_TONOM_EQ_TOLOC,
 * T_TONOM_EQ_TOLOC_SHRT_PSHRTNER): the To display name is the address's local part,
 * `To: bob <bob@example.com>`, read in the raw To header by a backreference RE2 cannot run.
 * Matched by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and checked against
 * Perl in test/to-name-eq-local-pattern.test.ts.
 *
 * `^\s*['"]?([^'"]+)['"]? <?\1\@`, case counting. The name may start anywhere in the leading
 * white space (`\s*` gives it back) or past a quote after it, and ends at a space (or a quote
 * and a space) with `<` after it or not: each such end and place of the repeat is one pair,
 * and for a pair only one start in the white space can match. If the name holds more than
 * white space, its repeat must begin with exactly the white space the name begins with, then
 * the name's first other character: the run of white space at the repeat fixes the start. If
 * the name is only white space, its repeat, the same length, must be all of the run before
 * the `@`: that run fixes it again. So each pair is one comparison (by hashes, SubstringHash),
 * linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

const isQuote = (c: string | undefined) => c === '"' || c === "'";

const toNameEqualsLocalPart: HandWrittenPattern = (text: string) => {
  const n = text.length;
  let leading = 0;
  while (leading < n && isPerlSpace(text[leading])) leading++;
  // The run of white space from each place, and the next quote at or after it.
  const spaces = new Int32Array(n + 1);
  const nextQuote = new Int32Array(n + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    spaces[i] = isPerlSpace(text[i]) ? spaces[i + 1]! + 1 : 0;
    nextQuote[i] = isQuote(text[i]) ? i : nextQuote[i + 1]!;
  }
  const quotedStart = isQuote(text[leading]) ? leading + 1 : -1;
  let hash: SubstringHash | null = null;
  const matches = (start: number, end: number, repeat: number) => {
    const length = end - start;
    if (start < 0 || length < 1 || (start > leading && start !== quotedStart)) return false;
    if (nextQuote[start]! < end || text[repeat + length] !== '@') return false;
    hash ??= new SubstringHash(text);
    return hash.equal(start, repeat, length);
  };
  for (let end = 1; end < n; end++) {
    const separator =
      text[end] === ' ' ? end + 1 : isQuote(text[end]) && text[end + 1] === ' ' ? end + 2 : -1;
    if (separator < 0) continue;
    for (const repeat of text[separator] === '<' ? [separator, separator + 1] : [separator]) {
      const run = spaces[repeat]!;
      const start = end > leading ? leading - run : end - run;
      if (matches(start, end, repeat) || matches(quotedStart, end, repeat)) return true;
    }
  }
  return false;
};

/** The rule's Perl source, with its matcher. */
export const TO_NAME_EQ_LOCAL_PATTERN: readonly [string, HandWrittenPattern] = [
  // __PDS_TONAME_EQ_TOLOCAL
  '^\\s*[\'"]?([^\'"]+)[\'"]? <?\\1\\@',
  toNameEqualsLocalPart,
];
