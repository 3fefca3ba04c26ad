/**
 * __SUBJ_HAS_TO_3 (72_active.cf; read by __TO_IN_SUBJ, so TO_IN_SUBJ and, through
 * __EMAIL_PHISH_MANY and __ACCT_PHISH_MANY, the phishing metas): an address in the Subject comes
 * back in a later To line. A lookahead and a backreference RE2 cannot run; matched by hand, keyed
 * by the exact Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/subject-address-in-to-pattern.test.ts.
 *
 * `\nSubject:(?=[^\n]{0,200}@)[^\n]{0,200}(ADDRESS)(?:[^\n]+\n+)*To: [^\n]{0,100}\1[^a-z0-9.]`
 * under /ism, on ASCII lower case, where ADDRESS is
 * `[a-z][a-z0-9_.]{3,80}@(?:[a-z0-9_]{1,80}\.){1,4}[a-z]{2,30}`. Whether a string is such an
 * address depends on the string alone. The Subject side has many captures (each letter of the
 * local part may begin one, each letter of the top-level domain end one), the To side few:
 *
 * - The `(?:[^\n]+\n+)*` after the capture reaches a line that begins with `To: ` when the rest
 *   of the Subject line is not empty; when it is empty, only `To: ` at once can follow.
 * - In a To line, a capture holds exactly one `@`, among the first 181 places of the line. Each
 *   letter before it within reach may begin the capture (at most 78). Of its ends, which the
 *   To side bounds (`[^a-z0-9.]` after it), only the first that makes an address counts: a
 *   Subject holding a longer one holds that one too.
 * - So the To lines give at most 78 captures an `@`, kept as hash keys (SubstringHash) with the
 *   last To line holding each, and the keys of their local parts. Each `@` of a Subject line
 *   looks its local parts up (at most 78), then each one found with each of its domain ends.
 *   The local parts and domains of two `@`s do not overlap, so that is at most 78 look-ups an
 *   octet of the Subject lines, and a hostile text is matched in linear time.
 * - A `To: ` right after the capture, on the Subject line, is looked for apart: the capture's end
 *   is fixed there, so its `@` and domain are, and each `@` within the To part's reach (at most
 *   36) is compared with them, at each of the capture's starts (at most 78).
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { asciiLowerCase } from './octet-text.js';
import { placesOf, within } from './sorted-places.js';
import { SubstringHash } from './substring-hash.js';

/** `[^\n]{0,200}` before the capture in the Subject (and before an `@`, the lookahead). */
const MAX_BEFORE_ADDRESS = 200;
/** `[^\n]{0,100}` before the capture in the To line. */
const MAX_BEFORE_REPEAT = 100;
/** `[a-z][a-z0-9_.]{3,80}`: the local part's length. */
const MIN_LOCAL = 4;
const MAX_LOCAL = 81;
/** `(?:[a-z0-9_]{1,80}\.){1,4}[a-z]{2,30}`. */
const MAX_LABEL = 80;
const MAX_LABELS = 4;
const MIN_TOP = 2;
const MAX_TOP = 30;
const MAX_DOMAIN = MAX_LABELS * (MAX_LABEL + 1) + MAX_TOP;

const isLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';
/** `[a-z0-9_.]`, the local part's characters and the domain's. */
const isAddressCharacter = (c: string | undefined) =>
  c !== undefined && (isLetter(c) || isDigit(c) || c === '_' || c === '.');
/** `[^a-z0-9.]`, which must follow the repeat (a newline may). */
const isDelimiter = (c: string | undefined) =>
  c !== undefined && !isLetter(c) && !isDigit(c) && c !== '.';

/**
 * The ends of the domains that begin after the `@` at `at`, in order: each `end` such that
 * text[at + 1, end) is `(?:[a-z0-9_]{1,80}\.){1,4}[a-z]{2,30}`.
 */
function* domainEnds(text: string, at: number): Generator<number> {
  let dots = 0;
  let piece = 0; // length of the piece since the last dot
  let letters = true; // whether that piece is all letters
  for (let end = at + 1; ; end++) {
    if (dots >= 1 && letters && piece >= MIN_TOP && piece <= MAX_TOP) yield end;
    const c = text[end];
    if (!isAddressCharacter(c)) return;
    if (c === '.') {
      if (piece === 0 || piece > MAX_LABEL || ++dots > MAX_LABELS) return;
      piece = 0;
      letters = true;
    } else {
      if (++piece > MAX_LABEL) return;
      letters &&= isLetter(c);
    }
  }
}

/** The first place of the run of `[a-z0-9_.]` that ends at `end` (exclusive), not before `from`. */
function runStart(text: string, end: number, from: number): number {
  let start = end;
  while (start > from && isAddressCharacter(text[start - 1])) start--;
  return start;
}

/**
 * The places a local part ending at `at` (an `@`) may begin, from the nearest: a letter, at
 * MIN_LOCAL to MAX_LOCAL before it, within [from, to], on the run of address characters.
 */
function localStarts(text: string, at: number, from: number, to: number): number[] {
  const starts: number[] = [];
  const first = runStart(text, at, Math.max(from, at - MAX_LOCAL));
  for (let start = Math.min(to, at - MIN_LOCAL); start >= first; start--)
    if (isLetter(text[start])) starts.push(start);
  return starts;
}

const subjectAddressInTo: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes('\nsubject:') || !lower.includes('to: ')) return false;
  const hash = new SubstringHash(lower);
  const ats = placesOf(lower, '@');
  const tos = placesOf(lower, 'to: ');
  const lines: [start: number, end: number][] = [];
  for (let start = 0; start < lower.length;) {
    const newline = lower.indexOf('\n', start);
    const end = newline < 0 ? lower.length : newline;
    lines.push([start, end]);
    if (newline < 0) break;
    start = newline + 1;
  }

  // The To lines' captures: key → the last To line holding it, and one place of it; and the
  // keys of their local parts, which most Subject captures fail at once.
  const captures = new Map<number, { line: number; at: number; length: number }>();
  const localParts = new Set<number>();
  for (const [line, end] of lines) {
    if (line === 0 || !lower.startsWith('to: ', line)) continue;
    const content = line + 4;
    const last = Math.min(end - 1, content + MAX_BEFORE_REPEAT + MAX_LOCAL);
    for (const at of within(ats, content + MIN_LOCAL, last)) {
      const domainEnd = firstRepeatEnd(lower, at);
      if (domainEnd >= 0) {
        for (const start of localStarts(lower, at, content, content + MAX_BEFORE_REPEAT)) {
          captures.set(hash.key(start, domainEnd), { line, at: start, length: domainEnd - start });
          localParts.add(hash.key(start, at));
        }
      }
    }
  }

  for (const [line, end] of lines) {
    if (line === 0 || !lower.startsWith('subject:', line)) continue;
    const content = line + 8;
    // The lookahead: an `@` among the first 201 places.
    if (within(ats, content, Math.min(end - 1, content + MAX_BEFORE_ADDRESS)).next().done) continue;
    if (toRightAfterCapture(lower, hash, ats, tos, content, end)) return true;
    // A capture with text after it on this line, and a To line after this one. Each `@` tries
    // its local parts by their ends; the runs of `@`s are apart, so at most 78 look-ups an octet.
    if (end === lower.length || captures.size === 0) continue;
    const last = Math.min(end - 1, content + MAX_BEFORE_ADDRESS + MAX_LOCAL);
    for (const at of within(ats, content + MIN_LOCAL, last)) {
      const starts = localStarts(lower, at, content, content + MAX_BEFORE_ADDRESS).filter((start) =>
        localParts.has(hash.key(start, at)),
      );
      if (starts.length > 0) {
        for (const domainEnd of domainEnds(lower, at)) {
          if (domainEnd >= end) break;
          for (const start of starts) {
            const found = captures.get(hash.key(start, domainEnd));
            const length = domainEnd - start;
            if (found && found.line > end && hash.equal(found.at, start, length)) return true;
          }
        }
      }
    }
  }
  return false;
};

/**
 * The end of the first capture of a To line whose `@` is at `at`: the first domain end with a
 * `[^a-z0-9.]` after it, or -1.
 */
function firstRepeatEnd(text: string, at: number): number {
  for (const end of domainEnds(text, at)) if (isDelimiter(text[end])) return end;
  return -1;
}

/**
 * `To: ` right after a capture on the Subject line whose content begins at `content` and ends at
 * `end` (`ats` and `tos`: every `@` and `to: ` of the text): the rest of the match there.
 */
function toRightAfterCapture(
  text: string,
  hash: SubstringHash,
  ats: readonly number[],
  tos: readonly number[],
  content: number,
  end: number,
): boolean {
  for (const to of within(tos, content + 1, end - 1)) {
    const at = runStart(text, to, Math.max(content, to - MAX_DOMAIN)) - 1;
    const domainLength = to - at;
    const ends = text[at] === '@' ? [...domainEnds(text, at)] : [];
    const starts = ends.includes(to)
      ? localStarts(text, at, content, content + MAX_BEFORE_ADDRESS)
      : [];
    if (starts.length > 0) {
      const repeat = to + 4;
      const last = Math.min(end - 1, repeat + MAX_BEFORE_REPEAT + MAX_LOCAL);
      for (const other of within(ats, repeat + MIN_LOCAL, last)) {
        if (
          isDelimiter(text[other + domainLength]) &&
          hash.equal(at, other, domainLength) &&
          starts.some((start) => {
            const local = at - start;
            const place = other - local;
            return (
              place >= repeat &&
              place <= repeat + MAX_BEFORE_REPEAT &&
              hash.equal(start, place, local)
            );
          })
        )
          return true;
      }
    }
  }
  return false;
}

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const SUBJECT_ADDRESS_IN_TO_PATTERN: readonly [string, HandWrittenPattern] = [
  // __SUBJ_HAS_TO_3
  '(?ism)\\nSubject:(?=[^\\n]{0,200}@)[^\\n]{0,200}([a-z][a-z0-9_.]{3,80}@(?:[a-z0-9_]{1,80}\\.){1,4}[a-z]{2,30})(?:[^\\n]+\\n+)*To: [^\\n]{0,100}\\1[^a-z0-9.]',
  subjectAddressInTo,
];
