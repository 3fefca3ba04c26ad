/**
 * __PDS_TO_EQ_FROM_NAME_2 (72_active.cf; T_PDS_TO_EQ_FROM_NAME): a From whose quoted display
 * name is an address, `From: "bob@example.com" <eve@shop.example>`, that address then being
 * the To. Its `(?!\1)` and possessive `++` are beyond RE2; matched by hand, keyed by the exact
 * Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/to-eq-from-name-pattern.test.ts.
 *
 * `\nFrom:\W+"([\w+.-]+\@[\w.-]+\.\w\w+)(?:[^\n\w<]{0,80}<)?((?!\1)[^\n">]++)>?\n+` then
 * `(?:[^\n]{1,100}\n+)*To: (?:[^\n<]{0,80}<)?(\1)>?` under /ism, on ASCII lower case. After
 * `From:` a run of non-word characters (newlines too); the quote that opens the address is the
 * only one of that run that a local-part character follows; the local part runs to an `@`.
 * The address may end wherever two word characters or more follow a dot of its domain (`\w+`
 * gives back), so its captures are prefixes of one text. From each end, the rest of the line
 * (past non-word characters and a `<` within 80, or not) must be a run without `"`, `>` or a
 * newline that does not begin with the capture (compared by hashes), then `>?\n`. The
 * captures go into a trie at their line, which lines over 100 characters empty, as in
 * to-eq-from-patterns.ts; a later `To: ` line looks for them from its start or after its
 * first `<` within 80, walking no further than the line: time linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { displayNameRest } from './display-name-rest.js';
import { isPerlWord, asciiLowerCase, nextWhere } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

/** `(?:[^\n]{1,100}\n+)*`: the longest line stepped over between the From and the To. */
const MAX_STEPPED_LINE = 100;
/** `[^\n\w<]{0,80}<` and `[^\n<]{0,80}<`: how far the `<` may be. */
const MAX_BEFORE_BRACKET = 80;

const isLocal = (c: string | undefined) => c === '+' || c === '.' || c === '-' || isPerlWord(c);

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  end: boolean;
}
const newNode = (): TrieNode => ({ next: new Map(), end: false });

const toEqualsFromName: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes('\nfrom:') || !lower.includes('to: ')) return false;
  // Built only when a capture's line gets that far (most From lines have no quoted address).
  let hash: SubstringHash | null = null;
  // The end of a `[^\n\w<]` run from each place.
  const bracketEnd = nextWhere(lower, (c) => c === '\n' || c === '<' || isPerlWord(c));
  const restOfLine = displayNameRest(lower, (a, b, length) =>
    (hash ??= new SubstringHash(lower)).equal(a, b, length),
  );
  // The captures of each From, by the line their address is on: [address start, its ends].
  const captures = new Map<number, { start: number; ends: number[] }[]>();
  const lineStarts: number[] = [0];
  for (let at = lower.indexOf('\n'); at >= 0; at = lower.indexOf('\n', at + 1))
    lineStarts.push(at + 1);
  let line = 0;
  for (let from = lower.indexOf('\nfrom:'); from >= 0; from = lower.indexOf('\nfrom:', from + 1)) {
    let run = from + 6;
    let quote = -1;
    while (run < lower.length && !isPerlWord(lower[run])) {
      if (lower[run] === '"') quote = run;
      run++;
    }
    // `\W+"`: the quote is in the run, one character after its start at least (of the run's
    // quotes only the last can be followed by a local part that reaches an `@`).
    if (quote < from + 7) continue;
    const address = quote + 1;
    let sign = address;
    while (isLocal(lower[sign])) sign++;
    if (sign === address || lower[sign] !== '@') continue;
    const ends: number[] = [];
    let dot = -1;
    for (let at = sign + 1; at < lower.length; at++) {
      const c = lower[at];
      if (c === '.') dot = at > sign + 1 ? at : -1;
      else if (c === '-') dot = -1;
      else if (!isPerlWord(c)) break;
      else if (dot >= 0 && at - dot >= 2) {
        const end = at + 1;
        const bracket = bracketEnd[end]!;
        if (
          restOfLine(end, address, end - address) ||
          (lower[bracket] === '<' &&
            bracket - end <= MAX_BEFORE_BRACKET &&
            restOfLine(bracket + 1, address, end - address))
        )
          ends.push(end);
      }
    }
    if (ends.length === 0) continue;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= address) line++;
    const list = captures.get(line);
    if (list) list.push({ start: address, ends });
    else captures.set(line, [{ start: address, ends }]);
  }
  if (captures.size === 0) return false;
  let trie = newNode();
  for (let index = 0; index < lineStarts.length; index++) {
    const start = lineStarts[index]!;
    const newline = index + 1 < lineStarts.length ? lineStarts[index + 1]! - 1 : lower.length;
    if (index > 0 && lower.startsWith('to: ', start)) {
      const content = start + 4;
      const starts = [content];
      for (let at = content; at < newline && at <= content + MAX_BEFORE_BRACKET; at++)
        if (lower[at] === '<') {
          starts.push(at + 1);
          break;
        }
      for (const from of starts) {
        let node: TrieNode | undefined = trie;
        for (let at = from; node; at++) {
          if (node.end) return true;
          node = at < newline ? node.next.get(lower[at]!) : undefined;
        }
      }
    }
    if (newline - start > MAX_STEPPED_LINE) trie = newNode();
    // A From's captures count on the lines after its own (`\n+` follows them).
    for (const { start: address, ends } of captures.get(index) ?? []) {
      let node = trie;
      let at = address;
      for (const end of ends) {
        for (; at < end; at++) {
          let child = node.next.get(lower[at]!);
          if (!child) node.next.set(lower[at]!, (child = newNode()));
          node = child;
        }
        node.end = true;
      }
    }
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const TO_EQ_FROM_NAME_PATTERN: readonly [string, HandWrittenPattern] = [
  // __PDS_TO_EQ_FROM_NAME_2
  '(?ism)\\nFrom:\\W+"([\\w+.-]+\\@[\\w.-]+\\.\\w\\w+)(?:[^\\n\\w<]{0,80}<)?((?!\\1)[^\\n">]++)>?\\n+(?:[^\\n]{1,100}\\n+)*To: (?:[^\\n<]{0,80}<)?(\\1)>?',
  toEqualsFromName,
];
