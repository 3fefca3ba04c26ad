/**
 * __0_TZ_1 to __0_TZ_7 (72_active.cf, read by RATWARE_ZERO_TZ): the From display name's words
 * come back in the address's local part, `"John Smith" <johnsmithab@...>`. Backreferences RE2
 * cannot run; matched by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and
 * checked against Perl in test/zero-tz-patterns.test.ts.
 *
 * Each begins at the text's start with `"(\w)(\w+) (\w+)" <` or `"(\w)(\w+) (\w)\. (\w+)" <`:
 * the words run to a space, a dot or the quote, none of them a word character, so every group
 * is one text (the first character of the first word, the rest of it, the other words). With
 * the groups known, the local part is a pattern of fixed words and bounded optional characters,
 * run by V8 once at the `<` (sticky): linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

const TWO_WORDS = /^"(\w)(\w+) (\w+)" </i;
const THREE_WORDS = /^"(\w)(\w+) (\w)\. (\w+)" </i;
/** The words are ASCII word characters: nothing to escape in a V8 source. */
const word = (group: string) => group;

/**
 * A matcher for a name shape and the local part written with `\N` for the groups (as in the
 * rule, after the `<`): the groups read, then the local part run at the `<`.
 */
function zeroTz(name: RegExp, localPart: string): HandWrittenPattern {
  return (text: string) => {
    const groups = name.exec(text);
    if (groups === null) return false;
    const source = localPart.replace(/\\(\d)/g, (_, n: string) => word(groups[Number(n)]!));
    const local = new RegExp(source, 'iy');
    local.lastIndex = groups[0].length;
    return local.test(text);
  };
}

const TAIL = '_?[a-z][a-z]@';

/** The rules' Perl sources (flags as an inline group), each with its matcher. */
export const ZERO_TZ_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    '(?i)^\\"(\\w)(\\w+) (\\w+)\\" <\\1\\2[\\._]?\\3_?[a-z][a-z]\\@',
    zeroTz(TWO_WORDS, `\\1\\2[._]?\\3${TAIL}`),
  ],
  [
    '(?i)^\\"(\\w)(\\w+) (\\w+)\\" <\\1[\\._]?\\3_?[a-z][a-z]\\@',
    zeroTz(TWO_WORDS, `\\1[._]?\\3${TAIL}`),
  ],
  ['(?i)^\\"(\\w)(\\w+) (\\w+)\\" <\\3_?[a-z][a-z]\\@', zeroTz(TWO_WORDS, `\\3${TAIL}`)],
  [
    '(?i)^\\"(\\w)(\\w+) (\\w)\\. (\\w+)\\" <\\1\\2[\\._]?\\4_?[a-z][a-z]\\@',
    zeroTz(THREE_WORDS, `\\1\\2[._]?\\4${TAIL}`),
  ],
  [
    '(?i)^\\"(\\w)(\\w+) (\\w)\\. (\\w+)\\" <\\1\\2[\\._]?\\3[\\._]?\\4_?[a-z][a-z]\\@',
    zeroTz(THREE_WORDS, `\\1\\2[._]?\\3[._]?\\4${TAIL}`),
  ],
  [
    '(?i)^\\"(\\w)(\\w+) (\\w)\\. (\\w+)\\" <\\1\\3\\4_?[a-z][a-z]\\@',
    zeroTz(THREE_WORDS, `\\1\\3\\4${TAIL}`),
  ],
  [
    '(?i)^\\"(\\w)(\\w+) (\\w)\\. (\\w+)\\" <\\3[\\._]?\\4_?[a-z][a-z]\\@',
    zeroTz(THREE_WORDS, `\\3[._]?\\4${TAIL}`),
  ],
];
