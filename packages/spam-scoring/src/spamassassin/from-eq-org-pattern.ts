/**
 * __FROM_EQ_ORG_1 (72_active.cf; HAS_X_OUTGOING_SPAM_STAT reads it under `!`): the From
 * display name is the Organization, found in the `ALL` pseudo-header by a backreference RE2
 * cannot run. Matched by hand, keyed by the exact Perl source for HAND_WRITTEN_PATTERNS and
 * checked against Perl in test/from-eq-org-pattern.test.ts.
 *
 * `\nFrom: "?([^\n]+)"? <[^>]+>\n.*Organization: \1\n` under /ism: after each `\nFrom: ` (past
 * one quote or not) the name runs on its line up to a ` <` (or `" <`), any of them; from that
 * `<` the first `>` must come after one character at least and be followed by a newline; then
 * anywhere later (`.` takes newlines under /s) `Organization: `, the name, a newline. So the
 * rest of such an Organization line (to its newline) is the name itself: each rest's hash is
 * kept with its latest position, and each name candidate looks its own up; time linear in the
 * text, whatever the number of candidates.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { forwardSearch, asciiLowerCase } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';

const FROM = '\nfrom: ';
const ORGANIZATION = 'organization: ';

const fromEqualsOrganization: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  if (!lower.includes(ORGANIZATION) || !lower.includes(FROM)) return false;
  const hash = new SubstringHash(lower);
  // The rest of each `Organization: ` line that a newline ends: its key, to its latest start.
  const organizations = new Map<number, number>();
  const organizationLineEnd = forwardSearch(lower, '\n');
  for (let at = lower.indexOf(ORGANIZATION); at >= 0; at = lower.indexOf(ORGANIZATION, at + 1)) {
    const start = at + ORGANIZATION.length;
    const end = organizationLineEnd(start);
    if (end < 0) break;
    if (end > start) organizations.set(hash.key(start, end), start);
  }
  // The searches of the From lines only move forward: each reads the text once.
  const [nextNewline, nextClose, nextOpen] = ['\n', '>', ' <'].map((s) => forwardSearch(lower, s));
  for (let from = lower.indexOf(FROM); from >= 0; from = lower.indexOf(FROM, from + 1)) {
    const content = from + FROM.length;
    const lineEnd = nextNewline!(content);
    const end = lineEnd < 0 ? lower.length : lineEnd;
    const starts = lower[content] === '"' ? [content, content + 1] : [content];
    for (let open = nextOpen!(content); open >= 0 && open < end; open = nextOpen!(open + 1)) {
      const close = nextClose!(open + 2);
      // `<[^>]+>\n`: the first `>` after the `<`, past one character, then a newline.
      if (close >= open + 3 && lower[close + 1] === '\n') {
        const after = close + 2;
        for (const nameEnd of lower[open - 1] === '"' ? [open, open - 1] : [open])
          for (const start of starts) {
            if (nameEnd <= start) continue;
            const found = organizations.get(hash.key(start, nameEnd));
            if (found !== undefined && found >= after + ORGANIZATION.length) {
              if (hash.equal(start, found, nameEnd - start)) return true;
            }
          }
      }
    }
  }
  return false;
};

/** The rule's Perl source (flags as an inline group), with its matcher. */
export const FROM_EQ_ORG_PATTERN: readonly [string, HandWrittenPattern] = [
  // __FROM_EQ_ORG_1
  '(?ism)\\nFrom: "?([^\\n]+)"? <[^>]+>\\n.*Organization: \\1\\n',
  fromEqualsOrganization,
];
