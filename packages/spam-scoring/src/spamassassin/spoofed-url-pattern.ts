/**
 * __SPOOFED_URL (72_active.cf; T_FILL_THIS_FORM_FRAUD_PHISH reads it under `!`, and
 * T_PDS_SHORT_SPOOFED_URL, T_PDS_NO_FULL_NAME_SPOOFED_URL): a link whose text is a URL that is
 * not the one it goes to, `<a href="http://evil.example/x">https://bank.example/`. The
 * `(?!\1)` is beyond RE2; matched by hand, keyed by the exact Perl source for
 * HAND_WRITTEN_PATTERNS and checked against Perl in test/spoofed-url-pattern.test.ts.
 *
 * Under /i, so on ASCII lower case. `<a\s`, at most 2048 non-`>` then `href=` after a non-word
 * character; past `3D` or not and one character (not a newline) or none, the capture
 * `https?:` + 8 to 29 of `[^>"'# ]` + one of `[^>"'# :/?&=]`; at most 2048 non-`>` to the
 * tag's `>` (the first after the capture). Then up to 99 tags, each after at most 1024
 * non-`<`, not `</a`, 1 to 1024 non-`>` inside: each step is the only one possible (every
 * run stops at the first character outside it), so from a `>` the places reached form one
 * chain. At each, after at most 10 white spaces (all of them: `h` must follow), a text
 * `https?`, one of `[^\w<]`, then 5 non-`<` (longer `[^\w<]{1,3}` add nothing), that does not
 * begin with the capture.
 *
 * A capture that begins with every other of its tag's end is the only one that counts (a
 * text that begins with it begins with them all); two of which neither begins the other fire
 * at any such text. So each tag's end gathers its captures (at most 88 for each `href=`,
 * compared with the longest once), then walks its chain of at most 100 places, from arrays of
 * the next `<` and `>` filled once: time linear in the text, 100 steps a tag at most.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace, isPerlWord, asciiLowerCase } from './octet-text.js';

/** `[^>]{0,2048}`: before `href=`, and between the capture and the tag's `>`. */
const MAX_TAG_GAP = 2048;
/** `(?:[^<]{0,1024}<(?!\/a)[^>]{1,1024}>){0,99}`: the tags after the link's. */
const MAX_TAGS = 99;
const MAX_TEXT = 1024;
const MAX_TAG = 1024;
/** `\s{0,10}` before the link text. */
const MAX_SPACES = 10;

/** `[^>"'# ]`, the capture's body; `[^>"'# :/?&=]`, its last character. */
const isBody = (c: string | undefined) =>
  c !== undefined && c !== '>' && c !== '"' && c !== "'" && c !== '#' && c !== ' ';
const isLast = (c: string | undefined) =>
  isBody(c) && c !== ':' && c !== '/' && c !== '?' && c !== '&' && c !== '=';

/** For each place, the next place (at or after it) holding `c`, or -1. */
function nextOf(text: string, c: string): Int32Array {
  const next = new Int32Array(text.length + 1);
  next[text.length] = -1;
  for (let i = text.length - 1; i >= 0; i--) next[i] = text[i] === c ? i : next[i + 1]!;
  return next;
}

/** The longest capture from `start` whose end is at most MAX_TAG_GAP before `close`, or 0. */
function longestCapture(text: string, start: number, close: number): number {
  if (!text.startsWith('http', start)) return 0;
  const scheme = text[start + 4] === ':' ? 5 : text.startsWith('s:', start + 4) ? 6 : 0;
  if (scheme === 0) return 0;
  let best = 0;
  for (let body = 0; body <= 29; body++) {
    const at = start + scheme + body;
    if (body >= 8 && isLast(text[at]) && close - (at + 1) <= MAX_TAG_GAP) best = scheme + body + 1;
    if (!isBody(text[at])) break;
  }
  return best;
}

/** `https?[^\w<]{1,3}[^<]{5}` at `at`. */
function linkTextAt(text: string, at: number): boolean {
  if (!text.startsWith('http', at)) return false;
  const after = text[at + 4] === 's' ? at + 5 : at + 4;
  const c = text[after];
  if (c === undefined || c === '<' || isPerlWord(c) || after + 6 > text.length) return false;
  for (let i = after + 1; i < after + 6; i++) if (text[i] === '<') return false;
  return true;
}

const spoofedUrl: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes('href=')) return false;
  const nextOpen = nextOf(lower, '<');
  const nextClose = nextOf(lower, '>');
  // Each tag end's captures, as [start, length] pairs.
  const captures = new Map<number, number[]>();
  let scanned = 0;
  for (let open = nextOpen[0]!; open >= 0; open = nextOpen[open + 1]!) {
    if (lower[open + 1] !== 'a' || !isPerlSpace(lower[open + 2])) continue;
    const close = nextClose[open + 3]!;
    if (close < 0) break;
    const last = Math.min(close - 5, open + 3 + MAX_TAG_GAP);
    for (let href = Math.max(open + 3, scanned); href <= last; href++) {
      if (!lower.startsWith('href=', href) || isPerlWord(lower[href - 1])) continue;
      const value = href + 5;
      const starts = [value];
      if (lower[value] !== '\n' && value < lower.length) starts.push(value + 1);
      if (lower.startsWith('3d', value)) {
        starts.push(value + 2);
        if (lower[value + 2] !== '\n' && value + 2 < lower.length) starts.push(value + 3);
      }
      for (const start of starts) {
        // `.?` may have taken the `>`: the tag ends at the first `>` after the capture.
        const end = nextClose[start]!;
        if (end < 0) continue;
        const length = longestCapture(lower, start, end);
        if (length === 0) continue;
        const list = captures.get(end);
        if (list) list.push(start, length);
        else captures.set(end, [start, length]);
      }
    }
    scanned = Math.max(scanned, last + 1);
  }
  for (const [end, list] of captures) {
    // The longest capture, if every other begins it; or none (any link text fires).
    let longest: string | null = lower.slice(list[0]!, list[0]! + list[1]!);
    for (let i = 2; i < list.length && longest !== null; i += 2) {
      const capture = lower.slice(list[i]!, list[i]! + list[i + 1]!);
      if (capture.length > longest.length) {
        longest = capture.startsWith(longest) ? capture : null;
      } else if (!longest.startsWith(capture)) longest = null;
    }
    let place = end + 1;
    for (let tags = 0; ; tags++) {
      let at = place;
      while (at - place < MAX_SPACES && isPerlSpace(lower[at])) at++;
      if (linkTextAt(lower, at) && (longest === null || !lower.startsWith(longest, at)))
        return true;
      if (tags === MAX_TAGS) break;
      const open = nextOpen[place]!;
      if (open < 0 || open - place > MAX_TEXT || lower.startsWith('/a', open + 1)) break;
      const close = nextClose[open + 1]!;
      if (close < 0 || close === open + 1 || close - (open + 1) > MAX_TAG) break;
      place = close + 1;
    }
  }
  return false;
};

/** The rule's Perl source (flags as an inline group; the file's `\#` read as `#`). */
export const SPOOFED_URL_PATTERN: readonly [string, HandWrittenPattern] = [
  // __SPOOFED_URL
  '(?i)<a\\s[^>]{0,2048}\\bhref=(?:3D)?.?(https?:[^>"\'# ]{8,29}[^>"\'# :\\/?&=])[^>]{0,2048}>(?:[^<]{0,1024}<(?!\\/a)[^>]{1,1024}>){0,99}\\s{0,10}(?!\\1)https?[^\\w<]{1,3}[^<]{5}',
  spoofedUrl,
];
