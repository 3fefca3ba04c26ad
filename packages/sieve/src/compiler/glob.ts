/**
 * The `:matches` wildcard language of RFC 5228 section 2.7.1: `*` matches any run of characters,
 * `?` one character, and `\` makes the next character literal. Matching never uses a regular
 * expression: a pattern is split into literal pieces and wildcards once, and `matchGlob` walks the
 * value with the classic two-pointer algorithm, which remembers only the last `*` and is
 * therefore polynomial (O(value x pattern) at worst), never exponential as a backtracking regex
 * engine can be.
 */
export type GlobToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'one' };

export interface GlobPattern {
  readonly tokens: readonly GlobToken[];
  /** Number of `*` and `?` (the match variables `${1}`... they fill). */
  readonly wildcards: number;
  /** The pattern without wildcards, when it has none (then `:matches` is `:is`). */
  readonly literal: string | null;
}

/** Splits a (normalised) pattern into tokens. Consecutive literal characters form one token. */
export function parseGlob(pattern: string): GlobPattern {
  const tokens: GlobToken[] = [];
  let text = '';
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      text += pattern[++i];
    } else if (c === '*' || c === '?') {
      if (text !== '') tokens.push({ kind: 'literal', text });
      text = '';
      tokens.push(c === '*' ? { kind: 'any' } : { kind: 'one' });
      wildcards++;
    } else {
      text += c;
    }
  }
  if (text !== '') tokens.push({ kind: 'literal', text });
  return { tokens, wildcards, literal: wildcards === 0 ? text : null };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Length in UTF-16 units of the character at `at` (2 for a surrogate pair): `?` takes one character. */
function charLength(value: string, at: number): number {
  return isHighSurrogate(value.charCodeAt(at)) && at + 1 < value.length ? 2 : 1;
}

/**
 * Whether `value` matches the pattern. `value` must be normalised as the pattern was (the
 * comparator's canonical form). When `captures` is given, it receives for each wildcard the
 * [start, end) offsets in `value` it matched: the earlier `*` match as little as possible, the
 * leftmost-shortest rule RFC 5229 section 3.2 illustrates. Returns false without touching
 * `captures` on failure. `budget.step` is charged one unit per backtrack, for the CPU budget.
 */
export function matchGlob(
  pattern: GlobPattern,
  value: string,
  captures: number[] | null,
  budget: { step(count: number): void },
): boolean {
  const tokens = pattern.tokens;
  if (pattern.literal !== null) {
    if (value !== pattern.literal) return false;
    return true;
  }
  const spans: number[] = captures ? new Array<number>(pattern.wildcards * 2).fill(0) : [];
  let t = 0;
  let v = 0;
  let wildcard = 0;
  // The last `*` seen: its token index, wildcard number, and where its span ends now.
  let starToken = -1;
  let starWildcard = 0;
  let starEnd = 0;
  let backtracks = 0;
  for (;;) {
    if (t < tokens.length) {
      const token = tokens[t]!;
      if (token.kind === 'any') {
        starToken = t;
        starWildcard = wildcard;
        starEnd = v;
        if (captures) {
          spans[wildcard * 2] = v;
          spans[wildcard * 2 + 1] = v;
        }
        wildcard++;
        t++;
        continue;
      }
      if (token.kind === 'one') {
        if (v < value.length) {
          const length = charLength(value, v);
          if (captures) {
            spans[wildcard * 2] = v;
            spans[wildcard * 2 + 1] = v + length;
          }
          wildcard++;
          v += length;
          t++;
          continue;
        }
      } else if (value.startsWith(token.text, v)) {
        v += token.text.length;
        t++;
        continue;
      }
    } else if (v === value.length) {
      break;
    }
    // Mismatch: let the last `*` take one more character and try again from after it.
    if (starToken < 0 || starEnd >= value.length) return false;
    starEnd += charLength(value, starEnd);
    if (++backtracks === 1024) {
      budget.step(backtracks);
      backtracks = 0;
    }
    t = starToken + 1;
    v = starEnd;
    wildcard = starWildcard + 1;
    if (captures) spans[starWildcard * 2 + 1] = starEnd;
  }
  if (backtracks > 0) budget.step(backtracks);
  if (captures) for (let i = 0; i < spans.length; i++) captures[i] = spans[i]!;
  return true;
}
