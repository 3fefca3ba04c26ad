/**
 * A pattern run as a function from a set of start positions to the set of positions where a
 * match from one of them can end, for hand-written matchers (hand-written-patterns.ts) of
 * patterns re2js runs slowly: long alternations of words, counted several times over.
 *
 * Each piece maps a set to a set in time linear in the text: a literal or a class keeps the
 * positions it can step over, an alternation unites what its branches give, a counted group
 * steps its body at most its maximum number of times (so only bounded counts are taken over
 * groups), and an unbounded repeat is taken over a single character only, where the positions
 * one start reaches are a run that a later start inside it cannot extend (each end is found
 * once). Sets never hold a position twice (one stamp array marks what a union has taken), so
 * nothing multiplies, and the work is at most the pattern's size times its largest count times
 * the text's length. `work` counts the positions stepped, for tests of that bound.
 *
 * The meaning is re2js's on octet strings (one character per byte, as every view of a message
 * is): `\s` is `[\t\n\f\r ]`, `\w`, `\d` and `\b` are ASCII, and a caseless pattern folds case
 * as re2js does (ASCII and Latin-1 letters, and `ſ`, the Kelvin and Ångström signs, which fold
 * onto octets). What it does not take (anchors, `.`, lookaround, lazy or possessive counts,
 * backreferences, an unbounded repeat over a group) throws when the pattern is compiled.
 */

/** A text prepared once for every piece run over it. */
export class PositionSetText {
  /** The text with case folded (caseless patterns), else the text. */
  readonly folded: string;
  /** Positions stepped so far by the pieces run over this text. */
  work = 0;

  constructor(
    readonly text: string,
    caseless: boolean,
  ) {
    this.folded = caseless ? foldCase(text) : text;
  }

  /** Every position of the text, for an unanchored search. */
  everyPosition(): number[] {
    const all = new Array<number>(this.text.length + 1);
    for (let i = 0; i <= this.text.length; i++) all[i] = i;
    return all;
  }
}

/** A compiled pattern: from start positions to the positions where a match can end. */
export class PositionSetPattern {
  private constructor(
    private readonly piece: Piece,
    /** The same pattern for starts anywhere: its optional beginnings left out, screened. */
    private readonly anywhere: Piece,
    private readonly screen: PrefixScreen | null,
    readonly caseless: boolean,
  ) {}

  static compile(source: string, caseless: boolean): PositionSetPattern {
    const parser = new Parser(source, caseless);
    const tree = parser.alternation();
    if (parser.at < source.length) throw new Error(`unexpected ')' at ${parser.at}`);
    const trimmed = withoutOptionalStart(tree);
    return new PositionSetPattern(
      screened(tree, compilePiece(tree)),
      screened(trimmed, compilePiece(trimmed)),
      PrefixScreen.of(trimmed),
      caseless,
    );
  }

  /** The ends of the matches that start at one of `starts` (no position twice). */
  ends(text: PositionSetText, starts: readonly number[]): number[] {
    return this.piece(text, starts);
  }

  /**
   * The ends of the matches that start anywhere: the same set as `ends` from every position,
   * found from the few positions where the pattern's first three characters can start.
   */
  endsAnywhere(text: PositionSetText): number[] {
    const starts = this.screen ? this.screen.starts(text) : text.everyPosition();
    return starts.length === 0 ? starts : this.anywhere(text, starts);
  }

  /** Whether the pattern matches anywhere in the text. */
  test(text: string): boolean {
    return this.endsAnywhere(new PositionSetText(text, this.caseless)).length > 0;
  }
}

type Piece = (text: PositionSetText, starts: readonly number[]) => number[];

type Node =
  | { kind: 'literal'; text: string }
  | { kind: 'class'; table: Uint8Array; beyondOctets: boolean }
  | { kind: 'sequence'; items: Node[] }
  | { kind: 'alternation'; branches: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number }
  | { kind: 'wordBoundary' };

/** Case folding as re2js's caseless matching sees octets: each to one representative. */
const FOLDABLE = /[A-Z\xc0-\xd6\xd8-\xde\u017f\u212a\u212b]/g;
const FOLDED: Record<string, string> = { '\u017f': 's', '\u212a': 'k', '\u212b': '\xe5' };

function foldCase(text: string): string {
  return text.replace(FOLDABLE, (c) => FOLDED[c] ?? String.fromCharCode(c.charCodeAt(0) + 32));
}

/** The octet a folded text holds for `code` (itself if it has no other case). */
function foldOctet(code: number): number {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0xc0 && code <= 0xde && code !== 0xd7)
    ? code + 32
    : code;
}

const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20];
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isWord = (c: number) =>
  isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/** The members of a Perl class escape (`\s`, `\d`, `\w`, `\W`...), or null: not one. */
function classEscape(letter: string): { table: Uint8Array; negated: boolean } | null {
  const table = new Uint8Array(256);
  const lower = letter.toLowerCase();
  if (lower === 's') for (const c of SPACE) table[c] = 1;
  else if (lower === 'd') for (let c = 0; c < 256; c++) table[c] = isDigit(c) ? 1 : 0;
  else if (lower === 'w') for (let c = 0; c < 256; c++) table[c] = isWord(c) ? 1 : 0;
  else return null;
  return { table, negated: letter !== lower };
}

/** A recursive-descent reader of the subset of Perl syntax the matchers use. */
class Parser {
  at = 0;

  constructor(
    private readonly source: string,
    private readonly caseless: boolean,
  ) {}

  alternation(): Node {
    const branches = [this.sequence()];
    while (this.source[this.at] === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alternation', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.source.length && !'|)'.includes(this.source[this.at]!)) {
      items.push(this.quantified(this.atom()));
    }
    return { kind: 'sequence', items };
  }

  private atom(): Node {
    const c = this.source[this.at++]!;
    if (c === '(') {
      if (this.source.startsWith('?:', this.at)) this.at += 2;
      else if (this.source[this.at] === '?') throw new Error(`group (?${this.source[this.at + 1]}`);
      const inner = this.alternation();
      if (this.source[this.at++] !== ')') throw new Error('unclosed group');
      return inner;
    }
    if (c === '[') return this.characterClass();
    if (c === '\\') {
      const letter = this.source[this.at++]!;
      if (letter === 'b') return { kind: 'wordBoundary' };
      const escape = classEscape(letter);
      if (escape) return this.classNode(escape.table, escape.negated);
      return this.literal(this.escapedCharacter(letter));
    }
    if ('.^$*+?{'.includes(c)) throw new Error(`'${c}' not taken`);
    return this.literal(c.charCodeAt(0));
  }

  private quantified(atom: Node): Node {
    const c = this.source[this.at];
    let min: number;
    let max: number;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '{') {
      const count = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
      if (!count) throw new Error(`'{' not a count at ${this.at}`);
      min = Number(count[1]);
      max = count[2] === undefined ? min : count[3] === '' ? Infinity : Number(count[3]);
      this.at += count[0].length - 1;
    } else return atom;
    this.at++;
    const after = this.source[this.at];
    if (after === '?' || after === '+') throw new Error('lazy or possessive count');
    if (max === Infinity && atom.kind !== 'class' && !isOneCharacter(atom))
      throw new Error('unbounded repeat over more than one character');
    return { kind: 'repeat', body: atom, min, max };
  }

  /** The code of the character after a backslash that is not a class (`\x41`, `\/`...). */
  private escapedCharacter(letter: string): number {
    if (letter === 'x') {
      const hex = /^(?:\{([0-9a-fA-F]{1,2})\}|([0-9a-fA-F]{2}))/.exec(this.source.slice(this.at));
      if (!hex) throw new Error('\\x not followed by an octet');
      this.at += hex[0].length;
      return parseInt(hex[1] ?? hex[2]!, 16);
    }
    if (letter === 't') return 0x09;
    if (letter === 'n') return 0x0a;
    if (letter === 'r') return 0x0d;
    if (letter === 'f') return 0x0c;
    if (/[A-Za-z0-9]/.test(letter)) throw new Error(`escape \\${letter} not taken`);
    return letter.charCodeAt(0);
  }

  private characterClass(): Node {
    const table = new Uint8Array(256);
    const negated = this.source[this.at] === '^';
    if (negated) this.at++;
    let first = true;
    while (this.source[this.at] !== ']' || first) {
      if (this.at >= this.source.length) throw new Error('unclosed class');
      first = false;
      const low = this.classMember(table);
      if (low === null) continue;
      if (this.source[this.at] === '-' && this.source[this.at + 1] !== ']') {
        this.at++;
        const high = this.classMember(table);
        if (high === null) throw new Error('range to a class');
        for (let c = low; c <= high; c++) table[c] = 1;
      } else table[low] = 1;
    }
    this.at++;
    return this.classNode(table, negated);
  }

  /** One member: its code, or null when it was a class escape (added to `table`). */
  private classMember(table: Uint8Array): number | null {
    const c = this.source[this.at++]!;
    if (c !== '\\') return c.charCodeAt(0);
    const letter = this.source[this.at++]!;
    const escape = classEscape(letter);
    if (!escape) return this.escapedCharacter(letter);
    for (let code = 0; code < 256; code++)
      if (escape.table[code] !== +escape.negated) table[code] = 1;
    return null;
  }

  /** A class as the folded text is tested: closed under case folding before any negation. */
  private classNode(members: Uint8Array, negated: boolean): Node {
    const table = new Uint8Array(256);
    for (let c = 0; c < 256; c++) {
      if (members[c] !== 1) continue;
      table[c] = 1;
      if (this.caseless) table[foldOctet(c)] = 1;
    }
    if (negated) for (let c = 0; c < 256; c++) table[c] = table[c] === 1 ? 0 : 1;
    // A character beyond the octets is in a negated class only (no class here names one).
    return { kind: 'class', table, beyondOctets: negated };
  }

  private literal(code: number): Node {
    const c = String.fromCharCode(this.caseless ? foldOctet(code) : code);
    return { kind: 'literal', text: c };
  }
}

function isOneCharacter(node: Node): boolean {
  return node.kind === 'literal' && node.text.length === 1;
}

function compilePiece(node: Node): Piece {
  switch (node.kind) {
    case 'literal':
      return literalPiece(node.text);
    case 'class':
      return classPiece(node.table, node.beyondOctets);
    case 'wordBoundary':
      return wordBoundaryPiece;
    case 'sequence':
      return sequencePiece(mergeLiterals(node.items).map(compilePiece));
    case 'alternation':
      return alternationPiece(
        node.branches.map((branch) => screened(branch, compilePiece(branch))),
      );
    case 'repeat':
      return repeatPiece(node);
  }
}

/**
 * What a match of the node can start with: a table of octets (index 256 for any character
 * beyond them), or null when the node can match the empty string (then any position may do).
 */
function firstCharacters(node: Node): Uint8Array | null {
  switch (node.kind) {
    case 'literal': {
      const first = new Uint8Array(257);
      first[Math.min(node.text.charCodeAt(0), 256)] = 1;
      return first;
    }
    case 'class': {
      const first = new Uint8Array(257);
      first.set(node.table);
      first[256] = node.beyondOctets ? 1 : 0;
      return first;
    }
    case 'wordBoundary':
      return null;
    case 'sequence': {
      const first = new Uint8Array(257);
      for (const item of node.items) {
        if (item.kind === 'wordBoundary') continue;
        const itemFirst = firstCharacters(item);
        if (itemFirst === null) {
          // Nullable: what follows may start the match too, and this item's own start.
          const inner = item.kind === 'repeat' ? firstCharacters(item.body) : null;
          if (inner === null) return null;
          for (let c = 0; c < 257; c++) first[c]! |= inner[c]!;
          continue;
        }
        for (let c = 0; c < 257; c++) first[c]! |= itemFirst[c]!;
        return first;
      }
      return null;
    }
    case 'alternation': {
      const first = new Uint8Array(257);
      for (const branch of node.branches) {
        const branchFirst = firstCharacters(branch);
        if (branchFirst === null) return null;
        for (let c = 0; c < 257; c++) first[c]! |= branchFirst[c]!;
      }
      return first;
    }
    case 'repeat':
      return node.min === 0 ? null : firstCharacters(node.body);
  }
}

/**
 * The piece run only from the starts whose character can begin a match of the node: one table
 * look-up per start saves descending into every branch of a long alternation of words.
 */
function screened(node: Node, piece: Piece): Piece {
  const first = firstCharacters(node);
  if (first === null) return piece;
  return (text, starts) => {
    text.work += starts.length;
    const folded = text.folded;
    const kept: number[] = [];
    for (const start of starts) {
      if (start < folded.length && first[Math.min(folded.charCodeAt(start), 256)] === 1)
        kept.push(start);
    }
    return kept.length === 0 ? kept : piece(text, kept);
  };
}

/** Adjacent single characters as one literal (one `startsWith` instead of one step each). */
function mergeLiterals(items: Node[]): Node[] {
  const merged: Node[] = [];
  for (const item of items) {
    const last = merged[merged.length - 1];
    if (item.kind === 'literal' && last?.kind === 'literal')
      merged[merged.length - 1] = { kind: 'literal', text: last.text + item.text };
    else merged.push(item);
  }
  return merged;
}

function literalPiece(literal: string): Piece {
  return (text, starts) => {
    text.work += starts.length;
    const ends: number[] = [];
    for (const start of starts)
      if (text.folded.startsWith(literal, start)) ends.push(start + literal.length);
    return ends;
  };
}

function inClass(table: Uint8Array, beyondOctets: boolean, code: number): boolean {
  return code < 256 ? table[code] === 1 : beyondOctets;
}

function classPiece(table: Uint8Array, beyondOctets: boolean): Piece {
  return (text, starts) => {
    text.work += starts.length;
    const folded = text.folded;
    const ends: number[] = [];
    for (const start of starts) {
      if (start < folded.length && inClass(table, beyondOctets, folded.charCodeAt(start)))
        ends.push(start + 1);
    }
    return ends;
  };
}

const wordBoundaryPiece: Piece = (text, starts) => {
  text.work += starts.length;
  // On the text as written: `ſ` and the Kelvin sign fold onto letters but are not word characters.
  const original = text.text;
  const wordAt = (i: number) => i >= 0 && i < original.length && isWord(original.charCodeAt(i));
  return starts.filter((at) => wordAt(at - 1) !== wordAt(at));
};

function sequencePiece(pieces: Piece[]): Piece {
  return (text, starts) => {
    let at = starts as number[];
    for (const piece of pieces) {
      if (at.length === 0) return at;
      at = piece(text, at);
    }
    return at;
  };
}

function alternationPiece(branches: Piece[]): Piece {
  return (text, starts) => {
    if (starts.length === 0) return [];
    return unite(
      text,
      branches.map((branch) => branch(text, starts)),
    );
  };
}

function repeatPiece({ body, min, max }: { body: Node; min: number; max: number }): Piece {
  if (body.kind === 'class' || isOneCharacter(body)) {
    const table =
      body.kind === 'class'
        ? body.table
        : Uint8Array.from({ length: 256 }, (_, c) =>
            c === (body as { text: string }).text.charCodeAt(0) ? 1 : 0,
          );
    const beyondOctets = body.kind === 'class' ? body.beyondOctets : false;
    return runPiece(table, beyondOctets, min, max);
  }
  const step = compilePiece(body);
  return (text, starts) => {
    const reached: number[][] = min === 0 ? [starts as number[]] : [];
    let at = starts as number[];
    for (let count = 1; count <= max && at.length > 0; count++) {
      at = step(text, at);
      if (count >= min) reached.push(at);
    }
    return unite(text, reached);
  };
}

/**
 * `[class]{min,max}`: from each start, the positions `min` to `max` characters on while the
 * class holds. An unbounded run (`min` at most 1) stops at a position another start took: that
 * start's run went on to the same end.
 */
function runPiece(table: Uint8Array, beyondOctets: boolean, min: number, max: number): Piece {
  if (max === Infinity && min > 1) throw new Error('unbounded repeat with a minimum over 1');
  return (text, starts) => {
    const folded = text.folded;
    const stamp = stampsFor(text);
    const generation = nextGeneration();
    const ends: number[] = [];
    for (const start of starts) {
      text.work++;
      let position = start;
      for (let count = 0; count <= max; count++) {
        if (count >= min) {
          if (stamp[position] === generation) {
            if (max === Infinity) break;
          } else {
            stamp[position] = generation;
            ends.push(position);
          }
        }
        if (position >= folded.length || !inClass(table, beyondOctets, folded.charCodeAt(position)))
          break;
        position++;
        text.work++;
      }
    }
    return ends;
  };
}

// One stamp per position shared by every union: a union runs to its end before another starts.
let stamps = new Int32Array(1024);
let generation = 0;

function stampsFor(text: PositionSetText): Int32Array {
  if (stamps.length <= text.text.length) {
    stamps = new Int32Array(Math.max(text.text.length + 1, stamps.length * 2));
  }
  return stamps;
}

function nextGeneration(): number {
  if (generation === 0x7fffffff) {
    stamps.fill(0);
    generation = 0;
  }
  return ++generation;
}

/** The union of sets, each position once. */
function unite(text: PositionSetText, sets: number[][]): number[] {
  const nonEmpty = sets.filter((set) => set.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  const stamp = stampsFor(text);
  const mark = nextGeneration();
  const union: number[] = [];
  for (const set of nonEmpty) {
    text.work += set.length;
    for (const position of set) {
      if (stamp[position] !== mark) {
        stamp[position] = mark;
        union.push(position);
      }
    }
  }
  return union;
}

/**
 * The pattern without what may be left out at its start (an optional group, a repeat that may
 * be empty, and so on into the first item of each branch): where only where matches end
 * matters, as for a search from anywhere, that changes nothing. Every match of the original has
 * a suffix matching the result, ending where it ends, and every match of the result is one of
 * the original (the left-out part empty). What is left starts with something that must be
 * there, which makes the prefix screen sharp (`(?:your\s)?name` is screened by `nam`).
 */
function withoutOptionalStart(node: Node): Node {
  switch (node.kind) {
    case 'alternation':
      return { kind: 'alternation', branches: node.branches.map(withoutOptionalStart) };
    case 'sequence': {
      let first = 0;
      while (first < node.items.length - 1) {
        const item = node.items[first]!;
        if (item.kind !== 'repeat' || item.min !== 0) break;
        first++;
      }
      const items = node.items.slice(first);
      if (items.length === 0) return node;
      return { kind: 'sequence', items: [withoutOptionalStart(items[0]!), ...items.slice(1)] };
    }
    case 'repeat':
      if (node.min === 0 || node.max === Infinity) return node;
      // X{m,n} is X then X{m-1,n-1}: the first copy's start may be left out.
      return {
        kind: 'sequence',
        items: [
          withoutOptionalStart(node.body),
          { kind: 'repeat', body: node.body, min: node.min - 1, max: node.max - 1 },
        ],
      };
    default:
      return node;
  }
}

/** How many characters a prefix screen reads, and the most prefixes it keeps. */
const PREFIX_LENGTH = 3;
const MAX_PREFIXES = 20_000;

/**
 * The strings of at most PREFIX_LENGTH characters that every match starts with (a match
 * shorter than that: the whole match), in the folded text's alphabet; null when there are too
 * many to list (a wide class) or a match may begin beyond the octets.
 */
function prefixesOf(node: Node): Set<string> | null {
  const concat = (heads: Set<string>, tails: Set<string>): Set<string> | null => {
    const out = new Set<string>();
    for (const head of heads) {
      if (head.length >= PREFIX_LENGTH) out.add(head);
      else for (const tail of tails) out.add((head + tail).slice(0, PREFIX_LENGTH));
      if (out.size > MAX_PREFIXES) return null;
    }
    return out;
  };
  switch (node.kind) {
    case 'literal':
      return new Set([node.text.slice(0, PREFIX_LENGTH)]);
    case 'wordBoundary':
      return new Set(['']);
    case 'class': {
      if (node.beyondOctets) return null;
      const members = new Set<string>();
      for (let c = 0; c < 256; c++) if (node.table[c] === 1) members.add(String.fromCharCode(c));
      return members.size > 64 ? null : members;
    }
    case 'sequence': {
      let heads: Set<string> | null = new Set(['']);
      for (const item of node.items) {
        if ([...heads].every((head) => head.length >= PREFIX_LENGTH)) break;
        const tails = prefixesOf(item);
        if (tails === null) return null;
        heads = concat(heads, tails);
        if (heads === null) return null;
      }
      return heads;
    }
    case 'alternation': {
      const union = new Set<string>();
      for (const branch of node.branches) {
        const branchPrefixes = prefixesOf(branch);
        if (branchPrefixes === null) return null;
        for (const prefix of branchPrefixes) union.add(prefix);
        if (union.size > MAX_PREFIXES) return null;
      }
      return union;
    }
    case 'repeat': {
      const body = prefixesOf(node.body);
      if (body === null) return null;
      const union = new Set<string>(node.min === 0 ? [''] : []);
      let reached: Set<string> | null = new Set(['']);
      for (let count = 1; count <= node.max; count++) {
        const next: Set<string> | null = concat(reached, body);
        if (next === null) return null;
        if (count >= node.min) for (const prefix of next) union.add(prefix);
        // From here on each count gives the same prefixes again.
        const settled = next.size === reached.size && [...next].every((p) => reached!.has(p));
        reached = next;
        if (count >= node.min && settled) break;
      }
      return union.size > MAX_PREFIXES ? null : union;
    }
  }
}

/**
 * The positions where one of a pattern's prefixes starts, found with table look-ups: a table of
 * first characters, one of character pairs, and for the pairs that need it one of third
 * characters. Every match starts at one of them.
 */
class PrefixScreen {
  private constructor(
    /** By first character: 0 none, 1 read on, 2 a prefix of one character (accept). */
    private readonly firsts: Uint8Array,
    /** By pair: 0 none, 1 accept, else the index + 2 of the third characters' table. */
    private readonly pairs: Uint16Array,
    private readonly thirds: Uint8Array[],
  ) {}

  static of(node: Node): PrefixScreen | null {
    const prefixes = prefixesOf(node);
    if (prefixes === null || prefixes.has('')) return null;
    const firsts = new Uint8Array(256);
    const pairs = new Uint16Array(256 * 256);
    const thirds: Uint8Array[] = [];
    const ordered = [...prefixes].sort((a, b) => a.length - b.length);
    for (const prefix of ordered) {
      const [c0, c1, c2] = [0, 1, 2].map((i) => prefix.charCodeAt(i));
      if (prefix.length === 1) {
        firsts[c0!] = 2;
        continue;
      }
      if (firsts[c0!] === 2) continue;
      firsts[c0!] = 1;
      const pair = c0! * 256 + c1!;
      if (prefix.length === 2) {
        pairs[pair] = 1;
        continue;
      }
      if (pairs[pair] === 1) continue;
      if (pairs[pair] === 0) {
        thirds.push(new Uint8Array(256));
        pairs[pair] = thirds.length + 1;
      }
      thirds[pairs[pair]! - 2]![c2!] = 1;
    }
    return new PrefixScreen(firsts, pairs, thirds);
  }

  starts(text: PositionSetText): number[] {
    const folded = text.folded;
    const length = folded.length;
    const starts: number[] = [];
    text.work += length;
    for (let at = 0; at < length; at++) {
      const c0 = folded.charCodeAt(at);
      if (c0 > 255) continue;
      const first = this.firsts[c0]!;
      if (first === 0) continue;
      if (first === 2) {
        starts.push(at);
        continue;
      }
      const c1 = at + 1 < length ? folded.charCodeAt(at + 1) : 256;
      if (c1 > 255) continue;
      const pair = this.pairs[c0 * 256 + c1]!;
      if (pair === 0) continue;
      if (pair === 1) {
        starts.push(at);
        continue;
      }
      const c2 = at + 2 < length ? folded.charCodeAt(at + 2) : 256;
      if (c2 <= 255 && this.thirds[pair - 2]![c2] === 1) starts.push(at);
    }
    return starts;
  }
}
