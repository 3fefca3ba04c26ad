import { appendFile, open, readFile, truncate } from 'node:fs/promises';
import type { MessageSummary } from '@mailyard/mime';
import { writeFileAtomically } from '@mailyard/mailstore-interface';

/**
 * The summaries of a folder's messages, `summaries.fld`: one line per message, the UID in hex, a
 * tab, the summary as JSON. Appended to with each message, rewritten when the index is
 * compacted. Summaries are derived data: a lost or damaged line is computed again from the
 * message file, so this file needs no checksums and no flush of its own.
 *
 * Only the byte offset of each line is kept in memory; summaries are read when asked for.
 */
export class SummaryFile {
  private offsets: Map<number, { start: number; length: number }> | null = null;
  private size = 0;

  constructor(private readonly path: string) {}

  /** Appends summaries (not flushed: see the class comment). */
  async append(summaries: readonly { uid: number; summary: MessageSummary }[]): Promise<void> {
    const offsets = await this.index();
    let text = '';
    for (const { uid, summary } of summaries) {
      const line = `${uid.toString(16)}\t${JSON.stringify(summary)}\n`;
      offsets.set(uid, {
        start: this.size + Buffer.byteLength(text),
        length: Buffer.byteLength(line) - 1,
      });
      text += line;
    }
    await appendFile(this.path, text);
    this.size += Buffer.byteLength(text);
  }

  /** The summaries of the given UIDs, in order; null where none is stored or it is unreadable. */
  async read(uids: readonly number[]): Promise<(MessageSummary | null)[]> {
    const offsets = await this.index();
    const wanted = uids.map((uid) => offsets.get(uid) ?? null);
    if (wanted.every((w) => w === null)) return uids.map(() => null);
    // Many summaries: one sequential read beats a positioned read each.
    const whole = wanted.length > 64 ? await readFile(this.path).catch(() => null) : null;
    const handle = whole ? null : await open(this.path, 'r');
    try {
      const result: (MessageSummary | null)[] = [];
      for (const location of wanted) {
        if (!location) {
          result.push(null);
          continue;
        }
        let bytes: Buffer;
        if (whole) {
          bytes = whole.subarray(location.start, location.start + location.length);
        } else {
          bytes = Buffer.alloc(location.length);
          await handle!.read(bytes, 0, location.length, location.start);
        }
        const line = bytes.toString('utf8');
        const tab = line.indexOf('\t');
        try {
          result.push(JSON.parse(line.slice(tab + 1)) as MessageSummary);
        } catch {
          result.push(null);
        }
      }
      return result;
    } finally {
      await handle?.close();
    }
  }

  /** Rewrites the file with just these summaries, in the order given. */
  async rewrite(keep: readonly number[]): Promise<void> {
    const present = await this.read(keep);
    const lines = keep
      .map((uid, i) => (present[i] ? `${uid.toString(16)}\t${JSON.stringify(present[i])}\n` : ''))
      .join('');
    await writeFileAtomically(this.path, lines);
    this.offsets = null;
  }

  private async index(): Promise<Map<number, { start: number; length: number }>> {
    if (this.offsets) return this.offsets;
    const offsets = new Map<number, { start: number; length: number }>();
    const data = await readFile(this.path).catch(() => Buffer.alloc(0));
    let start = 0;
    while (start < data.length) {
      const end = data.indexOf(0x0a, start);
      if (end < 0) {
        // A torn last line: cut it off so appends line up; its summary is recomputed when needed.
        await truncate(this.path, start);
        break;
      }
      const tab = data.indexOf(0x09, start);
      if (tab > start && tab < end) {
        const uid = parseInt(data.toString('latin1', start, tab), 16);
        if (Number.isSafeInteger(uid)) offsets.set(uid, { start, length: end - start });
      }
      start = end + 1;
    }
    this.size = start;
    this.offsets = offsets;
    return offsets;
  }
}
