/**
 * __PDS_FROM_NAME_TO_DOMAIN and __PDS_TO_BRAND_SUBJECT (72_active.cf; read by
 * PDS_FROM_NAME_TO_DOMAIN, GOOG_STO_EMAIL_PHISH, __SENDGRID_REDIR_PHISH and
 * PDS_BRAND_SUBJ_NAKED_TO): a name in one header line that comes back in another, found in the
 * `ALL` pseudo-header by a backreference RE2 cannot run. Matched by hand, keyed by the exact
 * Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in test/pds-patterns.test.ts.
 * Both are caseless on octets (Perl's /i folds ASCII letters only), so the text is compared in
 * ASCII lower case.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
/** Perl's `\s` on octets. */
const isSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
/** Perl's `\w` on octets (ASCII: the native rules of a string that is not UTF-8). */
const isWord = (c: string | undefined) =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_');
/** `[a-z0-9\.-]` under /i, on lower-cased text. */
const isNameCharacter = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '.' || c === '-');

/**
 * `text.indexOf(c, from)` for `from` that never decreases between calls: the last answer is
 * kept while it still lies ahead, so a run of calls reads the text once (not once per call).
 */
function forwardSearch(text: string, c: string): (from: number) => number {
  let found = -2;
  let asked = -1;
  return (from: number) => {
    if (from < asked) return text.indexOf(c, from);
    asked = from;
    if (found === -1 || (found >= from && found >= 0)) return found;
    found = text.indexOf(c, from);
    return found;
  };
}

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  end: boolean;
}
const newNode = (): TrieNode => ({ next: new Map(), end: false });

function insert(trie: TrieNode, key: string): void {
  let node = trie;
  for (const c of key) {
    let child = node.next.get(c);
    if (!child) node.next.set(c, (child = newNode()));
    node = child;
  }
  node.end = true;
}

/**
 * __PDS_FROM_NAME_TO_DOMAIN: `From: ["']?([a-z0-9\.-]+\.[0-9a-z\.-]+)["']? [^\n]+\n+To:` then
 * `[^\n]+\@\1`. `From: ` may stand anywhere; the name after it (past one quote) can only be the
 * whole run of name characters there, since a quote or a space must follow it; it holds a dot
 * neither first nor last. Its line goes on past a space, and the next line that is not empty
 * is a `To:` line, where the name must follow an `@` (one character at least after `To:`).
 * The names, disjoint runs of the text, go into a trie per To line; from each `@` of that line
 * the walk follows name characters only, so the walks from its `@`s never overlap: linear.
 */
const fromNameToDomain: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  const byToLine = new Map<number, TrieNode>();
  const newline = forwardSearch(lower, '\n');
  let lastLineEnd = -1;
  let lastToLine = -1;
  for (let from = lower.indexOf('from: '); from >= 0; from = lower.indexOf('from: ', from + 1)) {
    let start = from + 6;
    if (lower[start] === '"' || lower[start] === "'") start++;
    let end = start;
    while (isNameCharacter(lower[end])) end++;
    // A dot neither first nor last (the run is the name's own, read once).
    if (!lower.slice(start + 1, end - 1).includes('.')) continue;
    let after = end;
    if (lower[after] === '"' || lower[after] === "'") after++;
    if (lower[after] !== ' ') continue;
    const lineEnd = newline(after + 1);
    if (lineEnd < 0) return false;
    if (lineEnd === after + 1) continue;
    // The next line not empty: once per From line, however many names it holds.
    if (lineEnd !== lastLineEnd) {
      lastLineEnd = lineEnd;
      lastToLine = lineEnd;
      while (lower[lastToLine] === '\n') lastToLine++;
    }
    const toLine = lastToLine;
    if (!lower.startsWith('to:', toLine)) continue;
    let trie = byToLine.get(toLine);
    if (!trie) byToLine.set(toLine, (trie = newNode()));
    insert(trie, lower.slice(start, end));
  }
  for (const [toLine, trie] of byToLine) {
    const lineEnd = lower.indexOf('\n', toLine);
    const last = lineEnd < 0 ? lower.length : lineEnd;
    for (let at = lower.indexOf('@', toLine + 4); at >= 0 && at < last;) {
      let node: TrieNode | undefined = trie;
      let walk = at + 1;
      while (node && !node.end && walk < last) node = node.next.get(lower[walk++]!);
      if (node?.end) return true;
      at = lower.indexOf('@', at + 1);
    }
  }
  return false;
};

/**
 * The most octets __PDS_TO_BRAND_SUBJECT compares per text: past it, the rule does not fire
 * (a text that needs more is hostile; a real header block needs a few hundred).
 */
export const MAX_BRAND_SUBJECT_COMPARISONS = 1_000_000;

/**
 * __PDS_TO_BRAND_SUBJECT: `^To:\s+<?[^\@]+\@([^\.]+)\.(?:[^\n]+\n+)*^Subject: \"?\1\b`. At a
 * line that begins `To:` and a space, `[^\@]+\@` reaches the first `@` after it (at least two
 * characters on), and `([^\.]+)\.` is all up to the first dot after that: the capture is one
 * text. The rest of the dot's line must not be empty; any later line beginning `Subject: `
 * (after a quote or not) may then begin with the capture, a word boundary after it. To lines
 * that reach the same `@` are looked at once; the octets compared are counted, and past
 * MAX_BRAND_SUBJECT_COMPARISONS the answer is no.
 */
const toBrandSubject: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  const subjects: number[] = [];
  for (let line = 0; line >= 0 && line < lower.length;) {
    if (lower.startsWith('subject: ', line)) subjects.push(line + 9);
    const end = lower.indexOf('\n', line);
    line = end < 0 ? -1 : end + 1;
  }
  if (subjects.length === 0) return false;
  const seen = new Set<number>();
  let budget = MAX_BRAND_SUBJECT_COMPARISONS;
  const startsWithAt = (capture: string, at: number) => {
    budget -= capture.length;
    const end = at + capture.length;
    return lower.startsWith(capture, at) && isWord(lower[end - 1]) !== isWord(lower[end]);
  };
  const [nextAt, nextDot, nextNewline] = ['@', '.', '\n'].map((c) => forwardSearch(lower, c));
  for (let line = 0; line >= 0 && line < lower.length;) {
    const lineEnd = lower.indexOf('\n', line);
    if (lower.startsWith('to:', line) && isSpace(lower[line + 3])) {
      const at = nextAt!(line + 3);
      if (at < 0) return false;
      if (at >= line + 5 && !seen.has(at)) {
        seen.add(at);
        const dot = nextDot!(at + 1);
        if (dot < 0) return false;
        const dotLineEnd = nextNewline!(dot + 1);
        if (dot > at + 1 && dotLineEnd > dot + 1) {
          const capture = lower.slice(at + 1, dot);
          for (const subject of subjects) {
            // A Subject line that begins after the dot's line.
            if (subject - 9 <= dotLineEnd) continue;
            if (budget <= 0) return false;
            if (startsWithAt(capture, subject)) return true;
            if (lower[subject] === '"' && startsWithAt(capture, subject + 1)) return true;
          }
        }
      }
    }
    line = lineEnd < 0 ? -1 : lineEnd + 1;
  }
  return false;
};

/** The rules' Perl sources (flags as an inline group), each with its matcher. */
export const PDS_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    // __PDS_FROM_NAME_TO_DOMAIN
    '(?ism)From: ["\']?([a-z0-9\\.-]+\\.[0-9a-z\\.-]+)["\']? [^\\n]+\\n+To:[^\\n]+\\@\\1',
    fromNameToDomain,
  ],
  [
    // __PDS_TO_BRAND_SUBJECT
    '(?ism)^To:\\s+<?[^\\@]+\\@([^\\.]+)\\.(?:[^\\n]+\\n+)*^Subject: \\"?\\1\\b',
    toBrandSubject,
  ],
];
