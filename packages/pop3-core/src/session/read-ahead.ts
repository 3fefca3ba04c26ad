import type { OpenMailbox } from '@mailyard/mailstore-interface';

/** Messages read ahead after a RETR, by default (`Pop3EngineOptions.readAhead`). */
export const READ_AHEAD = 4;

/** A message being read: its first chunk (or the failure to get it), and the rest to come. */
export interface MessageRead {
  readonly first: Promise<IteratorResult<Uint8Array>>;
  readonly rest: AsyncIterator<Uint8Array>;
}

/**
 * Sequential read-ahead for RETR. POP3 clients retrieve messages in order (fetchmail, mpop,
 * Outlook, our own downloader), and a store read is mostly waiting (a file open and read, a
 * database round trip): so after RETR n, the first chunks of the next few messages are asked
 * for while message n goes out and the client's next command comes in. A guess that turns out
 * wrong costs a few reads, which are dropped; memory stays at `depth` first chunks.
 */
export class ReadAhead {
  private readonly reads = new Map<number, MessageRead>();

  constructor(
    private readonly mailbox: OpenMailbox,
    readonly depth: number,
  ) {}

  /** The read of message `uid`, started earlier or now. The caller owns it from here. */
  take(uid: number): MessageRead {
    const read = this.reads.get(uid);
    if (read) {
      this.reads.delete(uid);
      return read;
    }
    // Not what was guessed: the client does not go in order, so stop guessing for now.
    this.cancelAll();
    return this.start(uid);
  }

  /** Starts reading the messages expected next (UIDs in order), up to the depth. */
  expect(uids: readonly number[]): void {
    const wanted = new Set(uids.slice(0, this.depth));
    for (const uid of [...this.reads.keys()]) if (!wanted.has(uid)) this.cancel(uid);
    for (const uid of wanted) if (!this.reads.has(uid)) this.reads.set(uid, this.start(uid));
  }

  /** Drops every read in progress (the session ends, or the client went elsewhere). */
  cancelAll(): void {
    for (const uid of [...this.reads.keys()]) this.cancel(uid);
  }

  private start(uid: number): MessageRead {
    const rest = this.mailbox.read(uid)[Symbol.asyncIterator]();
    const first = rest.next();
    // A read nobody takes must not surface as an unhandled rejection.
    first.catch(() => undefined);
    return { first, rest };
  }

  private cancel(uid: number): void {
    const read = this.reads.get(uid);
    if (!read) return;
    this.reads.delete(uid);
    void read.first.then(() => read.rest.return?.()).catch(() => undefined);
  }
}
