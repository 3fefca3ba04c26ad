/**
 * The `__TO_EQ_FROM_*` header rules of 72_active.cf: the To address (or its domain, or its
 * user name) is the From one, found in the `ALL` pseudo-header by a backreference RE2 cannot
 * run. Matched by hand in linear time, each keyed by its exact Perl source for
 * HAND_WRITTEN_PATTERNS and checked against Perl in test/to-eq-from-patterns.test.ts.
 *
 * Every one reads `\nA:<sep><first part>\n+(?:[^\n]{1,100}\n+)*B:<sep><second part>`:
 * a header line A (From or To, any case, after a newline) whose end holds the captured text,
 * then any number of lines of at most 100 characters (blank lines too), then a line B whose
 * start holds the same text (ASCII case ignored, as Perl's /i on octets) followed by a
 * delimiter. So the lines a first line reaches end at the first line over 100 characters
 * (which can still be the B line); of the first lines a B line can be reached from, all but
 * the earliest are 100 characters or less. One pass over the lines keeps the captures of the
 * first lines that still reach (a trie of the short ones, the at most two of a long one apart)
 * and, at each B line, looks for them at the few places the second part allows: the walk
 * from each place is at most 100 steps in the trie, and a long capture is searched (KMP) only
 * in a line at least as long, which ends the captures' reach. Time linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

/** Perl's `\s` on octets. */
const isSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
/** Lower case for ASCII letters only, as Perl's /i on a string of octets. */
const asciiLowerCase = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
/** A line the `(?:[^\n]{1,100}\n+)*` walk cannot step over (the most most rules step). */
const MAX_STEPPED_LINE = 100;

/** How one rule of the family reads its two lines. */
interface FamilyShape {
  /** `\s+` after the colon (the USR rules) instead of exactly one space. */
  readonly spaces: boolean;
  /** The captures the first line's content (from its start to its end) allows. */
  readonly captures: (content: string) => string[];
  /** Where in the second line's content the capture may start. */
  readonly starts: (content: string) => number[];
  /** The delimiters that may follow the capture on the second line. */
  readonly after: (c: string | undefined) => boolean;
  /** The longest line stepped over between the two (`[^\n]{1,N}`); MAX_STEPPED_LINE if not said. */
  readonly maxSteppedLine?: number;
  /** `\1\d*` on the second line: digits between the capture and its delimiter (the NN rules). */
  readonly digitsAfter?: boolean;
}

/**
 * `([^\n\s>]+)>?` up to the line end: the content without one final `>`, or nothing (`comma`:
 * `([^\n\s>,]+)`).
 */
function wholeToken(content: string, comma = false): string | null {
  const token = content.endsWith('>') ? content.slice(0, -1) : content;
  if (token === '') return null;
  for (const c of token) if (isSpace(c) || c === '>' || (comma && c === ',')) return null;
  return token;
}

/** `(?:[^\n<]{0,80}<)?` then a token: from the start, or after the first `<` within 80. */
function addressCaptures(content: string, comma = false): string[] {
  const found: string[] = [];
  const whole = wholeToken(content, comma);
  if (whole !== null) found.push(whole);
  const open = content.indexOf('<');
  if (open >= 0 && open <= 80) {
    const inner = wholeToken(content.slice(open + 1), comma);
    if (inner !== null) found.push(inner);
  }
  return found;
}

/** `(?:[^\n]{0,80}<)?`: the start, or just after any `<` among the first 81 characters. */
function addressStarts(content: string): number[] {
  const starts = [0];
  for (let i = 0; i <= 80 && i < content.length; i++) if (content[i] === '<') starts.push(i + 1);
  return starts;
}

/** `[>,\s\n]` */
const addressEnd = (c: string | undefined) => c === '>' || c === ',' || isSpace(c);

/**
 * `(?:[^\n<]{0,80}<)?([^\n\s\@>]+)\@[^\n\s]+>?` to the line end: the user part before the
 * first `@` from the start or after the first `<` within 80, the rest of the line after that
 * `@` non-empty and without spaces.
 */
function userCaptures(content: string): string[] {
  const found: string[] = [];
  const userFrom = (start: number) => {
    const at = content.indexOf('@', start);
    if (at <= start) return;
    for (let i = start; i < at; i++) if (isSpace(content[i]) || content[i] === '>') return;
    if (at + 1 >= content.length) return;
    for (let i = at + 1; i < content.length; i++) if (isSpace(content[i])) return;
    found.push(content.slice(start, at));
  };
  userFrom(0);
  const open = content.indexOf('<');
  if (open >= 0 && open <= 80) userFrom(open + 1);
  return found;
}

/** `[^\n@]{0,80}@([^\n\s>]+)>?` to the line end: after the first `@`, within 80. */
function domainCaptures(content: string): string[] {
  const at = content.indexOf('@');
  if (at < 0 || at > 80) return [];
  const token = wholeToken(content.slice(at + 1));
  return token === null ? [] : [token];
}

/** `[^\n]+@`: just after any `@` but a first one. */
function domainStarts(content: string): number[] {
  const starts: number[] = [];
  for (let at = content.indexOf('@', 1); at >= 0; at = content.indexOf('@', at + 1))
    starts.push(at + 1);
  return starts;
}

const ADDRESS: FamilyShape = {
  spaces: false,
  captures: (content) => addressCaptures(content),
  starts: addressStarts,
  after: addressEnd,
};
const DOMAIN: FamilyShape = {
  spaces: false,
  captures: domainCaptures,
  starts: domainStarts,
  after: addressEnd,
};
const USER: FamilyShape = {
  spaces: true,
  captures: userCaptures,
  starts: addressStarts,
  // `[\@>,\s\n]`
  after: (c) => c === '@' || addressEnd(c),
};

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
/** `([^\n\s\@>]{4,80}?)\d*\@`: the captures are the user's first 4 to 80 characters that only digits follow. */
const MIN_NN_USER = 4;
const MAX_NN_USER = 80;
function userWithoutDigitsCaptures(content: string): string[] {
  const found: string[] = [];
  for (const user of userCaptures(content)) {
    let digits = user.length;
    while (digits > 0 && isDigit(user[digits - 1])) digits--;
    const longest = Math.min(MAX_NN_USER, user.length);
    for (let length = Math.max(MIN_NN_USER, digits); length <= longest; length++)
      found.push(user.slice(0, length));
  }
  return found;
}
/** __TO_EQ_FROM_USR_NN_*: the user part, digits after it on either side left out. */
const USER_WITHOUT_DIGITS: FamilyShape = {
  ...USER,
  captures: userWithoutDigitsCaptures,
  digitsAfter: true,
};

/** `[^\n]{0,100}` before the capture in a Subject: any of its first 101 places. */
function subjectStarts(content: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= 100 && i <= content.length; i++) starts.push(i);
  return starts;
}

/** __SUBJ_HAS_FROM_1: the From address in the Subject, then `[>,:\s\n]`. */
const FROM_IN_SUBJECT: FamilyShape = {
  spaces: false,
  captures: (content) => addressCaptures(content),
  starts: subjectStarts,
  after: (c) => c === ':' || addressEnd(c),
};
/** __SUBJ_HAS_TO_1: the To address (no comma) in the Subject, then `[^a-z0-9]` (caseless). */
const TO_IN_SUBJECT: FamilyShape = {
  spaces: false,
  captures: (content) => addressCaptures(content, true),
  starts: subjectStarts,
  after: (c) => c !== undefined && !/[a-z0-9]/i.test(c),
  maxSteppedLine: 200,
};

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  end: boolean;
}
const newNode = (): TrieNode => ({ next: new Map(), end: false });

/** Where `key` occurs in `text` (Knuth-Morris-Pratt: linear in both). */
function occurrences(text: string, key: string): number[] {
  const fail = new Array<number>(key.length).fill(0);
  for (let i = 1, k = 0; i < key.length; i++) {
    while (k > 0 && key[i] !== key[k]) k = fail[k - 1]!;
    if (key[i] === key[k]) k++;
    fail[i] = k;
  }
  const found: number[] = [];
  for (let i = 0, k = 0; i < text.length; i++) {
    while (k > 0 && text[i] !== key[k]) k = fail[k - 1]!;
    if (text[i] === key[k]) k++;
    if (k === key.length) {
      found.push(i - key.length + 1);
      k = fail[k - 1]!;
    }
  }
  return found;
}

/** The content after `Name:` and the separator: its line's index and its start in the line. */
function contentAfter(
  lines: readonly string[],
  index: number,
  nameLength: number,
  spaces: boolean,
): { line: number; start: number } | null {
  const first = lines[index]!;
  if (!spaces) return first[nameLength] === ' ' ? { line: index, start: nameLength + 1 } : null;
  // `\s+` may run over line ends: the content starts at the first other character.
  let line = index;
  let at = nameLength;
  if (!isSpace(first[at]) && !(at === first.length && index + 1 < lines.length)) return null;
  for (;;) {
    const text = lines[line]!;
    while (at < text.length && isSpace(text[at])) at++;
    if (at < text.length) return { line, start: at };
    if (line + 1 >= lines.length) return null;
    line++;
    at = 0;
  }
}

/** The matcher of one rule: `first` and `second` are the header names, in order. */
function toEqFrom(first: string, second: string, shape: FamilyShape): HandWrittenPattern {
  const firstName = `${first.toLowerCase()}:`;
  const maxStepped = shape.maxSteppedLine ?? MAX_STEPPED_LINE;
  const secondName = `${second.toLowerCase()}:`;
  return (text: string) => {
    const lines = text.split('\n');
    // The last piece follows no newline that ends it: it can be a second line, not a first.
    const lower = lines.map(asciiLowerCase);
    let trie = newNode();
    let longKeys: string[] = [];
    // A first line's captures count from the line its content ends on (`\s+` may span lines).
    let pending: { line: number; keys: string[] } | null = null;
    const add = (keys: string[], long: boolean) => {
      if (long) longKeys = keys;
      else
        for (const key of keys) {
          let node = trie;
          for (const c of key) {
            let child = node.next.get(c);
            if (!child) node.next.set(c, (child = newNode()));
            node = child;
          }
          node.end = true;
        }
    };
    for (let i = 1; i < lines.length; i++) {
      const line = lower[i]!;
      if (line.startsWith(secondName)) {
        const content = contentAfter(lower, i, secondName.length, shape.spaces);
        if (content) {
          const where = lower[content.line]!;
          const starts = shape.starts(where.slice(content.start)).map((s) => s + content.start);
          // Only the last piece has no newline after it, and there `\n` cannot follow.
          const charAfter = (at: number) => {
            if (shape.digitsAfter) at = pastDigits[at] ?? at;
            return at < where.length
              ? where[at]
              : content.line + 1 < lines.length
                ? '\n'
                : undefined;
          };
          // Where the run of digits from each place of the line ends (the NN rules).
          const pastDigits: number[] = [];
          if (shape.digitsAfter)
            for (let at = where.length; at >= 0; at--)
              pastDigits[at] = isDigit(where[at]) ? pastDigits[at + 1]! : at;
          for (const start of starts) {
            let node: TrieNode | undefined = trie;
            for (let at = start; node; at++) {
              if (node.end && at > start && shape.after(charAfter(at))) return true;
              node = at < where.length ? node.next.get(where[at]!) : undefined;
            }
          }
          const startSet = longKeys.length ? new Set(starts) : null;
          for (const key of longKeys)
            if (key.length <= where.length)
              for (const at of occurrences(where, key))
                if (startSet!.has(at) && shape.after(charAfter(at + key.length))) return true;
        }
      }
      if (line.length > maxStepped) {
        trie = newNode();
        longKeys = [];
      }
      if (pending && pending.line === i) {
        add(pending.keys, line.length > maxStepped);
        pending = null;
      }
      if (line.startsWith(firstName)) {
        const content = contentAfter(lower, i, firstName.length, shape.spaces);
        // The capture's line must end in a newline (`\n+` follows it).
        if (content && content.line + 1 < lines.length) {
          const keys = shape.captures(lower[content.line]!.slice(content.start));
          if (content.line === i) add(keys, line.length > maxStepped);
          else pending = { line: content.line, keys };
        }
      }
    }
    return false;
  };
}

/** The rules' Perl sources (flags as an inline group), each with its matcher. */
export const TO_EQ_FROM_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    // __TO_EQ_FROM_1
    '(?ism)\\nFrom: (?:[^\\n<]{0,80}<)?([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*To: (?:[^\\n]{0,80}<)?\\1[>,\\s\\n]',
    toEqFrom('From', 'To', ADDRESS),
  ],
  [
    // __TO_EQ_FROM_2
    '(?ism)\\nTo: (?:[^\\n<]{0,80}<)?([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*From: (?:[^\\n]{0,80}<)?\\1[>,\\s\\n]',
    toEqFrom('To', 'From', ADDRESS),
  ],
  [
    // __TO_EQ_FROM_DOM_1
    '(?ism)\\nFrom: [^\\n@]{0,80}@([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*To: [^\\n]+@\\1[>,\\s\\n]',
    toEqFrom('From', 'To', DOMAIN),
  ],
  [
    // __TO_EQ_FROM_DOM_2
    '(?ism)\\nTo: [^\\n@]{0,80}@([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*From: [^\\n]+@\\1[>,\\s\\n]',
    toEqFrom('To', 'From', DOMAIN),
  ],
  [
    // __TO_EQ_FROM_USR_1
    '(?ism)\\nFrom:\\s+(?:[^\\n<]{0,80}<)?([^\\n\\s\\@>]+)\\@[^\\n\\s]+>?\\n+(?:[^\\n]{1,100}\\n+)*To:\\s+(?:[^\\n]{0,80}<)?\\1[\\@>,\\s\\n]',
    toEqFrom('From', 'To', USER),
  ],
  [
    // __TO_EQ_FROM_USR_2
    '(?ism)\\nTo:\\s+(?:[^\\n<]{0,80}<)?([^\\n\\s\\@>]+)\\@[^\\n\\s]+>?\\n+(?:[^\\n]{1,100}\\n+)*From:\\s+(?:[^\\n]{0,80}<)?\\1[\\@>,\\s\\n]',
    toEqFrom('To', 'From', USER),
  ],
  [
    // __TO_EQ_FROM_USR_NN_1 (feat/spam-regex-rest)
    '(?ism)\\nFrom:\\s+(?:[^\\n<]{0,80}<)?([^\\n\\s\\@>]{4,80}?)\\d*\\@[^\\n\\s]+>?\\n+(?:[^\\n]{1,100}\\n+)*To:\\s+(?:[^\\n]{0,80}<)?\\1\\d*[\\@>,\\s\\n]',
    toEqFrom('From', 'To', USER_WITHOUT_DIGITS),
  ],
  [
    // __TO_EQ_FROM_USR_NN_2
    '(?ism)\\nTo:\\s+(?:[^\\n<]{0,80}<)?([^\\n\\s\\@>]{4,80}?)\\d*\\@[^\\n\\s]+>?\\n+(?:[^\\n]{1,100}\\n+)*From:\\s+(?:[^\\n]{0,80}<)?\\1\\d*[\\@>,\\s\\n]',
    toEqFrom('To', 'From', USER_WITHOUT_DIGITS),
  ],
];

/**
 * __SUBJ_HAS_FROM_1 and __SUBJ_HAS_TO_1 (72_active.cf, read by FROM_IN_TO_AND_SUBJ and, through
 * __TO_IN_SUBJ, TO_IN_SUBJ and the phishing metas): the same shape, its second line the
 * Subject, where the capture may start at any of the first 101 places.
 */
export const SUBJECT_HAS_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    // __SUBJ_HAS_FROM_1
    '(?ism)\\nFrom: (?:[^\\n<]{0,80}<)?([^\\n\\s>]+)>?\\n+(?:[^\\n]{1,100}\\n+)*Subject: [^\\n]{0,100}\\1[>,:\\s\\n]',
    toEqFrom('From', 'Subject', FROM_IN_SUBJECT),
  ],
  [
    // __SUBJ_HAS_TO_1
    '(?ism)\\nTo: (?:[^\\n<]{0,80}<)?([^\\n\\s>,]+)>?\\n+(?:[^\\n]{1,200}\\n+)*Subject: [^\\n]{0,100}\\1[^a-z0-9]',
    toEqFrom('To', 'Subject', TO_IN_SUBJECT),
  ],
];
