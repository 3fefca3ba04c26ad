import type { MessageSummary } from '@mailyard/mime';
import type { MessageState } from '../mail-store.js';
import type { IndexEntry, IndexSnapshot } from '../engine/mailbox-index.js';
import type {
  MailboxMeta,
  MailboxMove,
  StorePersistence,
  StoredMessage,
  TreeKey,
  TreeRecord,
} from '../engine/store-persistence.js';

interface MemoryMailbox {
  entries: Map<number, IndexEntry>;
  contents: Map<number, Uint8Array>;
  summaries: Map<number, MessageSummary>;
  uidNext: number;
  highestModSeq: number;
  expunged: { uid: number; modSeq: number }[];
}

/** Keeps everything in maps: the persistence of {@link MemoryMailStore}. */
export class MemoryPersistence implements StorePersistence {
  private readonly trees = new Map<TreeKey, TreeRecord>();
  /** Mailboxes by tree and id, so a rename moves nothing. */
  private readonly mailboxes = new Map<string, MemoryMailbox>();

  async listTrees(): Promise<TreeKey[]> {
    return [...this.trees.keys()];
  }

  async readTree(tree: TreeKey): Promise<TreeRecord | null> {
    return this.trees.get(tree) ?? null;
  }

  async writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    this.trees.set(tree, structuredClone(record));
  }

  async deleteTree(tree: TreeKey): Promise<void> {
    this.trees.delete(tree);
    for (const key of [...this.mailboxes.keys()])
      if (key.startsWith(`${tree}\0`)) this.mailboxes.delete(key);
  }

  async createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    this.mailboxes.set(key(tree, mailbox), {
      entries: new Map(),
      contents: new Map(),
      summaries: new Map(),
      uidNext: 1,
      highestModSeq: 1,
      expunged: [],
    });
  }

  async deleteMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    this.mailboxes.delete(key(tree, mailbox));
  }

  async moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    if (into === tree) return;
    for (const { mailbox } of moves) {
      const data = this.mailboxes.get(key(tree, mailbox));
      this.mailboxes.delete(key(tree, mailbox));
      if (data) this.mailboxes.set(key(into, mailbox), data);
    }
  }

  async readIndex(tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    const data = this.data(tree, mailbox);
    return {
      uidValidity: mailbox.uidValidity,
      uidNext: data.uidNext,
      highestModSeq: data.highestModSeq,
      entries: [...data.entries.values()].sort((a, b) => a.uid - b.uid),
      expunged: [...data.expunged],
    };
  }

  async addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    const data = this.data(tree, mailbox);
    for (const { entry, content, summary } of messages) {
      data.entries.set(entry.uid, entry);
      // A copy, so that a caller reusing its buffer cannot change a stored message.
      data.contents.set(entry.uid, Uint8Array.from(content));
      data.summaries.set(entry.uid, summary);
      data.uidNext = Math.max(data.uidNext, entry.uid + 1);
      data.highestModSeq = Math.max(data.highestModSeq, entry.modSeq);
    }
  }

  async updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    const data = this.data(tree, mailbox);
    for (const change of changes) {
      const entry = data.entries.get(change.uid);
      if (entry)
        data.entries.set(change.uid, { ...entry, flags: change.flags, modSeq: change.modSeq });
    }
    data.highestModSeq = Math.max(data.highestModSeq, highestModSeq);
  }

  async removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    const data = this.data(tree, mailbox);
    for (const uid of uids) {
      data.entries.delete(uid);
      data.contents.delete(uid);
      data.summaries.delete(uid);
      data.expunged.push({ uid, modSeq });
    }
    data.highestModSeq = Math.max(data.highestModSeq, modSeq);
  }

  async *readContent(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    const content = this.data(tree, mailbox).contents.get(uid);
    if (content) yield range ? content.subarray(range.start, range.end) : content;
  }

  async readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    const data = this.data(tree, mailbox);
    return uids.map((uid) => data.summaries.get(uid)!);
  }

  async close(): Promise<void> {}

  private data(tree: TreeKey, mailbox: MailboxMeta): MemoryMailbox {
    const data = this.mailboxes.get(key(tree, mailbox));
    if (!data) throw new Error(`no storage for mailbox ${mailbox.path} of ${tree}`);
    return data;
  }
}

function key(tree: TreeKey, mailbox: MailboxMeta): string {
  return `${tree}\0${mailbox.id}`;
}
