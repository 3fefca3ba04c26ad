import { isInbox } from '../extensions/actions.js';

/** A message in the pretend store. */
export interface StoredMessage {
  readonly bytes: Uint8Array;
  readonly flags: readonly string[];
}

/**
 * The testsuite's pretend mail store (sieve-testsuite.md 5.1): mailboxes by name, `.` as the
 * hierarchy separator, INBOX always present and case-insensitive, messages in arrival order.
 */
export class PretendMailStore {
  private readonly mailboxes = new Map<string, StoredMessage[]>([['INBOX', []]]);

  private key(name: string): string {
    return isInbox(name) ? 'INBOX' : name;
  }

  exists(name: string): boolean {
    return this.mailboxes.has(this.key(name));
  }

  /** Creates the mailbox; nothing happens when it exists. */
  create(name: string): void {
    if (!this.exists(name)) this.mailboxes.set(this.key(name), []);
  }

  /** Appends a message; false when the mailbox does not exist. */
  append(name: string, message: StoredMessage): boolean {
    const list = this.mailboxes.get(this.key(name));
    if (!list) return false;
    list.push(message);
    return true;
  }

  /** Message `index` (0 = oldest), or undefined. */
  message(name: string, index: number): StoredMessage | undefined {
    return this.mailboxes.get(this.key(name))?.[index];
  }

  /** Mailbox names, for debugging output. */
  names(): string[] {
    return [...this.mailboxes.keys()];
  }
}

/** One captured outgoing message for one recipient (sieve-testsuite.md 5.2). */
export interface OutboxEntry {
  readonly bytes: Uint8Array;
  /** The envelope sender; '' for the null sender. */
  readonly from: string;
  readonly to: string;
}
