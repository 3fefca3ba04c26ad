/**
 * __PDS_FROM_2_EMAILS (72_active.cf; T_PDS_FROM_2_EMAILS, __FROM_MULTI_NORDNS...): a From
 * header with an address, then `<` and another address, `a@b.example <c@d.example>`. The
 * pattern's possessive `\w++` and its `(?!\1)` are beyond RE2; matched by hand, keyed by the
 * exact Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/from-two-addresses-pattern.test.ts.
 *
 * `(?:^|<|"| )([\w+.-]+\@[\w.-]+\.\w\w++)(?:[^\n\w<]{0,80})?<(?!\1)[^\n\s]*\@` under /i. Every
 * part of the address is a maximal run (what may follow each is outside its class), so each
 * `<` has at most one address: the word characters that end before it, past at most 80 others
 * (not newlines), must be all of a run after a dot, two at least; before the dot, `[\w.-]`
 * back to an `@`, one at least; before that, `[\w+.-]` back to the text's start or a `<`, `"`
 * or space. After the `<`, the text must not begin with that address (ASCII case ignored) and
 * the run of non-spaces there must hold an `@`. An address holds no `<`, so the scans back
 * from two `<`s never overlap: time linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace, isPerlWord, asciiLowerCase } from './octet-text.js';

/** `(?:[^\n\w<]{0,80})?`: the most characters between the address and its `<`. */
const MAX_GAP = 80;

const isDomainCharacter = (c: string | undefined) => c === '.' || c === '-' || isPerlWord(c);
const isLocalCharacter = (c: string | undefined) => c === '+' || isDomainCharacter(c);

/** The start of the address `[\w+.-]+\@[\w.-]+\.\w\w++` that ends at `end`, or -1. */
function addressStart(text: string, end: number): number {
  let at = end;
  while (at > 0 && isPerlWord(text[at - 1])) at--;
  if (end - at < 2 || text[at - 1] !== '.') return -1;
  const dot = at - 1;
  at = dot;
  while (at > 0 && isDomainCharacter(text[at - 1])) at--;
  if (at === dot || text[at - 1] !== '@') return -1;
  const atSign = at - 1;
  at = atSign;
  while (at > 0 && isLocalCharacter(text[at - 1])) at--;
  if (at === atSign) return -1;
  return at === 0 || text[at - 1] === '<' || text[at - 1] === '"' || text[at - 1] === ' ' ? at : -1;
}

const fromTwoAddresses: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  // Whether the run of non-spaces from each place holds an `@`, filled from the end.
  let atAhead: Uint8Array | null = null;
  for (let open = lower.indexOf('<'); open >= 0; open = lower.indexOf('<', open + 1)) {
    let end = open;
    while (end > 0 && open - end < MAX_GAP) {
      const c = lower[end - 1];
      if (c === '\n' || c === '<' || isPerlWord(c)) break;
      end--;
    }
    if (!isPerlWord(lower[end - 1])) continue;
    const start = addressStart(lower, end);
    if (start < 0) continue;
    if (lower.startsWith(lower.slice(start, end), open + 1)) continue;
    if (atAhead === null) {
      atAhead = new Uint8Array(lower.length + 1);
      for (let i = lower.length - 1; i >= 0; i--)
        atAhead[i] = lower[i] === '@' ? 1 : isPerlSpace(lower[i]) ? 0 : atAhead[i + 1]!;
    }
    if (atAhead[open + 1]) return true;
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FROM_TWO_ADDRESSES_PATTERN: readonly [string, HandWrittenPattern] = [
  // __PDS_FROM_2_EMAILS
  '(?i)(?:^|<|"| )([\\w+.-]+\\@[\\w.-]+\\.\\w\\w++)(?:[^\\n\\w<]{0,80})?<(?!\\1)[^\\n\\s]*\\@',
  fromTwoAddresses,
];
