/**
 * RCVD_FORGED_WROTE2 (72_active.cf): a Received header in the shape of one ratware writes,
 * `from 1.2.3.4 (HELO name) by host with esmtp (x y) id 123456-123456-12 for user@host;`, the
 * host it claims to be received by coming back as the recipient's domain. A backreference RE2
 * cannot run; matched by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and
 * checked against Perl in test/forged-wrote-received-pattern.test.ts.
 *
 * Case counts (no /i). From each `from `, every part is a maximal run of its class (what
 * follows each is outside it), so the walk is one way only: the digits and dots; ` (HELO ` and
 * a run of non-spaces that ends in a letter and `)`, a character at least before the letters;
 * ` by ` and the host (a run of non-spaces); ` with esmtp (`, a run, one white space, a run
 * that ends in `)`; ` id `, 6, `-`, 6, `-`, 2 non-spaces; ` for ` and a run of non-spaces, in
 * which an `@` after its first character must be followed by the host and `;`. Those `@`s are
 * compared by hashes (SubstringHash), each in constant time: time linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

const isLetter = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isDigitOrDot = (c: string | undefined) =>
  c === '.' || (c !== undefined && c >= '0' && c <= '9');

/** The end of the run of non-spaces from `start`. */
function runEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && !isPerlSpace(text[end])) end++;
  return end;
}

/** Where the `\S{6}-\S{6}-\S\S` id at `start` ends, or -1. */
function idEnd(text: string, start: number): number {
  for (let i = 0; i < 16; i++) {
    const c = text[start + i];
    if (c === undefined || isPerlSpace(c) || ((i === 6 || i === 13) && c !== '-')) return -1;
  }
  return start + 16;
}

const forgedWroteReceived: HandWrittenPattern = (text: string) => {
  let hash: SubstringHash | null = null;
  for (let from = text.indexOf('from '); from >= 0; from = text.indexOf('from ', from + 1)) {
    let at = from + 5;
    while (isDigitOrDot(text[at])) at++;
    if (at === from + 5 || !text.startsWith(' (HELO ', at)) continue;
    const helo = at + 7;
    const heloEnd = runEnd(text, helo);
    if (heloEnd - helo < 3 || text[heloEnd - 1] !== ')' || !isLetter(text[heloEnd - 2])) continue;
    if (!text.startsWith(' by ', heloEnd)) continue;
    const host = heloEnd + 4;
    const hostEnd = runEnd(text, host);
    if (hostEnd === host || !text.startsWith(' with esmtp (', hostEnd)) continue;
    const first = hostEnd + 13;
    const firstEnd = runEnd(text, first);
    if (firstEnd === first || firstEnd >= text.length) continue;
    const second = firstEnd + 1;
    const secondEnd = runEnd(text, second);
    if (secondEnd - second < 2 || text[secondEnd - 1] !== ')') continue;
    if (!text.startsWith(' id ', secondEnd)) continue;
    const id = idEnd(text, secondEnd + 4);
    if (id < 0 || !text.startsWith(' for ', id)) continue;
    const user = id + 5;
    const userEnd = runEnd(text, user);
    const length = hostEnd - host;
    for (let sign = user + 1; sign < userEnd; sign++) {
      if (text[sign] !== '@' || text[sign + 1 + length] !== ';') continue;
      hash ??= new SubstringHash(text);
      if (hash.equal(host, sign + 1, length)) return true;
    }
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FORGED_WROTE_RECEIVED_PATTERN: readonly [string, HandWrittenPattern] = [
  // RCVD_FORGED_WROTE2
  '(?s)from [0-9.]+ \\(HELO \\S+[A-Za-z]+\\) by (\\S+) with esmtp \\(\\S+\\s\\S+\\) id \\S{6}-\\S{6}-\\S\\S for \\S+@\\1;',
  forgedWroteReceived,
];
