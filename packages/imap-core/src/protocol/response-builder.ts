import type { ImapValue } from '@mailyard/mime';

/**
 * A literal whose octets come from a source read while the response is written, so that a large
 * message body goes from the store to the socket in chunks, never whole in memory. `size` is
 * known beforehand (a literal announces it); the source must yield exactly that many octets.
 */
export interface StreamedLiteral {
  readonly size: number;
  /** `~{n}` (literal8, RFC 3516), for octets that may include NUL. */
  readonly binary: boolean;
  readonly source: () => AsyncIterable<Uint8Array>;
}

/** What a response is written as: octets, and literals to stream. */
export type OutputChunk = Uint8Array | StreamedLiteral;

export interface StringRules {
  /**
   * Whether quoted strings may carry UTF-8 (IMAP4rev2, RFC 9051; UTF8=ACCEPT, RFC 6855). Without
   * it (IMAP4rev1), any string with 8-bit characters goes out as a literal.
   */
  readonly utf8: boolean;
}

/** Longer strings go out as literals: some clients cap the length of a line they will read. */
export const MAX_QUOTED_LENGTH = 1024;

const ATOM_SAFE = /^[!#$&'+-[^-z|}~]+$/;
const NEEDS_LITERAL = /[\r\n\0]/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Writes IMAP response data (RFC 9051 section 4 and 7): the one place that decides between
 * atom, quoted string and literal, escapes quoted strings, and applies the dialect's UTF-8
 * rules. Text accumulates in a string and becomes octets only where a literal interrupts it.
 */
export class ResponseBuilder {
  private readonly chunks: OutputChunk[] = [];
  private text = '';

  constructor(private readonly rules: StringRules) {}

  /** Protocol text as it is: atoms, numbers, keywords, spaces. Must be ASCII without CR/LF. */
  raw(text: string): this {
    this.text += text;
    return this;
  }

  number(value: number): this {
    this.text += String(value);
    return this;
  }

  nil(): this {
    this.text += 'NIL';
    return this;
  }

  /** A `string`: quoted when it can be, else a literal. */
  string(value: string | Uint8Array): this {
    if (typeof value !== 'string') return this.bytesString(value);
    if (
      value.length > MAX_QUOTED_LENGTH ||
      NEEDS_LITERAL.test(value) ||
      (!this.rules.utf8 && NON_ASCII.test(value))
    ) {
      return this.literal(Buffer.from(value, 'utf8'));
    }
    this.text += quote(value);
    return this;
  }

  nstring(value: string | Uint8Array | null): this {
    return value === null ? this.nil() : this.string(value);
  }

  /** An `astring`: an atom when the value is one (and not `NIL`, which would read as nil), else a string. */
  astring(value: string): this {
    if (ATOM_SAFE.test(value) && value.toUpperCase() !== 'NIL') return this.raw(value);
    return this.string(value);
  }

  /**
   * An {@link ImapValue} tree (ENVELOPE, BODYSTRUCTURE): strings, numbers, NIL, lists. Elements
   * are separated by a space, except in a list's leading run of lists: the grammar writes the
   * parts of a multipart (`1*body SP media-subtype`) and the addresses of an address list
   * (`"(" 1*address ")"`) next to each other, `(...)(...)`, and nowhere else puts lists first.
   */
  value(value: ImapValue): this {
    if (value === null) return this.nil();
    if (typeof value === 'number') return this.number(value);
    if (typeof value === 'string') return this.string(value);
    this.text += '(';
    let leadingLists = true;
    for (let i = 0; i < value.length; i++) {
      const element = value[i]!;
      const isList = Array.isArray(element);
      if (i > 0 && !(leadingLists && isList)) this.text += ' ';
      leadingLists &&= isList;
      this.value(element);
    }
    this.text += ')';
    return this;
  }

  /** A literal with its octets (`{n}`), or a literal8 (`~{n}`). */
  literal(bytes: Uint8Array, binary = false): this {
    this.text += `${binary ? '~' : ''}{${bytes.length}}\r\n`;
    this.flushText();
    if (bytes.length > 0) this.chunks.push(bytes);
    return this;
  }

  /** A literal whose octets are streamed from `source` when the response is written. */
  stream(size: number, source: () => AsyncIterable<Uint8Array>, binary = false): this {
    this.flushText();
    this.chunks.push({ size, binary, source });
    return this;
  }

  crlf(): this {
    this.text += '\r\n';
    return this;
  }

  /** Whether anything was written. */
  get empty(): boolean {
    return this.text === '' && this.chunks.length === 0;
  }

  /** The response as chunks; the builder is empty afterwards. */
  finish(): OutputChunk[] {
    this.flushText();
    return this.chunks.splice(0);
  }

  private bytesString(bytes: Uint8Array): this {
    if (bytes.length > MAX_QUOTED_LENGTH) return this.literal(bytes);
    let eightBit = false;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === 0x0d || c === 0x0a || c === 0x00) return this.literal(bytes);
      if (c >= 0x80) eightBit = true;
    }
    if (eightBit) {
      const text = new TextDecoder('utf-8', { fatal: true });
      try {
        const decoded = text.decode(bytes);
        if (this.rules.utf8) {
          this.text += quote(decoded);
          return this;
        }
      } catch {
        // Not UTF-8: only a literal can carry it.
      }
      return this.literal(bytes);
    }
    this.text += quote(Buffer.from(bytes).toString('latin1'));
    return this;
  }

  private flushText(): void {
    if (this.text === '') return;
    this.chunks.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}

/** A quoted string: `"` and `\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** Response text (after a status or a response code): one line, no brackets that would confuse a code. */
export function responseText(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}
