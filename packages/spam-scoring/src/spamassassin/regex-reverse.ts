/**
 * A pattern with lookaheads, run backwards. RE2 has no lookahead, but re2js runs lookbehind in
 * linear time, and a lookahead read right to left is a lookbehind: `X(?!Y)Z` matches a text
 * exactly where `rev(Z)(?<!rev(Y))rev(X)` matches the reversed text. So such a pattern is
 * reversed (every sequence read backwards, `^`/`$` and `\A`/`\z` swapped, lookaheads turned
 * into lookbehinds) and run on reversed texts; whether it matches is the same, and so is the
 * number of matches where they do not overlap. A pattern that also has a lookbehind would need
 * a lookahead backwards: refused.
 *
 * Input and output are RE2 syntax (what perl-regex.ts produces). Capturing groups become
 * non-capturing (re2js's lookbehinds must not capture; the rules only count matches).
 */

type Node =
  | { readonly type: 'atom'; readonly text: string }
  | { readonly type: 'anchor'; readonly text: string }
  | { readonly type: 'flags'; readonly flags: string }
  | { readonly type: 'group'; readonly open: string; readonly body: Node[][] }
  | { readonly type: 'look'; readonly kind: '=' | '!' | '<=' | '<!'; readonly body: Node[][] }
  | { readonly type: 'repeat'; readonly node: Node; readonly quantifier: string };

class Reader {
  i = 0;
  constructor(readonly source: string) {}

  /** Alternatives up to a `)` or the end. */
  alternatives(): Node[][] {
    const branches: Node[][] = [[]];
    while (this.i < this.source.length) {
      const c = this.source[this.i]!;
      if (c === ')') return branches;
      if (c === '|') {
        this.i++;
        branches.push([]);
        continue;
      }
      const node = this.atom();
      branches[branches.length - 1]!.push(this.quantified(node));
    }
    return branches;
  }

  private quantified(node: Node): Node {
    const rest = this.source.slice(this.i);
    const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(rest)?.[0];
    if (!quantifier) return node;
    this.i += quantifier.length;
    return this.quantified({ type: 'repeat', node, quantifier });
  }

  private atom(): Node {
    const s = this.source;
    const c = s[this.i]!;
    if (c === '\\') {
      const escape = /^\\(?:x\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|[pP]\{[^}]*\}|[pP].|.)/s.exec(
        s.slice(this.i),
      )![0];
      this.i += escape.length;
      return /^\\[AzbB]$/.test(escape)
        ? { type: 'anchor', text: escape }
        : { type: 'atom', text: escape };
    }
    if (c === '[') {
      const end = classEnd(s, this.i);
      const text = s.slice(this.i, end + 1);
      this.i = end + 1;
      return { type: 'atom', text };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { type: 'anchor', text: c };
    }
    if (c === '(') {
      const look = /^\(\?(<=|<!|=|!)/.exec(s.slice(this.i));
      if (look) {
        this.i += look[0].length;
        const body = this.alternatives();
        this.expect(')');
        return { type: 'look', kind: look[1] as '=' | '!' | '<=' | '<!', body };
      }
      const flags = /^\(\?([a-zA-Z-]+)\)/.exec(s.slice(this.i));
      if (flags) {
        this.i += flags[0].length;
        return { type: 'flags', flags: flags[1]! };
      }
      const open = /^\((?:\?P<\w+>|\?[a-zA-Z-]*:)?/.exec(s.slice(this.i))![0];
      this.i += open.length;
      const body = this.alternatives();
      this.expect(')');
      // Only the flags of a group matter when counting matches: captures are dropped.
      const inlineFlags = /^\(\?([a-zA-Z-]*):$/.exec(open)?.[1];
      return { type: 'group', open: inlineFlags ? `(?${inlineFlags}:` : '(?:', body };
    }
    this.i++;
    return { type: 'atom', text: c };
  }

  private expect(c: string): void {
    if (this.source[this.i] !== c) throw new Error(`expected ${c}`);
    this.i++;
  }
}

/** Index of the `]` that ends the class opened at `open` (POSIX `[:name:]` inside). */
function classEnd(s: string, open: number): number {
  let i = open + 1;
  if (s[i] === '^') i++;
  if (s[i] === ']') i++;
  for (; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '[' && s[i + 1] === ':') {
      const end = s.indexOf(':]', i + 2);
      if (end > 0) i = end + 1;
    } else if (s[i] === ']') return i;
  }
  throw new Error('unterminated class');
}

const SWAPPED_ANCHORS: Readonly<Record<string, string>> = {
  '^': '$',
  $: '^',
  '\\A': '\\z',
  '\\z': '\\A',
};

function reverseSequence(sequence: readonly Node[]): string {
  // An inline (?i) applies to what follows it; read backwards it would apply to what came
  // before, so it becomes a group around the rest of the sequence first.
  const flagAt = sequence.findIndex((node) => node.type === 'flags');
  if (flagAt >= 0) {
    const { flags } = sequence[flagAt] as { flags: string };
    const scoped: Node = {
      type: 'group',
      open: `(?${flags}:`,
      body: [sequence.slice(flagAt + 1)],
    };
    return reverseSequence([...sequence.slice(0, flagAt), scoped]);
  }
  return sequence.map(reverseNode).reverse().join('');
}

function reverseAlternatives(branches: readonly Node[][]): string {
  return branches.map(reverseSequence).join('|');
}

function reverseNode(node: Node): string {
  switch (node.type) {
    case 'atom':
      return node.text;
    case 'anchor':
      return SWAPPED_ANCHORS[node.text] ?? node.text;
    case 'flags':
      return `(?${node.flags})`;
    case 'group':
      return `${node.open}${reverseAlternatives(node.body)})`;
    case 'repeat': {
      const inner = reverseNode(node.node);
      // A quantifier needs one atom: a reversed sequence is wrapped.
      const single = node.node.type !== 'flags';
      return `${single ? inner : `(?:${inner})`}${node.quantifier}`;
    }
    case 'look':
      if (node.kind === '<=' || node.kind === '<!') throw new Error('lookbehind');
      return `(?<${node.kind}${reverseAlternatives(node.body)})`;
  }
}

/** The pattern that matches reversed texts where `source` matches the texts; null if none. */
export function reverseRegex(source: string): string | null {
  try {
    const reader = new Reader(source);
    const branches = reader.alternatives();
    if (reader.i !== source.length) return null;
    return reverseAlternatives(branches);
  } catch {
    return null;
  }
}

function forwardSequence(sequence: readonly Node[]): string {
  return sequence.map(relaxedNode).join('');
}

function relaxedNode(node: Node): string {
  switch (node.type) {
    case 'atom':
    case 'anchor':
      return node.text;
    case 'flags':
      return `(?${node.flags})`;
    case 'group':
      return `${node.open}${node.body.map(forwardSequence).join('|')})`;
    case 'repeat': {
      const inner = relaxedNode(node.node);
      return inner === '' ? '' : `${inner}${node.quantifier}`;
    }
    case 'look':
      return '';
  }
}

/**
 * The pattern with its lookarounds left out: it matches wherever the pattern does (and more),
 * and runs on RE2's fast automaton, so a text it does not match needs no backwards run.
 */
export function relaxRegex(source: string): string | null {
  try {
    const reader = new Reader(source);
    const branches = reader.alternatives();
    if (reader.i !== source.length) return null;
    return branches.map(forwardSequence).join('|');
  } catch {
    return null;
  }
}

/** A text read backwards (texts are octet strings: one character per byte, no pairs to keep). */
export function reverseText(text: string): string {
  let out = '';
  for (let i = text.length - 1; i >= 0; i--) out += text[i];
  return out;
}
