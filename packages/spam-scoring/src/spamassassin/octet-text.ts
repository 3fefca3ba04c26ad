/**
 * Perl's character classes on a string of octets (SpamAssassin's header and body texts are not
 * UTF-8 flagged, so `\s`, `\w` and /i are ASCII's), for the hand matchers of the rules whose
 * regex neither RE2 nor V8 can run in linear time.
 */

/** Perl's `\s` on octets: no no-break or Unicode spaces, unlike JavaScript's. */
export const isPerlSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Perl's `\w` on octets: ASCII letters, digits and `_`. */
export const isPerlWord = (c: string | undefined) =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_');

/** Lower case for ASCII letters only, as Perl's /i compares a string of octets. */
export const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/**
 * `text.indexOf(searched, from)` for `from` that mostly grows between calls: the last answer is kept
 * while it still lies ahead, so a run of calls reads the text once (not once per call).
 */
export function forwardSearch(text: string, searched: string): (from: number) => number {
  let found = -2;
  let asked = -1;
  return (from: number) => {
    if (from < asked) return text.indexOf(searched, from);
    asked = from;
    if (found === -1 || found >= from) return found;
    found = text.indexOf(searched, from);
    return found;
  };
}

/**
 * For each place of `text`, the next place (at or after it) that `stops` takes, or the text's
 * length: where each run of the other characters ends, for all places in one pass.
 */
export function nextWhere(text: string, stops: (c: string) => boolean): Int32Array {
  const next = new Int32Array(text.length + 1);
  next[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--) next[i] = stops(text[i]!) ? i : next[i + 1]!;
  return next;
}
