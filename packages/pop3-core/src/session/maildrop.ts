import { type OpenMailbox, isMailStoreError } from '@mailyard/mailstore-interface';
import { formatUidl } from '../protocol/uidl.js';
import { WireSizeCounter } from '../protocol/wire-size.js';
import { WireSizeCache } from './wire-size-cache.js';

/**
 * What LIST, STAT and RETR's `+OK n octets` report as a message's size.
 *
 * - `wire` (the default): the size as RETR sends it, every line ending counted as CRLF, as
 *   RFC 1939 asks ("the exact size of the message"; section 11: a server that stores a line
 *   ending as one character counts it as two). Mailyard's stores keep messages as they were
 *   given (an IMAP APPEND of a Unix file, a direct `deliver`, may hold bare LFs), so each message
 *   is read once to count them; the engine's `WireSizeCache` remembers the counts for later
 *   logins. Dovecot does the same and keeps the count in its index ("virtual size").
 * - `stored`: the size in the store's index, read without opening a message. Exact only for
 *   messages stored with CRLF line endings (what SMTP delivers); a message with bare LFs is
 *   reported smaller than RETR sends it, by one octet per bare LF. For stores known to hold
 *   CRLF only, where reading each message once is a cost worth saving.
 */
export type SizeMode = 'wire' | 'stored';

interface Entry {
  readonly uid: number;
  readonly size: number;
  deleted: boolean;
  retrieved: boolean;
}

/** Records fetched at a time while building the snapshot, so memory stays flat. */
const FETCH_BATCH = 500;

/**
 * The maildrop of one POP3 session: the INBOX as it was at login (RFC 1939: messages arriving
 * later are not shown in this session), numbered from 1, with the session's deletion marks.
 * Nothing touches the store until `commit()`, which the UPDATE state calls after QUIT.
 */
export class Maildrop {
  private constructor(
    readonly mailbox: OpenMailbox,
    private readonly entries: Entry[],
  ) {}

  /**
   * The snapshot of the mailbox now. With `wire` sizes, messages the cache does not know are
   * read and counted; one that another client removes meanwhile is left out.
   */
  static async open(
    mailbox: OpenMailbox,
    sizes: SizeMode,
    cache: WireSizeCache | null = null,
  ): Promise<Maildrop> {
    const uids = (await mailbox.messages()).map((m) => m.uid);
    const entries: Entry[] = [];
    for (let i = 0; i < uids.length; i += FETCH_BATCH) {
      const records = await mailbox.fetch(uids.slice(i, i + FETCH_BATCH));
      for (const record of records) {
        const size = sizes === 'wire' ? await wireSize(mailbox, record.uid, cache) : record.size;
        if (size === null) continue;
        entries.push({ uid: record.uid, size, deleted: false, retrieved: false });
      }
    }
    return new Maildrop(mailbox, entries);
  }

  /** Messages not marked deleted. */
  get count(): number {
    let n = 0;
    for (const entry of this.entries) if (!entry.deleted) n++;
    return n;
  }

  /** Octets of the messages not marked deleted. */
  get octets(): number {
    let total = 0;
    for (const entry of this.entries) if (!entry.deleted) total += entry.size;
    return total;
  }

  /** Messages in the snapshot, deleted or not: the highest message number. */
  get length(): number {
    return this.entries.length;
  }

  /** The message with this number, unless it does not exist or is marked deleted. */
  message(number: number): Readonly<Entry> | null {
    const entry = this.entries[number - 1];
    return entry && !entry.deleted ? entry : null;
  }

  /** Whether the number is one of the snapshot's, deleted or not. */
  exists(number: number): boolean {
    return number >= 1 && number <= this.entries.length;
  }

  /** `[number, entry]` of every message not marked deleted, in order. */
  *live(): Iterable<readonly [number, Readonly<Entry>]> {
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (!entry.deleted) yield [i + 1, entry];
    }
  }

  /** UIDs of up to `count` messages after `number` not marked deleted, in order. */
  following(number: number, count: number): number[] {
    const uids: number[] = [];
    for (let i = number; i < this.entries.length && uids.length < count; i++) {
      const entry = this.entries[i]!;
      if (!entry.deleted) uids.push(entry.uid);
    }
    return uids;
  }

  uidl(entry: Readonly<Entry>): string {
    return formatUidl(this.mailbox.uidValidity, entry.uid);
  }

  markDeleted(number: number): boolean {
    const entry = this.entries[number - 1];
    if (!entry || entry.deleted) return false;
    entry.deleted = true;
    return true;
  }

  markRetrieved(number: number): void {
    const entry = this.entries[number - 1];
    if (entry) entry.retrieved = true;
  }

  /** RSET: every deletion mark removed. */
  reset(): void {
    for (const entry of this.entries) entry.deleted = false;
  }

  /**
   * Messages in the INBOX now, by the store: the snapshot is the INBOX at login, and another
   * client (IMAP) may have expunged messages or new mail arrived since.
   */
  async remaining(): Promise<number> {
    return (await this.mailbox.status()).messages;
  }

  /**
   * The UPDATE state: marks `\Seen` on retrieved messages that stay (when asked), then removes
   * exactly the messages marked deleted: `\Deleted` on them, and an expunge of those UIDs only,
   * so that `\Deleted` flags another client (IMAP) set are left alone. If the expunge fails, the
   * `\Deleted` flags this call added are taken back, so the maildrop stays as it was.
   * Returns the UIDs removed; throws when nothing could be removed.
   */
  async commit(markSeen: boolean): Promise<number[]> {
    const seen = this.entries.filter((e) => e.retrieved && !e.deleted).map((e) => e.uid);
    if (markSeen && seen.length > 0) {
      await this.mailbox.updateFlags(seen, { operation: 'add', flags: ['\\Seen'] });
    }
    const doomed = this.entries.filter((e) => e.deleted).map((e) => e.uid);
    if (doomed.length === 0) return [];
    const flagged = await this.mailbox.updateFlags(doomed, {
      operation: 'add',
      flags: ['\\Deleted'],
    });
    try {
      return await this.mailbox.expunge(doomed);
    } catch (error) {
      const added = flagged.updated.map((m) => m.uid);
      if (added.length > 0) {
        await this.mailbox
          .updateFlags(added, { operation: 'remove', flags: ['\\Deleted'] })
          .catch(() => undefined);
      }
      throw error;
    }
  }
}

/** The message's size with CRLF line endings, or null when it is no longer there. */
async function wireSize(
  mailbox: OpenMailbox,
  uid: number,
  cache: WireSizeCache | null,
): Promise<number | null> {
  const key = WireSizeCache.key(mailbox.id, mailbox.uidValidity, uid);
  const known = cache?.get(key);
  if (known !== undefined) return known;
  const counter = new WireSizeCounter();
  try {
    for await (const chunk of mailbox.read(uid)) counter.push(chunk);
  } catch (error) {
    if (isMailStoreError(error, 'expunged') || isMailStoreError(error, 'not-found')) return null;
    throw error;
  }
  cache?.set(key, counter.size);
  return counter.size;
}
