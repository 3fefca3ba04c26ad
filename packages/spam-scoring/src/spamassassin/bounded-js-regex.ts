/**
 * A Perl pattern run by V8's own regex engine, where that is provably linear in the text.
 *
 * re2js is linear for every pattern but slow per call; V8's engine backtracks, which on some
 * patterns takes exponential or quadratic time. It cannot when the pattern has no unbounded
 * repeat: without `*`, `+` or `{n,}`, each attempt at one start position explores a finite tree
 * of ways to match, whose size the pattern alone bounds. Counting the steps (each way out of A
 * enters B afresh; alternatives add, but of alternatives that begin with different octets only
 * one goes on; `X{m,n}` is m copies then n - m nested optional ones; a lookaround's own search is
 * paid each time it is reached; a backreference compares at most its group's longest capture,
 * in one way) gives `steps`, an upper bound of the work at one start position; the work on a
 * text of n characters is then at most n times that, linear. A
 * pattern is taken only when `steps` is at most `MAX_BACKTRACKING_STEPS`, and only in a subset of
 * Perl's syntax translated exactly: what is outside it (unbounded repeats, inline flags, most
 * POSIX classes, `\h`, `\p`, a backreference to a group that may be unset...) returns null and
 * stays on re2js. A pattern re2js cannot run (a backreference, a count over RE2's limit) that
 * is taken here runs on V8 alone (sa-rule-set.ts).
 *
 * The translation keeps re2js's meaning for the binary strings the rules read (code points
 * 0-255): `\s` is RE2's `[\t\n\f\r ]` (V8's also takes \v and \xa0), `.` is `[^\n]` (V8's also
 * stops at \r), `^`/`$` under /m break lines at \n only, and Perl's `$` is "at the end or before
 * a final newline". Caseless matching agrees on those code points (both fold à with À and leave
 * ß alone), so a pattern holding a wider character is refused.
 */

/** The most backtracking steps a pattern may take at one start position to be run by V8. */
export const MAX_BACKTRACKING_STEPS = 20_000;

export interface BoundedJsRegex {
  /** Global (`g`), to count matches with `exec`; set `lastIndex` before each use. */
  readonly regex: RegExp;
  /** Upper bound of the backtracking steps at one start position. */
  readonly steps: number;
  /**
   * Whether V8 counts matches (`tflags multiple`) as re2js does: not when a match may be empty
   * (where the next search starts is each engine's own), nor with a lookahead, which re2js runs
   * consumed or on the reversed text, so that its matches, though found where V8 finds them,
   * are not cut the same (`a(?!b)` on "aa": V8 and Perl 2, re2js 1).
   */
  readonly countsAsRe2js: boolean;
  /** No match is empty: `exec` in a loop moves on after each (counts as Perl's). */
  readonly nonEmpty: boolean;
}

/** The pattern as a bounded V8 regex, or null when it cannot be shown linear (or translated). */
export function boundedJsRegex(pattern: string, flags: string): BoundedJsRegex | null {
  if (/[^imsgo]/.test(flags)) return null;
  const parser = new Parser(
    pattern,
    flags.includes('s'),
    flags.includes('m'),
    flags.includes('i'),
    // Groups capture (numbered as Perl numbers them) only where a backreference may read one.
    /\\[1-9]/.test(pattern),
  );
  const parsed = parser.parse();
  if (parsed === null) return null;
  const steps = parsed.cost;
  if (!(steps <= MAX_BACKTRACKING_STEPS)) return null;
  try {
    return {
      regex: new RegExp(parsed.source, flags.includes('i') ? 'gi' : 'g'),
      steps,
      countsAsRe2js: parsed.shortest > 0 && !parser.lookahead,
      nonEmpty: parsed.shortest > 0,
    };
  } catch {
    return null;
  }
}

/**
 * A sub-pattern V8 runs with bounded backtracking, kept parsed so that consecutive ones can be
 * joined without parsing again (segment-screen.ts).
 */
export interface BoundedPart {
  readonly source: string;
  readonly cost: number;
  /** The fewest characters a match takes. */
  readonly shortest: number;
}

/**
 * The pattern parsed as a part, or null when it cannot be shown to take at most `maxSteps`
 * backtracking steps per start position (or translated).
 */
export function boundedPart(
  pattern: string,
  flags: string,
  maxSteps = MAX_BACKTRACKING_STEPS,
): BoundedPart | null {
  if (/[^imsgo]/.test(flags)) return null;
  const parser = new Parser(pattern, flags.includes('s'), flags.includes('m'), flags.includes('i'));
  const parsed = parser.parse();
  // A part's groups do not capture, and a segment's numbering is not the pattern's.
  return parsed !== null &&
    !parser.backreference &&
    parsed.cost <= Math.min(maxSteps, MAX_BACKTRACKING_STEPS)
    ? parsed
    : null;
}

/** A then B as one part, or null when their backtracking together is over `maxSteps`. */
export function joinedParts(
  a: BoundedPart,
  b: BoundedPart,
  maxSteps = MAX_BACKTRACKING_STEPS,
): BoundedPart | null {
  const joined = then(a as Piece, b as Piece);
  return joined.cost <= Math.min(maxSteps, MAX_BACKTRACKING_STEPS) ? joined : null;
}

/** A part as a V8 regex for `test` (not global), with the flags it was parsed under. */
export function partRegex(part: BoundedPart, flags: string): RegExp {
  return new RegExp(part.source, flags.includes('i') ? 'i' : '');
}

interface Piece {
  readonly source: string;
  /** Upper bound of the ways the piece can end a match begun at one position. */
  readonly ways: number;
  /** Upper bound of the steps spent in the piece, every way and failure counted, per entry. */
  readonly cost: number;
  readonly shortest: number;
  /** The most characters a match takes (what a backreference to it compares at most). */
  readonly longest: number;
  /** The octets a match can begin with (null: any); only read when `shortest` > 0. */
  readonly first: Uint8Array | null;
  /** An assertion or lookaround: nothing to repeat. */
  readonly zeroWidth?: boolean;
  /**
   * Where the piece ends with a repeat of one character X (`X{m,n}`): the octets X takes, and
   * how many of the piece's ways out may stop elsewhere than before one of them. Every way out
   * of such a repeat but the one that took the longest run stops before an octet of X, so a
   * piece after it that must begin with another octet goes on from those few ways only.
   */
  readonly tail?: { readonly octets: Uint8Array; readonly waysNotBefore: number };
  /**
   * The steps it takes to fail when entered before an octet it cannot begin with (not in
   * `first`): it begins with a character that must be there. Undefined: not known, `cost`.
   */
  readonly failCost?: number;
}

const ASSERTION = (source: string, cost = 1): Piece => ({
  source,
  ways: 1,
  cost,
  shortest: 0,
  longest: 0,
  first: null,
  zeroWidth: true,
});
const CHARACTER = (source: string, first: Uint8Array | null): Piece => ({
  source,
  ways: 1,
  cost: 1,
  shortest: 1,
  longest: 1,
  first,
  failCost: 1,
});
/** RE2's \s, which re2js runs today; V8's \s is wider. */
const SPACE = '\\t\\n\\f\\r ';
const END_OF_TEXT = '(?![\\s\\S])';
/** Perl's `$` and `\Z` without /m: the end, or a newline that ends the text (consumed). */
const FINAL_NEWLINE: Piece = {
  source: `(?:\\n?${END_OF_TEXT})`,
  ways: 2,
  cost: 3,
  shortest: 0,
  longest: 1,
  first: null,
  zeroWidth: true,
};
const START_OF_TEXT = '(?<![\\s\\S])';

/** A capturing group as a backreference may read it. */
interface Group {
  /** The most characters it captures; set when it closes. */
  longest: number;
  closed: boolean;
  /**
   * Whether a match may go on without setting it (it lies in a branch, an optional repeat or a
   * negative lookaround). A backreference after such a group is refused: to an unset group it
   * fails in Perl and matches empty in V8; and where a repeat's later pass skips it, V8 has
   * cleared it and Perl kept the earlier value.
   */
  optional: boolean;
}

class Parser {
  private at = 0;
  lookahead = false;
  /** The pattern holds a backreference. */
  backreference = false;
  /** Inside `(?i:...)` of a case-sensitive pattern: each character written as its folded set. */
  private localCaseless = false;
  /** Perl's capturing groups, by number - 1 (in the order their `(` opens). */
  private readonly groups: Group[] = [];

  constructor(
    private readonly pattern: string,
    private readonly dotAll: boolean,
    private readonly multiline: boolean,
    private readonly caseless: boolean,
    /** Write capturing groups as V8 captures (else every group as `(?:...)`). */
    private readonly captures = false,
  ) {}

  /** The groups opened from number `from` + 1 on may be left unset. */
  private optionalFrom(from: number): void {
    for (let i = from; i < this.groups.length; i++) this.groups[i]!.optional = true;
  }

  parse(): Piece | null {
    const piece = this.alternation();
    return piece !== null && this.at === this.pattern.length ? piece : null;
  }

  private alternation(): Piece | null {
    const groupsBefore = this.groups.length;
    const branches: Piece[] = [];
    for (;;) {
      const branch = this.sequence();
      if (branch === null) return null;
      branches.push(branch);
      if (this.pattern[this.at] !== '|') break;
      this.at++;
    }
    if (branches.length === 1) return branches[0]!;
    // A backreference in the branch of its group was read before this: it is set there.
    this.optionalFrom(groupsBefore);
    return {
      source: branches.map((b) => b.source).join('|'),
      ways: alternativeWays(branches),
      cost: branches.reduce((sum, b) => sum + b.cost, 0),
      shortest: Math.min(...branches.map((b) => b.shortest)),
      longest: Math.max(...branches.map((b) => b.longest)),
      first: union(branches.map((b) => b.first)),
    };
  }

  private sequence(): Piece | null {
    let result: Piece = { source: '', ways: 1, cost: 0, shortest: 0, longest: 0, first: null };
    let firsts: (Uint8Array | null)[] = [];
    while (this.at < this.pattern.length && !'|)'.includes(this.pattern[this.at]!)) {
      const groupsBefore = this.groups.length;
      const atom = this.atom();
      if (atom === null) return null;
      const piece = this.quantified(atom, groupsBefore);
      if (piece === null) return null;
      // The first octet: of the first piece that cannot be empty, or of any before it.
      if (result.shortest === 0 && piece.shortest > 0) firsts.push(piece.first);
      else if (result.shortest === 0 && !piece.zeroWidth) firsts.push(piece.first);
      result = then(result, piece);
    }
    if (result.shortest === 0) firsts = [null];
    return { ...result, first: union(firsts) };
  }

  private quantified(atom: Piece, groupsBefore: number): Piece | null {
    const rest = this.pattern.slice(this.at, this.at + 16);
    const match = /^(?:\?|\{(\d+)(?:(,)(\d+))?\})(\?)?/.exec(rest);
    if (match === null) {
      // Unbounded repeats, possessive ones, and a `{` Perl would read as a literal: refused.
      return /^[*+{]/.test(rest) ? null : atom;
    }
    if (atom.zeroWidth) return null;
    this.at += match[0].length;
    if (this.pattern[this.at] === '+') return null;
    const min = match[1] === undefined ? 0 : Number(match[1]);
    const max = match[1] === undefined ? 1 : match[2] === undefined ? min : Number(match[3]);
    if (max < min || max > 1000) return null;
    if (min === 0) this.optionalFrom(groupsBefore);
    // m copies, then (X (X (...)?)?)? for the n - m optional ones, counted from the inside.
    let repeated: Piece = { source: '', ways: 1, cost: 0, shortest: 0, longest: 0, first: null };
    for (let k = 0; k < min; k++) repeated = then(repeated, atom);
    let optional = { ways: 1, cost: 0 };
    for (let k = min; k < max; k++) {
      optional = {
        ways: atom.ways * optional.ways + 1,
        cost: Math.min(atom.cost + atom.ways * optional.cost + 1, Infinity),
      };
      if (optional.cost > MAX_BACKTRACKING_STEPS) break;
    }
    const lazy = match[4] ?? '';
    const count = match[1] === undefined ? '?' : `{${min},${max}}`;
    const oneCharacter = atom.cost === 1 && atom.ways === 1 && atom.shortest === 1;
    // A fixed count of a longer piece ends as its last copy does (`then` carried it).
    const tail =
      oneCharacter && atom.first !== null
        ? { octets: atom.first, waysNotBefore: 1 }
        : min === max
          ? repeated.tail
          : undefined;
    return {
      source: `(?:${atom.source})${count}${lazy}`,
      ways: repeated.ways * optional.ways,
      cost: repeated.cost + repeated.ways * optional.cost,
      shortest: atom.shortest * min,
      longest: atom.longest * max,
      first: atom.first,
      ...(tail !== undefined ? { tail } : {}),
      ...(min > 0 && atom.failCost !== undefined ? { failCost: atom.failCost } : {}),
    };
  }

  private atom(): Piece | null {
    const c = this.pattern[this.at]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      case '.':
        this.at++;
        return CHARACTER(this.dotAll ? '[\\s\\S]' : '[^\\n]', null);
      case '^':
        this.at++;
        return ASSERTION(this.multiline ? '(?<![^\\n])' : START_OF_TEXT);
      case '$':
        this.at++;
        // Under /m before any newline; else at the end, or taking a final newline, as
        // perl-regex.ts writes it for RE2 (so a counted match ends where re2js's does).
        return this.multiline ? ASSERTION('(?![^\\n])') : FINAL_NEWLINE;
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case ']':
        return null;
      default: {
        this.at++;
        return c.charCodeAt(0) > 0xff ? null : this.character(hexOf(c), [c.charCodeAt(0)], false);
      }
    }
  }

  private group(): Piece | null {
    const rest = this.pattern.slice(this.at, this.at + 40);
    const opening = /^\((?:\?(?::|=|!|<=|<!|P?<[A-Za-z_]\w*>|i:))?/.exec(rest)![0];
    if (opening === '(' && this.pattern[this.at + 1] === '?') return null;
    this.at += opening.length;
    const capturing = opening === '(' || opening.endsWith('>');
    const groupsBefore = this.groups.length;
    const group: Group = { longest: Infinity, closed: false, optional: false };
    if (capturing) this.groups.push(group);
    // `(?i:...)`: V8 has no such group, so its characters are written with both cases.
    const outerCaseless = this.localCaseless;
    if (opening === '(?i:') this.localCaseless = !this.caseless;
    const inner = this.alternation();
    this.localCaseless = outerCaseless;
    if (inner === null || this.pattern[this.at] !== ')') return null;
    this.at++;
    const look = /^\(\?(=|!|<=|<!)$/.exec(opening)?.[1];
    if (look === undefined) {
      group.longest = inner.longest;
      group.closed = true;
      const open = capturing && this.captures ? '(' : '(?:';
      return { ...inner, source: `${open}${inner.source})` };
    }
    // A negative lookaround that holds never sets its groups.
    if (look === '!' || look === '<!') this.optionalFrom(groupsBefore);
    if (look === '=' || look === '!') this.lookahead = true;
    // A lookaround is atomic in V8: it is searched once where reached, never backtracked into.
    return ASSERTION(`(?${look}${inner.source})`, inner.cost + 1);
  }

  private characterClass(): Piece | null {
    let i = this.at + 1;
    let source = '[';
    if (this.pattern[i] === '^') {
      source += '^';
      i++;
    }
    let first = true;
    for (; i < this.pattern.length; i++, first = false) {
      const c = this.pattern[i]!;
      if (c === ']' && !first) {
        this.at = i + 1;
        // Which octets it takes: V8 itself says, on the class as written (folded below).
        const codes = octetsOfClass(`${source}]`);
        return this.character(`${source}]`, codes, source.startsWith('[^'));
      }
      if (c === '[') {
        const posix = /^\[:(\w+):\]/.exec(this.pattern.slice(i, i + 12));
        if (posix !== null && Object.hasOwn(POSIX_CLASSES, posix[1]!)) {
          source += POSIX_CLASSES[posix[1]!];
          i += posix[0].length - 1;
          continue;
        }
        if (
          this.pattern[i + 1] === ':' ||
          this.pattern[i + 1] === '=' ||
          this.pattern[i + 1] === '.'
        )
          return null;
        source += '\\[';
      } else if (c === '\\') {
        const e = this.pattern[i + 1];
        if (e === undefined) return null;
        const escaped = classEscape(this.pattern, i);
        if (escaped === null) return null;
        source += escaped.source;
        i = escaped.end - 1;
      } else if (c === ']') {
        source += '\\]';
      } else if (c === '-') {
        source += '-';
      } else {
        if (c.charCodeAt(0) > 0xff) return null;
        source += hexOf(c);
      }
    }
    return null;
  }

  private escape(): Piece | null {
    const e = this.pattern[this.at + 1];
    if (e === undefined) return null;
    if (e === 'Z') {
      this.at += 2;
      return FINAL_NEWLINE;
    }
    const assertion = ESCAPED_ASSERTIONS[e];
    if (assertion !== undefined) {
      this.at += 2;
      return ASSERTION(assertion);
    }
    if (e === 's' || e === 'S') {
      this.at += 2;
      const source = e === 's' ? `[${SPACE}]` : `[^${SPACE}]`;
      // Its octets known, a repeat of it before another character counts one way on.
      return CHARACTER(source, this.octets(octetsOfClass(source)));
    }
    if (/[1-9]/.test(e)) return this.backreferenceTo(Number(e));
    const escaped = classEscape(this.pattern, this.at);
    if (escaped === null) return null;
    this.at = escaped.end;
    const codes = octetsOfClass(`[${escaped.source}]`);
    return this.character(escaped.source, codes, /^\\[DW]$/.test(escaped.source));
  }

  /**
   * `\N`: compares the group's capture, at most its longest, in one way. Refused: `\NN` (Perl
   * reads two digits by the groups' count), a group not closed before it or that may be unset
   * (Group.optional), and one inside `(?i:...)` (V8 folds a backreference by the flags only).
   */
  private backreferenceTo(number: number): Piece | null {
    if (/[0-9]/.test(this.pattern[this.at + 2] ?? '') || this.localCaseless) return null;
    const group = this.groups[number - 1];
    if (group === undefined || !group.closed || group.optional || !this.captures) return null;
    this.at += 2;
    this.backreference = true;
    return {
      source: `(?:\\${number})`,
      ways: 1,
      cost: group.longest + 1,
      shortest: 0,
      longest: group.longest,
      first: null,
    };
  }

  /**
   * A character of `codes` (as `source`). Inside `(?i:...)`, written as the set of its octets
   * and their other case; a negated class there is refused (its folded set is not its codes').
   */
  private character(source: string, codes: readonly number[], negated: boolean): Piece | null {
    const caseless = this.caseless || this.localCaseless;
    const key = `${caseless ? 'i' : '-'}${source}`;
    let octets = octetSets.get(key);
    if (octets === undefined) octetSets.set(key, (octets = this.octets(codes)));
    if (!this.localCaseless) return CHARACTER(source, octets);
    if (negated) return null;
    let written = '[';
    for (let code = 0; code < 256; code++)
      if (octets[code] === 1) written += `\\x${code.toString(16).padStart(2, '0')}`;
    return CHARACTER(`${written}]`, octets);
  }

  /** The octets as a set, with their other case too under /i (the octets V8 folds together). */
  private octets(codes: readonly number[]): Uint8Array {
    const set = new Uint8Array(256);
    for (const code of codes) {
      set[code] = 1;
      if (this.caseless || this.localCaseless)
        for (const other of caseFolds()[code]!) set[other] = 1;
    }
    return set;
  }
}

const classOctets = new Map<string, readonly number[]>();
/**
 * The octet sets of characters as written (`i` or `-` for caseless, then the V8 source), shared
 * by every piece that has one: never changed once made.
 */
const octetSets = new Map<string, Uint8Array>();

/** The octets a V8 class (as V8 source) takes, asked of V8 once per class. */
function octetsOfClass(source: string): readonly number[] {
  let codes = classOctets.get(source);
  if (codes === undefined) {
    const regex = new RegExp(source);
    const found: number[] = [];
    for (let code = 0; code < 256; code++)
      if (regex.test(String.fromCharCode(code))) found.push(code);
    classOctets.set(source, (codes = found));
  }
  return codes;
}

let folds: number[][] | null = null;

/** For each octet, the octets V8's caseless matching takes for it (asked of V8 once). */
function caseFolds(): number[][] {
  if (folds === null) {
    folds = [];
    for (let code = 0; code < 256; code++) {
      const folded = new RegExp(`^\\x${code.toString(16).padStart(2, '0')}$`, 'i');
      const same: number[] = [];
      for (let other = 0; other < 256; other++)
        if (other !== code && folded.test(String.fromCharCode(other))) same.push(other);
      folds.push(same);
    }
  }
  return folds;
}

/**
 * A then B: each way out of A enters B afresh. Where A ends with a repeat of one character X
 * (its `tail`) and B must begin with an octet X does not take, B fails at once (in its
 * `failCost`, where known) on every way out of A but the few that did not stop before an octet
 * of X: only those, times B's, go on.
 */
function then(a: Piece, b: Piece): Piece {
  const stopsBefore =
    a.tail !== undefined &&
    b.shortest > 0 &&
    b.first !== null &&
    !overlaps(b.first, a.tail.octets) &&
    Number.isFinite(a.ways);
  const goingOn = stopsBefore ? a.tail!.waysNotBefore : a.ways;
  const failing = a.ways - goingOn;
  const tail =
    b.tail === undefined
      ? undefined
      : { octets: b.tail.octets, waysNotBefore: goingOn * b.tail.waysNotBefore };
  // Where A must take a character first, A's own first failure is the whole one.
  const failCost = a.source === '' ? b.failCost : a.shortest > 0 ? a.failCost : undefined;
  return {
    source: a.source + b.source,
    ways: goingOn * b.ways,
    cost: a.cost + goingOn * b.cost + failing * (b.failCost ?? b.cost),
    shortest: a.shortest + b.shortest,
    longest: a.longest + b.longest,
    first: a.first,
    ...(tail !== undefined ? { tail } : {}),
    ...(failCost !== undefined ? { failCost } : {}),
  };
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  for (let code = 0; code < 256; code++) if (a[code] === 1 && b[code] === 1) return true;
  return false;
}

/**
 * The ways out of an alternation at one position. A branch goes on only where the octet there
 * is one it can begin with, and the branches that can begin with a given octet all overlap, so
 * lie in one group of branches linked by shared first octets: the ways are at most the largest
 * such group's sum. A branch that may be empty or begin with anything links with every other.
 * (Branches that begin with different octets: at one position only one can go on.)
 */
function alternativeWays(branches: readonly Piece[]): number {
  const group = branches.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i]!)));
  const byOctet = new Array<number>(256).fill(-1);
  let open = -1;
  branches.forEach((branch, i) => {
    if (branch.shortest === 0 || branch.first === null) {
      if (open === -1) open = i;
      else group[root(i)] = root(open);
      return;
    }
    for (let code = 0; code < 256; code++) {
      if (branch.first[code] !== 1) continue;
      if (byOctet[code] === -1) byOctet[code] = i;
      else group[root(i)] = root(byOctet[code]!);
    }
  });
  if (open !== -1) for (let i = 0; i < branches.length; i++) group[root(i)] = root(open);
  const sums = new Map<number, number>();
  branches.forEach((branch, i) => sums.set(root(i), (sums.get(root(i)) ?? 0) + branch.ways));
  return Math.max(...sums.values());
}

function union(sets: readonly (Uint8Array | null)[]): Uint8Array | null {
  const all = new Uint8Array(256);
  for (const set of sets) {
    if (set === null) return null;
    for (let code = 0; code < 256; code++) if (set[code] === 1) all[code] = 1;
  }
  return all;
}

/**
 * POSIX classes inside a class, as Perl reads them on octets (ASCII only); those that fold
 * under /i (upper, lower) and the rest are refused.
 */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  xdigit: '0-9A-Fa-f',
  digit: '0-9',
  alpha: 'A-Za-z',
  alnum: '0-9A-Za-z',
};

const ESCAPED_ASSERTIONS: Readonly<Record<string, string>> = {
  b: '\\b',
  B: '\\B',
  A: START_OF_TEXT,
  z: END_OF_TEXT,
};

/** One escape that stands for a character or a class, inside or outside a class. */
function classEscape(pattern: string, at: number): { source: string; end: number } | null {
  const e = pattern[at + 1]!;
  if ('dDwW'.includes(e)) return { source: `\\${e}`, end: at + 2 };
  if (e === 's') return { source: SPACE, end: at + 2 };
  const control: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', e: '\x1b' };
  if (control[e] !== undefined) return { source: hexOf(control[e]), end: at + 2 };
  if (e === 'x') {
    const hex = /^x(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{1,2}))/.exec(pattern.slice(at + 1));
    if (hex === null) return null;
    const code = parseInt(hex[1] ?? hex[2]!, 16);
    return code > 0xff
      ? null
      : { source: hexOf(String.fromCharCode(code)), end: at + 1 + hex[0].length };
  }
  // Escaped punctuation is itself; an escaped letter or digit not read above is refused.
  if (/[A-Za-z0-9]/.test(e) || e.charCodeAt(0) > 0xff) return null;
  return { source: hexOf(e), end: at + 2 };
}

/** A character written as `\xHH`: never special, inside or outside a class. */
function hexOf(c: string): string {
  const code = c.charCodeAt(0);
  return /[A-Za-z0-9 _]/.test(c) ? c : `\\x${code.toString(16).padStart(2, '0')}`;
}
