import { isUtf8 } from 'node:buffer';

/** What the client's bytes amount to, one event at a time. */
export type InputEvent =
  /** A command line, without its line ending. */
  | { readonly type: 'command'; readonly line: string }
  /** A command line longer than the limit; its bytes up to the line ending were discarded. */
  | { readonly type: 'line-too-long' }
  /**
   * A command line whose bytes are not UTF-8 (RFC 5321 wants ASCII, RFC 6531 UTF-8): it cannot be
   * read as text without guessing, so it is not handed over as a command at all.
   */
  | { readonly type: 'invalid-utf8' }
  /** Message text from DATA, dot-unstuffed, line endings as sent (or repaired, see options). */
  | { readonly type: 'data'; readonly chunk: Uint8Array }
  /** The `<CRLF>.<CRLF>` that ends DATA, with what the text broke on the way. */
  | {
      readonly type: 'data-end';
      /** A LF not preceded by CR was seen. */
      readonly bareLineFeed: boolean;
      /** A CR not followed by LF was seen. */
      readonly bareCarriageReturn: boolean;
      /** Lines longer than the text line limit. */
      readonly longLines: number;
    }
  /** Bytes of a BDAT chunk, exactly as sent. */
  | { readonly type: 'chunk'; readonly chunk: Uint8Array }
  /** The BDAT chunk is complete. */
  | { readonly type: 'chunk-end' };

export interface InputDecoderOptions {
  /** Octets of a command line, line ending included. */
  readonly maxLineLength: number;
  /** Octets of a text line in DATA, line ending included; longer lines are counted, not cut. */
  readonly maxDataLineLength: number;
  /**
   * Let bare LF and bare CR through DATA, each turned into CRLF. Off, they are only reported, so
   * the session can refuse the message. Either way only `<CRLF>.<CRLF>` ends the data: a
   * `<LF>.<LF>` that another server would take for the end can never split one message into two
   * here (SMTP smuggling, 2023).
   */
  readonly acceptBareLineEndings: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');
const LINE_FEED = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);

/** `data-ended`: the end marker is in, and the last text went out before it. */
type Mode = 'command' | 'skip-line' | 'data' | 'data-ended' | 'chunk';

/**
 * Splits what a client sends into commands, DATA text and BDAT chunks, incrementally: bytes may
 * arrive in any pieces, one at a time included, and nothing is ever decided before the bytes
 * that decide it are in. Pull-based, so the session handles each event to its end before asking
 * for the next; a pipelined DATA is therefore never read as commands. Pure: no I/O, no clock.
 */
export class SmtpInputDecoder {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  private mode: Mode = 'command';

  // DATA state, carried across pieces of input.
  private lineStart = true;
  /** 1: a dot opened the line; 2: then a CR came. Neither byte has been passed on yet. */
  private dotState: 0 | 1 | 2 = 0;
  private pendingCr = false;
  private lineLength = 0;
  private bareLineFeed = false;
  private bareCarriageReturn = false;
  private longLines = 0;

  /** Octets of the BDAT chunk still to come. */
  private chunkRemaining = 0;

  /** Octets a command line may have now; `setLineLimit` changes it. */
  private lineLimit: number;

  constructor(private readonly options: InputDecoderOptions) {
    this.lineLimit = options.maxLineLength;
  }

  /**
   * Lets the lines from here on be as long as `octets` (line ending included), or, without an
   * argument, `maxLineLength` again: SASL responses during AUTH may be far longer than commands
   * (RFC 4954 4 considers 12288 octets sufficient).
   */
  setLineLimit(octets: number = this.options.maxLineLength): void {
    this.lineLimit = octets;
  }

  push(bytes: Uint8Array): void {
    const incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.offset >= this.buffer.length) this.buffer = incoming;
    else this.buffer = Buffer.concat([this.buffer.subarray(this.offset), incoming]);
    this.offset = 0;
  }

  /** Octets received and not yet consumed. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  /** The next event, or null until more bytes arrive. */
  next(): InputEvent | null {
    switch (this.mode) {
      case 'command':
      case 'skip-line':
        return this.nextCommand();
      case 'data':
        return this.nextData();
      case 'data-ended':
        this.mode = 'command';
        return this.dataEnd();
      case 'chunk':
        return this.nextChunk();
    }
  }

  /** The server answered DATA with 354: what follows is message text. */
  startData(): void {
    this.mode = 'data';
    this.lineStart = true;
    this.dotState = 0;
    this.pendingCr = false;
    this.lineLength = 0;
    this.bareLineFeed = false;
    this.bareCarriageReturn = false;
    this.longLines = 0;
  }

  /** A BDAT command announced `size` octets: they follow, whatever the server answers. */
  startChunk(size: number): void {
    this.mode = 'chunk';
    this.chunkRemaining = size;
  }

  /**
   * Forgets everything received and not yet consumed, and returns how many octets that was: after
   * STARTTLS, what came in the clear must not be taken as if it had come over TLS (CVE-2011-0411).
   */
  discardBuffered(): number {
    const dropped = this.buffered;
    this.buffer = EMPTY;
    this.offset = 0;
    return dropped;
  }

  private nextCommand(): InputEvent | null {
    const end = this.buffer.indexOf(LF, this.offset);
    if (this.mode === 'skip-line') {
      if (end < 0) {
        this.offset = this.buffer.length;
        return null;
      }
      this.offset = end + 1;
      this.mode = 'command';
      return this.nextCommand();
    }
    const limit = this.lineLimit;
    if (end < 0) {
      if (this.buffered <= limit) return null;
      this.offset = this.buffer.length;
      this.mode = 'skip-line';
      return { type: 'line-too-long' };
    }
    const start = this.offset;
    this.offset = end + 1;
    if (end + 1 - start > limit) return { type: 'line-too-long' };
    const textEnd = end > start && this.buffer[end - 1] === CR ? end - 1 : end;
    const bytes = this.buffer.subarray(start, textEnd);
    if (!isUtf8(bytes)) return { type: 'invalid-utf8' };
    return { type: 'command', line: bytes.toString('utf8') };
  }

  private nextChunk(): InputEvent | null {
    if (this.chunkRemaining === 0) {
      this.mode = 'command';
      return { type: 'chunk-end' };
    }
    const available = Math.min(this.buffered, this.chunkRemaining);
    if (available === 0) return null;
    const chunk = this.buffer.subarray(this.offset, this.offset + available);
    this.offset += available;
    this.chunkRemaining -= available;
    return { type: 'chunk', chunk };
  }

  /**
   * Scans what has arrived for line starts (dot-unstuffing, the end marker), bare CR and LF and
   * long lines. The text passes on as slices of the input; only a removed dot or a repaired line
   * ending cuts a slice in two.
   */
  private nextData(): InputEvent | null {
    const buffer = this.buffer;
    const pieces: Uint8Array[] = [];
    let from = this.offset;
    const repair = this.options.acceptBareLineEndings;
    const maxLine = this.options.maxDataLineLength - 2;
    let i = this.offset;
    // Where the next CR and LF are (-1: none left; -2: not looked for yet).
    let crAt = -2;
    let lfAt = -2;
    for (; i < buffer.length; i++) {
      const byte = buffer[i]!;
      if (this.dotState === 1) {
        if (byte === CR) {
          this.dotState = 2;
          from = i + 1;
          continue;
        }
        this.dotState = 0; // the leading dot is removed; the line goes on from here
      } else if (this.dotState === 2) {
        if (byte === LF) return this.endData(pieces, i + 1);
        // `.` CR then something else: a line that began with a (removed) dot and a bare CR.
        this.dotState = 0;
        this.bareCarriageReturn = true;
        pieces.push(repair ? CRLF : Buffer.from([CR]));
        from = i;
        this.lineStart = false;
      }
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte === LF) {
          this.lineStart = true;
          this.lineLength = 0;
          continue;
        }
        this.bareCarriageReturn = true;
        if (repair) {
          if (i > from) pieces.push(buffer.subarray(from, i));
          pieces.push(LINE_FEED);
          from = i;
          this.lineLength = 0;
        }
      }
      if (this.lineStart) {
        this.lineStart = false;
        if (byte === DOT) {
          if (i > from) pieces.push(buffer.subarray(from, i));
          this.dotState = 1;
          from = i + 1;
          continue;
        }
      }
      if (byte === CR) {
        this.pendingCr = true;
        continue;
      }
      if (byte === LF) {
        // A LF without its CR: never a line end for the marker, whatever we do with it.
        this.bareLineFeed = true;
        this.lineLength = 0;
        if (repair) {
          if (i > from) pieces.push(buffer.subarray(from, i));
          pieces.push(CRLF);
          from = i + 1;
        }
        continue;
      }
      // An ordinary byte: jump to the next CR or LF, the only bytes that matter from here.
      if (crAt !== -1 && crAt < i) crAt = buffer.indexOf(CR, i);
      if (lfAt !== -1 && lfAt < i) lfAt = buffer.indexOf(LF, i);
      const next = Math.min(crAt < 0 ? buffer.length : crAt, lfAt < 0 ? buffer.length : lfAt);
      const before = this.lineLength;
      this.lineLength += next - i;
      if (before <= maxLine && this.lineLength > maxLine) this.longLines++;
      i = next - 1;
    }
    if (this.dotState === 0 && i > from) pieces.push(buffer.subarray(from, i));
    this.offset = buffer.length;
    if (pieces.length === 0) return null;
    return { type: 'data', chunk: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces) };
  }

  private endData(pieces: Uint8Array[], consumed: number): InputEvent {
    this.offset = consumed;
    this.dotState = 0;
    if (pieces.length > 0) {
      // Hand the last text over first; the end comes with the next call.
      this.mode = 'data-ended';
      return { type: 'data', chunk: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces) };
    }
    this.mode = 'command';
    return this.dataEnd();
  }

  private dataEnd(): InputEvent {
    return {
      type: 'data-end',
      bareLineFeed: this.bareLineFeed,
      bareCarriageReturn: this.bareCarriageReturn,
      longLines: this.longLines,
    };
  }
}
