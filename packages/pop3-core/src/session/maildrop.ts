import type { OpenMailbox } from '@mailyard/mailstore-interface';
import { formatUidl } from '../protocol/uidl.js';
import { WireSizeCounter } from '../protocol/wire-size.js';

/**
 * What LIST and STAT report as a message's size.
 *
 * - `stored` (the default): the size the store keeps, read from its index at login. Exact, as
 *   RFC 1939 asks, for messages stored with CRLF line endings, which is what SMTP delivers (DATA
 *   is CRLF on the wire) and what every Mailyard store keeps when given CRLF. The stores keep
 *   bytes as they are given (no normalisation at append), so a message appended with bare LFs
 *   (IMAP APPEND of a Unix file, a direct `deliver`) is reported smaller than RETR sends it, by
 *   one octet per bare LF.
 * - `wire`: the exact size as RETR sends it, counted by reading every message at login. Right
 *   for every message, at the price of reading the whole maildrop on each login.
 */
export type SizeMode = 'stored' | 'wire';

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

  static async open(mailbox: OpenMailbox, sizes: SizeMode): Promise<Maildrop> {
    const uids = (await mailbox.messages()).map((m) => m.uid);
    const entries: Entry[] = [];
    for (let i = 0; i < uids.length; i += FETCH_BATCH) {
      const records = await mailbox.fetch(uids.slice(i, i + FETCH_BATCH));
      for (const record of records) {
        const size = sizes === 'wire' ? await wireSize(mailbox, record.uid) : record.size;
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

async function wireSize(mailbox: OpenMailbox, uid: number): Promise<number> {
  const counter = new WireSizeCounter();
  for await (const chunk of mailbox.read(uid)) counter.push(chunk);
  return counter.size;
}
