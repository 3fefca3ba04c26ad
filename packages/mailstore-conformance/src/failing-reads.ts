import type { MessageSummary } from '@mailyard/mime';
import type {
  IndexSnapshot,
  MailboxMeta,
  MailboxMove,
  StorePersistence,
  StoredMessage,
  TreeKey,
  TreeRecord,
  MessageState,
} from '@mailyard/mailstore-interface';

/**
 * A persistence whose reads fail while {@link failing} is on, with the error Node gives a
 * process out of file descriptors; writes go through. For the conformance kit's check that a
 * store loses nothing when its storage fails for a while: wrap a persistence that cannot be made
 * to fail for real (one in memory) and hand the kit a `failReads` that turns the switch.
 */
export class FailingReads implements StorePersistence {
  /** While true, every read rejects with EMFILE. */
  failing = false;

  /** Present where the inner persistence has it, failing like every read. */
  readonly readContents?: StorePersistence['readContents'];

  constructor(readonly inner: StorePersistence) {
    const readContents = inner.readContents?.bind(inner);
    if (readContents) {
      this.readContents = (tree, mailbox, requests) =>
        this.read('open', () => readContents(tree, mailbox, requests));
    }
  }

  listTrees(): Promise<TreeKey[]> {
    return this.read('scandir', () => this.inner.listTrees());
  }

  readTree(tree: TreeKey): Promise<TreeRecord | null> {
    return this.read('open', () => this.inner.readTree(tree));
  }

  writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    return this.inner.writeTree(tree, record);
  }

  deleteTree(tree: TreeKey): Promise<void> {
    return this.inner.deleteTree(tree);
  }

  createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    return this.inner.createMailbox(tree, mailbox);
  }

  deleteMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    return this.inner.deleteMailbox(tree, mailbox);
  }

  moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    return this.inner.moveMailboxes(tree, moves, into);
  }

  readIndex(tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    return this.read('open', () => this.inner.readIndex(tree, mailbox));
  }

  addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    return this.inner.addMessages(tree, mailbox, messages);
  }

  updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    return this.inner.updateFlags(tree, mailbox, changes, highestModSeq);
  }

  removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    return this.inner.removeMessages(tree, mailbox, uids, modSeq);
  }

  async *readContent(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    if (this.failing) throw outOfDescriptors('open');
    yield* this.inner.readContent(tree, mailbox, uid, range);
  }

  readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    return this.read('open', () => this.inner.readSummaries(tree, mailbox, uids));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async read<T>(syscall: string, operation: () => Promise<T>): Promise<T> {
    if (this.failing) throw outOfDescriptors(syscall);
    return operation();
  }
}

/** The error Node's fs gives when the process has no file descriptor left. */
function outOfDescriptors(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EMFILE: too many open files, ${syscall}`), {
    code: 'EMFILE',
    errno: -24,
    syscall,
  });
}
