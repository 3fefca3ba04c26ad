/**
 * Octets a session has answered but not yet handed to its transport. A command's untagged lines,
 * its small literals and its tagged completion are gathered here and written together: each
 * transport write is a system call (and, with COMPRESS, a deflate flush), and writing a command's
 * answer piece by piece made socket writes a quarter of a node's CPU time.
 */
export class HeldOutput {
  private pieces: Uint8Array[] = [];
  private size = 0;

  /** Octets held. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Holds `bytes` (not copied: the caller must not change them afterwards, as a socket write
   * would not copy them either).
   */
  add(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pieces.push(bytes);
    this.size += bytes.length;
  }

  /** Everything held, as one buffer, and holds nothing any more; null when nothing was held. */
  take(): Uint8Array | null {
    if (this.size === 0) return null;
    const bytes =
      this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return bytes;
  }
}
