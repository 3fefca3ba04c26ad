/**
 * A cursor over a structured header value that reads the lexical tokens of RFC 5322 section 3.2
 * (comments and folding whitespace, atoms, dot-atoms, quoted strings, domain literals).
 *
 * Every read reports what it left behind as a {@link Step}, and skips the CFWS that follows the
 * token. The address and msg-id parsers decide what to do with broken input from these steps, and
 * the steps are chosen so that their decisions come out as Dovecot's do (its rfc822-parser has
 * the same three outcomes), because IMAP clients see those decisions in ENVELOPE.
 *
 * Each read moves forward over what it examines and looks back only a bounded distance, so a
 * parser built on it stays linear in the length of the value.
 */

/** More input follows the token (and the CFWS after it). */
export const MORE = 1;
/** The token, or the CFWS after it, ran to the end of the value. */
export const END = 0;
/** Malformed: an unclosed comment, quoted string or domain literal, or no token where one must be. */
export const BAD = -1;
export type Step = typeof MORE | typeof END | typeof BAD;

/** What a NUL inside a quoted string, comment or domain literal reads as (Dovecot's choice too). */
const NUL_REPLACEMENT = '\uFFFD';

const BACKSLASH = 0x5c;
const DQUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * atext of RFC 5322 section 3.2.3, widened by RFC 6532 to every non-ASCII character: anything but
 * controls, space and the specials `()<>[]:;@\,."`.
 */
const ASCII_ATEXT = (() => {
  const table = new Uint8Array(128);
  for (let c = 0x21; c < 0x7f; c++) table[c] = 1;
  for (const special of '()<>[]:;@\\,."') table[special.charCodeAt(0)] = 0;
  return table;
})();

export function isAtext(code: number): boolean {
  return code >= 0x80 || (code >= 0 && ASCII_ATEXT[code] === 1);
}

function isLinearWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === CR || code === LF;
}

/** Text accumulated by a read; a caller may keep adding to what a failed read left in it. */
export interface TextBuffer {
  value: string;
}

export class Rfc5322Reader {
  pos = 0;
  /**
   * The text of the last comment skipped, quoted-pairs unescaped. A mailbox written as
   * `user@host (Full Name)` takes its display name from here.
   */
  lastComment = '';

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The code unit at the cursor, or -1 at the end. */
  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  private after(): Step {
    return this.pos < this.text.length ? MORE : END;
  }

  /** Skips whitespace and comments. */
  skipCfws(): Step {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (isLinearWhitespace(c)) this.pos++;
      else if (c === 0x28 /* ( */) {
        if (this.skipComment() === BAD) return BAD;
      } else break;
    }
    return this.after();
  }

  /** Skips one comment, nested comments included; its text becomes {@link lastComment}. */
  private skipComment(): Step {
    const text = this.text;
    let comment = '';
    let depth = 1;
    let from = ++this.pos;
    for (; this.pos < text.length; this.pos++) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x28 /* ( */) depth++;
      else if (c === 0x29 /* ) */) {
        if (--depth === 0) {
          this.lastComment = comment + text.slice(from, this.pos);
          this.pos++;
          return this.after();
        }
      } else if (c === NUL) {
        comment += text.slice(from, this.pos) + NUL_REPLACEMENT;
        from = this.pos + 1;
      } else if (c === LF) {
        comment += text.slice(from, this.pos - (text.charCodeAt(this.pos - 1) === CR ? 1 : 0));
        from = this.pos + 1;
      } else if (c === BACKSLASH) {
        const next = this.pos + 1;
        if (next >= text.length) break;
        // A backslash before a line break or NUL quotes nothing, so it stays as text.
        if (!isQuotedPairBreaker(text.charCodeAt(next))) {
          comment += text.slice(from, this.pos);
          from = next;
          this.pos = next;
        }
      }
    }
    // Unclosed: what was unescaped before the last quoted-pair still counts, as in Dovecot.
    this.pos = text.length;
    this.lastComment = comment;
    return BAD;
  }

  /** `1*atext`, then CFWS. */
  readAtom(out: TextBuffer): Step {
    const start = this.pos;
    while (this.pos < this.text.length && isAtext(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) return BAD;
    out.value += this.text.slice(start, this.pos);
    return this.atEnd ? END : this.skipCfws();
  }

  /**
   * dot-atom, with the obsolete CFWS around the dots (obs-domain), then CFWS. An empty atom
   * (`a..b`, `a.`) is malformed.
   */
  readDotAtom(out: TextBuffer): Step {
    for (;;) {
      const step = this.readAtom(out);
      if (step !== MORE || this.peek() !== 0x2e /* . */) return step;
      this.pos++;
      out.value += '.';
      if (this.skipCfws() !== MORE) return BAD;
    }
  }

  /**
   * A phrase word in the lenient form Dovecot reads it: a run of atext and dots, possibly empty,
   * then CFWS.
   */
  readAtomOrDots(out: TextBuffer): Step {
    const start = this.pos;
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (!isAtext(c) && c !== 0x2e) break;
      this.pos++;
    }
    out.value += text.slice(start, this.pos);
    return this.atEnd ? END : this.skipCfws();
  }

  /** A quoted string at the cursor; its content is unescaped and line breaks are unfolded. */
  readQuotedString(out: TextBuffer): Step {
    const text = this.text;
    let from = ++this.pos;
    for (; this.pos < text.length; this.pos++) {
      const c = text.charCodeAt(this.pos);
      if (c === DQUOTE) {
        out.value += text.slice(from, this.pos);
        this.pos++;
        return this.skipCfws();
      }
      if (c === NUL) {
        out.value += text.slice(from, this.pos) + NUL_REPLACEMENT;
        from = this.pos + 1;
      } else if (c === LF) {
        out.value += text.slice(from, this.pos - (text.charCodeAt(this.pos - 1) === CR ? 1 : 0));
        from = this.pos + 1;
      } else if (c === BACKSLASH) {
        const next = this.pos + 1;
        if (next >= text.length) break;
        if (!isQuotedPairBreaker(text.charCodeAt(next))) {
          out.value += text.slice(from, this.pos);
          from = next;
          this.pos = next;
        }
      }
    }
    this.pos = text.length;
    return BAD;
  }

  /**
   * phrase (RFC 5322 3.2.5, with obs-phrase): words and dots, joined by single spaces. It may be
   * empty when the cursor is at a special; a phrase starting with a dot is malformed.
   */
  readPhrase(out: TextBuffer): Step {
    if (this.atEnd) return END;
    if (this.peek() === 0x2e) return BAD;
    // Words are joined once at the end: appending them one by one to a long string is slow.
    const words: string[] = [];
    let step: Step;
    for (;;) {
      const word: TextBuffer = { value: '' };
      step = this.peek() === DQUOTE ? this.readQuotedString(word) : this.readAtomOrDots(word);
      words.push(word.value);
      if (step !== MORE) break;
      const c = this.peek();
      if (!isAtext(c) && c !== DQUOTE && c !== 0x2e) {
        step = this.skipCfws();
        break;
      }
    }
    out.value += words.join(' ');
    return step;
  }

  /** A domain at an `@`: a dot-atom or a domain literal, kept as written (brackets included). */
  readDomain(out: TextBuffer): Step {
    this.pos++;
    if (this.skipCfws() !== MORE) return BAD;
    return this.peek() === 0x5b /* [ */ ? this.readDomainLiteral(out) : this.readDotAtom(out);
  }

  /** `[...]`, raw: quoted-pairs keep their backslash, as IMAP shows the literal. */
  private readDomainLiteral(out: TextBuffer): Step {
    const text = this.text;
    let from = this.pos++;
    for (; this.pos < text.length; this.pos++) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x5d /* ] */) {
        out.value += text.slice(from, this.pos + 1);
        this.pos++;
        return this.skipCfws();
      }
      if (c === 0x5b /* [ */) return BAD;
      if (c === NUL) {
        out.value += text.slice(from, this.pos) + NUL_REPLACEMENT;
        from = this.pos + 1;
      } else if (c === LF) {
        out.value += text.slice(from, this.pos - (text.charCodeAt(this.pos - 1) === CR ? 1 : 0));
        from = this.pos + 1;
      } else if (c === BACKSLASH) {
        if (this.pos + 1 >= text.length) break;
        if (!isQuotedPairBreaker(text.charCodeAt(this.pos + 1))) this.pos++;
      }
    }
    this.pos = text.length;
    return BAD;
  }
}

function isQuotedPairBreaker(code: number): boolean {
  return code === CR || code === LF || code === NUL;
}
