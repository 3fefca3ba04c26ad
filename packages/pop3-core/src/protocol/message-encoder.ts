const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);
const DOT_BYTE = Buffer.from('.');
const CR_BYTE = Buffer.from('\r');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

export interface MessageEncoderOptions {
  /**
   * TOP (RFC 1939 7): send the header, the blank line that ends it, and this many lines of the
   * body; omitted for RETR (the whole message). A message without a blank line is all header.
   */
  readonly bodyLines?: number;
}

/**
 * Turns a stored message into the text of a RETR or TOP response, chunk by chunk, whatever the
 * chunking: every line ending becomes CRLF (a bare LF gets its CR; a bare CR inside a line is
 * left alone, it is not a line ending), every line that starts with `.` gets another `.` in
 * front (RFC 1939 3), and `end()` adds the terminating `.` line, after a CRLF when the message
 * does not end with one. With `bodyLines`, `done` turns true once the last line to send is out,
 * so the caller can stop reading the message. Chunks without anything to change go out as they
 * came, without a copy. Pure: no I/O.
 */
export class MessageEncoder {
  private readonly bodyLimit: number | null;
  private lineStart = true;
  /** The current line's bytes so far (only the count up to 2 matters: "empty" or "CR only"). */
  private lineBytes = 0;
  private lastWasCr = false;
  private inHeader = true;
  private bodyLinesLeft: number;
  private finished = false;

  constructor(options: MessageEncoderOptions = {}) {
    this.bodyLimit = options.bodyLines ?? null;
    this.bodyLinesLeft = options.bodyLines ?? 0;
  }

  /** TOP's lines are all out: the rest of the message is not needed. */
  get done(): boolean {
    return this.finished;
  }

  /** The encoded form of the next piece of the message (empty once `done`). */
  push(chunk: Uint8Array): Buffer {
    if (this.finished || chunk.length === 0) return EMPTY;
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const parts: Buffer[] = [];
    let runStart = 0;
    let pos = 0;
    while (pos < input.length) {
      if (this.lineStart) {
        this.lineStart = false;
        if (input[pos] === DOT) {
          if (pos > runStart) parts.push(input.subarray(runStart, pos));
          parts.push(DOT_BYTE);
          runStart = pos;
        }
      }
      const lf = input.indexOf(LF, pos);
      if (lf < 0) {
        this.lineBytes += input.length - pos;
        this.lastWasCr = input[input.length - 1] === CR;
        pos = input.length;
        break;
      }
      const crBefore = lf > pos ? input[lf - 1] === CR : this.lastWasCr;
      const contentBytes = this.lineBytes + (lf - pos) - (crBefore ? 1 : 0);
      if (!crBefore) {
        if (lf > runStart) parts.push(input.subarray(runStart, lf));
        parts.push(CR_BYTE);
        runStart = lf;
      }
      pos = lf + 1;
      this.lineStart = true;
      this.lineBytes = 0;
      this.lastWasCr = false;
      if (this.bodyLimit !== null && this.lineEndsOutput(contentBytes === 0)) {
        this.finished = true;
        break;
      }
    }
    if (pos > runStart) parts.push(input.subarray(runStart, pos));
    if (parts.length === 1) return parts[0]!;
    return Buffer.concat(parts);
  }

  /**
   * What closes the response: a CRLF if the last line lacks one, then `.` CRLF. A CR that ends
   * the message is not taken for half a line ending: no LF follows it, so it is text like any
   * other lone CR, and the CRLF comes after it (as Dovecot sends it).
   */
  end(): Buffer {
    const ending = this.finished || this.lineStart ? TERMINATOR : CRLF_TERMINATOR;
    this.finished = true;
    return ending;
  }

  /** Whether the line that just ended is the last one TOP sends. */
  private lineEndsOutput(empty: boolean): boolean {
    if (this.inHeader) {
      if (!empty) return false;
      this.inHeader = false;
      return this.bodyLinesLeft === 0;
    }
    this.bodyLinesLeft--;
    return this.bodyLinesLeft <= 0;
  }
}
