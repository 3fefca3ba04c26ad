import type { MessageSummary } from '@mailyard/mime';
import { MailStoreError } from '../errors.js';
import type { MessageState } from '../mail-store.js';
import type { IndexSnapshot } from './mailbox-index.js';
import type {
  MailboxMeta,
  MailboxMove,
  StorePersistence,
  StoredMessage,
  TreeKey,
  TreeRecord,
} from './store-persistence.js';

/**
 * The store engine's boundary with its persistence: whatever a persistence throws that is not a
 * {@link MailStoreError} (an I/O error: EMFILE, EIO, a dropped database connection) comes out as
 * `MailStoreError('unavailable')` with the original as its `cause`. Each protocol then answers
 * its own temporary failure (IMAP `NO [UNAVAILABLE]`, SMTP 451, POP3 `-ERR [SYS/TEMP]`) instead
 * of treating the error as a bug, and no caller has to tell storage failures from its own.
 */
export function guardPersistence(persistence: StorePersistence): StorePersistence {
  return new GuardedPersistence(persistence);
}

class GuardedPersistence implements StorePersistence {
  /** Present where the inner persistence has it, guarded the same way. */
  readonly readContents?: StorePersistence['readContents'];
  readonly appendAllocating?: StorePersistence['appendAllocating'];
  readonly updateFlagsAllocating?: StorePersistence['updateFlagsAllocating'];
  readonly removeAllocating?: StorePersistence['removeAllocating'];

  constructor(private readonly inner: StorePersistence) {
    const readContents = inner.readContents?.bind(inner);
    if (readContents) {
      this.readContents = (tree, mailbox, requests) =>
        guard(`read messages of ${mailbox.path}`, () => readContents(tree, mailbox, requests));
    }
    if (inner.appendAllocating) {
      // Looked up on each call, as the other methods are (a test may wrap the inner one).
      this.appendAllocating = (tree, mailbox, messages, knownModSeq) =>
        guard(`store messages in ${mailbox.path}`, () =>
          this.inner.appendAllocating!(tree, mailbox, messages, knownModSeq),
        );
    }
    if (inner.updateFlagsAllocating) {
      this.updateFlagsAllocating = (tree, mailbox, request, knownModSeq) =>
        guard(`store flags in ${mailbox.path}`, () =>
          this.inner.updateFlagsAllocating!(tree, mailbox, request, knownModSeq),
        );
    }
    if (inner.removeAllocating) {
      this.removeAllocating = (tree, mailbox, uids, knownModSeq) =>
        guard(`remove messages from ${mailbox.path}`, () =>
          this.inner.removeAllocating!(tree, mailbox, uids, knownModSeq),
        );
    }
  }

  listTrees(): Promise<TreeKey[]> {
    return guard('list the mailbox trees', () => this.inner.listTrees());
  }

  readTree(tree: TreeKey): Promise<TreeRecord | null> {
    return guard(`read the mailbox tree of ${tree}`, () => this.inner.readTree(tree));
  }

  writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    return guard(`write the mailbox tree of ${tree}`, () => this.inner.writeTree(tree, record));
  }

  deleteTree(tree: TreeKey): Promise<void> {
    return guard(`delete the mailbox tree of ${tree}`, () => this.inner.deleteTree(tree));
  }

  createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    return guard(`create ${mailbox.path}`, () => this.inner.createMailbox(tree, mailbox));
  }

  deleteMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    return guard(`delete ${mailbox.path}`, () => this.inner.deleteMailbox(tree, mailbox));
  }

  moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    return guard('move mailboxes', () => this.inner.moveMailboxes(tree, moves, into));
  }

  readIndex(tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    return guard(`read the index of ${mailbox.path}`, () => this.inner.readIndex(tree, mailbox));
  }

  addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    return guard(`store messages in ${mailbox.path}`, () =>
      this.inner.addMessages(tree, mailbox, messages),
    );
  }

  updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
    highestModSeq: number,
  ): Promise<void> {
    return guard(`store flags in ${mailbox.path}`, () =>
      this.inner.updateFlags(tree, mailbox, changes, highestModSeq),
    );
  }

  removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    return guard(`remove messages from ${mailbox.path}`, () =>
      this.inner.removeMessages(tree, mailbox, uids, modSeq),
    );
  }

  async *readContent(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    // A stream fails on its first read as often as on its opening: both are guarded.
    const what = `read message ${uid} of ${mailbox.path}`;
    let iterator: AsyncIterator<Uint8Array>;
    try {
      iterator = this.inner.readContent(tree, mailbox, uid, range)[Symbol.asyncIterator]();
    } catch (error) {
      throw unavailable(what, error);
    }
    let finished = false;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (error) {
          finished = true;
          throw unavailable(what, error);
        }
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // A reader that stops early lets the inner stream close its file.
      if (!finished) await iterator.return?.();
    }
  }

  readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    return guard(`read summaries of ${mailbox.path}`, () =>
      this.inner.readSummaries(tree, mailbox, uids),
    );
  }

  close(): Promise<void> {
    return guard('close the store', () => this.inner.close());
  }
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw unavailable(what, error);
  }
}

function unavailable(what: string, error: unknown): MailStoreError {
  if (error instanceof MailStoreError) return error;
  // The error's code (EMFILE, EIO) is what an operator needs and tells a client nothing about the
  // server; its message would name paths on the server's disk. The whole error is the `cause`.
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return new MailStoreError('unavailable', `could not ${what}: ${reason}`, { cause: error });
}
