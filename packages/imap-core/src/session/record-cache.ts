import type { MessageRecord, MessageState, OpenMailbox } from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';

/** What never changes about a stored message: its record but for flags and mod-sequence. */
interface StaticRecord {
  readonly uid: number;
  readonly internalDate: number;
  readonly internalDateZone?: number;
  readonly saveDate: number;
  readonly size: number;
  readonly emailId: string;
  readonly summary: MessageSummary;
}

/** How many messages a server's cache holds by default (a few KB each). */
export const DEFAULT_RECORD_CACHE_SIZE = 10_000;

/**
 * The unchanging part of message records (dates, size, summary), kept for the sessions of a
 * server, the oldest forgotten first (first in, first out: reordering on every hit would cost
 * more than the rare re-read of a record that is still in use). A store reads and parses a
 * summary for each FETCH of ENVELOPE or BODYSTRUCTURE and each SEARCH of a header; clients fetch
 * the same messages over and over (every session on open, every sync), and a message's summary
 * never changes once stored. Keyed by mailbox id, UIDVALIDITY and UID: a UID is never given to
 * another message of the same mailbox.
 */
export class MessageRecordCache {
  private readonly mailboxes = new Map<string, Map<number, StaticRecord>>();
  /** Insertion order, for eviction: the mailbox map and the UID of each entry. */
  private queueMaps: Map<number, StaticRecord>[] = [];
  private queueUids: number[] = [];
  private head = 0;
  private count = 0;

  constructor(readonly capacity = DEFAULT_RECORD_CACHE_SIZE) {}

  get size(): number {
    return this.count;
  }

  /**
   * Records of the given UIDs (UID order, missing ones skipped, as `OpenMailbox.fetch`), with the
   * flags and mod-sequences of `states`. Without `states`, everything comes from the store.
   */
  async fetch(
    mailbox: OpenMailbox,
    uids: readonly number[],
    states?: ReadonlyMap<number, MessageState>,
  ): Promise<MessageRecord[]> {
    if (this.capacity <= 0 || !states) return mailbox.fetch(uids);
    const key = `${mailbox.id}/${mailbox.uidValidity}`;
    let cached = this.mailboxes.get(key);
    if (!cached) this.mailboxes.set(key, (cached = new Map()));
    const records: MessageRecord[] = [];
    const missing: number[] = [];
    for (const uid of uids) {
      const record = cached.get(uid);
      const state = states.get(uid);
      if (record && state) records.push(withState(record, state));
      else missing.push(uid);
    }
    if (missing.length === 0) return records;
    for (const record of await mailbox.fetch(missing)) {
      records.push(record);
      this.remember(cached, record);
    }
    return records.sort((a, b) => a.uid - b.uid);
  }

  private remember(cached: Map<number, StaticRecord>, record: MessageRecord): void {
    if (cached.has(record.uid)) return;
    cached.set(record.uid, {
      uid: record.uid,
      internalDate: record.internalDate,
      ...(record.internalDateZone !== undefined
        ? { internalDateZone: record.internalDateZone }
        : {}),
      saveDate: record.saveDate,
      size: record.size,
      emailId: record.emailId,
      summary: record.summary,
    });
    this.queueMaps.push(cached);
    this.queueUids.push(record.uid);
    this.count++;
    while (this.count > this.capacity) {
      this.queueMaps[this.head]!.delete(this.queueUids[this.head]!);
      this.head++;
      this.count--;
    }
    if (this.head > 1024 && this.head * 2 > this.queueUids.length) {
      this.queueMaps = this.queueMaps.slice(this.head);
      this.queueUids = this.queueUids.slice(this.head);
      this.head = 0;
    }
  }
}

function withState(record: StaticRecord, state: MessageState): MessageRecord {
  return {
    uid: record.uid,
    flags: state.flags,
    modSeq: state.modSeq,
    internalDate: record.internalDate,
    ...(record.internalDateZone !== undefined ? { internalDateZone: record.internalDateZone } : {}),
    saveDate: record.saveDate,
    size: record.size,
    emailId: record.emailId,
    summary: record.summary,
  };
}
