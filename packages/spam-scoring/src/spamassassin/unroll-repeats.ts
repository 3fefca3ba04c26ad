/**
 * RE2 refuses a pattern whose nested counted repeats multiply past 1,000 copies of a piece
 * (`(?:a{10,30}b){5}` is 150: fine; SpamAssassin's __FILL_THIS_FORM_LONG1 is a 5-fold repeat of
 * a group holding a 30-fold one and more, over the limit). The repeat only stands for its
 * copies, so a small outer count is written out instead: `(?:X){3}` as `(?:X)(?:X)(?:X)`, and
 * `(?:X){1,3}` as `(?:X)(?:(?:X)(?:X)?)?`. The language is the same; each copy keeps RE2's own
 * limit. Only the outermost groups with a count of at most `MAX_UNROLLED_COUNT` are written out,
 * and a result longer than `MAX_UNROLLED_LENGTH` characters is not used.
 */

/** The largest count written out (a group repeated more is left to RE2, which refuses it). */
export const MAX_UNROLLED_COUNT = 10;
/** The longest pattern unrolling may produce, in characters. */
export const MAX_UNROLLED_LENGTH = 65_536;

interface CountedGroup {
  readonly start: number;
  /** Index just past the quantifier. */
  readonly end: number;
  readonly group: string;
  readonly min: number;
  readonly max: number;
}

/** The pattern with its outermost counted groups written out, or null when there is none. */
export function unrollCountedGroups(pattern: string): string | null {
  const counted: CountedGroup[] = [];
  const open: number[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // A `]` first in the class (after an optional `^`) is a member, not the end.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (ch === '(') open.push(i);
    else if (ch === ')') {
      const start = open.pop();
      if (start === undefined) return null;
      const quantifier = /^\{(\d+)(?:,(\d+))?\}(?![+])/.exec(pattern.slice(i + 1));
      if (!quantifier) continue;
      const min = Number(quantifier[1]);
      const max = quantifier[2] === undefined ? min : Number(quantifier[2]);
      if (max > MAX_UNROLLED_COUNT || max < min || max === 0) continue;
      // A lazy `?` after the count changes which match is found, not whether one is.
      let end = i + 1 + quantifier[0].length;
      if (pattern[end] === '?') end++;
      counted.push({ start, end, group: pattern.slice(start, i + 1), min, max });
    }
  }
  const outermost = counted.filter(
    (inner) =>
      !counted.some(
        (outer) => outer !== inner && outer.start <= inner.start && inner.end <= outer.end,
      ),
  );
  if (outermost.length === 0) return null;
  let result = '';
  let at = 0;
  for (const { start, end, group, min, max } of outermost.sort((a, b) => a.start - b.start)) {
    result += pattern.slice(at, start) + writtenOut(group, min, max);
    at = end;
    if (result.length > MAX_UNROLLED_LENGTH) return null;
  }
  result += pattern.slice(at);
  return result.length > MAX_UNROLLED_LENGTH ? null : result;
}

/** `group{min,max}` as copies: min required, then max - min nested optional ones. */
function writtenOut(group: string, min: number, max: number): string {
  let optional = '';
  for (let k = 0; k < max - min; k++) optional = `(?:${group}${optional})?`;
  return group.repeat(min) + optional;
}

/** RE2's largest count of one repeat. */
export const RE2_MAX_COUNT = 1000;
/** The largest fixed count split into RE2-sized ones (larger stays refused). */
export const MAX_SPLIT_COUNT = 10_000;

/**
 * A character or class counted a fixed number of times over RE2's limit, `[^<\s]{1400}` (as
 * __LONG_INVIS_DIV has), written as counts RE2 takes, `[^<\s]{1000}[^<\s]{400}`: the same
 * language. Only one character, one escape or one class, with a fixed count up to
 * MAX_SPLIT_COUNT (not lazy, not possessive); null when there is none to split.
 */
export function splitLongCounts(pattern: string): string | null {
  let result = '';
  let changed = false;
  for (let i = 0; i < pattern.length;) {
    // The next atom: an escape, a class, or one character.
    let end = i + 1;
    if (pattern[i] === '\\') end = i + 2;
    else if (pattern[i] === '[') {
      end = i + 1;
      if (pattern[end] === '^') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') end += pattern[end] === '\\' ? 2 : 1;
      end++;
    }
    const atom = pattern.slice(i, end);
    const count = /^\{(\d+)\}(?![?+])/.exec(pattern.slice(end, end + 12));
    const n = count === null ? 0 : Number(count[1]);
    // Not a group's edge, nor an escape that reads on (`\x{...}`, `\p{...}`, `\g{1}`...).
    const single = !'()|'.includes(atom) && !/^\\[xpPNogk0-9]$/.test(atom);
    if (count !== null && single && n > RE2_MAX_COUNT && n <= MAX_SPLIT_COUNT) {
      for (let left = n; left > 0; left -= RE2_MAX_COUNT)
        result += `${atom}{${Math.min(left, RE2_MAX_COUNT)}}`;
      changed = true;
      i = end + count[0].length;
      continue;
    }
    result += atom;
    i = end;
  }
  return changed ? result : null;
}
