import { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';

/** A literal of a command, as received: its octets and how it was announced. */
export interface FramedLiteral {
  readonly bytes: Uint8Array;
  /** Announced as `~{n}` (RFC 3516 literal8): may hold NUL octets. */
  readonly binary: boolean;
}

/**
 * One whole command as the reader cut it out of the byte stream: its lines (CRLF removed) with
 * the literals between them. A line followed by a literal still ends with the `{n}` marker, so
 * that the parser can check the literal stands where the grammar allows one.
 */
export interface FramedCommand {
  /** Alternating text lines and literals, starting and ending with a line. */
  readonly parts: readonly (Uint8Array | FramedLiteral)[];
}

/** A literal announced by the client, waiting for the session to accept or refuse it. */
export interface LiteralRequest {
  /** The command's tag, when the first line had a readable one. */
  readonly tag: string | null;
  /** The command's name in upper case, `UID` included (`UID FETCH`), when readable. */
  readonly command: string | null;
  readonly size: number;
  readonly binary: boolean;
  /** `{n}` (the client waits for a `+` continuation) rather than `{n+}` (RFC 7888). */
  readonly synchronizing: boolean;
  /** Octets of the command received so far that count towards `maxCommandSize`. */
  readonly commandSize: number;
  /** How many literals of the same command came before this one. */
  readonly index: number;
}

/** Why a command was dropped before it could be parsed. */
export type FramingProblem = 'line-too-long' | 'command-too-large';

export type ReaderEvent =
  | { readonly type: 'command'; readonly command: FramedCommand }
  /** Answer with {@link CommandReader.acceptLiteral} or {@link CommandReader.rejectLiteral}. */
  | { readonly type: 'literal'; readonly request: LiteralRequest }
  /** The command was dropped; the reader skips what is left of it by itself. */
  | {
      readonly type: 'error';
      readonly problem: FramingProblem;
      readonly tag: string | null;
      readonly command: string | null;
    };

type Mode = 'line' | 'literal' | 'answer' | 'discard-line' | 'discard-literal';

const LF = 0x0a;
const CR = 0x0d;
const LITERAL_MARKER = /(~?)\{(\d{1,16})(\+?)\}$/;
/** Enough of an overlong line's end to find a literal marker in it. */
const TAIL_KEPT = 24;

/**
 * Cuts IMAP commands out of a byte stream, incrementally: bytes go in as they arrive (one at a
 * time if need be), whole commands come out. It never looks at the grammar beyond what framing
 * needs (line ends and literal markers), holds at most one line and the literals the session
 * accepted, and skips what it refuses without storing it.
 */
export class CommandReader {
  private readonly limits: ParserLimits;
  private readonly input: Uint8Array[] = [];
  private inputOffset = 0;
  private bufferedBytes = 0;
  private mode: Mode = 'line';
  private lineChunks: Uint8Array[] = [];
  private lineLength = 0;
  private parts: (Uint8Array | FramedLiteral)[] = [];
  private commandSize = 0;
  private literalCount = 0;
  /** The literal being received, allocated whole when accepted: its octets are copied once. */
  private literal: Buffer = Buffer.alloc(0);
  private literalFilled = 0;
  private literalRemaining = 0;
  private literalCounted = true;
  private pending: LiteralRequest | null = null;
  /** Skipping the rest of a command that was already answered. */
  private discardingCommand = false;
  private tail = '';
  private overlongHead: Uint8Array = new Uint8Array(0);
  private overlongMarker: LiteralMarker | null = null;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** Octets received and not yet consumed (the session pauses its transport when this grows). */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Whether a command is partly received (for idle timeouts and clean shutdown). */
  get midCommand(): boolean {
    return this.parts.length > 0 || this.lineLength > 0 || this.mode !== 'line';
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.input.push(bytes);
    this.bufferedBytes += bytes.length;
  }

  /** The next event, or null when more input (or an answer to a literal request) is needed. */
  next(): ReaderEvent | null {
    for (;;) {
      switch (this.mode) {
        case 'answer':
          return null;
        case 'literal':
          if (!this.readLiteral()) return null;
          break;
        case 'discard-literal':
          if (!this.skipLiteral()) return null;
          break;
        case 'discard-line': {
          const found = this.skipLine();
          if (!found) return null;
          break;
        }
        case 'line': {
          const event = this.readLine();
          if (event === undefined) return null;
          if (event !== null) return event;
          break;
        }
      }
    }
  }

  /**
   * Accepts the pending literal: its octets will be read into the command. `counted: false`
   * keeps it out of `maxCommandSize` (APPEND's message data, bounded by its own limit).
   */
  acceptLiteral(counted = true): void {
    const request = this.requirePending();
    this.mode = 'literal';
    this.literalRemaining = request.size;
    this.literalCounted = counted;
    // Uninitialised memory: its pages are touched only as octets arrive, and every one of them
    // is written before the literal is handed out.
    this.literal = Buffer.allocUnsafe(request.size);
    this.literalFilled = 0;
  }

  /**
   * Refuses the pending literal; the command is dropped. A synchronizing literal was never sent
   * (the client waits for the `+` that will not come); a non-synchronizing one is on its way and
   * is skipped, with whatever follows it up to the end of the command.
   */
  rejectLiteral(): void {
    const request = this.requirePending();
    this.resetCommand();
    if (request.synchronizing) {
      this.mode = 'line';
    } else {
      this.discardingCommand = true;
      this.literalRemaining = request.size;
      this.mode = 'discard-literal';
    }
  }

  /**
   * Takes one raw line (CRLF removed) outside of command framing: the client's answers during
   * AUTHENTICATE and the DONE that ends IDLE. Null when no whole line is there yet; `too-long`
   * (and the line is skipped) when it exceeds `maxLineLength`.
   */
  takeLine(): Uint8Array | 'too-long' | null {
    if (this.mode !== 'line' || this.parts.length > 0) return null;
    const line = this.collectLine();
    if (line === null) return null;
    if (line === 'too-long') {
      this.mode = 'discard-line';
      this.tail = '';
      return 'too-long';
    }
    if (line === 'too-long-complete') {
      if (this.overlongMarker && !this.overlongMarker.synchronizing) {
        this.literalRemaining = this.overlongMarker.size;
        this.mode = 'discard-literal';
      }
      return 'too-long';
    }
    return line;
  }

  /** Everything received and not consumed yet, removed from the reader (COMPRESS, STARTTLS). */
  drainInput(): Uint8Array {
    const chunks = this.input.splice(0);
    if (chunks.length > 0 && this.inputOffset > 0)
      chunks[0] = chunks[0]!.subarray(this.inputOffset);
    // A line being collected is input not consumed yet too.
    chunks.unshift(...this.lineChunks);
    this.lineChunks = [];
    this.lineLength = 0;
    this.inputOffset = 0;
    this.bufferedBytes = 0;
    return concat(chunks);
  }

  private requirePending(): LiteralRequest {
    const request = this.pending;
    if (!request || this.mode !== 'answer') throw new Error('no literal is waiting for an answer');
    this.pending = null;
    return request;
  }

  /** undefined: need more input; null: state changed, go on; else an event. */
  private readLine(): ReaderEvent | null | undefined {
    const line = this.collectLine();
    if (line === null) return undefined;
    if (line === 'too-long' || line === 'too-long-complete') {
      const head = this.parts.length > 0 ? firstLine(this.parts) : this.overlongHead;
      const event = this.dropCommand('line-too-long', head);
      if (line === 'too-long') {
        this.mode = 'discard-line';
        this.tail = '';
      } else if (this.overlongMarker && !this.overlongMarker.synchronizing) {
        this.discardingCommand = true;
        this.literalRemaining = this.overlongMarker.size;
        this.mode = 'discard-literal';
      }
      return event;
    }
    const marker = literalMarker(line);
    if (this.discardingCommand) {
      if (marker && !marker.synchronizing) {
        this.literalRemaining = marker.size;
        this.mode = 'discard-literal';
      } else {
        this.discardingCommand = false;
      }
      return null;
    }
    if (this.parts.length === 0 && !marker && line.length === 0) return null; // empty lines are ignored
    this.parts.push(line);
    this.commandSize += line.length + 2;
    if (this.commandSize > this.limits.maxCommandSize) {
      const event = this.dropCommand('command-too-large', firstLine(this.parts));
      if (marker && !marker.synchronizing) {
        this.discardingCommand = true;
        this.literalRemaining = marker.size;
        this.mode = 'discard-literal';
      }
      return event;
    }
    if (!marker) {
      const command = { parts: this.parts };
      this.resetCommand();
      return { type: 'command', command };
    }
    const head = commandHead(firstLine(this.parts));
    this.pending = {
      ...head,
      size: marker.size,
      binary: marker.binary,
      synchronizing: marker.synchronizing,
      commandSize: this.commandSize,
      index: this.literalCount++,
    };
    this.mode = 'answer';
    return { type: 'literal', request: this.pending };
  }

  private dropCommand(problem: FramingProblem, head: Uint8Array): ReaderEvent {
    this.resetCommand();
    return { type: 'error', problem, ...commandHead(head) };
  }

  private resetCommand(): void {
    this.parts = [];
    this.commandSize = 0;
    this.literalCount = 0;
    this.literal = Buffer.alloc(0);
  }

  /** One line from the input, CR LF (or a bare LF) removed; null when incomplete. */
  private collectLine(): Uint8Array | 'too-long' | 'too-long-complete' | null {
    while (this.input.length > 0) {
      const chunk = this.input[0]!;
      const lf = chunk.indexOf(LF, this.inputOffset);
      const end = lf < 0 ? chunk.length : lf;
      const piece = chunk.subarray(this.inputOffset, end);
      if (this.lineLength + piece.length > this.limits.maxLineLength + 1) {
        this.overlongHead = this.lineChunks[0] ?? piece.subarray(0, 64);
        this.lineChunks = [];
        this.lineLength = 0;
        return 'too-long';
      }
      if (piece.length > 0) {
        this.lineChunks.push(piece);
        this.lineLength += piece.length;
      }
      this.consume(chunk, lf < 0 ? chunk.length : lf + 1);
      if (lf >= 0) {
        let line = concat(this.lineChunks);
        this.lineChunks = [];
        this.lineLength = 0;
        if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
        if (line.length > this.limits.maxLineLength) {
          this.overlongHead = line.subarray(0, 64);
          this.overlongMarker = literalMarker(line);
          return 'too-long-complete';
        }
        return line;
      }
    }
    return null;
  }

  private skipLine(): boolean {
    while (this.input.length > 0) {
      const chunk = this.input[0]!;
      const lf = chunk.indexOf(LF, this.inputOffset);
      const end = lf < 0 ? chunk.length : lf;
      this.tail = (
        this.tail + latin1(chunk.subarray(Math.max(this.inputOffset, end - TAIL_KEPT), end))
      ).slice(-TAIL_KEPT);
      this.consume(chunk, lf < 0 ? chunk.length : lf + 1);
      if (lf >= 0) {
        const marker = literalMarker(Buffer.from(this.tail.replace(/\r$/, ''), 'latin1'));
        this.tail = '';
        if (marker && !marker.synchronizing) {
          this.discardingCommand = true;
          this.literalRemaining = marker.size;
          this.mode = 'discard-literal';
        } else {
          this.mode = 'line';
        }
        return true;
      }
    }
    return false;
  }

  private readLiteral(): boolean {
    while (this.literalRemaining > 0 && this.input.length > 0) {
      const chunk = this.input[0]!;
      const take = Math.min(this.literalRemaining, chunk.length - this.inputOffset);
      // Copied out, so that the chunk (and the socket's buffer behind it) can go at once.
      this.literal.set(
        chunk.subarray(this.inputOffset, this.inputOffset + take),
        this.literalFilled,
      );
      this.literalFilled += take;
      this.literalRemaining -= take;
      this.consume(chunk, this.inputOffset + take);
    }
    if (this.literalRemaining > 0) return false;
    const bytes: Uint8Array = this.literal;
    this.literal = Buffer.alloc(0);
    const marker = literalMarker(this.parts[this.parts.length - 1] as Uint8Array);
    this.parts.push({ bytes, binary: marker?.binary ?? false });
    if (this.literalCounted) this.commandSize += bytes.length;
    this.mode = 'line';
    return true;
  }

  private skipLiteral(): boolean {
    while (this.literalRemaining > 0 && this.input.length > 0) {
      const chunk = this.input[0]!;
      const take = Math.min(this.literalRemaining, chunk.length - this.inputOffset);
      this.literalRemaining -= take;
      this.consume(chunk, this.inputOffset + take);
    }
    if (this.literalRemaining > 0) return false;
    this.mode = 'line';
    return true;
  }

  /** Marks a chunk's octets up to `offset` as consumed. */
  private consume(chunk: Uint8Array, offset: number): void {
    this.bufferedBytes -= offset - this.inputOffset;
    if (offset >= chunk.length) {
      this.input.shift();
      this.inputOffset = 0;
    } else {
      this.inputOffset = offset;
    }
  }
}

interface LiteralMarker {
  readonly size: number;
  readonly binary: boolean;
  readonly synchronizing: boolean;
}

/** The `{n}`, `{n+}`, `~{n}` or `~{n+}` that ends a line, if any. */
export function literalMarker(line: Uint8Array): LiteralMarker | null {
  if (line.length < 3 || line[line.length - 1] !== 0x7d) return null;
  const match = LITERAL_MARKER.exec(latin1(line.subarray(Math.max(0, line.length - 22))));
  if (!match) return null;
  const size = Number(match[2]);
  if (!Number.isSafeInteger(size)) return null;
  return { size, binary: match[1] === '~', synchronizing: match[3] !== '+' };
}

/** The tag and command name at the start of a command's first line, as far as they are readable. */
export function commandHead(line: Uint8Array): { tag: string | null; command: string | null } {
  const text = latin1(line.subarray(0, 64));
  const match = /^([\x21-\x7e]+?)(?: ([A-Za-z]+)(?: ([A-Za-z]+))?)?(?: |$)/.exec(text);
  if (!match || !isTag(match[1]!)) return { tag: null, command: null };
  const first = match[2]?.toUpperCase() ?? null;
  const command = first === 'UID' && match[3] ? `UID ${match[3].toUpperCase()}` : first;
  return { tag: match[1]!, command };
}

/** RFC 9051 `tag`: ASTRING-CHARs but `+`. */
export function isTag(text: string): boolean {
  return /^[^\x00-\x20\x7f-\uffff(){%*"\\+]+$/.test(text);
}

function firstLine(parts: readonly (Uint8Array | FramedLiteral)[]): Uint8Array {
  const first = parts[0];
  return first instanceof Uint8Array ? first : new Uint8Array(0);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.length === 0) return new Uint8Array(0);
  return Buffer.concat(chunks);
}
