import type { IndexChanges, IndexEntry, MailboxIndex } from '@mailyard/mailstore-interface';

/**
 * PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; a notice whose change would not
 * fit goes without it (the listener then reads what changed).
 */
export const NOTICE_PAYLOAD_MAX = 7_999;

/**
 * A write's change, carried in its notice so that a listener whose copy of the index is exactly
 * at the write's base applies it without a read: `b` the mailbox's mod-sequence before the
 * write (the notice's `s` is the one after); `e` messages appended (full index entries) and `u`
 * the UIDNEXT after them; `f` flag changes as [uid, mod-sequence, flags]; `x` UIDs expunged (at
 * `s`). A listener anywhere else (behind: it missed a notice; a change it cannot place) reads
 * what changed instead: correctness never depends on the payload.
 */
export interface NoticeChange {
  readonly b: number;
  readonly u?: number;
  readonly e?: readonly IndexEntry[];
  readonly f?: readonly (readonly [number, number, readonly string[]])[];
  readonly x?: readonly number[];
}

/** A notice's text, with its change when the whole fits in a NOTIFY payload. */
export function noticeText(notice: object, change?: NoticeChange): string {
  if (change) {
    const text = JSON.stringify({ ...notice, c: change });
    if (Buffer.byteLength(text) <= NOTICE_PAYLOAD_MAX) return text;
  }
  return JSON.stringify(notice);
}

/**
 * The change a notice carries, as the index changes it makes, when `index` is exactly at its
 * base; null when it is not (or the change names a message the index does not have, or an
 * append below its UIDNEXT): the caller reads instead.
 */
export function changesFromNotice(
  index: MailboxIndex,
  change: NoticeChange,
  modSeq: number,
): IndexChanges | null {
  if (index.highestModSeq !== change.b || modSeq <= change.b) return null;
  const changed: IndexEntry[] = [];
  for (const entry of change.e ?? []) {
    if (entry.uid < index.uidNext) return null;
    changed.push(entry);
  }
  for (const [uid, entryModSeq, flags] of change.f ?? []) {
    const held = index.get(uid);
    if (!held) return null;
    changed.push({ ...held, flags: [...flags], modSeq: entryModSeq });
  }
  return {
    uidNext: Math.max(index.uidNext, change.u ?? 0),
    highestModSeq: modSeq,
    changed,
    expunged: (change.x ?? []).map((uid) => ({ uid, modSeq })),
  };
}
