import { asciiLowerCase } from './octet-text.js';

/**
 * The wildcard entries of SpamAssassin's lists (`welcomelist_from *@example.com`,
 * `welcomelist_subject *free*`): `*` any run of characters, `?` any one, the rest itself, in
 * lower case. Conf/Parser.pm turns each entry into a Perl regex (`*` to `.*`, `?` to `.`, the
 * rest escaped); this matches the same strings without a regex engine: the entry is cut at its
 * stars, the first piece must start the text, the last end it, and each one between is found
 * leftmost after the one before, which is all `.*` between fixed pieces can do. Each piece is
 * searched for once, so a text is read at most (pieces' length) times over, whatever it holds.
 */
export class ListGlob {
  /** The entry between its stars; `?` in a piece stands for any one character. */
  private readonly pieces: readonly string[];
  private readonly hasStar: boolean;

  /**
   * `entry` as written in the configuration; `mangleParanoid` as Conf/Parser.pm's address lists
   * do: NUL, `\` and `(` become `_` in the pattern (not in the entry's exact form, which
   * AddressList also looks up).
   */
  constructor(
    readonly entry: string,
    mangleParanoid: boolean,
  ) {
    let pattern = asciiLowerCase(entry);
    if (mangleParanoid) pattern = pattern.replace(/[\0\\(]/g, '_');
    this.pieces = pattern.split(/\*+/);
    this.hasStar = this.pieces.length > 1;
    const at = pattern.lastIndexOf('@');
    const domain = at < 0 ? null : pattern.slice(at + 1);
    this.literalDomain = domain !== null && !/[*?]/.test(domain) ? domain : null;
  }

  /**
   * The entry's text after its last `@` when it holds no wildcard (`*@example.com`: example.com),
   * else null: an address it matches ends in `@` and that text, so it is that address's domain.
   */
  readonly literalDomain: string | null;

  /**
   * Whether the whole of `text` (lower case already) matches: Perl's `^...$`, where the `$`
   * also takes a text that ends in one newline. `.` matches no newline, so neither may a
   * wildcard.
   */
  matchesWhole(text: string): boolean {
    const subject = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (subject.includes('\n')) return false;
    const first = this.pieces[0]!;
    if (!this.hasStar) return subject.length === first.length && pieceAt(first, subject, 0);
    const last = this.pieces[this.pieces.length - 1]!;
    if (first.length + last.length > subject.length) return false;
    if (!pieceAt(first, subject, 0)) return false;
    const end = subject.length - last.length;
    if (!pieceAt(last, subject, end)) return false;
    let at = first.length;
    for (let i = 1; i < this.pieces.length - 1; i++) {
      const found = findPiece(this.pieces[i]!, subject, at, end);
      if (found < 0) return false;
      at = found + this.pieces[i]!.length;
    }
    return true;
  }

  /** Whether the entry matches anywhere in one line of `text` (lower case already). */
  matchesWithin(text: string): boolean {
    let lineStart = 0;
    while (lineStart <= text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      if (this.matchesInLine(text, lineStart, lineEnd)) return true;
      lineStart = lineEnd + 1;
    }
    return false;
  }

  private matchesInLine(text: string, start: number, end: number): boolean {
    let at = start;
    for (const piece of this.pieces) {
      const found = findPiece(piece, text, at, end);
      if (found < 0) return false;
      at = found + piece.length;
    }
    return true;
  }
}

/** Whether `piece` (with `?` for any character but a newline) is in `text` at `at`. */
function pieceAt(piece: string, text: string, at: number): boolean {
  for (let i = 0; i < piece.length; i++) {
    const wanted = piece.charCodeAt(i);
    const got = text.charCodeAt(at + i);
    if (Number.isNaN(got)) return false;
    if (wanted === QUESTION_MARK ? got === NEWLINE : wanted !== got) return false;
  }
  return true;
}

/** Where `piece` first is in `text` between `from` and `to` (it must end by `to`), or -1. */
function findPiece(piece: string, text: string, from: number, to: number): number {
  if (!piece.includes('?')) {
    const found = text.indexOf(piece, from);
    return found >= 0 && found + piece.length <= to ? found : -1;
  }
  for (let at = from; at + piece.length <= to; at++) if (pieceAt(piece, text, at)) return at;
  return -1;
}

const QUESTION_MARK = 0x3f;
const NEWLINE = 0x0a;
