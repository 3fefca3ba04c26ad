import type { MessageState } from './mail-store.js';

/**
 * A change to a mailbox, delivered to every subscriber of that mailbox once the change is
 * durable. `modSeq` is the mailbox's highest mod-sequence after the change (CONDSTORE).
 */
export type MailboxEvent =
  /** New messages, in UID order. */
  | {
      readonly type: 'appended';
      readonly messages: readonly MessageState[];
      readonly modSeq: number;
    }
  /** Messages whose flags changed, with their new flags. */
  | { readonly type: 'flags'; readonly messages: readonly MessageState[]; readonly modSeq: number }
  /** Messages removed for good, UIDs ascending. */
  | { readonly type: 'expunged'; readonly uids: readonly number[]; readonly modSeq: number }
  /** The mailbox now has another name; its id, UIDVALIDITY and messages are unchanged. */
  | { readonly type: 'renamed' }
  /** The mailbox no longer exists. */
  | { readonly type: 'deleted' };

export type MailboxListener = (event: MailboxEvent) => void;

/**
 * Fans mailbox events out to subscribers, for store implementations. A listener that throws is
 * the listener's problem: it cannot keep the others from hearing about the change.
 */
export class MailboxEventHub {
  private readonly listeners = new Map<string, Set<MailboxListener>>();

  subscribe(mailboxId: string, listener: MailboxListener): () => void {
    let set = this.listeners.get(mailboxId);
    if (!set) this.listeners.set(mailboxId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(mailboxId) === set) this.listeners.delete(mailboxId);
    };
  }

  publish(mailboxId: string, event: MailboxEvent): void {
    for (const listener of [...(this.listeners.get(mailboxId) ?? [])]) {
      try {
        listener(event);
      } catch {
        // Deliberately ignored; see the class comment.
      }
    }
  }

  /** How many listeners a mailbox has (for tests and leak checks). */
  listenerCount(mailboxId: string): number {
    return this.listeners.get(mailboxId)?.size ?? 0;
  }
}
