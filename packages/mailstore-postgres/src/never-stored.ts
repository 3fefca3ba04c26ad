/**
 * How many UIDs given out by appends that were then refused a node remembers: a reader needs
 * one only while the failed attempt's entry was in the engine's index, a matter of
 * milliseconds, so the oldest are forgotten beyond this.
 */
const NEVER_STORED_KEPT = 10_000;

/**
 * The UIDs of messages whose append was refused here (another node wrote first): the engine's
 * index showed them while the attempt ran, so a session may have listed them (SELECT reads the
 * index without waiting for writes), and the retry stored them under the next free UIDs. No
 * row and no expunge record, like a lost message; but the reader must be told `expunged` (they
 * are gone), not `unavailable`.
 */
export class NeverStoredUids {
  /** `mailbox:uid`, in insertion order: oldest first. */
  private readonly keys = new Set<string>();

  remember(mailboxId: string, uids: readonly number[]): void {
    for (const uid of uids) this.keys.add(`${mailboxId}:${uid}`);
    for (const key of this.keys) {
      if (this.keys.size <= NEVER_STORED_KEPT) break;
      this.keys.delete(key);
    }
  }

  has(mailboxId: string, uid: number): boolean {
    return this.keys.has(`${mailboxId}:${uid}`);
  }
}
