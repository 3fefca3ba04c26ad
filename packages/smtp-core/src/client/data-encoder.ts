const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Puts a message into the shape the wire needs, chunk by chunk, as it streams from the queue:
 * every line end becomes CRLF (a bare LF or bare CR in stored mail must not reach the next hop
 * as something a server might read as an end of data, the SMTP smuggling class of attacks), and
 * for DATA a line starting with `.` gets another `.` (RFC 5321 4.5.2). `finish()` ends the last
 * line and, for DATA, adds the terminating `.` line.
 */
export class DataEncoder {
  private atLineStart = true;
  private pendingCr = false;

  constructor(private readonly options: { readonly dotStuffing: boolean }) {}

  encode(chunk: Uint8Array): Uint8Array {
    // Worst case every byte doubles (a run of bare line ends or of dots at line starts).
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let length = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        out[length++] = CR;
        out[length++] = LF;
        this.atLineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        this.pendingCr = true;
        continue;
      }
      if (byte === LF) {
        out[length++] = CR;
        out[length++] = LF;
        this.atLineStart = true;
        continue;
      }
      if (this.atLineStart && byte === DOT && this.options.dotStuffing) out[length++] = DOT;
      out[length++] = byte;
      this.atLineStart = false;
    }
    return out.subarray(0, length);
  }

  finish(): Uint8Array {
    let tail = '';
    if (this.pendingCr || !this.atLineStart) tail += '\r\n';
    this.pendingCr = false;
    this.atLineStart = true;
    if (this.options.dotStuffing) tail += '.\r\n';
    return Buffer.from(tail, 'latin1');
  }
}
