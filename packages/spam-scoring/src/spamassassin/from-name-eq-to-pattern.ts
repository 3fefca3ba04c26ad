/**
 * __PDS_TO_EQ_FROM_NAME_1 (72_active.cf; T_PDS_TO_EQ_FROM_NAME): a To address that comes back as
 * the display name of a later From, `To: bob@example.com` then `From: "bob@example.com"
 * <eve@shop.example>`. Its backreferences, `(?!\1)` and possessive `++` are beyond RE2; matched by
 * hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/from-name-eq-to-pattern.test.ts.
 *
 * `\nTo: (?:[^\n<]{0,80}<)?([^\n\s>]+)>?\n+(?:[^\n]{1,100}\n+)*From:\W+(\1)([^\n\w<]++<)?` then
 * `((?!\1)[^\n">]++)>?\n` under /ism, on ASCII lower case.
 *
 * - A To line has at most two captures: the rest of the line from its start, or from after its
 *   first `<` within 81 places; each a run of `[^\n\s>]` that `>\n` or `\n` must end.
 * - They reach the lines after theirs while no line stepped over is longer than 100 characters.
 *   They are kept as hash keys (SubstringHash) with their lengths, apart by whether they begin
 *   with a word character.
 * - After `From:` comes a run of non-word characters (newlines too). A capture that begins with
 *   a word character can begin only at the run's end: one look-up a length. One that begins
 *   with another character may begin at each place of the run: one look-up a length and place.
 *   The runs of two From lines do not overlap, so that is linear in the text, at most one
 *   look-up a length (and 101 lengths at most) an octet.
 * - After the capture, with or without `[^\n\w<]++<`, a run of `[^\n">]` that does not begin
 *   with the capture must end the line (`>\n` or `\n`): a few look-ups in tables of run ends.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { displayNameRest } from './display-name-rest.js';
import { asciiLowerCase, isPerlSpace, isPerlWord, nextWhere } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

/** `(?:[^\n]{1,100}\n+)*`: the longest line stepped over between the To and the From. */
const MAX_STEPPED_LINE = 100;
/** `[^\n<]{0,80}<`: how far the `<` may be. */
const MAX_BEFORE_BRACKET = 80;

/** The To captures that reach a line: key → one place of it, and their lengths. */
class ReachedCaptures {
  readonly places = new Map<number, number>();
  /** Lengths of the captures that begin with a word character, and of the others. */
  readonly wordLengths = new Set<number>();
  readonly otherLengths = new Set<number>();

  add(key: number, start: number, length: number, word: boolean): void {
    this.places.set(key, start);
    (word ? this.wordLengths : this.otherLengths).add(length);
  }

  clear(): void {
    this.places.clear();
    this.wordLengths.clear();
    this.otherLengths.clear();
  }
}

const fromNameEqualsTo: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes('\nto: ') || !lower.includes('\nfrom:')) return false;
  const hash = new SubstringHash(lower);
  // The end of a `[^\n\w<]` run from each place.
  const bracketEnd = nextWhere(lower, (c) => c === '\n' || c === '<' || isPerlWord(c));
  const restOfLine = displayNameRest(lower, (a, b, length) => hash.equal(a, b, length));
  /** What follows `\1` ending at `end`: `([^\n\w<]++<)?` taken or not, then the rest of the line. */
  const after = (end: number, capture: number, length: number) => {
    if (restOfLine(end, capture, length)) return true;
    const bracket = bracketEnd[end]!;
    return bracket > end && lower[bracket] === '<' && restOfLine(bracket + 1, capture, length);
  };
  const reached = new ReachedCaptures();
  /** A reached capture of `length` at `place` that the rest of the From line completes. */
  const holds = (place: number, length: number) => {
    if (place + length > lower.length) return false;
    const capture = reached.places.get(hash.key(place, place + length));
    return (
      capture !== undefined &&
      hash.equal(capture, place, length) &&
      after(place + length, place, length)
    );
  };

  for (let line = 0; line < lower.length;) {
    const newline = lower.indexOf('\n', line);
    const end = newline < 0 ? lower.length : newline;
    if (line > 0 && reached.places.size > 0 && lower.startsWith('from:', line)) {
      // `\W+`: at least one non-word character, newlines too.
      const run = line + 5;
      let runStop = run;
      while (runStop < lower.length && !isPerlWord(lower[runStop])) runStop++;
      if (runStop > run) {
        for (const length of reached.wordLengths) if (holds(runStop, length)) return true;
        for (const length of reached.otherLengths)
          for (let place = run + 1; place < runStop; place++) if (holds(place, length)) return true;
      }
    }
    if (end - line > MAX_STEPPED_LINE) reached.clear();
    if (line > 0 && newline >= 0 && lower.startsWith('to: ', line)) {
      const content = line + 4;
      let bracket = content;
      while (bracket < end && bracket <= content + MAX_BEFORE_BRACKET && lower[bracket] !== '<')
        bracket++;
      const found = bracket <= content + MAX_BEFORE_BRACKET && lower[bracket] === '<';
      const starts = found ? [content, bracket + 1] : [content];
      for (const start of starts) {
        let stop = start;
        while (stop < end && lower[stop] !== '>' && !isPerlSpace(lower[stop])) stop++;
        const closes = stop === end || (lower[stop] === '>' && stop + 1 === end);
        if (stop > start && closes)
          reached.add(hash.key(start, stop), start, stop - start, isPerlWord(lower[start]));
      }
    }
    if (newline < 0) break;
    line = newline + 1;
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FROM_NAME_EQ_TO_PATTERN: readonly [string, HandWrittenPattern] = [
  // __PDS_TO_EQ_FROM_NAME_1
  '(?ism)\\nTo: (?:[^\\n<]{0,80}<)?([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*From:\\W+(\\1)([^\\n\\w<]++<)?((?!\\1)[^\\n">]++)>?\\n',
  fromNameEqualsTo,
];
