import { PositionSetPattern } from './position-set-pattern.js';

/**
 * The screen run forwards before a pattern with lookaheads is run backwards (regex-reverse.ts):
 * the pattern without its lookarounds, over sets of positions (position-set-pattern.ts) instead
 * of re2js. The fuzzy spellings (FUZZY_MILLION, FUZZY_IMPORTANT...: `(?=<I>)(?!important)` then
 * a class per letter) have no literal, so this screen reads every body paragraph; re2js's DFA
 * over their 3,000 to 8,000 characters of classes was some 10% of the rules' time, while the
 * position sets step only from where the first letter's class matches, and those are few.
 * Null when the pattern has a lookaround inside a group, or what position sets do not take
 * (anchors but the idiom below, nested unbounded repeats, lazy counts): re2js screens then.
 */
export function relaxedScreen(pattern: string, flags: string): PositionSetPattern | null {
  if (/[^imsgo]/.test(flags) || flags.includes('m') || flags.includes('s')) return null;
  const free = withoutTopLevelLookarounds(pattern);
  if (free === null) return null;
  for (const screen of [free, withoutEdgeAnchors(free)]) {
    try {
      return PositionSetPattern.compile(screen, flags.includes('i'));
    } catch {
      // Not taken: try the looser pattern, then let re2js screen.
    }
  }
  return null;
}

/**
 * The pattern without the rules' "not in a word" idiom (`(?:^|\W)` first, `(?:$|\W)` last),
 * which position sets cannot read (anchors): a piece left out at either end of a pattern lets
 * through every text the pattern matched (FUZZY_PAYPAL, FUZZY_AMAZON, T_FUZZY_OPTOUT...).
 */
function withoutEdgeAnchors(pattern: string): string {
  return pattern.replace(/^\(\?:[$^]\|\\W\)/, '').replace(/\(\?:[$^]\|\\W\)$/, '');
}

/**
 * A Perl pattern with its top-level lookarounds left out: what it matches is a superset of what
 * the pattern matches (a lookaround only forbids), so it can screen texts for the full pattern.
 * Null when there is none, or one sits inside a group.
 */
export function withoutTopLevelLookarounds(pattern: string): string | null {
  let out = '';
  let depth = 0;
  let removedAny = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(pattern, i);
      out += pattern.slice(i, end);
      i = end - 1;
      continue;
    }
    if (c === '(' && /^\(\?<?[=!]/.test(pattern.slice(i, i + 4))) {
      if (depth > 0) return null;
      i = groupEnd(pattern, i) - 1;
      removedAny = true;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    out += c;
  }
  return removedAny ? out : null;
}

/** The index after the class opening at `open` (`]` first in a class is a member). */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i + 1;
  }
  return pattern.length;
}

/** The index after the group opening at `open`. */
function groupEnd(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(pattern, i) - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return pattern.length;
}
