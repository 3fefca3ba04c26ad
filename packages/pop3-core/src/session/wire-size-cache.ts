/** Messages whose wire size an engine remembers, by default (`Pop3EngineOptions.wireSizeCache`). */
export const WIRE_SIZE_CACHE_ENTRIES = 100_000;

/**
 * The sizes of messages as RETR sends them (CRLF line endings, RFC 1939 11), measured once and
 * remembered, so that a user who logs in every few minutes does not have the whole maildrop read
 * each time (Dovecot keeps the same "virtual size" in its index cache). A message never changes
 * under its mailbox, UIDVALIDITY and UID, so an entry never goes stale; the least recently used
 * ones go when there are more than `capacity`, which bounds the memory (about 100 octets each).
 */
export class WireSizeCache {
  private readonly sizes = new Map<string, number>();

  constructor(readonly capacity: number) {}

  static key(mailboxId: string, uidValidity: number, uid: number): string {
    return `${mailboxId}/${uidValidity}/${uid}`;
  }

  get(key: string): number | undefined {
    const size = this.sizes.get(key);
    if (size !== undefined) {
      // Map keeps insertion order: moving the entry to the end makes the first the oldest.
      this.sizes.delete(key);
      this.sizes.set(key, size);
    }
    return size;
  }

  set(key: string, size: number): void {
    if (this.capacity === 0) return;
    this.sizes.delete(key);
    this.sizes.set(key, size);
    if (this.sizes.size > this.capacity) {
      const oldest = this.sizes.keys().next();
      if (!oldest.done) this.sizes.delete(oldest.value);
    }
  }

  get size(): number {
    return this.sizes.size;
  }
}
