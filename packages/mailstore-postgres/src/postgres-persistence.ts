import type {
  AllocatedAppend,
  AllocatedFlagChange,
  AllocatedRemoval,
  ContentRequest,
  FlagChangeRequest,
  IndexChanges,
  IndexSnapshot,
  MailboxMeta,
  MailboxMove,
  MessageState,
  StorePersistence,
  StoredMessage,
  TreeKey,
  TreeRecord,
  UnnumberedMessage,
} from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';
import type { Sql } from 'postgres';
import { ChangeNotifier, changeChannel } from './change-notifier.js';
import { ContentCache } from './content-cache.js';
import { IndexReads } from './index-reads.js';
import { KnownIndexes } from './known-indexes.js';
import { MessageReads } from './message-reads.js';
import { migrate } from './migrations.js';
import { NumberedWrites } from './numbered-writes.js';
import { OptimisticWrites } from './optimistic-writes.js';
import { TreeRecords } from './tree-records.js';

/**
 * The store's data in PostgreSQL: tree records, mailbox counters, messages (index entry,
 * summary and bytes in one row) and the expunge log. Two nodes can never give out one UID or
 * mod-sequence twice: the database gives them out in the write ({@link NumberedWrites}), or a
 * write numbered by the engine checks the mailbox's counters first and, if another node wrote
 * first, fails {@link StaleIndexError} with nothing written ({@link OptimisticWrites}). This
 * class applies the schema on first use and hands each operation to the part that does it.
 */
export class PostgresPersistence implements StorePersistence {
  private readonly notices: ChangeNotifier;
  private readonly known = new KnownIndexes();
  private readonly trees: TreeRecords;
  private readonly indexes: IndexReads;
  private readonly numbered: NumberedWrites;
  private readonly optimistic: OptimisticWrites;
  private readonly reads: MessageReads;
  private ready: Promise<void> | null = null;
  /**
   * Brings the engine's copy of a mailbox's index up to date with what other nodes did (the
   * change feed's catch-up, which takes the tree's lock): set by the store. Called only from
   * reads made without that lock.
   */
  catchUpMailbox: ((tree: TreeKey, mailboxId: string) => Promise<void>) | null = null;

  /**
   * @param node this process's id in change notifications, so it can skip its own.
   * @param channel the LISTEN/NOTIFY channel of the store's schema.
   * @param contents the node's cache of message bytes (see {@link ContentCache}).
   */
  constructor(
    readonly sql: Sql,
    readonly schema: string,
    readonly node: string = '',
    readonly channel: string = changeChannel(schema),
    readonly contents: ContentCache = new ContentCache(),
  ) {
    this.notices = new ChangeNotifier(node, channel);
    this.trees = new TreeRecords(sql, this.notices);
    this.indexes = new IndexReads(sql, this.known);
    this.numbered = new NumberedWrites(sql, this.notices, this.known, contents);
    this.optimistic = new OptimisticWrites(sql, this.notices, this.known, contents);
    // `catchUpMailbox` is read when it is needed: the store sets it after construction.
    this.reads = new MessageReads(sql, contents, this);
  }

  /** Applies the schema's migrations (once; a failed attempt is retried on the next call). */
  open(): Promise<void> {
    if (!this.ready) {
      const opening = migrate(this.sql, this.schema).then(() => undefined);
      opening.catch(() => {
        if (this.ready === opening) this.ready = null;
      });
      this.ready = opening;
    }
    return this.ready;
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  /**
   * Brings a change the change feed applied without a read (it rode in a notice) into this
   * node's known copy of the index, as a catch-up read's would be.
   */
  heard(mailboxId: string, since: number, changes: IndexChanges): void {
    this.known.heard(mailboxId, since, changes);
  }

  async listTrees(): Promise<TreeKey[]> {
    await this.open();
    return this.trees.listTrees();
  }

  async readTree(tree: TreeKey): Promise<TreeRecord | null> {
    await this.open();
    return this.trees.readTree(tree);
  }

  /** The version of a tree's record as this node last saw it (for the change feed). */
  treeVersion(tree: TreeKey): number | undefined {
    return this.trees.treeVersion(tree);
  }

  async writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    await this.open();
    return this.trees.writeTree(tree, record);
  }

  async deleteTree(tree: TreeKey): Promise<void> {
    await this.open();
    return this.trees.deleteTree(tree);
  }

  async createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    await this.open();
    await this.sql`INSERT INTO mailboxes (id, tree) VALUES (${mailbox.id}, ${tree})`;
  }

  async deleteMailbox(_tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    await this.open();
    await this.sql`DELETE FROM mailboxes WHERE id = ${mailbox.id}`;
    this.known.forget(mailbox.id);
  }

  async moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    await this.open();
    // Paths live in the tree records; the rows only know their tree.
    if (into === tree || moves.length === 0) return;
    const ids = moves.map((move) => move.mailbox.id);
    await this.sql`UPDATE mailboxes SET tree = ${into} WHERE id = ANY(${ids})`;
  }

  async readIndex(_tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    await this.open();
    return this.indexes.readIndex(mailbox);
  }

  /**
   * What changed in a mailbox after `modSeq`: its counters, the messages added or changed (full
   * index entries) and the expunges, as one snapshot. For the change feed's catch-up.
   */
  async changesSince(mailboxId: string, modSeq: number): Promise<IndexChanges | null> {
    await this.open();
    return this.indexes.changesSince(mailboxId, modSeq);
  }

  async appendAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly UnnumberedMessage[],
    knownModSeq: number,
  ): Promise<AllocatedAppend> {
    await this.open();
    return this.numbered.appendAllocating(tree, mailbox, messages, knownModSeq);
  }

  async updateFlagsAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    request: FlagChangeRequest,
    knownModSeq: number,
  ): Promise<AllocatedFlagChange> {
    await this.open();
    return this.numbered.updateFlagsAllocating(tree, mailbox, request, knownModSeq);
  }

  async removeAllocating(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    knownModSeq: number,
  ): Promise<AllocatedRemoval> {
    await this.open();
    return this.numbered.removeAllocating(tree, mailbox, uids, knownModSeq);
  }

  async addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    if (messages.length === 0) return;
    await this.open();
    return this.optimistic.addMessages(tree, mailbox, messages);
  }

  async updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.open();
    return this.optimistic.updateFlags(tree, mailbox, changes, highestModSeq);
  }

  async removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    if (uids.length === 0) return;
    await this.open();
    return this.optimistic.removeMessages(tree, mailbox, uids, modSeq);
  }

  async *readContent(
    _tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    await this.open();
    yield* this.reads.readContent(mailbox, uid, range);
  }

  async readContents(
    tree: TreeKey,
    mailbox: MailboxMeta,
    requests: readonly ContentRequest[],
  ): Promise<(Uint8Array | null)[]> {
    await this.open();
    return this.reads.readContents(tree, mailbox, requests);
  }

  async readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    if (uids.length === 0) return [];
    await this.open();
    return this.reads.readSummaries(tree, mailbox, uids);
  }
}
