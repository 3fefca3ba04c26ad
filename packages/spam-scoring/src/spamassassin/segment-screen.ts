/**
 * Screens built from a pattern re2js must run (an unbounded repeat, or too many ways to
 * backtrack for V8): the pieces of it V8 can run in linear time, each of which every match of
 * the whole pattern contains. A text where one of them does not match cannot match the pattern,
 * and skips re2js, which is many times slower per text.
 *
 * Why a piece is implied: a match of `A B C` at a position is a match of A, then of B, then of
 * C, each on the same text, so the sub-pattern `A B` (or `B C`) matches there too; its
 * assertions and lookarounds read the same text as in the whole match. Cut at what V8 cannot
 * run safely:
 * - `X+` or `X{m,}` (X bounded): the part before ends with one X, the part after starts with
 *   the last X;
 * - `X*`: the parts on either side, without X;
 * - a group holding an unbounded repeat, met at least once: its branches' first bounded parts,
 *   as alternatives (each match of the group begins with one of them), end the part before;
 * - anything else (`(?i:...)`, a repeat with no lower bound over a group...): the parts on
 *   either side; a lookaround V8 cannot run is left out, which only lets more texts through.
 * Each piece is kept only where boundedJsRegex takes it (bounded-js-regex.ts: translated
 * exactly, and at most MAX_SCREEN_STEPS per start position, so linear); a piece over the
 * bound is cut again into pieces under it. A construct the splitter does not know (inline
 * flags, `\Q`, backreferences, `/x`...) gives no screen at all: a misread split could ask for
 * text the pattern never implies.
 */
import { type BoundedPart, boundedPart, joinedParts, partRegex } from './bounded-js-regex.js';

/**
 * The most backtracking steps per start position of a screen: a screen runs on every text the
 * pattern's literals let through, so it must cost little more than a scan (a pattern run by V8
 * itself may take up to MAX_BACKTRACKING_STEPS).
 */
export const MAX_SCREEN_STEPS = 1_000;
/** At most this many screens per pattern: each costs a V8 call per text. */
const MAX_SCREENS = 3;
/** A screen shorter than this (as written) reads too little to reject many texts. */
const MIN_SCREEN_SOURCE = 4;
/** Nor one that a match of fewer characters than this satisfies. */
const MIN_SCREEN_LENGTH = 2;

interface Atom {
  /** The atom as written, its quantifier included. */
  readonly text: string;
  /** The atom without its quantifier. */
  readonly body: string;
  readonly min: number;
  /** Infinity for `*`, `+`, `{m,}`. */
  readonly max: number;
  /** For a plain or capturing group: its branches, as written. */
  readonly branches: readonly string[] | null;
  /** A lookahead or lookbehind: zero-width, so it may be left out. */
  readonly lookaround: boolean;
}

/** A bounded run of a pattern: as written (Perl) and parsed for V8. */
interface Run {
  readonly perl: string;
  readonly part: BoundedPart;
}

class Unknown extends Error {}

/**
 * The V8 regexes every match of the Perl pattern (with its flags) implies, each linear in the
 * text; empty when none is found or the pattern holds what the splitter does not read.
 */
export function segmentScreens(pattern: string, flags: string): RegExp[] {
  return segmentScreenParts(pattern, flags).map((screen) => screen.regex);
}

/** The screens with the Perl sub-pattern each runs (for tests). */
export function segmentScreenParts(
  pattern: string,
  flags: string,
): { perl: string; regex: RegExp }[] {
  if (/[^imsgo]/.test(flags)) return [];
  if (/\\[QEGKkgNpPX1-9]|\(\?[a-z^-]*\)|\(\?(?:[#>|'(&+R0-9]|P[=>])/.test(pattern)) return [];
  let runs: Run[];
  try {
    runs = runsOfAlternation(pattern, flags);
  } catch (error) {
    if (error instanceof Unknown) return [];
    throw error;
  }
  const screens = new Map<string, { perl: string; regex: RegExp; shortest: number }>();
  for (const { perl, part } of runs) {
    if (perl.length < MIN_SCREEN_SOURCE || part.shortest < MIN_SCREEN_LENGTH) continue;
    if (!screens.has(perl))
      screens.set(perl, { perl, regex: partRegex(part, flags), shortest: part.shortest });
  }
  // The longest matches first: they ask most of a text, so reject most.
  return [...screens.values()]
    .sort((a, b) => b.shortest - a.shortest)
    .slice(0, MAX_SCREENS)
    .map(({ perl, regex }) => ({ perl, regex }));
}

/** The implied runs of a whole pattern (an alternation at the top). */
function runsOfAlternation(pattern: string, flags: string): Run[] {
  const branches = splitBranches(pattern);
  if (branches.length === 1) return runsOfSequence(readAtoms(branches[0]!), flags).runs;
  const prefix = alternativesOf(
    branches.map((branch) => runsOfSequence(readAtoms(branch), flags).prefix),
    flags,
  );
  return prefix === null ? [] : [prefix];
}

/** `(?:A|B|...)` of the branches' prefixes, or null when one has none or it is not bounded. */
function alternativesOf(prefixes: readonly (Run | null)[], flags: string): Run | null {
  if (prefixes.some((prefix) => prefix === null)) return null;
  const perl = `(?:${prefixes.map((prefix) => prefix!.perl).join('|')})`;
  const part = boundedPart(perl, flags, MAX_SCREEN_STEPS);
  return part === null ? null : { perl, part };
}

/**
 * The implied runs of a sequence of atoms, and its prefix: a bounded run every match of the
 * sequence begins with (null when none).
 */
function runsOfSequence(
  atoms: readonly Atom[],
  flags: string,
): { runs: Run[]; prefix: Run | null } {
  const runs: Run[] = [];
  let prefix: Run | null | undefined;
  let current: (Run | null)[] = [];
  const close = () => {
    const chunks = boundedChunks(current);
    // The prefix must begin where the sequence does: not when its first atom was dropped.
    if (prefix === undefined) prefix = chunks[0]?.start === 0 ? chunks[0].run : null;
    runs.push(...chunks.map((chunk) => chunk.run));
    current = [];
  };
  const run = (perl: string): Run | null => {
    const part = boundedPart(perl, flags, MAX_SCREEN_STEPS);
    return part === null ? null : { perl, part };
  };
  for (const atom of atoms) {
    const whole = run(atom.text);
    if (whole !== null) {
      current.push(whole);
      continue;
    }
    const body = atom.max === Infinity ? run(atom.body) : null;
    if (body !== null) {
      if (atom.min >= 1) {
        current.push(body);
        close();
        current = [body];
      } else close();
      continue;
    }
    if (atom.lookaround) continue;
    if (atom.branches !== null && atom.min >= 1) {
      const inner = atom.branches.map((branch) => runsOfSequence(readAtoms(branch), flags));
      const first = alternativesOf(
        inner.map((sequence) => sequence.prefix),
        flags,
      );
      if (first !== null) current.push(first);
      close();
      if (inner.length === 1) runs.push(...inner[0]!.runs);
      continue;
    }
    close();
  }
  close();
  return { runs, prefix: prefix ?? null };
}

/**
 * Consecutive runs joined into the longest ones V8 takes as bounded (each is itself a
 * sub-pattern, so as implied as the whole), with the index of each one's first atom.
 */
function boundedChunks(atoms: readonly (Run | null)[]): { run: Run; start: number }[] {
  const chunks: { run: Run; start: number }[] = [];
  let chunk: { run: Run; start: number } | null = null;
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i]!;
    const joined: BoundedPart | null =
      chunk !== null && atom !== null
        ? joinedParts(chunk.run.part, atom.part, MAX_SCREEN_STEPS)
        : null;
    if (joined !== null) {
      chunk = { run: { perl: chunk!.run.perl + atom!.perl, part: joined }, start: chunk!.start };
      continue;
    }
    if (chunk !== null) chunks.push(chunk);
    chunk = atom !== null ? { run: atom, start: i } : null;
  }
  if (chunk !== null) chunks.push(chunk);
  return chunks;
}

/** The top-level branches of a pattern (split at `|` outside groups and classes). */
function splitBranches(pattern: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i = escapeEnd(pattern, i) - 1;
    else if (c === '[') i = classEnd(pattern, i) - 1;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) throw new Unknown();
    } else if (c === '|' && depth === 0) {
      branches.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new Unknown();
  branches.push(pattern.slice(start));
  return branches;
}

/** A branch (no top-level `|`) read as atoms with their quantifiers. */
function readAtoms(branch: string): Atom[] {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < branch.length) {
    const start = i;
    const c = branch[i]!;
    let branches: string[] | null = null;
    let lookaround = false;
    if (c === '\\') i = escapeEnd(branch, i);
    else if (c === '[') i = classEnd(branch, i);
    else if (c === '(') {
      const end = groupEnd(branch, i);
      const opening = /^\((?:\?(?::|=|!|<=|<!|P?<[A-Za-z_]\w*>))?/.exec(branch.slice(i))![0];
      if (opening === '(' && branch[i + 1] === '?') {
        // (?i:...) and the like: read as one opaque atom, never split.
      } else if (/^\(\?(?:=|!|<=|<!)$/.test(opening)) lookaround = true;
      else branches = splitBranches(branch.slice(i + opening.length, end - 1));
      i = end;
    } else if ('*+?{'.includes(c)) throw new Unknown();
    else i++;
    const body = branch.slice(start, i);
    const quantifier = /^(?:([*+?])|\{(\d+)(?:(,)(\d*))?\})[?+]?/.exec(branch.slice(i));
    if (quantifier === null && branch[i] === '{') throw new Unknown();
    let min = 1;
    let max = 1;
    if (quantifier !== null) {
      i += quantifier[0].length;
      if (quantifier[1] !== undefined) {
        min = quantifier[1] === '+' ? 1 : 0;
        max = quantifier[1] === '?' ? 1 : Infinity;
      } else {
        min = Number(quantifier[2]);
        max =
          quantifier[3] === undefined
            ? min
            : quantifier[4] === ''
              ? Infinity
              : Number(quantifier[4]);
      }
    }
    atoms.push({ text: branch.slice(start, i), body, min, max, branches, lookaround });
  }
  return atoms;
}

/** Where the escape at `at` ends (`\x{2f}`, `\xHH`, octal `\0dd`, or one character). */
function escapeEnd(pattern: string, at: number): number {
  const rest = pattern.slice(at + 1);
  const long = /^(?:x\{[0-9a-fA-F]*\}|x[0-9a-fA-F]{0,2}|0[0-7]{0,2}|c.)/.exec(rest);
  if (long !== null) return at + 1 + long[0].length;
  if (rest === '') throw new Unknown();
  return at + 2;
}

/** Where the class opening at `at` ends (after its `]`). */
function classEnd(pattern: string, at: number): number {
  let i = at + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === ']') return i + 1;
    if (c === '\\') i = escapeEnd(pattern, i);
    else if (c === '[' && /^\[([:=.]).*?\1\]/.test(pattern.slice(i)))
      i += /^\[([:=.]).*?\1\]/.exec(pattern.slice(i))![0].length;
    else i++;
  }
  throw new Unknown();
}

/** Where the group opening at `at` ends (after its `)`). */
function groupEnd(pattern: string, at: number): number {
  let depth = 0;
  for (let i = at; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i = escapeEnd(pattern, i) - 1;
    else if (c === '[') i = classEnd(pattern, i) - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Unknown();
}
