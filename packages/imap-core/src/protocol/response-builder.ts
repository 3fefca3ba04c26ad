import type { ImapValue } from '@mailyard/mime';
import anyAscii from 'any-ascii';

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

const INITIAL_CAPACITY = 256;

const ATOM_SAFE = /^[!#$&'+-[^-z|}~]+$/;

/**
 * Writes IMAP response data (RFC 9051 section 4 and 7): the one place that decides between
 * atom, quoted string and literal, escapes quoted strings, and applies the dialect's UTF-8
 * rules. Text goes straight into a growing buffer (building one long string and converting it
 * costs more, measurably so for a FETCH of thousands of messages); literals become chunks of
 * their own.
 */
export class ResponseBuilder {
  private readonly chunks: OutputChunk[] = [];
  private buffer: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private length = 0;
  private chunkBytes = 0;

  constructor(private readonly rules: StringRules) {}

  /** What a builder holds, when it has no literal: its octets. */
  static bytesOf(builder: ResponseBuilder): Uint8Array | null {
    return builder.chunks.length === 0 ? builder.buffer.subarray(0, builder.length) : null;
  }

  /** Octets of protocol text as they are (text serialized before, by {@link valueBytes}). */
  bytes(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** Protocol text as it is: atoms, numbers, keywords, spaces. Must be ASCII without CR/LF. */
  raw(text: string): this {
    this.put(text);
    return this;
  }

  number(value: number): this {
    this.put(String(value));
    return this;
  }

  nil(): this {
    this.put('NIL');
    return this;
  }

  /** A `string`: quoted when it can be, else a literal. */
  string(value: string | Uint8Array): this {
    if (typeof value !== 'string') return this.bytesString(value);
    if (value.length > MAX_QUOTED_LENGTH) return this.literal(Buffer.from(value, 'utf8'));
    // One pass over the characters (this runs for every string of every ENVELOPE).
    let escapes = false;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) escapes = true;
      else if (c === 0x0d || c === 0x0a || c === 0 || (c > 0x7f && !this.rules.utf8))
        return this.literal(Buffer.from(value, 'utf8'));
    }
    this.put(escapes ? quote(value) : `"${value}"`);
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
    if (typeof value === 'string' || value instanceof Uint8Array) return this.string(value);
    this.put('(');
    let leadingLists = true;
    for (let i = 0; i < value.length; i++) {
      const element = value[i]!;
      const isList = Array.isArray(element);
      if (i > 0 && !(leadingLists && isList)) this.put(' ');
      leadingLists &&= isList;
      this.value(element);
    }
    this.put(')');
    return this;
  }

  /** A literal with its octets (`{n}`), or a literal8 (`~{n}`). */
  literal(bytes: Uint8Array, binary = false): this {
    this.put(`${binary ? '~' : ''}{${bytes.length}}\r\n`);
    this.flushText();
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.chunkBytes += bytes.length;
    }
    return this;
  }

  /** A literal whose octets are streamed from `source` when the response is written. */
  stream(size: number, source: () => AsyncIterable<Uint8Array>, binary = false): this {
    this.flushText();
    this.chunks.push({ size, binary, source });
    return this;
  }

  crlf(): this {
    this.put('\r\n');
    return this;
  }

  /** Whether anything was written. */
  get empty(): boolean {
    return this.length === 0 && this.chunks.length === 0;
  }

  /** The octets held, streamed literals not counted. */
  get size(): number {
    return this.length + this.chunkBytes;
  }

  /** Takes over what another builder holds, after what this one has. */
  append(other: ResponseBuilder): this {
    if (other.chunks.length === 0) {
      // The common case, text only: copy it over.
      this.bytes(other.buffer.subarray(0, other.length));
      other.length = 0;
      return this;
    }
    this.flushText();
    for (const chunk of other.finish()) {
      this.chunks.push(chunk);
      if (chunk instanceof Uint8Array) this.chunkBytes += chunk.length;
    }
    return this;
  }

  /** The response as chunks; the builder is empty afterwards. */
  finish(): OutputChunk[] {
    this.flushText();
    this.chunkBytes = 0;
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
          this.put(quote(decoded));
          return this;
        }
      } catch {
        // Not UTF-8: only a literal can carry it.
      }
      return this.literal(bytes);
    }
    this.put(quote(Buffer.from(bytes).toString('latin1')));
    return this;
  }

  private put(text: string): void {
    // At most three octets per UTF-16 unit in UTF-8.
    this.ensure(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  private ensure(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + more));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  private flushText(): void {
    if (this.length === 0) return;
    this.chunks.push(this.buffer.subarray(0, this.length));
    this.chunkBytes += this.length;
    // The chunk keeps the old buffer; text goes on in a new one.
    this.buffer = Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, Math.min(this.length, 65_536)));
    this.length = 0;
  }
}

/**
 * An {@link ImapValue} as response octets, or null when it needs a literal (then only a builder
 * can carry it). For values worth serializing once and sending many times.
 */
export function valueBytes(value: ImapValue, rules: StringRules): Uint8Array | null {
  const bytes = ResponseBuilder.bytesOf(new ResponseBuilder(rules).value(value));
  // A copy of its own: the builder's buffer may be a slice of a shared pool.
  return bytes && Buffer.from(bytes);
}

/** A quoted string: `"` and `\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Response text (after a status or a response code): one line (no CR, LF or NUL), and
 * ASCII unless the client enabled UTF-8 (RFC 9051 `text` is 7-bit in IMAP4rev1; RFC 6855 lets
 * UTF-8 through only after ENABLE). Texts come from stores and applications too ("the owner’s
 * rights"), so non-ASCII is transliterated ("the owner's rights") rather than sent as raw octets
 * that an IMAP4rev1 client shows as mojibake.
 */
export function responseText(text: string, rules: StringRules = { utf8: false }): string {
  return (rules.utf8 ? text : anyAscii(text)).replace(/[\r\n\0]/g, ' ');
}
