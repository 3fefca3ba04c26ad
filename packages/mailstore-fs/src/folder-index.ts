import type { IndexEntry, IndexSnapshot, MessageState } from '@mailyard/mailstore-interface';

/**
 * The folder index, `index.fld`: a text file, one record per line, appended to as the folder
 * changes and rewritten whole ("compacted") now and then. See docs/mailstore-fs.md for the format.
 *
 * ```
 * MAILYARD-INDEX 1 <uidvalidity>                                         header
 * + <uid> <modseq> <internaldate> <savedate> <size> <emailid> [<flag>...]   a message
 * ~ <uid> <modseq> [<flag>...]                                           its flags changed
 * - <uid> <modseq>                                                       it was expunged
 * ```
 *
 * Every line ends with ` #` and a checksum of the rest of the line, so a torn or damaged line is
 * recognised: a torn last line (a crash during an append) is dropped, as its operation never
 * completed; damage anywhere else makes the whole index suspect, and the folder is reindexed.
 */
export const INDEX_MAGIC = 'MAILYARD-INDEX';
export const INDEX_VERSION = 1;

export type IndexRecord =
  | { readonly kind: 'message'; readonly entry: IndexEntry }
  | { readonly kind: 'flags'; readonly state: MessageState }
  | { readonly kind: 'expunge'; readonly uid: number; readonly modSeq: number };

export function headerLine(uidValidity: number): string {
  return sealed(`${INDEX_MAGIC} ${INDEX_VERSION} ${uidValidity}`);
}

export function recordLine(record: IndexRecord): string {
  switch (record.kind) {
    case 'message': {
      const { uid, modSeq, internalDate, saveDate, size, emailId, flags } = record.entry;
      return sealed(['+', uid, modSeq, internalDate, saveDate, size, emailId, ...flags].join(' '));
    }
    case 'flags':
      return sealed(['~', record.state.uid, record.state.modSeq, ...record.state.flags].join(' '));
    case 'expunge':
      return sealed(`- ${record.uid} ${record.modSeq}`);
  }
}

/** The whole index as a compacted file: header, current messages, expunge log. */
export function snapshotText(snapshot: IndexSnapshot): string {
  return [
    headerLine(snapshot.uidValidity),
    ...snapshot.entries.map((entry) => recordLine({ kind: 'message', entry })),
    ...snapshot.expunged.map(({ uid, modSeq }) => recordLine({ kind: 'expunge', uid, modSeq })),
  ].join('');
}

/** What reading an index file found. */
export type IndexReading =
  | { readonly ok: true; readonly snapshot: IndexSnapshot; readonly lines: number }
  | { readonly ok: false; readonly reason: string; readonly partial: IndexSnapshot | null };

/**
 * Replays an index file into a snapshot. A torn final line is ignored. Any other damage answers
 * `ok: false`, with whatever could be read before it (its flags are worth keeping in a reindex).
 */
export function readIndexText(text: string): IndexReading {
  // Text after the last newline is a write that never finished: its operation never completed.
  const end = text.lastIndexOf('\n') + 1;
  const lines = new LineReader(text, end);
  const header = lines.next();
  const match =
    header === null || header === undefined
      ? null
      : new RegExp(`^${INDEX_MAGIC} (\\d+) (\\d+)$`).exec(header);
  if (!match || Number(match[1]) !== INDEX_VERSION) {
    return { ok: false, reason: 'missing or unknown header', partial: null };
  }
  const replay = new IndexReplay(Number(match[2]));
  let count = 0;
  for (;;) {
    const body = lines.next();
    if (body === undefined) break;
    count++;
    const record = body === null ? null : parseRecord(body.split(' '));
    if (!record)
      return { ok: false, reason: `damaged line ${count + 1}`, partial: replay.snapshot() };
    replay.apply(record);
  }
  return { ok: true, snapshot: replay.snapshot(), lines: count };
}

/** Folds index records into the state they describe, from an empty folder or a snapshot. */
export class IndexReplay {
  private readonly entries: Map<number, IndexEntry>;
  private readonly expunged: { uid: number; modSeq: number }[];
  private uidNext: number;
  private highestModSeq: number;

  constructor(
    private readonly uidValidity: number,
    base?: IndexSnapshot,
  ) {
    this.entries = new Map((base?.entries ?? []).map((entry) => [entry.uid, entry]));
    this.expunged = [...(base?.expunged ?? [])];
    this.uidNext = base?.uidNext ?? 1;
    this.highestModSeq = base?.highestModSeq ?? 1;
  }

  apply(record: IndexRecord): void {
    if (record.kind === 'message') {
      this.entries.set(record.entry.uid, record.entry);
      this.uidNext = Math.max(this.uidNext, record.entry.uid + 1);
      this.highestModSeq = Math.max(this.highestModSeq, record.entry.modSeq);
    } else if (record.kind === 'flags') {
      const entry = this.entries.get(record.state.uid);
      if (entry)
        this.entries.set(entry.uid, {
          ...entry,
          flags: record.state.flags,
          modSeq: record.state.modSeq,
        });
      this.highestModSeq = Math.max(this.highestModSeq, record.state.modSeq);
    } else {
      this.entries.delete(record.uid);
      this.expunged.push({ uid: record.uid, modSeq: record.modSeq });
      this.uidNext = Math.max(this.uidNext, record.uid + 1);
      this.highestModSeq = Math.max(this.highestModSeq, record.modSeq);
    }
  }

  snapshot(): IndexSnapshot {
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      highestModSeq: this.highestModSeq,
      entries: [...this.entries.values()].sort((a, b) => a.uid - b.uid),
      expunged: this.expunged,
    };
  }
}

/**
 * Walks the lines of an index, checking each line's checksum as it goes: `next()` gives a line's
 * content, null for a line whose checksum fails, undefined at the end.
 */
class LineReader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  next(): string | null | undefined {
    if (this.pos >= this.end) return undefined;
    const newline = this.text.indexOf('\n', this.pos);
    const start = this.pos;
    this.pos = newline + 1;
    const mark = this.text.lastIndexOf(' #', newline);
    if (mark < start) return null;
    const expected = this.text.slice(mark + 2, newline);
    return checksumOf(this.text, start, mark) === expected ? this.text.slice(start, mark) : null;
  }
}

function parseRecord(fields: string[]): IndexRecord | null {
  const kind = fields[0];
  if (kind === '+') {
    const uid = count(fields[1]);
    const modSeq = count(fields[2]);
    const internalDate = count(fields[3]);
    const saveDate = count(fields[4]);
    const size = count(fields[5]);
    const emailId = fields[6];
    if (uid < 0 || modSeq < 0 || internalDate < 0 || saveDate < 0 || size < 0 || !emailId)
      return null;
    return {
      kind: 'message',
      entry: { uid, modSeq, internalDate, saveDate, size, emailId, flags: fields.slice(7) },
    };
  }
  if (kind === '~') {
    const uid = count(fields[1]);
    const modSeq = count(fields[2]);
    if (uid < 0 || modSeq < 0) return null;
    return { kind: 'flags', state: { uid, modSeq, flags: fields.slice(3) } };
  }
  if (kind === '-' && fields.length === 3) {
    const uid = count(fields[1]);
    const modSeq = count(fields[2]);
    if (uid < 0 || modSeq < 0) return null;
    return { kind: 'expunge', uid, modSeq };
  }
  return null;
}

/** A decimal field as a number, or -1 when it is not one. */
function count(field: string | undefined): number {
  if (field === undefined || field === '' || field.length > 16) return -1;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return Number(field);
}

/** A line with its checksum and newline. */
function sealed(body: string): string {
  return `${body} #${checksumOf(body, 0, body.length)}\n`;
}

/**
 * FNV-1a over the UTF-16 code units of `text[start, end)`, as 8 hex digits: cheap, and catches
 * torn or flipped characters.
 */
function checksumOf(text: string, start: number, end: number): string {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
