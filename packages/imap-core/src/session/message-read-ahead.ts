import type { MessageRecord, OpenMailbox } from '@mailyard/mailstore-interface';
import { readRange } from './message-sections.js';

/** Messages up to this size are read whole ahead of being sent or searched; larger ones stream. */
export const READ_AHEAD_MESSAGE_LIMIT = 1024 * 1024;
/** What one window of read-ahead may hold. */
export const READ_AHEAD_WINDOW = 4 * 1024 * 1024;
/** Reads in flight at once: enough to keep the disk's (and libuv's) queue busy. */
const CONCURRENCY = 12;

/**
 * Cuts records into windows of at most {@link READ_AHEAD_WINDOW} octets (one message at least),
 * so that a session holds a bounded amount of message data however many messages it serves.
 */
export function* readAheadWindows(records: readonly MessageRecord[]): Generator<MessageRecord[]> {
  let window: MessageRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.size <= READ_AHEAD_MESSAGE_LIMIT ? record.size : 0;
    if (window.length > 0 && bytes + size > READ_AHEAD_WINDOW) {
      yield window;
      window = [];
      bytes = 0;
    }
    window.push(record);
    bytes += size;
  }
  if (window.length > 0) yield window;
}

/**
 * Reads the small messages of a window whole, several at once (a message store's reads are
 * mostly waiting: one at a time, FETCH BODY[] of a mailbox spends its time queuing). What is
 * to be read of a message over {@link READ_AHEAD_MESSAGE_LIMIT} is left out, to be streamed.
 */
export async function readAhead(
  mailbox: OpenMailbox,
  window: readonly MessageRecord[],
  /** What to read of each message; the whole of it by default. */
  rangeOf: (record: MessageRecord) => { start: number; end: number } = (record) => ({
    start: 0,
    end: record.size,
  }),
): Promise<Map<number, Uint8Array>> {
  const contents = new Map<number, Uint8Array>();
  const small = window.filter((record) => {
    const range = rangeOf(record);
    return range.end - range.start <= READ_AHEAD_MESSAGE_LIMIT;
  });
  if (mailbox.readMany) {
    // The whole window in one trip, where the store can do that.
    try {
      const read = await mailbox.readMany(
        small.map((record) => ({ uid: record.uid, ...rangeOf(record) })),
      );
      read.forEach((bytes, i) => {
        if (bytes) contents.set(small[i]!.uid, bytes);
      });
    } catch {
      // Left out: whoever needs a message reads it again, and finds out what failed.
    }
    return contents;
  }
  let next = 0;
  const worker = async () => {
    while (next < small.length) {
      const record = small[next++]!;
      try {
        contents.set(record.uid, await readRange(mailbox, record.uid, rangeOf(record)));
      } catch {
        // Gone meanwhile (expunged): whoever needs it reads it again and finds out.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, small.length) }, worker));
  return contents;
}

/**
 * Windows with their contents, the next window's reads started before the current one is
 * handed out: reading overlaps with serving, and at most two windows are held at a time.
 */
export async function* readAheadPipeline<T>(
  windows: AsyncIterable<readonly MessageRecord[]>,
  read: (window: readonly MessageRecord[]) => Promise<T>,
): AsyncGenerator<{ window: readonly MessageRecord[]; contents: T }> {
  let pending: { window: readonly MessageRecord[]; contents: Promise<T> } | null = null;
  for await (const window of windows) {
    const next = { window, contents: read(window) };
    if (pending) yield { window: pending.window, contents: await pending.contents };
    pending = next;
  }
  if (pending) yield { window: pending.window, contents: await pending.contents };
}
