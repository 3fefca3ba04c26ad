/**
 * __SUBJ_HAS_TO_2 (72_active.cf; read by __TO_IN_SUBJ, so TO_IN_SUBJ and, through
 * __EMAIL_PHISH_MANY and __ACCT_PHISH_MANY, the phishing metas): the address a Received line
 * says the mail is `for` comes back in a later Subject. A backreference RE2 cannot run; matched
 * by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/received-for-in-subject-pattern.test.ts.
 *
 * `\nReceived:[^\n]{0,200} for <?([^\n\s>;]+)>?;(?:[^\n]+\n+)*Subject: [^\n]{0,100}\1[^a-z0-9]`
 * under /ism, on ASCII lower case. Each ` for ` within 200 characters of `Received:` gives at
 * most two captures (the run of `[^\n\s>;]`, past a `<` or with it), which a `;` (or `>;`) must
 * end. With the rest of that line not empty, the captures reach every later line, and a
 * `Subject: ` line holds one if it begins at one of its first 101 places with a character
 * other than a letter or digit after it; with the rest empty, only `Subject: ` right after the
 * `;` can follow. The captures reached so far are kept as hash keys (SubstringHash) with their
 * lengths; a Subject line tries each length that fits at each of its 101 places, one look-up
 * each: at most 101 look-ups an octet of the Subject lines, linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace, asciiLowerCase } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';
import { upperBound } from './sorted-places.js';

/** `[^\n]{0,200}` before ` for `. */
const MAX_BEFORE_FOR = 200;
/** `[^\n]{0,100}` before the capture in the Subject. */
const MAX_BEFORE_CAPTURE = 100;

const isAlphanumeric = (c: string) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
const isCaptureCharacter = (c: string | undefined) =>
  c !== undefined && c !== '>' && c !== ';' && !isPerlSpace(c);

const receivedForInSubject: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes('\nreceived:') || !lower.includes('subject: ')) return false;
  const hash = new SubstringHash(lower);
  // The captures reached: their key to one place holding them, and their lengths in order.
  const reached = new Map<number, number>();
  const lengths: number[] = [];
  let pending: [number, number][] = [];
  const reach = (start: number, length: number) => {
    const key = hash.key(start, start + length);
    if (reached.has(key)) return;
    reached.set(key, start);
    const at = upperBound(lengths, length);
    if (lengths[at - 1] !== length) lengths.splice(at, 0, length);
  };
  /** `[^\n]{0,100}\1[^a-z0-9]` in the Subject content [content, end): a capture at one of 101 places. */
  const subjectHolds = (
    content: number,
    end: number,
    captures: (place: number, room: number) => boolean,
  ) => {
    for (let place = content; place <= content + MAX_BEFORE_CAPTURE && place <= end; place++)
      if (captures(place, end - place)) return true;
    return false;
  };
  const delimiterAt = (at: number, end: number, more: boolean) =>
    at < end ? !isAlphanumeric(lower[at]!) : more;
  let line = 0;
  while (line < lower.length) {
    const newline = lower.indexOf('\n', line);
    const end = newline < 0 ? lower.length : newline;
    const more = newline >= 0;
    // The captures of the line before reach this one.
    for (const [start, length] of pending) reach(start, length);
    pending = [];
    if (line > 0 && lower.startsWith('subject: ', line) && reached.size > 0) {
      const found = subjectHolds(line + 9, end, (place, room) => {
        for (const length of lengths) {
          if (length > room) break;
          if (!delimiterAt(place + length, end, more)) continue;
          const start = reached.get(hash.key(place, place + length));
          if (start !== undefined && hash.equal(start, place, length)) return true;
        }
        return false;
      });
      if (found) return true;
    }
    if (line > 0 && lower.startsWith('received:', line)) {
      const last = Math.min(line + 9 + MAX_BEFORE_FOR, end - 5);
      for (let at = line + 9; at <= last; at++) {
        if (!lower.startsWith(' for ', at)) continue;
        const starts = lower[at + 5] === '<' ? [at + 5, at + 6] : [at + 5];
        for (const start of starts) {
          let stop = start;
          while (isCaptureCharacter(lower[stop])) stop++;
          if (stop === start) continue;
          const after =
            lower[stop] === ';' ? stop + 1 : lower.startsWith('>;', stop) ? stop + 2 : -1;
          if (after < 0) continue;
          const length = stop - start;
          // `Subject: ` at once after the `;`, on this line.
          if (lower.startsWith('subject: ', after)) {
            const holds = subjectHolds(
              after + 9,
              end,
              (place, room) =>
                length <= room &&
                delimiterAt(place + length, end, more) &&
                hash.equal(start, place, length),
            );
            if (holds) return true;
          }
          // Or any later line, when the rest of this one is not empty and a newline ends it.
          if (after < end && more) pending.push([start, length]);
        }
      }
    }
    if (!more) break;
    line = newline + 1;
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const RECEIVED_FOR_IN_SUBJECT_PATTERN: readonly [string, HandWrittenPattern] = [
  // __SUBJ_HAS_TO_2
  '(?ism)\\nReceived:[^\\n]{0,200} for <?([^\\n\\s>;]+)>?;(?:[^\\n]+\\n+)*Subject: [^\\n]{0,100}\\1[^a-z0-9]',
  receivedForInSubject,
];
