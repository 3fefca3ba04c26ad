/** The node's cache of message bytes by default: 32 MiB. */
export const DEFAULT_CONTENT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * A message at most this large is read whole when part of it is asked for, and kept: reading
 * 2 KB instead of the 512 octets a FETCH wants costs the database nothing more (the same few
 * TOAST chunks), and the next FETCH of the message reads only its row's look-up. Larger ones are read by
 * range and not kept: one would push many small ones out.
 */
export const CACHED_MESSAGE_MAX = 64 * 1024;

/**
 * The bytes of messages this node read or stored, by mailbox and UID, the least recently used
 * forgotten first once they hold more than `maxBytes`. A message's bytes never change once
 * stored, and a UID is never given to another message of the same mailbox (a mailbox id is never
 * reused), so a kept copy is never stale; whether the message is still there is the index's to
 * say, and is asked before any read. An append's bytes are kept only once it committed: an
 * attempt refused may have lost its UID to another node's message. Summaries are not kept here:
 * imap-core's record cache keeps them for the server's sessions.
 */
export class ContentCache {
  /** `mailbox:uid` → bytes; Map order is use order, least recent first. */
  private readonly entries = new Map<string, Buffer>();
  private held = 0;

  constructor(readonly maxBytes: number = DEFAULT_CONTENT_CACHE_BYTES) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) {
      throw new RangeError('contentCacheBytes must be a whole number of octets, 0 or more');
    }
  }

  /** Octets held now: never above `maxBytes`. */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether a message of this size is read whole and kept. */
  keeps(size: number): boolean {
    return this.maxBytes > 0 && size <= CACHED_MESSAGE_MAX && size <= this.maxBytes;
  }

  get(mailboxId: string, uid: number): Buffer | undefined {
    const key = `${mailboxId}:${uid}`;
    const content = this.entries.get(key);
    if (content === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, content);
    return content;
  }

  set(mailboxId: string, uid: number, content: Buffer): void {
    if (!this.keeps(content.length)) return;
    const key = `${mailboxId}:${uid}`;
    if (this.entries.has(key)) return;
    this.entries.set(key, content);
    this.held += content.length;
    for (const [oldest, bytes] of this.entries) {
      if (this.held <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.held -= bytes.length;
    }
  }
}
