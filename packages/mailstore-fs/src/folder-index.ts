import type { IndexEntry, IndexSnapshot, MessageState } from '@mailyard/mailstore-interface';

/**
 * The folder index, `index.fld`: a text file, one record per line, appended to as the folder
 * changes and rewritten whole ("compacted") now and then. See docs/mailstore-fs.md for the format.
 *
 * ```
 * MAILYARD-INDEX 1 <uidvalidity>                                         header
 * + <uid> <modseq> <internaldate> <savedate> <size> <emailid> [<flag>...]   a message
 * * <uid> <modseq> <internaldate> <savedate> <size> <emailid> <digest> <n>/<count> [<flag>...]
 *                                                                        a message of a batch
 *                                                                        flushed with its files
 * ~ <uid> <modseq> [<flag>...]                                           its flags changed
 * - <uid> <modseq>                                                       it was expunged
 * = <uid>                                                                the lines above are durable
 * ```
 *
 * Every line ends with ` #` and a checksum of the rest of the line, so a torn or damaged line is
 * recognised: a torn last line (a crash during an append) is dropped, as its operation never
 * completed; damage anywhere else makes the whole index suspect, and the folder is reindexed.
 *
 * `*` lines are written together with their message files and flushed at the same time, so after
 * a crash the last batch of them may describe files that never reached the disk. Any line after a
 * batch proves it complete (nothing is written before the batch was flushed); a batch at the very
 * end is *unconfirmed*, and the store checks its files against their digests before trusting it.
 */
export const INDEX_MAGIC = 'MAILYARD-INDEX';
export const INDEX_VERSION = 1;

/** What lets recovery check a `*` record: the file's digest, and where it stands in its batch. */
export interface BatchCheck {
  /** {@link contentDigest} of the message file. */
  readonly digest: string;
  /** 1-based position of the record in its batch. */
  readonly position: number;
  /** How many records the batch has. */
  readonly count: number;
}

export type IndexRecord =
  | {
      readonly kind: 'message';
      readonly entry: IndexEntry;
      /** Present on records written as `*` lines, whose files were flushed with them. */
      readonly check?: BatchCheck;
    }
  | { readonly kind: 'flags'; readonly state: MessageState }
  | { readonly kind: 'expunge'; readonly uid: number; readonly modSeq: number };

/** A message record of a batch, as read back. */
export type BatchRecord = Extract<IndexRecord, { kind: 'message' }> & {
  readonly check: BatchCheck;
};

export function headerLine(uidValidity: number): string {
  return sealed(`${INDEX_MAGIC} ${INDEX_VERSION} ${uidValidity}`);
}

export function recordLine(record: IndexRecord): string {
  switch (record.kind) {
    case 'message': {
      const { uid, modSeq, saveDate, size, emailId, flags } = record.entry;
      const internalDate = internalDateField(record.entry);
      const fields: (string | number)[] = record.check
        ? ['*', uid, modSeq, internalDate, saveDate, size, emailId, record.check.digest]
        : ['+', uid, modSeq, internalDate, saveDate, size, emailId];
      if (record.check) fields.push(`${record.check.position}/${record.check.count}`);
      return sealed([...fields, ...flags].join(' '));
    }
    case 'flags':
      return sealed(['~', record.state.uid, record.state.modSeq, ...record.state.flags].join(' '));
    case 'expunge':
      return sealed(`- ${record.uid} ${record.modSeq}`);
  }
}

/** The line that says every line before it is on disk (see the module comment). */
export function confirmationLine(uid: number): string {
  return sealed(`= ${uid}`);
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

/** The batch of `*` records an index ends with, which nothing after it confirms. */
export interface UnconfirmedBatch {
  readonly records: readonly BatchRecord[];
  /** Byte offset of the batch's first line. */
  readonly start: number;
  /** Whether all `count` lines of the batch are there (a crash can tear a batch's write). */
  readonly complete: boolean;
}

/** What reading an index file's bytes found, with what recovery needs to finish the job. */
export type IndexFileReading =
  | {
      readonly ok: true;
      /** The state the lines describe, without the unconfirmed batch. */
      readonly snapshot: IndexSnapshot;
      /** Record lines, the unconfirmed batch's included. */
      readonly lines: number;
      /** Bytes of whole lines; anything after is a torn write. */
      readonly end: number;
      readonly unconfirmed: UnconfirmedBatch | null;
    }
  | { readonly ok: false; readonly reason: string; readonly partial: IndexSnapshot | null };

/**
 * Replays an index file into a snapshot. A torn final line is ignored. Any other damage answers
 * `ok: false`, with whatever could be read before it (its flags are worth keeping in a reindex).
 * A complete batch at the end is taken as it stands: the store checks it against the message
 * files when it opens a folder ({@link readIndexFile}).
 */
export function readIndexText(text: string): IndexReading {
  const reading = readIndexFile(Buffer.from(text));
  if (!reading.ok) return reading;
  const batch = reading.unconfirmed;
  return {
    ok: true,
    snapshot:
      batch?.complete === true ? withRecords(reading.snapshot, batch.records) : reading.snapshot,
    lines: batch?.complete === false ? reading.lines - batch.records.length : reading.lines,
  };
}

/** `snapshot` with `records` applied. */
export function withRecords(
  snapshot: IndexSnapshot,
  records: readonly IndexRecord[],
): IndexSnapshot {
  const replay = new IndexReplay(snapshot.uidValidity, snapshot);
  for (const record of records) replay.apply(record);
  return replay.snapshot();
}

/**
 * Reads an index file from its bytes: the state its lines describe, and the unconfirmed batch it
 * ends with, if any, for the caller to check. Lines that are plain ASCII (all the store writes
 * but keywords outside ASCII) are parsed from the bytes without building strings for their
 * fields: a folder of 100,000 messages opens in tens of milliseconds.
 */
export function readIndexFile(bytes: Uint8Array): IndexFileReading {
  const data = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Bytes after the last newline are a write that never finished: its operation never completed.
  const end = lastNewline(data) + 1;
  const lines = new LineReader(data, end);
  if (lines.next() !== LINE_OK || !lines.checksumOk()) {
    return { ok: false, reason: 'missing or unknown header', partial: null };
  }
  const header = new RegExp(`^${INDEX_MAGIC} (\\d+) (\\d+)$`).exec(lines.text());
  if (!header || Number(header[1]) !== INDEX_VERSION) {
    return { ok: false, reason: 'missing or unknown header', partial: null };
  }
  const replay = new IndexReplay(Number(header[2]));
  const parser = new RecordParser(data);
  let count = 0;
  let batch: { records: BatchRecord[]; start: number; count: number } | null = null;
  const damaged = (line: number) => {
    if (batch) for (const record of batch.records) replay.apply(record);
    return { ok: false as const, reason: `damaged line ${line}`, partial: replay.snapshot() };
  };
  for (;;) {
    const status = lines.next();
    if (status === LINE_END) break;
    count++;
    let parsed: ParsedLine | null | undefined = null;
    if (status === LINE_OK) {
      parsed = parser.message(lines.start, lines.bodyEnd, lines.expected);
      if (parsed === undefined) {
        parsed = !lines.checksumOk()
          ? null
          : lines.ascii
            ? parser.parse(lines.start, lines.bodyEnd)
            : parseRecordText(lines.text());
      }
    }
    if (!parsed) return damaged(count + 1);
    if (parsed.kind === 'message' && parsed.check) {
      const { position, count: size } = parsed.check;
      const record = parsed as BatchRecord;
      if (position === 1) {
        if (batch && batch.records.length !== batch.count) return damaged(count + 1);
        if (batch) for (const earlier of batch.records) replay.apply(earlier);
        batch = { records: [record], start: lines.start, count: size };
      } else if (batch && batch.count === size && batch.records.length + 1 === position) {
        batch.records.push(record);
      } else {
        return damaged(count + 1);
      }
      continue;
    }
    // Anything written after a batch was written after the batch was on disk.
    if (batch) {
      if (batch.records.length !== batch.count) return damaged(count + 1);
      for (const record of batch.records) replay.apply(record);
      batch = null;
    }
    if (parsed.kind !== 'confirmed') replay.apply(parsed);
  }
  return {
    ok: true,
    snapshot: replay.snapshot(),
    lines: count,
    end,
    unconfirmed: batch && {
      records: batch.records,
      start: batch.start,
      complete: batch.records.length === batch.count,
    },
  };
}

/**
 * Folds index records into the state they describe, from an empty folder or a snapshot. Index
 * files list messages in UID order, so the entries are kept in an array in UID order, found by
 * binary search; a message out of order (a hand-edited file) turns them into a map, sorted once
 * at the end.
 */
export class IndexReplay {
  /** UIDs in ascending order, and their entries (null once expunged); null when out of order. */
  private uids: number[] | null = [];
  private slots: (IndexEntry | null)[] = [];
  private map: Map<number, IndexEntry> | null = null;
  private readonly expunged: { uid: number; modSeq: number }[];
  private uidNext: number;
  private highestModSeq: number;

  constructor(
    private readonly uidValidity: number,
    base?: IndexSnapshot,
  ) {
    for (const entry of base?.entries ?? []) this.put(entry);
    this.expunged = [...(base?.expunged ?? [])];
    this.uidNext = base?.uidNext ?? 1;
    this.highestModSeq = base?.highestModSeq ?? 1;
  }

  apply(record: IndexRecord): void {
    if (record.kind === 'message') {
      const { entry } = record;
      this.put(entry);
      if (entry.uid >= this.uidNext) this.uidNext = entry.uid + 1;
      if (entry.modSeq > this.highestModSeq) this.highestModSeq = entry.modSeq;
    } else if (record.kind === 'flags') {
      const { uid, modSeq, flags } = record.state;
      const entry = this.get(uid);
      if (entry) this.put({ ...entry, flags, modSeq });
      if (modSeq > this.highestModSeq) this.highestModSeq = modSeq;
    } else {
      this.remove(record.uid);
      this.expunged.push({ uid: record.uid, modSeq: record.modSeq });
      if (record.uid >= this.uidNext) this.uidNext = record.uid + 1;
      if (record.modSeq > this.highestModSeq) this.highestModSeq = record.modSeq;
    }
  }

  snapshot(): IndexSnapshot {
    const entries = this.map
      ? [...this.map.values()].sort((a, b) => a.uid - b.uid)
      : (this.slots.filter((entry) => entry !== null) as IndexEntry[]);
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      highestModSeq: this.highestModSeq,
      entries,
      expunged: this.expunged,
    };
  }

  private get(uid: number): IndexEntry | undefined {
    if (this.map) return this.map.get(uid);
    const at = this.position(uid);
    return at < 0 ? undefined : (this.slots[at] ?? undefined);
  }

  private put(entry: IndexEntry): void {
    const uids = this.uids;
    if (!uids) {
      this.map!.set(entry.uid, entry);
      return;
    }
    if (uids.length === 0 || entry.uid > uids[uids.length - 1]!) {
      uids.push(entry.uid);
      this.slots.push(entry);
      return;
    }
    const at = this.position(entry.uid);
    if (at >= 0) {
      this.slots[at] = entry;
      return;
    }
    // Out of UID order: rare enough to fall back to a map.
    this.map = new Map();
    for (const kept of this.slots) if (kept) this.map.set(kept.uid, kept);
    this.map.set(entry.uid, entry);
    this.uids = null;
    this.slots = [];
  }

  private remove(uid: number): void {
    if (this.map) {
      this.map.delete(uid);
      return;
    }
    const at = this.position(uid);
    if (at >= 0) this.slots[at] = null;
  }

  /** Where `uid` is (or was, once expunged) in the arrays, or -1. */
  private position(uid: number): number {
    const uids = this.uids!;
    let low = 0;
    let high = uids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = uids[middle]!;
      if (found === uid) return middle;
      if (found < uid) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}

// ---- reading lines ----

const LINE_END = 0;
const LINE_OK = 1;
const LINE_BAD = 2;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const HASH = 0x23;
/** ` #` and 8 hex digits end every line. */
const SEAL = 10;

function lastNewline(data: Uint8Array): number {
  return data.lastIndexOf(NEWLINE);
}

/**
 * Walks the lines of an index. After `next()` answers {@link LINE_OK}, `start` and `bodyEnd`
 * delimit the line's content (before ` #`) and `expected` is the checksum the line ends with;
 * {@link LINE_BAD} is a line without one. {@link LineReader.checksumOk} checks it.
 */
class LineReader {
  private pos = 0;
  start = 0;
  bodyEnd = 0;
  expected = 0;
  /** Whether the line is all ASCII; known once {@link checksumOk} has run. */
  ascii = true;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly data: Uint8Array,
    private readonly end: number,
  ) {}

  next(): typeof LINE_END | typeof LINE_OK | typeof LINE_BAD {
    if (this.pos >= this.end) return LINE_END;
    const data = this.data;
    const start = this.pos;
    const newline = data.indexOf(NEWLINE, start);
    this.pos = newline + 1;
    this.start = start;
    const mark = newline - SEAL;
    if (mark < start || data[mark] !== SPACE || data[mark + 1] !== HASH) return LINE_BAD;
    this.expected = hexValue(data, mark + 2, newline);
    this.bodyEnd = mark;
    return this.expected < 0 ? LINE_BAD : LINE_OK;
  }

  /** Whether the current line's content matches its checksum. */
  checksumOk(): boolean {
    const data = this.data;
    let hash = FNV_OFFSET;
    let high = 0;
    for (let i = this.start; i < this.bodyEnd; i++) {
      const byte = data[i]!;
      high |= byte;
      hash = Math.imul(hash ^ byte, FNV_PRIME);
    }
    this.ascii = high < 0x80;
    // The checksum is over UTF-16 code units, which are the bytes only for ASCII.
    const actual = this.ascii ? hash >>> 0 : stringChecksum(this.text());
    return actual === this.expected;
  }

  /** The current line's content as a string. */
  text(): string {
    return this.decoder.decode(this.data.subarray(this.start, this.bodyEnd));
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Eight lowercase hex digits as a number, or -1. */
function hexValue(data: Uint8Array, start: number, end: number): number {
  if (end - start !== 8) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = data[i]!;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// ---- parsing records ----

const MAX_DIGITS = 16;
const DIGEST_LENGTH = 16;

/**
 * Parses ASCII record lines straight from the bytes, with the grammar of {@link parseFields}
 * (fields separated by single spaces; a property test holds the two to the same answers).
 */
class RecordParser {
  private pos = 0;
  private end = 0;
  /** Whether a field remains (the last one read was followed by a space). */
  private more = false;
  private readonly flagLists = new Map<string, readonly string[]>();
  private readonly numbers = new Float64Array(5);

  constructor(private readonly data: Buffer) {}

  parse(start: number, end: number): ParsedLine | null {
    this.pos = start;
    this.end = end;
    this.more = true;
    const kind = this.fieldEnd() === start + 1 ? this.data[start] : 0;
    this.skip();
    switch (kind) {
      case PLUS:
      case STAR:
        return this.slowMessage(kind === STAR);
      case 0x7e: {
        // ~
        const uid = this.number();
        const modSeq = this.number();
        if (uid < 0 || modSeq < 0) return null;
        return { kind: 'flags', state: { uid, modSeq, flags: this.rest() } };
      }
      case 0x2d: {
        // -
        const uid = this.number();
        const modSeq = this.number();
        if (uid < 0 || modSeq < 0 || this.more) return null;
        return { kind: 'expunge', uid, modSeq };
      }
      case 0x3d: {
        // =
        const uid = this.number();
        if (uid < 0 || this.more) return null;
        return { kind: 'confirmed', uid };
      }
      default:
        return null;
    }
  }

  /**
   * A `+` or `*` line, checksum included, in one pass over local variables: the line the store
   * writes most, and the one that decides how fast a big folder opens. Answers undefined for
   * anything unusual (another kind, a checksum that fails, non-ASCII, numbers past 15 digits),
   * which {@link parse} then decides after a separate checksum.
   */
  message(start: number, end: number, expected: number): ParsedLine | undefined {
    const data = this.data;
    const kind = data[start];
    if ((kind !== PLUS && kind !== STAR) || data[start + 1] !== SPACE) return undefined;
    let hash = Math.imul(Math.imul(FNV_OFFSET ^ kind, FNV_PRIME) ^ SPACE, FNV_PRIME);
    const numbers = this.numbers;
    let i = start + 2;
    for (let field = 0; field < 5; field++) {
      const from = i;
      let value = 0;
      for (; i < end; i++) {
        const c = data[i]!;
        hash = Math.imul(hash ^ c, FNV_PRIME);
        if (c === SPACE) break;
        if (c < 0x30 || c > 0x39) return undefined;
        value = value * 10 + (c - 0x30);
      }
      if (i === from || i - from > 15 || i >= end) return undefined;
      numbers[field] = value;
      i++;
    }
    const idStart = i;
    i = this.hashField(i, end, hash);
    hash = this.hash;
    if (i < 0 || i === idStart) return undefined;
    const emailId = latin1(data, idStart, i);
    let check: BatchCheck | null = null;
    if (kind === STAR) {
      // `<digest> <n>/<count>`: 16 lowercase hex digits, then two numbers, read in place.
      const digestStart = i + 1;
      if (digestStart + DIGEST_LENGTH >= end || data[i + 1 + DIGEST_LENGTH] !== SPACE) {
        return undefined;
      }
      for (i = digestStart; i < digestStart + DIGEST_LENGTH; i++) {
        const c = data[i]!;
        if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return undefined;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      hash = Math.imul(hash ^ SPACE, FNV_PRIME);
      let position = 0;
      let count = 0;
      let digits = 0;
      for (i++; i < end; i++) {
        const c = data[i]!;
        hash = Math.imul(hash ^ c, FNV_PRIME);
        if (c === SLASH) break;
        if (c < 0x30 || c > 0x39) return undefined;
        position = position * 10 + (c - 0x30);
        digits++;
      }
      if (digits === 0 || digits > 9 || i >= end) return undefined;
      digits = 0;
      for (i++; i < end; i++) {
        const c = data[i]!;
        hash = Math.imul(hash ^ c, FNV_PRIME);
        if (c === SPACE) break;
        if (c < 0x30 || c > 0x39) return undefined;
        count = count * 10 + (c - 0x30);
        digits++;
      }
      if (digits === 0 || digits > 9 || position < 1 || count < position) return undefined;
      check = { digest: latin1(data, digestStart, digestStart + DIGEST_LENGTH), position, count };
    }
    let flags = NO_FLAGS;
    if (i < end) {
      for (let j = i + 1; j < end; j++) {
        const c = data[j]!;
        if (c >= 0x80) return undefined;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      flags = this.flagList(latin1(data, i + 1, end));
    }
    if (hash >>> 0 !== expected) return undefined;
    const entry = {
      uid: numbers[0]!,
      modSeq: numbers[1]!,
      internalDate: numbers[2]!,
      saveDate: numbers[3]!,
      size: numbers[4]!,
      emailId,
      flags,
    };
    return check ? { kind: 'message', entry, check } : { kind: 'message', entry };
  }

  /** What {@link hashField} computed. */
  private hash = 0;

  /**
   * Hashes a field and the space after it (if any) on top of `hash`, leaving the sum in
   * `this.hash`; answers where the field ends, or -1 at a non-ASCII byte.
   */
  private hashField(from: number, end: number, hash: number): number {
    const data = this.data;
    let i = from;
    for (; i < end; i++) {
      const c = data[i]!;
      if (c >= 0x80) return -1;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      if (c === SPACE) break;
    }
    this.hash = hash;
    return i;
  }

  /** A `+` or `*` line after its kind, for lines {@link message} leaves to the slow path. */
  private slowMessage(withCheck: boolean): ParsedLine | null {
    const fields = ['', ...latin1(this.data, this.pos, this.end).split(' ')];
    fields[0] = withCheck ? '*' : '+';
    if (!this.more) return parseFields([fields[0]]);
    return parseFields(fields);
  }

  /** Where the current field ends: the next space, or the end of the line. */
  private fieldEnd(): number {
    const data = this.data;
    let i = this.pos;
    while (i < this.end && data[i] !== SPACE) i++;
    return i;
  }

  /** Moves past the current field and its space. */
  private skip(): void {
    const at = this.fieldEnd();
    this.more = at < this.end;
    this.pos = at + 1;
  }

  /** The next field as a decimal number, or -1 when it is missing or not one. */
  private number(): number {
    if (!this.more) return -1;
    const data = this.data;
    let value = 0;
    let i = this.pos;
    for (; i < this.end; i++) {
      const c = data[i]!;
      if (c === SPACE) break;
      if (c < 0x30 || c > 0x39) {
        this.skip();
        return -1;
      }
      value = value * 10 + (c - 0x30);
    }
    const digits = i - this.pos;
    this.more = i < this.end;
    this.pos = i + 1;
    return digits === 0 || digits > MAX_DIGITS ? -1 : value;
  }

  /** The next field as a string, or null when there is none. */
  private token(): string | null {
    if (!this.more) return null;
    const start = this.pos;
    const at = this.fieldEnd();
    this.skip();
    return latin1(this.data, start, at);
  }

  /**
   * The remaining fields (the flags). Most messages of a folder share a handful of flag lists,
   * so each distinct list is made once and shared, frozen, by the entries that have it.
   */
  private rest(): readonly string[] {
    if (!this.more) return NO_FLAGS;
    const text = latin1(this.data, this.pos, this.end);
    this.more = false;
    return this.flagList(text);
  }

  private flagList(text: string): readonly string[] {
    let flags = this.flagLists.get(text);
    if (!flags) {
      flags = Object.freeze(text.split(' '));
      if (this.flagLists.size < MAX_SHARED_FLAG_LISTS) this.flagLists.set(text, flags);
    }
    return flags;
  }
}

const NO_FLAGS: readonly string[] = Object.freeze([]);
const PLUS = 0x2b;
const STAR = 0x2a;
const SLASH = 0x2f;
const MAX_SHARED_FLAG_LISTS = 1024;

/** Node's own latin1 slicer, when there: `toString` costs a wrapper per call. */
const latin1Slice = (Buffer.prototype as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;

function latin1(data: Buffer, start: number, end: number): string {
  return latin1Slice ? latin1Slice.call(data, start, end) : data.toString('latin1', start, end);
}

/** A parsed line: a record, or a confirmation. */
export type ParsedLine = IndexRecord | { readonly kind: 'confirmed'; readonly uid: number };

/**
 * A record line's content (without ` #<checksum>`) as the format's grammar reads it: fields
 * separated by single spaces. The reference the byte-level parser is held to.
 */
export function parseRecordText(body: string): ParsedLine | null {
  return parseFields(body.split(' '));
}

/** The fields of a record line (as split on spaces) as a record; the grammar of the format. */
function parseFields(fields: string[]): ParsedLine | null {
  const kind = fields[0];
  if (kind === '+' || kind === '*') {
    const uid = count(fields[1]);
    const modSeq = count(fields[2]);
    const date = dateWithZone(fields[3]);
    const saveDate = count(fields[4]);
    const size = count(fields[5]);
    const emailId = fields[6];
    if (uid < 0 || modSeq < 0 || !date || saveDate < 0 || size < 0 || !emailId) return null;
    if (kind === '+') {
      const entry = { uid, modSeq, ...date, saveDate, size, emailId, flags: fields.slice(7) };
      return { kind: 'message', entry };
    }
    const check =
      fields[7] !== undefined && fields[8] !== undefined && batchCheck(fields[7], fields[8]);
    if (!check) return null;
    const entry = { uid, modSeq, ...date, saveDate, size, emailId, flags: fields.slice(9) };
    return { kind: 'message', entry, check };
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
  if (kind === '=' && fields.length === 2) {
    const uid = count(fields[1]);
    return uid < 0 ? null : { kind: 'confirmed', uid };
  }
  return null;
}

/** A `*` line's digest and `<n>/<count>` fields, or null when they are not well formed. */
function batchCheck(digest: string, batch: string): BatchCheck | null {
  if (digest.length !== DIGEST_LENGTH || !/^[0-9a-f]+$/.test(digest)) return null;
  const slash = batch.indexOf('/');
  const position = count(batch.slice(0, slash));
  const size = count(batch.slice(slash + 1));
  if (slash < 0 || position < 1 || size < position) return null;
  return { digest, position, count: size };
}

/**
 * The internal date field: UTC milliseconds, with the zone it was given in after it when there
 * was one (`1704067200000+0100`). Lines without a zone are the ones every version wrote.
 */
function internalDateField(entry: IndexEntry): string {
  const zone = entry.internalDateZone;
  if (zone === undefined) return String(entry.internalDate);
  const minutes = Math.abs(zone);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
  return `${entry.internalDate}${zone < 0 ? '-' : '+'}${hhmm}`;
}

function dateWithZone(
  field: string | undefined,
): { internalDate: number; internalDateZone?: number } | null {
  const zoned = field === undefined ? null : /^(\d+)([+-])(\d\d)([0-5]\d)$/.exec(field);
  if (!zoned) {
    const internalDate = count(field);
    return internalDate < 0 ? null : { internalDate };
  }
  const internalDate = count(zoned[1]);
  const minutes = Number(zoned[3]) * 60 + Number(zoned[4]);
  if (internalDate < 0 || minutes > 24 * 60) return null;
  return { internalDate, internalDateZone: zoned[2] === '-' ? -minutes : minutes };
}

/** A decimal field as a number, or -1 when it is not one. */
function count(field: string | undefined): number {
  if (field === undefined || field === '' || field.length > MAX_DIGITS) return -1;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return Number(field);
}

/** A line with its checksum and newline. */
function sealed(body: string): string {
  return `${body} #${stringChecksum(body).toString(16).padStart(8, '0')}\n`;
}

/**
 * FNV-1a over the UTF-16 code units of `text`: cheap, and catches torn or flipped characters.
 * Written as 8 hex digits.
 */
function stringChecksum(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
