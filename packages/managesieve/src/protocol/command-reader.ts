/**
 * One argument of a line as the client sent it (RFC 5804 4): an atom (command names, numbers)
 * or a string, quoted or literal. Strings stay bytes here: what they mean (a UTF-8 script name,
 * a script, base64) is the command's business.
 */
export type Token =
  | { readonly kind: 'atom'; readonly text: string }
  | { readonly kind: 'string'; readonly bytes: Buffer; readonly literal: boolean };

/** Why a line was not read as a command. */
export type BadLineReason = 'syntax' | 'line-too-long' | 'literal-too-large';

export type ReaderEvent =
  /** A whole line, its literals included. */
  | { readonly type: 'line'; readonly tokens: readonly Token[] }
  /**
   * A line that could not be read, consumed to its end (literals announced in it included), so
   * that the next event starts at the next command: answer it with `NO` and go on.
   * `command` is the line's first word when it had one (an answer may depend on it).
   */
  | {
      readonly type: 'bad-line';
      readonly reason: BadLineReason;
      readonly message: string;
      readonly command: string | null;
      /** The size the client announced, for `literal-too-large`. */
      readonly literalSize?: number;
    }
  /**
   * A literal larger than the reader will even read through: nothing after it can be read, the
   * session must end (`BYE`). The reader reads nothing more.
   */
  | {
      readonly type: 'unreadable';
      readonly message: string;
      readonly command: string | null;
      readonly literalSize: number;
    };

export interface CommandReaderLimits {
  /** Octets of a line outside its literals (the CRLF and the literals' headers count). */
  maxLine: number;
  /** Octets of all the literals of one line kept for the command. */
  maxLiteral: number;
  /**
   * Octets of one literal over `maxLiteral` that are read and dropped (the client sends a
   * non-synchronizing literal whatever we say) so that the session can answer `NO` and go on.
   * A literal announced larger than this is `unreadable`.
   */
  maxDiscard: number;
}

type Mode =
  | { readonly kind: 'segment' }
  | { readonly kind: 'literal'; remaining: number; readonly chunks: Buffer[] }
  | { readonly kind: 'discard-literal'; remaining: number }
  | { readonly kind: 'discard-line' }
  | { readonly kind: 'dead' };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
/** `{n}` or `{n+}` at the end of what came before a line feed: a literal follows. */
const LITERAL_AT_END = /\{(\d{1,16})(\+?)\}\r?$/;
/** Enough of a line's end to recognise a literal header in it while the rest is dropped. */
const TAIL_OCTETS = 24;

/**
 * The incremental reader of ManageSieve input: bytes in, one event per line out, whatever the
 * bytes' split (one at a time, or many commands at once). Lines are read a segment at a time:
 * the text up to a line feed, then the literal its `{n+}` (or `{n}`: ManageSieve has no
 * continuation request, so both are read the same way, as Dovecot does) announces, then the
 * line goes on. Every size is bounded: a line over `maxLine`, literals over `maxLiteral`, are
 * read through and dropped, never kept, and reported once the line has ended.
 *
 * Pure: no I/O, no timers.
 */
export class CommandReader {
  private input: Buffer[] = [];
  private inputOffset = 0;
  private inputBytes = 0;
  private mode: Mode = { kind: 'segment' };
  private segment: Buffer[] = [];
  private segmentBytes = 0;
  /** Octets of the current line outside its literals, finished segments only. */
  private lineBytes = 0;
  private literalBytes = 0;
  private tokens: Token[] = [];
  /** After a literal, the line goes on with a space or ends. */
  private continuation = false;
  private command: string | null = null;
  /** The last octets seen while a line is dropped, for a literal header at its end. */
  private tail: Buffer = Buffer.alloc(0);
  private pending: Extract<ReaderEvent, { type: 'bad-line' }> | null = null;

  constructor(readonly limits: CommandReaderLimits) {}

  /** Octets received and not yet read into an event: the transport's backpressure measure. */
  get buffered(): number {
    return this.inputBytes - this.inputOffset;
  }

  push(bytes: Uint8Array): void {
    if (this.mode.kind === 'dead' || bytes.length === 0) return;
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.input.push(chunk);
    this.inputBytes += chunk.length;
  }

  /** Drops everything received and not read (after STARTTLS: those bytes came in the clear). */
  discard(): void {
    this.input = [];
    this.inputOffset = 0;
    this.inputBytes = 0;
    if (this.mode.kind !== 'dead') this.mode = { kind: 'segment' };
    this.resetLine();
  }

  /** The next event, or null when more input is needed. */
  next(): ReaderEvent | null {
    while (this.input.length > 0) {
      const chunk = this.input[0]!;
      const start = this.inputOffset;
      if (start >= chunk.length) {
        this.dropChunk();
        continue;
      }
      const event = this.step(chunk, start);
      if (event) return event;
      if (this.mode.kind === 'dead') return null;
    }
    return null;
  }

  private dropChunk(): void {
    const chunk = this.input.shift()!;
    this.inputBytes -= chunk.length;
    this.inputOffset = 0;
  }

  private consume(chunk: Buffer, end: number): void {
    this.inputOffset = end;
    if (end >= chunk.length) this.dropChunk();
  }

  /** Reads from `chunk` at `start`; returns an event when one is complete. */
  private step(chunk: Buffer, start: number): ReaderEvent | null {
    const mode = this.mode;
    switch (mode.kind) {
      case 'segment': {
        const lf = chunk.indexOf(LF, start);
        const end = lf === -1 ? chunk.length : lf;
        const room = this.limits.maxLine - this.lineBytes - this.segmentBytes;
        if (end - start > room) {
          // Over the limit: nothing more of this line is kept.
          this.command ??= firstWord(Buffer.concat([...this.segment, chunk.subarray(start, end)]));
          this.fail('line-too-long', 'Line too long');
          this.tail = keepTail(Buffer.alloc(0), Buffer.concat(this.segment));
          this.segment = [];
          this.segmentBytes = 0;
          this.mode = { kind: 'discard-line' };
          return null;
        }
        this.segment.push(chunk.subarray(start, end));
        this.segmentBytes += end - start;
        this.consume(chunk, lf === -1 ? end : lf + 1);
        return lf === -1 ? null : this.segmentEnded();
      }
      case 'literal': {
        const take = Math.min(mode.remaining, chunk.length - start);
        mode.chunks.push(chunk.subarray(start, start + take));
        mode.remaining -= take;
        this.consume(chunk, start + take);
        if (mode.remaining > 0) return null;
        this.tokens.push({ kind: 'string', bytes: Buffer.concat(mode.chunks), literal: true });
        this.mode = { kind: 'segment' };
        this.continuation = true;
        return null;
      }
      case 'discard-literal': {
        const take = Math.min(mode.remaining, chunk.length - start);
        mode.remaining -= take;
        this.consume(chunk, start + take);
        if (mode.remaining === 0) {
          this.mode = { kind: 'discard-line' };
          this.tail = Buffer.alloc(0);
        }
        return null;
      }
      case 'discard-line': {
        const lf = chunk.indexOf(LF, start);
        const end = lf === -1 ? chunk.length : lf;
        this.tail = keepTail(this.tail, chunk.subarray(start, end));
        this.consume(chunk, lf === -1 ? end : lf + 1);
        if (lf === -1) return null;
        return this.droppedLineEnded();
      }
      case 'dead':
        return null;
    }
  }

  /** A line feed ended the current segment. */
  private segmentEnded(): ReaderEvent | null {
    const raw = this.segment.length === 1 ? this.segment[0]! : Buffer.concat(this.segment);
    this.segment = [];
    this.lineBytes += this.segmentBytes + 1;
    this.segmentBytes = 0;
    const text = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, -1) : raw;
    const parsed = tokenize(text, this.continuation);
    this.continuation = false;
    if (!parsed.ok) {
      this.command ??= this.tokens.length === 0 ? firstWord(text) : this.command;
      this.fail('syntax', parsed.message);
      // The bad segment may still announce a literal: it must be read through, not as commands.
      this.tail = keepTail(Buffer.alloc(0), text);
      return this.droppedLineEnded();
    }
    if (this.tokens.length === 0 && parsed.tokens[0]?.kind === 'atom') {
      this.command = parsed.tokens[0].text.toUpperCase();
    }
    this.tokens.push(...parsed.tokens);
    if (parsed.literal === null) {
      const tokens = this.tokens;
      this.resetLine();
      return { type: 'line', tokens };
    }
    return this.literalAnnounced(parsed.literal);
  }

  private literalAnnounced(size: number): ReaderEvent | null {
    if (this.literalBytes + size <= this.limits.maxLiteral) {
      this.literalBytes += size;
      if (size > 0) {
        this.mode = { kind: 'literal', remaining: size, chunks: [] };
      } else {
        this.tokens.push({ kind: 'string', bytes: Buffer.alloc(0), literal: true });
        this.continuation = true;
      }
      return null;
    }
    if (size > this.limits.maxDiscard) return this.unreadable(size);
    this.fail('literal-too-large', 'Literal too large', size);
    this.mode = { kind: 'discard-literal', remaining: size };
    if (size === 0) this.mode = { kind: 'discard-line' };
    return null;
  }

  /** The line feed of a line being dropped: another literal of it, or the line's end. */
  private droppedLineEnded(): ReaderEvent | null {
    const match = LITERAL_AT_END.exec(this.tail.toString('latin1'));
    this.tail = Buffer.alloc(0);
    if (match) {
      const size = Number(match[1]);
      if (size > this.limits.maxDiscard) return this.unreadable(size);
      this.mode =
        size === 0 ? { kind: 'discard-line' } : { kind: 'discard-literal', remaining: size };
      return null;
    }
    const event = this.pending!;
    this.mode = { kind: 'segment' };
    this.resetLine();
    return event;
  }

  private unreadable(size: number): ReaderEvent {
    const command = this.command;
    this.mode = { kind: 'dead' };
    this.input = [];
    this.inputOffset = 0;
    this.inputBytes = 0;
    this.resetLine();
    return { type: 'unreadable', message: 'Literal too large', command, literalSize: size };
  }

  /** Records the first problem of the line; it is reported once the line has been read through. */
  private fail(reason: BadLineReason, message: string, literalSize?: number): void {
    if (this.pending) return;
    this.pending = {
      type: 'bad-line',
      reason,
      message,
      command: this.command,
      ...(literalSize === undefined ? {} : { literalSize }),
    };
  }

  private resetLine(): void {
    this.segment = [];
    this.segmentBytes = 0;
    this.lineBytes = 0;
    this.literalBytes = 0;
    this.tokens = [];
    this.continuation = false;
    this.command = null;
    this.pending = null;
    this.tail = Buffer.alloc(0);
  }
}

type Tokenized =
  | { readonly ok: true; readonly tokens: Token[]; readonly literal: number | null }
  | { readonly ok: false; readonly message: string };

/**
 * The tokens of one segment (a line's text up to a line feed, without it). A segment that
 * continues a line after a literal starts with a space or is empty. Only the last token may be
 * a literal's header.
 */
export function tokenize(text: Buffer, continuation: boolean): Tokenized {
  const tokens: Token[] = [];
  let pos = 0;
  if (continuation) {
    if (text.length === 0) return { ok: true, tokens, literal: null };
    if (text[0] !== SP) return { ok: false, message: 'Expected a space after a literal' };
    pos = 1;
  }
  while (pos < text.length) {
    const c = text[pos]!;
    if (c === SP) {
      pos++;
      continue;
    }
    if (c === DQUOTE) {
      const quoted = readQuoted(text, pos + 1);
      if (!quoted.ok) return quoted;
      tokens.push({ kind: 'string', bytes: quoted.bytes, literal: false });
      pos = quoted.end;
    } else if (c === 0x7b /* { */) {
      const match = /^\{(\d{1,16})(\+?)\}$/.exec(text.subarray(pos).toString('latin1'));
      if (!match) return { ok: false, message: 'Invalid literal' };
      return { ok: true, tokens, literal: Number(match[1]) };
    } else {
      let end = pos;
      while (end < text.length && text[end] !== SP) {
        if (!isAtomChar(text[end]!)) return { ok: false, message: 'Invalid character' };
        end++;
      }
      tokens.push({ kind: 'atom', text: text.subarray(pos, end).toString('latin1') });
      pos = end;
    }
    if (pos < text.length && text[pos] !== SP) return { ok: false, message: 'Expected a space' };
  }
  return { ok: true, tokens, literal: null };
}

function readQuoted(
  text: Buffer,
  start: number,
): { ok: true; bytes: Buffer; end: number } | { ok: false; message: string } {
  const out: number[] = [];
  for (let pos = start; pos < text.length; pos++) {
    const c = text[pos]!;
    if (c === DQUOTE) return { ok: true, bytes: Buffer.from(out), end: pos + 1 };
    if (c === BACKSLASH) {
      const next = text[pos + 1];
      if (next !== DQUOTE && next !== BACKSLASH) {
        return { ok: false, message: 'Invalid escape in a quoted string' };
      }
      out.push(next);
      pos++;
      continue;
    }
    // QUOTED-CHAR excludes NUL, CR and LF (RFC 5804 4).
    if (c === 0 || c === CR || c === LF) {
      return { ok: false, message: 'Invalid character in a quoted string' };
    }
    out.push(c);
  }
  return { ok: false, message: 'Unterminated quoted string' };
}

/** Atoms carry command names and numbers: printable ASCII without the string delimiters. */
function isAtomChar(c: number): boolean {
  return (
    c > SP &&
    c < 0x7f &&
    c !== DQUOTE &&
    c !== BACKSLASH &&
    c !== 0x7b &&
    c !== 0x7d &&
    c !== 0x28 &&
    c !== 0x29
  );
}

function firstWord(text: Buffer): string | null {
  let end = 0;
  while (end < text.length && end < 32 && isAtomChar(text[end]!)) end++;
  if (end === 0 || (end < text.length && text[end] !== SP && text[end] !== CR)) return null;
  return text.subarray(0, end).toString('latin1').toUpperCase();
}

function keepTail(tail: Buffer, more: Buffer): Buffer {
  if (more.length >= TAIL_OCTETS) return Buffer.from(more.subarray(more.length - TAIL_OCTETS));
  const joined = Buffer.concat([tail, more]);
  return joined.length > TAIL_OCTETS ? joined.subarray(joined.length - TAIL_OCTETS) : joined;
}
