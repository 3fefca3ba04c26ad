/** A server's status line, as a client reads it. */
export type StatusLine =
  | { readonly type: 'ok'; readonly text: string }
  | {
      readonly type: 'err';
      /** The extended response code (RFC 2449 8), `SYS/TEMP` for `[SYS/TEMP]`, if any. */
      readonly code: string | null;
      readonly text: string;
    }
  /** A SASL challenge (RFC 5034 4): `+ <base64>`. */
  | { readonly type: 'continuation'; readonly challenge: string }
  /** Neither: the server does not speak POP3 (or not to us). */
  | { readonly type: 'invalid'; readonly line: string };

export type ResponseEvent =
  | { readonly type: 'status'; readonly status: StatusLine }
  /** Text of a multi-line response, dot-unstuffed, line endings as the server sent them. */
  | { readonly type: 'data'; readonly chunk: Buffer }
  /** The `.` line that ends a multi-line response. */
  | { readonly type: 'end' }
  /** A status line longer than the limit: the stream cannot be trusted to be POP3. */
  | { readonly type: 'overlong' };

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);

/** Octets of a status line we accept; RFC 2449 allows 512 for responses, servers send less. */
export const DEFAULT_MAX_STATUS_LINE = 4096;

/**
 * The client side of POP3's framing, incrementally: status lines, then, when the client knows
 * the response has more (`expectData()` after a `+OK` to LIST, RETR, TOP, UIDL, CAPA), the
 * text lines, unstuffed, up to the terminating `.` line. Text is handed on as it arrives, never
 * gathered: a 50 MB RETR holds at most a chunk here. Servers that end lines with a bare LF are
 * understood too. Pure: no I/O.
 */
export class ResponseReader {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  private mode: 'status' | 'data' = 'status';
  private lineStart = true;
  /** The `.` line was read along with the last text handed out; `end` is still to be reported. */
  private pendingEnd = false;

  constructor(private readonly maxStatusLine = DEFAULT_MAX_STATUS_LINE) {}

  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const incoming = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.offset >= this.buffer.length) this.buffer = incoming;
    else this.buffer = Buffer.concat([this.buffer.subarray(this.offset), incoming]);
    this.offset = 0;
  }

  /** The response that was just read has a multi-line body: read text until its `.` line. */
  expectData(): void {
    this.mode = 'data';
    this.lineStart = true;
  }

  /** The next event, or null until more bytes arrive. */
  next(): ResponseEvent | null {
    return this.mode === 'status' ? this.nextStatus() : this.nextData();
  }

  private nextStatus(): ResponseEvent | null {
    const lf = this.buffer.indexOf(LF, this.offset);
    if (lf < 0) return this.buffered > this.maxStatusLine + 1 ? { type: 'overlong' } : null;
    let stop = lf;
    if (stop > this.offset && this.buffer[stop - 1] === CR) stop--;
    if (stop - this.offset > this.maxStatusLine) return { type: 'overlong' };
    const line = this.buffer.subarray(this.offset, stop).toString('utf8');
    this.offset = lf + 1;
    return { type: 'status', status: parseStatusLine(line) };
  }

  private nextData(): ResponseEvent | null {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      this.mode = 'status';
      return { type: 'end' };
    }
    const input = this.buffer;
    const parts: Buffer[] = [];
    let pos = this.offset;
    let runStart = pos;
    let ended = false;
    while (pos < input.length) {
      if (this.lineStart) {
        if (input[pos] !== DOT) {
          this.lineStart = false;
          continue;
        }
        // A dot opens the line: the terminator, or a stuffed dot. Decide only on enough bytes.
        const second = input[pos + 1];
        if (second === undefined) break;
        const third = input[pos + 2];
        if (second === LF || (second === CR && third === LF)) {
          if (pos > runStart) parts.push(input.subarray(runStart, pos));
          pos += second === LF ? 2 : 3;
          runStart = pos;
          ended = true;
          break;
        }
        if (second === CR && third === undefined) break;
        if (pos > runStart) parts.push(input.subarray(runStart, pos));
        pos++;
        runStart = pos;
        this.lineStart = false;
        continue;
      }
      const lf = input.indexOf(LF, pos);
      if (lf < 0) {
        pos = input.length;
        break;
      }
      pos = lf + 1;
      this.lineStart = true;
    }
    if (pos > runStart) parts.push(input.subarray(runStart, pos));
    this.offset = pos;
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (chunk.length > 0) {
      // The end marker was consumed with this text: report it on the next call.
      this.pendingEnd = ended;
      return { type: 'data', chunk };
    }
    if (!ended) return null;
    this.mode = 'status';
    return { type: 'end' };
  }
}

/** Reads a status line; case-insensitive about `+OK` and `-ERR`, as servers vary. */
export function parseStatusLine(line: string): StatusLine {
  const upper = line.slice(0, 4).toUpperCase();
  if (upper.startsWith('+OK') && (line.length === 3 || line[3] === ' ')) {
    return { type: 'ok', text: line.slice(4) };
  }
  if (upper === '-ERR' && (line.length === 4 || line[4] === ' ')) {
    const text = line.slice(5);
    const code = /^\[([\x21-\x5c\x5e-\x7e]+)\]\s?/.exec(text);
    return code
      ? { type: 'err', code: code[1]!.toUpperCase(), text: text.slice(code[0].length) }
      : { type: 'err', code: null, text };
  }
  if (line === '+' || line.startsWith('+ ')) {
    return { type: 'continuation', challenge: line.slice(2).trim() };
  }
  return { type: 'invalid', line };
}
