import { closeSync, fstatSync, openSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import {
  nullIfMissing,
  nullIfMissingSync,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';
import { readAt, writeAllSync } from './durable-io.js';

/** Nearby summaries are read in one read of at most this many octets (a page-cache copy). */
const LARGEST_READ = 128 * 1024;
/** Summaries closer than this are read together, the octets between them thrown away. */
const LARGEST_GAP = 4 * 1024;
const NEWLINE = 0x0a;
const TAB = 0x09;

interface Location {
  readonly start: number;
  /** The line's length without its newline. */
  readonly length: number;
}

/**
 * The summaries of a folder's messages, `summaries.fld`: one line per message, the UID in hex, a
 * tab, the summary as JSON. Appended to once a message is stored, rewritten when the index is
 * compacted. Summaries are derived data: a lost or damaged line is computed again from the
 * message file, so this file needs no checksums and no flush of its own.
 *
 * Only the byte offset of each line is kept in memory, found by one scan of the file when a
 * summary is first asked for; a summary is then one positioned read of its line, and the
 * summaries of a FETCH range, which lie side by side, a few reads of adjacent lines. Appends do
 * not need the offsets, so delivering into a big folder never scans its summaries.
 *
 * A line is written only after its message's index record is on disk, so a line never names a
 * UID that a crash could give to another message. Stores of earlier versions wrote the line
 * first; {@link SummaryFile.reset} removes the lines an older crash left at the end for UIDs
 * that were never given out.
 */
export class SummaryFile {
  private offsets: Map<number, Location> | null = null;
  /** Whether the file is known to end with a whole line. */
  private tailChecked = false;

  constructor(private readonly path: string) {}

  /**
   * Starts over from the file as it is on disk, for a folder whose next UID is `uidNext`. Lines at
   * the end for UIDs from `uidNext` on belong to appends that never completed (an earlier
   * version wrote summaries before the index), and a torn last line to a write that never
   * finished: both are cut off, for good, before the UIDs can be given to other messages.
   */
  async reset(uidNext: number): Promise<void> {
    this.offsets = null;
    this.tailChecked = false;
    const handle = await nullIfMissing(open(this.path, 'r+'));
    if (!handle) {
      this.tailChecked = true;
      return;
    }
    try {
      const { size } = await handle.stat();
      const window = Math.min(size, TAIL_WINDOW);
      const tail = Buffer.alloc(window);
      await handle.read(tail, 0, window, size - window);
      const cut = staleTail(tail, size - window, uidNext);
      if (cut === null) return;
      if (cut < size) {
        await handle.truncate(cut);
        await handle.datasync();
      }
      this.tailChecked = true;
    } finally {
      await handle.close();
    }
  }

  /** Appends summaries (not flushed: see the class comment). */
  append(summaries: readonly { uid: number; summary: MessageSummary }[]): void {
    if (summaries.length === 0) return;
    const fd = openSync(this.path, 'a+', 0o600);
    try {
      let size = fstatSync(fd).size;
      // A torn last line (a crash) is ended first, so that the new lines start a line each.
      if (!this.tailChecked && size > 0 && readAt(fd, size - 1, 1)[0] !== NEWLINE) {
        writeAllSync(fd, Buffer.from('\n'));
        size += 1;
      }
      this.tailChecked = true;
      const lines = summaries.map(({ uid, summary }) =>
        Buffer.from(`${uid.toString(16)}\t${JSON.stringify(summary)}\n`),
      );
      const data = Buffer.concat(lines);
      writeAllSync(fd, data);
      if (this.offsets) {
        let start = size;
        for (const [i, { uid }] of summaries.entries()) {
          const length = lines[i]!.length;
          this.offsets.set(uid, { start, length: length - 1 });
          start += length;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The summaries of the given UIDs, in order; null where none is stored or it is unreadable. */
  async read(uids: readonly number[]): Promise<(MessageSummary | null)[]> {
    const lines = await this.readLines(uids);
    return lines.map((line) => {
      if (!line) return null;
      const tab = line.indexOf(TAB);
      try {
        return JSON.parse(line.toString('utf8', tab + 1)) as MessageSummary;
      } catch {
        return null;
      }
    });
  }

  /** Rewrites the file with just these summaries, in the order given, copied as they are. */
  async rewrite(keep: readonly number[]): Promise<void> {
    const lines = await this.readLines(keep);
    const kept: Buffer[] = [];
    for (const line of lines) if (line) kept.push(line, NEWLINE_BYTES);
    await writeFileAtomically(this.path, Buffer.concat(kept));
    this.offsets = null;
    this.tailChecked = true;
  }

  /**
   * The stored lines of the given UIDs, without their newlines, null where there is none. Lines
   * are read in order of their place in the file, neighbours together.
   */
  private async readLines(uids: readonly number[]): Promise<(Buffer | null)[]> {
    const offsets = await this.index();
    const result: (Buffer | null)[] = uids.map(() => null);
    const wanted: { at: number; location: Location }[] = [];
    for (const [at, uid] of uids.entries()) {
      const location = offsets.get(uid);
      if (location) wanted.push({ at, location });
    }
    if (wanted.length === 0) return result;
    wanted.sort((a, b) => a.location.start - b.location.start);
    // Unreadable now is not "no summaries": rewrite() would keep none of them.
    const fd = nullIfMissingSync(() => openSync(this.path, 'r'));
    if (fd === null) return result;
    try {
      for (let first = 0; first < wanted.length;) {
        const runStart = wanted[first]!.location.start;
        let last = first;
        let runEnd = runStart + wanted[first]!.location.length;
        while (last + 1 < wanted.length) {
          const { start, length } = wanted[last + 1]!.location;
          if (start - runEnd > LARGEST_GAP || start + length - runStart > LARGEST_READ) break;
          last++;
          runEnd = Math.max(runEnd, start + length);
        }
        const bytes = readAt(fd, runStart, runEnd - runStart);
        for (let i = first; i <= last; i++) {
          const { at, location } = wanted[i]!;
          const from = location.start - runStart;
          if (from + location.length <= bytes.length)
            result[at] = bytes.subarray(from, from + location.length);
        }
        first = last + 1;
      }
    } finally {
      closeSync(fd);
    }
    return result;
  }

  private async index(): Promise<Map<number, Location>> {
    if (this.offsets) return this.offsets;
    const offsets = new Map<number, Location>();
    const data = (await nullIfMissing(readFile(this.path))) ?? Buffer.alloc(0);
    let start = 0;
    while (start < data.length) {
      const end = data.indexOf(NEWLINE, start);
      // A torn last line is no summary; the next append ends it first.
      if (end < 0) break;
      const uid = hexBefore(data, start, end, TAB);
      if (uid >= 0) offsets.set(uid, { start, length: end - start });
      start = end + 1;
    }
    this.offsets = offsets;
    return offsets;
  }
}

const NEWLINE_BYTES = Buffer.from('\n');
/** How much of the file's end {@link SummaryFile.reset} looks at. */
const TAIL_WINDOW = 64 * 1024;

/**
 * Where the file should end, given its last octets (`tail`, starting at offset `from`): before
 * a torn last line and before the last lines that name UIDs from `uidNext` on. Null when the
 * window holds no line start to decide from.
 */
function staleTail(tail: Buffer, from: number, uidNext: number): number | null {
  let end = tail.lastIndexOf(NEWLINE) + 1;
  if (end === 0) return from === 0 ? 0 : null;
  let cut = from + end;
  // Whole lines, last first: [start, end - 1) is a line's content.
  while (end > 0) {
    const start = end < 2 ? 0 : tail.lastIndexOf(NEWLINE, end - 2) + 1;
    if (start === 0 && from > 0) break;
    const uid = hexBefore(tail, start, end - 1, TAB);
    if (uid < uidNext) break;
    cut = from + start;
    end = start;
  }
  return cut;
}

/** The hex number from `start` up to `stop` (which must come before `end`), or -1. */
function hexBefore(data: Buffer, start: number, end: number, stop: number): number {
  let value = 0;
  let i = start;
  for (; i < end && i - start <= 13; i++) {
    const c = data[i]!;
    if (c === stop) break;
    const digit =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return i > start && i < end && data[i] === stop ? value : -1;
}
