import type { FramedCommand, FramedLiteral } from './command-reader.js';
import { literalMarker } from './command-reader.js';
import type { ParserLimits } from './parser-limits.js';

/** A syntax error: the command is answered with BAD and this text. */
export class ImapSyntaxError extends Error {
  override readonly name = 'ImapSyntaxError';
}

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;

/** RFC 9051 ATOM-CHAR: any CHAR but atom-specials ( ) { SP CTL % * " \ ]. */
export function isAtomChar(c: number): boolean {
  return (
    c > 0x20 &&
    c < 0x7f &&
    c !== OPEN &&
    c !== CLOSE &&
    c !== 0x7b &&
    c !== 0x25 &&
    c !== 0x2a &&
    c !== DQUOTE &&
    c !== BACKSLASH &&
    c !== 0x5d
  );
}

/**
 * ASTRING-CHAR: ATOM-CHAR or `]`. Atoms are ASCII in both dialects (UTF-8 goes in quoted
 * strings and literals), and 8-bit octets in one are refused, as Dovecot refuses them.
 */
function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

/** list-char: ATOM-CHAR, list-wildcards and resp-specials. */
function isListChar(c: number): boolean {
  return isAstringChar(c) || c === 0x25 || c === 0x2a;
}

export interface CursorMark {
  readonly partIndex: number;
  readonly pos: number;
  readonly argumentCount: number;
  readonly depth: number;
}

const MAX_NUMBER64 = 2n ** 63n - 1n;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the tokens of a framed command, left to right: the grammar's terminals (atoms, numbers,
 * quoted strings, literals, parentheses) with RFC 9051's exact character classes, counting
 * arguments and nesting against the limits. Every method either consumes what it read or throws
 * {@link ImapSyntaxError}.
 */
export class CommandCursor {
  private partIndex = 0;
  private line: Uint8Array;
  private pos = 0;
  private argumentCount = 0;
  private depth = 0;

  constructor(
    private readonly command: FramedCommand,
    private readonly limits: ParserLimits,
  ) {
    this.line = (command.parts[0] as Uint8Array | undefined) ?? new Uint8Array(0);
  }

  /** RFC 9051 `tag`: ASTRING-CHARs but `+`. */
  tag(): string {
    return ascii(this.run((c) => isAstringChar(c) && c !== 0x2b && c < 0x80, 'a tag'));
  }

  /** Where the cursor is, to come back to with {@link reset} (for the grammar's few lookaheads). */
  mark(): CursorMark {
    return {
      partIndex: this.partIndex,
      pos: this.pos,
      argumentCount: this.argumentCount,
      depth: this.depth,
    };
  }

  reset(mark: CursorMark): void {
    this.partIndex = mark.partIndex;
    this.line = (this.command.parts[this.partIndex] as Uint8Array | undefined) ?? new Uint8Array(0);
    this.pos = mark.pos;
    this.argumentCount = mark.argumentCount;
    this.depth = mark.depth;
  }

  /** The octet under the cursor, or -1 at the end of a line. */
  peek(): number {
    return this.pos < this.line.length ? this.line[this.pos]! : -1;
  }

  /** Whether the whole command has been read. */
  atEnd(): boolean {
    return this.pos >= this.line.length && this.partIndex >= this.command.parts.length - 1;
  }

  end(): void {
    if (!this.atEnd()) throw new ImapSyntaxError('Unexpected extra arguments');
  }

  /** Exactly one space. */
  sp(): void {
    if (this.peek() !== SP) throw new ImapSyntaxError('Expected a space');
    this.pos++;
  }

  trySp(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }

  tryChar(char: string): boolean {
    if (this.peek() !== char.charCodeAt(0)) return false;
    this.pos++;
    return true;
  }

  expect(char: string): void {
    if (!this.tryChar(char)) throw new ImapSyntaxError(`Expected ${char}`);
  }

  /** `(`, counting the nesting depth against the limit. */
  open(): void {
    this.expect('(');
    this.nest();
  }

  /**
   * One level deeper in a construct that nests without parentheses (SEARCH's NOT and OR): counted
   * with the parentheses, so that no input can make the parser, or what walks its tree, recurse
   * deeper than `maxNestingDepth`.
   */
  nest(): void {
    if (++this.depth > this.limits.maxNestingDepth) throw new ImapSyntaxError('Nested too deeply');
  }

  unnest(): void {
    this.depth--;
  }

  tryOpen(): boolean {
    if (this.peek() !== OPEN) return false;
    this.open();
    return true;
  }

  close(): void {
    this.expect(')');
    this.unnest();
  }

  tryClose(): boolean {
    if (this.peek() !== CLOSE) return false;
    this.close();
    return true;
  }

  /** A run of octets that `accept` accepts, at least one. */
  private run(accept: (c: number) => boolean, what: string): Uint8Array {
    const start = this.pos;
    while (this.pos < this.line.length && accept(this.line[this.pos]!)) this.pos++;
    if (this.peek() >= 0x80) throw new ImapSyntaxError('8bit data in atom');
    if (this.pos === start) throw new ImapSyntaxError(`Expected ${what}`);
    this.count();
    return this.line.subarray(start, this.pos);
  }

  atom(): string {
    return ascii(this.run(isAtomChar, 'an atom'));
  }

  /**
   * A word of letters, digits, dots and dashes, in upper case: command names and the keywords of
   * FETCH, SEARCH and STATUS, which stop at `[`, `<` and `(` where atoms would not.
   */
  word(): string {
    return ascii(
      this.run(
        (c) =>
          (c >= 0x41 && c <= 0x5a) ||
          (c >= 0x61 && c <= 0x7a) ||
          (c >= 0x30 && c <= 0x39) ||
          c === 0x2e ||
          c === 0x2d ||
          c === 0x3d,
        'a keyword',
      ),
    ).toUpperCase();
  }

  /**
   * RFC 9051 `number` (32 bits), or `number64` when `wide` (up to 2^63 - 1). A number64 beyond
   * JavaScript's exact integers comes back as `Number.MAX_SAFE_INTEGER`: the values it stands
   * for (mod-sequences, sizes) are compared, never computed with, and ours never get that large.
   */
  number(wide = false): number {
    const digits = ascii(this.run((c) => c >= 0x30 && c <= 0x39, 'a number'));
    if (wide) {
      if (digits.length > 19 || BigInt(digits) > MAX_NUMBER64)
        throw new ImapSyntaxError('Number out of range');
      return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
    }
    const value = Number(digits);
    if (digits.length > 10 || value > 0xffffffff) throw new ImapSyntaxError('Number out of range');
    return value;
  }

  nzNumber(wide = false): number {
    const value = this.number(wide);
    if (value === 0) throw new ImapSyntaxError('Expected a non-zero number');
    return value;
  }

  /** Whether a string (quoted or literal) starts here. */
  atString(): boolean {
    const c = this.peek();
    return c === DQUOTE || this.literalHere() !== null;
  }

  /** A quoted string or a literal, as octets. */
  string(): Uint8Array {
    if (this.peek() === DQUOTE) return this.quoted();
    const literal = this.literalHere();
    if (literal === null) throw new ImapSyntaxError('Expected a string');
    return this.takeLiteral().bytes;
  }

  /** A literal or literal8, with how it was announced. */
  takeLiteral(): FramedLiteral {
    if (this.literalHere() === null) throw new ImapSyntaxError('Expected a literal');
    const literal = this.command.parts[this.partIndex + 1] as FramedLiteral;
    this.partIndex += 2;
    this.line = (this.command.parts[this.partIndex] as Uint8Array | undefined) ?? new Uint8Array(0);
    this.pos = 0;
    this.count();
    return literal;
  }

  /** The literal marker at the cursor, when the rest of the line is one and a literal follows. */
  literalHere(): { binary: boolean } | null {
    const c = this.peek();
    if (c !== 0x7b && c !== 0x7e) return null;
    if (this.partIndex + 1 >= this.command.parts.length) return null;
    const rest = this.line.subarray(this.pos);
    const marker = literalMarker(rest);
    if (!marker) return null;
    // The marker must be all that is left of the line: `{5}` or `~{5+}`.
    const text = ascii(rest);
    if (!/^~?\{\d+\+?\}$/.test(text)) return null;
    return { binary: marker.binary };
  }

  private quoted(): Uint8Array {
    this.expect('"');
    const out: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1) throw new ImapSyntaxError('Unterminated quoted string');
      this.pos++;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const escaped = this.peek();
        if (escaped !== DQUOTE && escaped !== BACKSLASH)
          throw new ImapSyntaxError('Invalid escape in quoted string');
        out.push(escaped);
        this.pos++;
        continue;
      }
      if (c === 0x00 || c === 0x0d || c === 0x0a)
        throw new ImapSyntaxError('Invalid character in quoted string');
      out.push(c);
    }
    this.count();
    return Uint8Array.from(out);
  }

  /** RFC 9051 `astring`: an atom (ASTRING-CHARs) or a string. */
  astring(): Uint8Array {
    if (this.atString()) return this.string();
    return this.run(isAstringChar, 'a string');
  }

  /** `nstring`: NIL or a string. */
  nstring(): Uint8Array | null {
    if (this.atString()) return this.string();
    if (this.atom().toUpperCase() !== 'NIL') throw new ImapSyntaxError('Expected a string or NIL');
    return null;
  }

  /** LIST's `list-mailbox`: list-chars (wildcards allowed) or a string. */
  listMailbox(): Uint8Array {
    if (this.atString()) return this.string();
    return this.run(isListChar, 'a mailbox pattern');
  }

  /** The rest of the current line, up to (not including) the next space or `)`. */
  token(): string {
    return ascii(this.run((c) => c !== SP && c !== CLOSE && c !== OPEN, 'an argument'));
  }

  private count(): void {
    if (++this.argumentCount > this.limits.maxArguments)
      throw new ImapSyntaxError('Too many arguments');
  }
}

/** A text argument: the octets as UTF-8 (modified UTF-7 is undone later, where the dialect says). */
export function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ImapSyntaxError('Invalid UTF-8 in argument');
  }
}

export function ascii(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
