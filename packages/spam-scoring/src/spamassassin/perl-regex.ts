import { RE2JS } from 're2js';
import { splitLongCounts, unrollCountedGroups } from './unroll-repeats.js';
import { relaxRegex, reverseRegex } from './regex-reverse.js';

/** A Perl match operator as written in a rule: `/pattern/flags` or `m{pattern}flags`. */
export interface PerlMatch {
  readonly pattern: string;
  readonly flags: string;
  /** What follows the operator on the line (`[if-unset: ...]`). */
  readonly rest: string;
}

const CLOSING: Readonly<Record<string, string>> = { '{': '}', '(': ')', '[': ']', '<': '>' };

/**
 * Reads a match operator at the start of `text`: `/.../` or `m` and any punctuation delimiter
 * (paired brackets nest, as in Perl). null when there is none or it is not closed.
 */
export function readPerlMatch(text: string): PerlMatch | null {
  let i = 0;
  let open = text[0];
  if (open === 'm' && text.length > 1 && /[^\w\s]/.test(text[1]!)) {
    open = text[1];
    i = 1;
  }
  if (open === undefined || (i === 0 && open !== '/')) return null;
  const close = CLOSING[open] ?? open;
  let depth = 0;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === open && close !== open) depth++;
    else if (c === close) {
      if (depth > 0) {
        depth--;
        continue;
      }
      const flags = /^[a-z]*/.exec(text.slice(j + 1))![0];
      return {
        pattern: text.slice(i + 1, j),
        flags,
        rest: text.slice(j + 1 + flags.length).trim(),
      };
    }
  }
  return null;
}

/** A Perl regex turned into a linear-time RE2 program, or why it could not be. */
export type TranslatedRegex =
  | {
      readonly ok: true;
      readonly regex: RE2JS;
      readonly source: string;
      /** Run on reversed texts: the pattern had a lookahead (see regex-reverse.ts). */
      readonly reversed?: boolean;
      /** For a reversed pattern: the pattern without lookarounds, run forwards first. */
      readonly relaxed?: RE2JS;
      /**
       * The groups that hold an ending lookahead made consuming (see endingLookahead): where
       * the one that took part starts, Perl's match ends, and a count goes on from there.
       */
      readonly lookaheadGroups?: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Translates a Perl pattern to RE2 syntax and compiles it with re2js, whose matching takes time
 * linear in the input whatever the pattern. What RE2 cannot do in linear time (lookahead,
 * backreferences, atomic groups, possessive quantifiers, recursion, `\G`) is refused with the
 * reason, never run by a backtracking engine. Lookbehind is kept: re2js runs it in linear time.
 */
export function translatePerlRegex(pattern: string, flags: string): TranslatedRegex {
  const translated = translateOnce(pattern, flags);
  if (translated.ok || !translated.reason.startsWith('invalid repeat count')) return translated;
  // Nested counts over RE2's limit: the outer count written out, if small (unroll-repeats.ts).
  const extended = flags.includes('x');
  const plain = extended ? stripExtended(pattern) : pattern;
  // Or a character counted past RE2's limit, its count split (splitLongCounts).
  const rewritten = unrollCountedGroups(plain) ?? splitLongCounts(plain);
  if (rewritten === null) return translated;
  const retried = translateOnce(rewritten, extended ? flags.replace(/x/g, '') : flags);
  return retried.ok ? retried : translated;
}

/** The name of the groups that hold an ending lookahead made consuming, numbered from 0. */
const LOOKAHEAD_GROUP = 'perlLookaheadStart';
/** The groups named so far by the translation under way (translation is synchronous). */
let lookaheadGroupCount = 0;

function translateOnce(pattern: string, flags: string): TranslatedRegex {
  lookaheadGroupCount = 0;
  const unknownFlag = /[^imsxgo]/.exec(flags);
  if (unknownFlag) return { ok: false, reason: `flag /${unknownFlag[0]}` };
  const body = flags.includes('x') ? stripExtended(pattern) : pattern;
  let translated = translateBody(body, flags.includes('m'), false);
  let reversed = false;
  let relaxed: string | null = null;
  if (typeof translated !== 'string' && /lookahead/.test(translated.reason)) {
    // A lookahead inside the pattern: read backwards it is a lookbehind, which re2js runs.
    const withLookaheads = translateBody(body, flags.includes('m'), true, true);
    const backwards =
      typeof withLookaheads === 'string' && !/\(\?<[=!]/.test(stripClasses(withLookaheads))
        ? reverseRegex(withLookaheads)
        : null;
    if (backwards !== null) {
      [translated, reversed] = [backwards, true];
      relaxed = relaxRegex(withLookaheads as string);
    }
  }
  if (typeof translated !== 'string') return { ok: false, reason: translated.reason };
  // Lookbehind support costs every match, so only patterns that use it get it.
  let re2Flags = /\(\?<[=!]/.test(translated) ? RE2JS.LOOKBEHINDS : 0;
  if (flags.includes('i')) re2Flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('s')) re2Flags |= RE2JS.DOTALL;
  if (flags.includes('m')) re2Flags |= RE2JS.MULTILINE;
  try {
    const regex = RE2JS.compile(translated, re2Flags);
    if (!reversed) {
      const named = translated.match(new RegExp(`(?<=\\(\\?P<)${LOOKAHEAD_GROUP}\\d+`, 'g'));
      return named
        ? { ok: true, regex, source: translated, lookaheadGroups: named }
        : { ok: true, regex, source: translated };
    }
    const relaxedFlags = re2Flags & ~RE2JS.LOOKBEHINDS;
    return relaxed
      ? {
          ok: true,
          regex,
          source: translated,
          reversed,
          relaxed: RE2JS.compile(relaxed, relaxedFlags),
        }
      : { ok: true, regex, source: translated, reversed };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: message.replace(/^error parsing regexp: /, '') };
  }
}

const UNSUPPORTED_GROUPS: readonly [string, string][] = [
  ['(?>', 'atomic group'],
  ['(?|', 'branch reset'],
  ['(?^', 'caret flags'],
  ['(?R', 'recursion'],
  ['(?&', 'recursion'],
  ['(?(', 'conditional'],
  ['(?{', 'code'],
  ['(??{', 'code'],
];

/** One pass over the pattern, outside and inside character classes. */
function translateBody(
  pattern: string,
  multiline: boolean,
  keepLookaheads: boolean,
  leadingLookbehinds = false,
): string | { reason: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return { reason: 'trailing backslash' };
      i++;
      const escaped = translateEscape(next, inClass);
      if (typeof escaped !== 'string') return escaped;
      out += escaped;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[' && pattern[i + 1] !== ':') {
        out += '\\[';
        continue;
      } else if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) {
          out += pattern.slice(i, end + 2);
          i = end + 1;
          continue;
        }
      }
      out += c;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += c;
        if (pattern[i + 1] === '^') {
          out += '^';
          i++;
        }
        if (pattern[i + 1] === ']') {
          out += '\\]';
          i++;
        }
        continue;
      case '(': {
        if (
          leadingLookbehinds &&
          (pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) &&
          startsPattern(pattern, i)
        ) {
          // Reversed, this lookbehind would be a lookahead inside the pattern: made consuming.
          const end = groupEnd(pattern, i);
          const rewritten = end < 0 ? null : startingLookbehind(pattern, i, end, multiline);
          if (typeof rewritten === 'string') {
            out += rewritten;
            i = end;
            continue;
          }
        }
        if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i)) {
          const end = groupEnd(pattern, i);
          if (end < 0) return { reason: 'unterminated group' };
          let rewritten = endingLookahead(pattern, i, end, multiline);
          if (typeof rewritten === 'string' && !keepLookaheads) {
            // Named, so that a count can resume where the lookahead starts (Perl's match end).
            rewritten = `(?P<${LOOKAHEAD_GROUP}${lookaheadGroupCount++}>${rewritten})`;
          }
          if (typeof rewritten !== 'string' && keepLookaheads) {
            // Kept as written, for reverseRegex to turn into a lookbehind.
            const inner = translateBody(pattern.slice(i + 3, end), multiline, true);
            if (typeof inner !== 'string') return inner;
            rewritten = `${pattern.slice(i, i + 3)}${inner})`;
          }
          if (typeof rewritten !== 'string') return rewritten;
          out += rewritten;
          i = end;
          continue;
        }
        if (pattern[i + 1] === '?') {
          const rest = pattern.slice(i, i + 4);
          const refused = UNSUPPORTED_GROUPS.find(([prefix]) => rest.startsWith(prefix));
          if (refused) return { reason: refused[1] };
          if (pattern.startsWith('(?#', i)) {
            const end = pattern.indexOf(')', i);
            if (end < 0) return { reason: 'unterminated comment' };
            i = end;
            continue;
          }
          if (pattern.startsWith('(?<', i) && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
            out += '(?P<';
            i += 2;
            continue;
          }
          if (/^\(\?[a-z-]*x/.test(pattern.slice(i, i + 10))) return { reason: 'inline /x' };
        }
        out += c;
        continue;
      }
      case '+':
        if (/[*+?}]/.test(pattern[i - 1] ?? '') && pattern[i - 2] !== '\\' && !out.endsWith('\\+'))
          return { reason: 'possessive quantifier' };
        out += c;
        continue;
      case '$':
        // Perl's $ also matches before a final newline (header values end with one).
        out += multiline ? '$' : '(?:\\n?\\z)';
        continue;
      default:
        out += c;
    }
  }
  if (inClass) return { reason: 'unterminated character class' };
  return out;
}

/** A backslash escape in Perl syntax, as RE2 writes it. */
function translateEscape(c: string, inClass: boolean): string | { reason: string } {
  switch (c) {
    case 'h':
      return inClass ? ' \\t' : '[ \\t]';
    case 'H':
      return inClass ? { reason: '\\H in a class' } : '[^ \\t]';
    case 'v':
      return inClass ? '\\n\\x0b\\f\\r' : '[\\n\\x0b\\f\\r]';
    case 'R':
      return inClass ? { reason: '\\R in a class' } : '(?:\\r\\n|\\n|\\r)';
    case 'e':
      return '\\x1b';
    case 'Z':
      return inClass ? 'Z' : '(?:\\n?\\z)';
    case 'G':
      return { reason: '\\G' };
    case 'K':
      return { reason: '\\K' };
    case 'X':
    case 'N':
      return { reason: `\\${c}` };
    default:
      if (/[1-9]/.test(c) && !inClass) return { reason: 'backreference' };
      if (c === 'g' || c === 'k') return { reason: 'backreference' };
      if (/[a-zA-Z0-9]/.test(c)) return `\\${c}`;
      // Perl lets any punctuation be escaped; RE2 only some, so write it as a code point.
      return `\\x{${c.codePointAt(0)!.toString(16)}}`;
  }
}

/** Perl's /x: whitespace and # comments outside classes are not part of the pattern. */
function stripExtended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** Index of the `)` that closes the group opened at `open`, or -1. */
function groupEnd(pattern: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Whether nothing can be matched after `position`: only the ends of enclosing groups (without
 * quantifiers) and other alternatives of them follow.
 */
function endsPattern(pattern: string, position: number): boolean {
  let i = position;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === ')') {
      if (/[*+?{]/.test(pattern[i + 1] ?? '')) return false;
      i++;
    } else if (c === '|') {
      // Skip the other alternatives up to the end of the enclosing group.
      let depth = 0;
      let j = i + 1;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === '\\') j++;
        else if (d === '[') j = Math.max(j, classEnd(pattern, j));
        else if (d === '(') depth++;
        else if (d === ')') {
          if (depth === 0) break;
          depth--;
        }
      }
      i = j;
    } else return false;
  }
  return true;
}

function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return pattern.length;
}

/**
 * A lookahead that ends the pattern asks only about what follows the match, so for "does it
 * match anywhere" it can consume: `(?=X)` is `(?:X)`, and `(?!a)` is `(?:[^a]|\z)` (a sequence of
 * single-character atoms `abc` becomes `\z|[^a]|a\z|a[^b]|ab\z|ab[^c]`). RE2 has no lookahead, so
 * any other is refused.
 */
function endingLookahead(
  pattern: string,
  open: number,
  close: number,
  multiline: boolean,
): string | { reason: string } {
  const negative = pattern[open + 2] === '!';
  const kind = negative ? 'negative lookahead' : 'lookahead';
  if (!endsPattern(pattern, close + 1)) return { reason: kind };
  const inner = pattern.slice(open + 3, close);
  if (!negative) {
    const translated = translateBody(inner, multiline, false);
    return typeof translated === 'string' ? `(?:${translated})` : translated;
  }
  const atoms = splitAtoms(inner);
  if (!atoms) return { reason: kind };
  const alternatives = ['\\z'];
  let prefix = '';
  for (const atom of atoms) {
    const positive = translateBody(atom.text, multiline, false);
    if (typeof positive !== 'string') return positive;
    alternatives.push(`${prefix}${atom.negated}`);
    prefix += positive;
    alternatives.push(`${prefix}\\z`);
  }
  alternatives.pop();
  return `(?:${alternatives.join('|')})`;
}

/**
 * The mirror of endingLookahead: a lookbehind that starts the pattern asks only about what
 * precedes the match, so for "does it match anywhere" it can consume: `(?<=X)` is `(?:X)`, and
 * `(?<!a)` is `(?:\A|[^a])` (`abc` becomes `\A|[^c]|\Ac|[^b]c|\Abc|[^a]bc`). Only used for a
 * pattern that also has lookaheads (run backwards, where a lookbehind would be a lookahead);
 * a `multiple` rule's count can then differ where one match ends right before the next.
 */
function startingLookbehind(
  pattern: string,
  open: number,
  close: number,
  multiline: boolean,
): string | null {
  const inner = pattern.slice(open + 4, close);
  if (pattern[open + 3] === '=') {
    const translated = translateBody(inner, multiline, false);
    return typeof translated === 'string' ? `(?:${translated})` : null;
  }
  const atoms = splitAtoms(inner);
  if (!atoms) return null;
  const alternatives = ['\\A'];
  let suffix = '';
  for (const atom of atoms.reverse()) {
    const positive = translateBody(atom.text, multiline, false);
    if (typeof positive !== 'string') return null;
    alternatives.push(`${atom.negated}${suffix}`);
    suffix = `${positive}${suffix}`;
    alternatives.push(`\\A${suffix}`);
  }
  alternatives.pop();
  return `(?:${alternatives.join('|')})`;
}

/**
 * Whether nothing can be matched before `position`: only openings of groups that are not
 * repeated, and the starts of their alternatives, precede it (not even an anchor or `\b`,
 * which a consuming rewrite would move).
 */
function startsPattern(pattern: string, position: number): boolean {
  const fresh: boolean[] = [];
  let atStart = true;
  for (let i = 0; i < position; i++) {
    const c = pattern[i]!;
    if (c === '(') {
      const end = groupEnd(pattern, i);
      const opener = /^\((?:\?(?:[a-z]*(?:-[a-z]*)?:|P?<[A-Za-z_]\w*>))?/.exec(
        pattern.slice(i),
      )![0];
      if (end < 0) return false;
      if (opener === '(' && pattern[i + 1] === '?') {
        // A lookaround, inline flags or a comment: taken as something before.
        i = end;
        atStart = false;
        continue;
      }
      atStart = atStart && !/[*+{]/.test(pattern[end + 1] ?? '');
      fresh.push(atStart);
      i += opener.length - 1;
    } else if (c === '|') atStart = fresh.length === 0 || fresh[fresh.length - 1]!;
    else {
      if (c === ')') fresh.pop();
      else if (c === '\\') i++;
      else if (c === '[') i = classEnd(pattern, i);
      atStart = false;
    }
  }
  return atStart;
}

/** A pattern made only of single-character atoms, each with its complement; null otherwise. */
function splitAtoms(pattern: string): { text: string; negated: string }[] | null {
  const atoms: { text: string; negated: string }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) return null;
      i++;
      const shorthand: Record<string, string> = {
        d: '\\D',
        D: '\\d',
        w: '\\W',
        W: '\\w',
        s: '\\S',
        S: '\\s',
      };
      if (shorthand[e]) atoms.push({ text: `\\${e}`, negated: shorthand[e] });
      else if (/[^a-zA-Z0-9]/.test(e))
        atoms.push({ text: `\\${e}`, negated: `[^\\x{${e.codePointAt(0)!.toString(16)}}]` });
      else return null;
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end >= pattern.length) return null;
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^') ? `[${body.slice(1)}]` : `[^${body}]`;
      atoms.push({ text: pattern.slice(i, end + 1), negated });
      i = end;
    } else if (c === '.') {
      atoms.push({ text: '.', negated: '\\n' });
    } else if (/[()|*+?{}^$]/.test(c)) {
      return null;
    } else {
      atoms.push({ text: c, negated: `[^\\x{${c.codePointAt(0)!.toString(16)}}]` });
    }
    if (/[*+?{]/.test(pattern[i + 1] ?? '')) return null;
  }
  return atoms.length > 0 ? atoms : null;
}

/** The pattern with its character classes emptied, to look for syntax outside them. */
function stripClasses(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (c === '[') i = classEnd(pattern, i);
    else out += c;
  }
  return out;
}
