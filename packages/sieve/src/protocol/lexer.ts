import type { DiagnosticSink, SourcePosition } from './diagnostic.js';
import type { Punctuation, Token } from './token.js';

const PUNCTUATION = new Set<string>(['[', ']', '{', '}', '(', ')', ',', ';']);
const QUANTIFIERS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export interface LexerLimits {
  /** Longest string (quoted or multi-line) accepted, in UTF-16 code units. */
  readonly maxStringLength: number;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The lexer of RFC 5228 section 8.1, pulled one token at a time by the parser. It never throws:
 * what it cannot read it reports to the sink and skips, and it ends with an `end` token. Every
 * step moves forward, and strings are cut out with indexOf and slice, so a 10 MB string or
 * comment costs time linear in its length.
 */
export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly source: string,
    private readonly sink: DiagnosticSink,
    private readonly limits: LexerLimits,
  ) {}

  next(): Token {
    for (;;) {
      this.skipWhitespaceAndComments();
      if (this.pos >= this.source.length) return { kind: 'end', ...this.here() };
      const token = this.readToken();
      if (token) return token;
    }
  }

  private here(): SourcePosition {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private positionAt(offset: number): SourcePosition {
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  /** Moves to `end`, counting the line feeds passed. */
  private advanceTo(end: number): void {
    let lf = this.source.indexOf('\n', this.pos);
    while (lf >= 0 && lf < end) {
      this.line++;
      this.lineStart = lf + 1;
      lf = this.source.indexOf('\n', lf + 1);
    }
    this.pos = end;
  }

  private skipWhitespaceAndComments(): void {
    const s = this.source;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.pos++;
      } else if (c === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 0x23) {
        const lf = s.indexOf('\n', this.pos);
        this.checkNul(this.pos, lf < 0 ? s.length : lf);
        this.pos = lf < 0 ? s.length : lf;
      } else if (c === 0x2f && s.charCodeAt(this.pos + 1) === 0x2a) {
        const start = this.here();
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0) {
          this.sink.error(start, 'unterminated bracket comment: "/*" without "*/"');
          this.advanceTo(s.length);
          return;
        }
        this.checkNul(this.pos, close);
        this.advanceTo(close + 2);
      } else {
        return;
      }
    }
  }

  /** NUL is not an octet a script may contain (RFC 5228 section 8.1, `octet-not-crlf`). */
  private checkNul(from: number, to: number): void {
    const nul = this.source.indexOf('\0', from);
    if (nul >= 0 && nul < to) this.sink.error(this.positionAt(nul), 'NUL character in script');
  }

  private readToken(): Token | undefined {
    const s = this.source;
    const start = this.here();
    const c = s.charCodeAt(this.pos);
    if (PUNCTUATION.has(s[this.pos]!)) {
      this.pos++;
      return { kind: s[this.pos - 1] as Punctuation, ...start };
    }
    if (c === 0x22) return this.readQuotedString(start);
    if (isDigit(c)) return this.readNumber(start);
    if (isAlpha(c)) {
      const name = this.readIdentifier();
      if (name.toLowerCase() === 'text' && s.charCodeAt(this.pos) === 0x3a) {
        this.pos++;
        return this.readMultiline(start);
      }
      return { kind: 'identifier', name, ...start };
    }
    if (c === 0x3a) {
      this.pos++;
      if (!isAlpha(s.charCodeAt(this.pos))) {
        this.sink.error(start, "expected a tag name after ':'");
        return undefined;
      }
      return { kind: 'tag', name: this.readIdentifier(), ...start };
    }
    this.pos++;
    if (c === 0) this.sink.error(start, 'NUL character in script');
    else {
      const shown =
        c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : s[this.pos - 1];
      this.sink.error(start, `unexpected character '${shown}'`);
    }
    return undefined;
  }

  private readIdentifier(): string {
    const s = this.source;
    const begin = this.pos;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (!isAlpha(c) && !isDigit(c)) break;
      this.pos++;
    }
    return s.slice(begin, this.pos);
  }

  private readNumber(start: SourcePosition): Token {
    const s = this.source;
    const begin = this.pos;
    while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++;
    const digits = s.slice(begin, this.pos);
    let value = digits.length > 16 ? Infinity : Number(digits);
    const quantifier = QUANTIFIERS[(s[this.pos] ?? '').toLowerCase()];
    if (quantifier !== undefined) {
      this.pos++;
      value *= quantifier;
    }
    if (isAlpha(s.charCodeAt(this.pos))) {
      this.sink.error(this.here(), `unexpected letter '${s[this.pos]}' after number`);
      this.readIdentifier();
    }
    if (!Number.isSafeInteger(value)) {
      this.sink.error(start, `number ${digits}${quantifier ? s[this.pos - 1] : ''} is too large`);
      value = Number.MAX_SAFE_INTEGER;
    }
    return { kind: 'number', value, ...start };
  }

  private tooLong(start: SourcePosition, length: number): boolean {
    if (length <= this.limits.maxStringLength) return false;
    this.sink.error(
      start,
      `string of ${length} characters is longer than the limit of ${this.limits.maxStringLength}`,
    );
    return true;
  }

  /** `"..."` with `\` escapes: `\"` and `\\`, and any other escaped character stands for itself. */
  private readQuotedString(start: SourcePosition): Token | undefined {
    const s = this.source;
    const begin = this.pos + 1;
    let cursor = begin;
    let escapes = false;
    // Each search resumes past the previous hit, so a string of many escapes stays linear.
    let quote = s.indexOf('"', cursor);
    let backslash = s.indexOf('\\', cursor);
    for (;;) {
      if (quote >= 0 && quote < cursor) quote = s.indexOf('"', cursor);
      if (backslash >= 0 && backslash < cursor) backslash = s.indexOf('\\', cursor);
      if (quote < 0) {
        this.sink.error(start, "unterminated string: no closing '\"'");
        this.advanceTo(s.length);
        return undefined;
      }
      if (backslash >= 0 && backslash < quote) {
        escapes = true;
        cursor = backslash + 2;
        continue;
      }
      this.checkNul(begin, quote);
      this.advanceTo(quote + 1);
      const raw = s.slice(begin, quote);
      if (this.tooLong(start, raw.length))
        return { kind: 'string', value: '', multiline: false, ...start };
      const value = escapes ? raw.replace(/\\([\s\S])/g, '$1') : raw;
      return { kind: 'string', value, multiline: false, ...start };
    }
  }

  /**
   * `text:` then blanks, then a comment or the end of the line; then lines up to one holding only
   * "."; a line starting with ".." loses one dot (dot-stuffing). Line endings become CRLF, as the
   * RFC's grammar has them, whatever the script file uses.
   */
  private readMultiline(start: SourcePosition): Token | undefined {
    const s = this.source;
    while (s.charCodeAt(this.pos) === 0x20 || s.charCodeAt(this.pos) === 0x09) this.pos++;
    if (s[this.pos] === '#') {
      const lf = s.indexOf('\n', this.pos);
      this.pos = lf < 0 ? s.length : lf;
    } else if (s[this.pos] === '\r' && s[this.pos + 1] === '\n') {
      this.pos++;
    }
    if (s[this.pos] !== '\n') {
      this.sink.error(this.here(), "expected the end of the line after 'text:'");
      const lf = s.indexOf('\n', this.pos);
      this.pos = lf < 0 ? s.length : lf;
      if (lf < 0) return undefined;
    }
    this.advanceTo(this.pos + 1);
    const lines: string[] = [];
    let length = 0;
    let tooLong = false;
    for (;;) {
      if (this.pos >= s.length) {
        this.sink.error(start, "unterminated multi-line string: no line with a single '.'");
        return undefined;
      }
      const lf = s.indexOf('\n', this.pos);
      const end = lf < 0 ? s.length : lf;
      const contentEnd = end > this.pos && s[end - 1] === '\r' ? end - 1 : end;
      const line = s.slice(this.pos, contentEnd);
      this.checkNul(this.pos, contentEnd);
      this.advanceTo(lf < 0 ? s.length : lf + 1);
      if (line === '.') break;
      if (lf < 0) {
        this.sink.error(start, "unterminated multi-line string: no line with a single '.'");
        return undefined;
      }
      const text = line.startsWith('.') ? line.slice(1) : line;
      length += text.length + 2;
      if (!tooLong && length > this.limits.maxStringLength) tooLong = this.tooLong(start, length);
      if (!tooLong) lines.push(text, '\r\n');
    }
    return { kind: 'string', value: tooLong ? '' : lines.join(''), multiline: true, ...start };
  }
}
