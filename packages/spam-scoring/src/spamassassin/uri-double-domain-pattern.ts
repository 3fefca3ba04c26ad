/**
 * __URI_DBL_DOM (72_active.cf, read by AMAZON_IMG_NOT_RCVD_AMZN): a URI whose host, past its
 * first label, comes back after a later `http://` in the same URI, as in a redirect
 * `https://a.example.com/r?u=https://b.example.com/`. A backreference after a lookahead, which
 * RE2 cannot run; matched by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and
 * checked against Perl in test/uri-double-domain-pattern.test.ts.
 *
 * `^https?://[^.]+\.(?!amazon\.com)([^/]+)/` is anchored and each piece stops at the first of
 * what it cannot take, so the group is one text: from after the first dot to the first `/`. It
 * must come back, then a `/`, after `.*https?://[^.]+\.`: for each later `http://` or
 * `https://` on the same line (`.` stops at a newline), after the first dot that follows. Each
 * of those is compared in one step with the Z-array of the group ahead of the rest of the text
 * (the longest common prefix at every position, in linear time), ASCII case ignored.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** For each position of `text`, the length of the longest prefix of `text` starting there. */
function zArray(text: string): Int32Array {
  const z = new Int32Array(text.length);
  z[0] = text.length;
  for (let i = 1, left = 0, right = 0; i < text.length; i++) {
    let k = i < right ? Math.min(right - i, z[i - left]!) : 0;
    while (i + k < text.length && text[k] === text[i + k]) k++;
    z[i] = k;
    if (i + k > right) [left, right] = [i, i + k];
  }
  return z;
}

const uriDoubleDomain: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  const scheme = /^https?:\/\//.exec(lower);
  if (scheme === null) return false;
  const dot = lower.indexOf('.', scheme[0].length);
  if (dot <= scheme[0].length || lower.startsWith('amazon.com', dot + 1)) return false;
  const slash = lower.indexOf('/', dot + 1);
  if (slash <= dot + 1) return false;
  const host = lower.slice(dot + 1, slash);
  // `.*` reads up to the line's end: later schemes stand before the first newline.
  const newline = lower.indexOf('\n', slash + 1);
  const lineEnd = newline < 0 ? lower.length : newline;
  const restStart = slash + 1;
  // The group, a separator no octet string holds, then the rest of the text.
  const z = zArray(`${host}\uffff${lower.slice(restStart)}`);
  const sameHostAt = (at: number) =>
    z[host.length + 1 + at - restStart]! >= host.length && lower[at + host.length] === '/';
  let nextDot = -1;
  for (let at = lower.indexOf('http', restStart); at >= 0 && at < lineEnd;) {
    const afterScheme = lower.startsWith('://', at + 4)
      ? at + 7
      : lower.startsWith('s://', at + 4)
        ? at + 8
        : -1;
    if (afterScheme >= 0) {
      // `[^.]+\.`: the first dot after the scheme, one character at least before it.
      if (nextDot < afterScheme) nextDot = lower.indexOf('.', afterScheme);
      if (nextDot < 0) return false;
      if (nextDot > afterScheme && sameHostAt(nextDot + 1)) return true;
    }
    at = lower.indexOf('http', at + 1);
  }
  return false;
};

export const URI_DOUBLE_DOMAIN_PATTERN: readonly [string, HandWrittenPattern] = [
  '(?i)^https?://[^.]+\\.(?!amazon\\.com)([^/]+)/.*https?://[^.]+\\.\\1/',
  uriDoubleDomain,
];
