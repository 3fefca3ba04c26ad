import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import {
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import {
  type IndexEntry,
  type IndexSnapshot,
  type Logger,
  type MessageState,
  type StoredMessage,
  TEMPORARY_SUFFIX,
  appendDurably,
  syncDirectory,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import { type MessageSummary, summarize } from '@mailyard/mime';
import {
  IndexReplay,
  type IndexRecord,
  headerLine,
  readIndexText,
  recordLine,
  snapshotText,
} from './folder-index.js';
import {
  BAD_INDEX_FILE,
  CHECKED_FILE,
  INDEX_FILE,
  MESSAGES_DIRECTORY,
  SUMMARIES_FILE,
  messageFile,
  uidOfMessageFile,
} from './store-layout.js';
import { SummaryFile } from './summary-file.js';

/** Compact the index once it holds this many more lines than messages, and at least this many. */
const COMPACT_AFTER_LINES = 1000;

/**
 * One folder's files: `#msgs/<uid>.eml`, `index.fld` and `summaries.fld`. It makes every change
 * durable before resolving, and on load repairs what a crash or a human left behind (Kerio 30.1):
 * a torn index line, orphaned or temporary files, and a missing, damaged or `index.bad` index,
 * which it rebuilds from the message files.
 */
export class FolderStorage {
  private readonly summaries: SummaryFile;
  /**
   * The folder as `index.fld` describes it, without reading the file again: the state it was
   * loaded in, and the records appended since. Replayed only when the index is compacted.
   */
  private base: IndexSnapshot | null = null;
  private journal: IndexRecord[] = [];
  /** Messages and expunge records the index describes now, and its lines, for compaction. */
  private live = 0;
  private expunges = 0;
  private lines = 0;
  /** Summaries of expunged messages still in `summaries.fld`. */
  private deadSummaries = 0;

  constructor(
    readonly directory: string,
    private readonly uidValidity: number,
    private readonly logger: Logger,
  ) {
    this.summaries = new SummaryFile(join(directory, SUMMARIES_FILE));
  }

  /** Creates the folder's files for an empty folder, replacing anything left at the place. */
  async create(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
    await mkdir(join(this.directory, MESSAGES_DIRECTORY), { recursive: true });
    await writeFileAtomically(join(this.directory, INDEX_FILE), headerLine(this.uidValidity));
    this.remember({
      uidValidity: this.uidValidity,
      uidNext: 1,
      highestModSeq: 1,
      entries: [],
      expunged: [],
    });
  }

  /** Reads the index, repairing the folder first where needed. */
  async load(): Promise<IndexSnapshot> {
    await mkdir(join(this.directory, MESSAGES_DIRECTORY), { recursive: true });
    const unchanged = await this.filesUnchangedSinceChecked();
    await this.removeTemporaryFiles(!unchanged);
    const indexPath = join(this.directory, INDEX_FILE);
    const text = await readFile(indexPath, 'utf8').catch(() => null);
    const reading = text === null ? null : readIndexText(text);
    if (reading?.ok) {
      const lastNewline = text!.lastIndexOf('\n');
      if (lastNewline + 1 < Buffer.byteLength(text!)) {
        // A torn last line: cut it off, or the next record would be glued to it.
        await truncate(indexPath, Buffer.byteLength(text!.slice(0, lastNewline + 1)));
      }
      const reconciled = unchanged ? reading.snapshot : await this.reconcile(reading.snapshot);
      return this.remember(
        reconciled,
        reading.lines + (reconciled.expunged.length - reading.snapshot.expunged.length),
      );
    }
    const badPath = join(this.directory, BAD_INDEX_FILE);
    if (reading && !reading.ok) {
      this.logger.warn('folder index damaged, rebuilding it from the message files', {
        folder: this.directory,
        reason: reading.reason,
      });
      await rename(indexPath, badPath);
    }
    const badText = await readFile(badPath, 'utf8').catch(() => null);
    const bad = badText === null ? null : readIndexText(badText);
    const previous = bad ? (bad.ok ? bad.snapshot : bad.partial) : null;
    if (text === null && badText === null) {
      // No index at all: a folder created by hand, or one whose index was deleted.
      if ((await this.messageFiles()).length > 0) {
        this.logger.warn('folder index missing, rebuilding it from the message files', {
          folder: this.directory,
        });
      }
    } else if (text === null) {
      this.logger.warn('folder index renamed to index.bad, rebuilding it and keeping its flags', {
        folder: this.directory,
      });
    }
    return this.rebuild(previous);
  }

  /**
   * Records that the message files agree with the index, as of now: the next load skips the
   * listing of `#msgs/` unless files were added or removed since (the directory's mtime says so,
   * as Dovecot does for maildir). Called after a check and when the store closes cleanly.
   */
  async markChecked(): Promise<void> {
    const info = await stat(join(this.directory, MESSAGES_DIRECTORY)).catch(() => null);
    if (info) await writeFile(join(this.directory, CHECKED_FILE), String(info.mtimeMs));
  }

  private async filesUnchangedSinceChecked(): Promise<boolean> {
    const [mark, info] = await Promise.all([
      readFile(join(this.directory, CHECKED_FILE), 'utf8').catch(() => null),
      stat(join(this.directory, MESSAGES_DIRECTORY)).catch(() => null),
    ]);
    return mark !== null && info !== null && mark === String(info.mtimeMs);
  }

  /** Stores messages: their files first, then their index records, each flushed. */
  async add(messages: readonly StoredMessage[]): Promise<void> {
    for (const { entry, content } of messages) {
      await writeMessageFile(messageFile(this.directory, entry.uid), content);
    }
    await syncDirectory(join(this.directory, MESSAGES_DIRECTORY));
    await this.summaries.append(
      messages.map(({ entry, summary }) => ({ uid: entry.uid, summary })),
    );
    await this.appendRecords(messages.map(({ entry }) => ({ kind: 'message', entry })));
    this.live += messages.length;
  }

  async updateFlags(changes: readonly MessageState[]): Promise<void> {
    await this.appendRecords(changes.map((state) => ({ kind: 'flags', state })));
    await this.compactIfWorthIt();
  }

  async remove(uids: readonly number[], modSeq: number): Promise<void> {
    await this.appendRecords(uids.map((uid) => ({ kind: 'expunge', uid, modSeq })));
    this.live -= uids.length;
    this.expunges += uids.length;
    this.deadSummaries += uids.length;
    // The index says they are gone; a file the crash leaves behind is removed on the next load.
    await Promise.all(uids.map((uid) => rm(messageFile(this.directory, uid), { force: true })));
    await this.compactIfWorthIt();
  }

  async *read(uid: number, range?: { start: number; end: number }): AsyncIterable<Uint8Array> {
    const path = messageFile(this.directory, uid);
    if (range && range.end <= range.start) return;
    if (range && range.end - range.start <= SMALL_READ) {
      yield readSmall(path, range.start, range.end - range.start);
      return;
    }
    const options = range ? { start: range.start, end: range.end - 1 } : {};
    for await (const chunk of createReadStream(path, { ...options, highWaterMark: STREAM_CHUNK })) {
      yield chunk as Buffer;
    }
  }

  /** Summaries in the order asked; any missing or unreadable one is computed again and kept. */
  async readSummaries(uids: readonly number[]): Promise<MessageSummary[]> {
    const found = await this.summaries.read(uids);
    const recomputed: { uid: number; summary: MessageSummary }[] = [];
    for (let i = 0; i < uids.length; i++) {
      if (found[i]) continue;
      const content = await readFile(messageFile(this.directory, uids[i]!));
      found[i] = summarize(content);
      recomputed.push({ uid: uids[i]!, summary: found[i]! });
    }
    if (recomputed.length > 0) await this.summaries.append(recomputed);
    return found as MessageSummary[];
  }

  private async appendRecords(records: readonly IndexRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendDurably(join(this.directory, INDEX_FILE), records.map(recordLine).join(''));
    this.lines += records.length;
    this.journal.push(...records);
  }

  /** Rewrites the index without history once history outweighs the messages. */
  private async compactIfWorthIt(): Promise<void> {
    if (this.lines < COMPACT_AFTER_LINES || this.lines < 2 * (this.live + this.expunges)) return;
    const snapshot = this.snapshot();
    await writeFileAtomically(join(this.directory, INDEX_FILE), snapshotText(snapshot));
    this.remember(snapshot);
    // Summaries never change; only those of expunged messages make the file worth rewriting.
    if (this.deadSummaries > this.live) {
      await this.summaries.rewrite(snapshot.entries.map((entry) => entry.uid));
      this.deadSummaries = 0;
    }
  }

  /** Takes `snapshot` as the state of an index file of `lines` record lines. */
  private remember(
    snapshot: IndexSnapshot,
    lines = snapshot.entries.length + snapshot.expunged.length,
  ): IndexSnapshot {
    this.base = snapshot;
    this.journal = [];
    this.live = snapshot.entries.length;
    this.expunges = snapshot.expunged.length;
    this.lines = lines;
    return snapshot;
  }

  /** The current state: the loaded one with the journal replayed over it. */
  private snapshot(): IndexSnapshot {
    if (!this.base) throw new Error(`folder ${this.directory} used before it was loaded`);
    const replay = new IndexReplay(this.uidValidity, this.base);
    for (const record of this.journal) replay.apply(record);
    return replay.snapshot();
  }

  /**
   * Makes the files agree with an intact index: message files the index does not know are
   * appends that never completed, or expunges whose files outlived them, and go; an entry whose
   * file is gone cannot be served and is expunged, with an error logged.
   */
  private async reconcile(snapshot: IndexSnapshot): Promise<IndexSnapshot> {
    // Files with other names are left alone: Kerio reindexes them only when asked (index.bad).
    const files = new Set(
      (await this.messageFiles()).flatMap((file) => (file.uid === null ? [] : [file.uid])),
    );
    const known = new Set(snapshot.entries.map((entry) => entry.uid));
    for (const uid of files) {
      if (!known.has(uid)) await rm(messageFile(this.directory, uid), { force: true });
    }
    const missing = snapshot.entries.filter((entry) => !files.has(entry.uid));
    if (missing.length === 0) {
      await this.markChecked();
      return snapshot;
    }
    this.logger.error('message files missing from a folder; expunging their index entries', {
      folder: this.directory,
      uids: missing.map((entry) => entry.uid),
    });
    const modSeq = snapshot.highestModSeq + 1;
    await this.appendRecords(missing.map((entry) => ({ kind: 'expunge', uid: entry.uid, modSeq })));
    const gone = new Set(missing.map((entry) => entry.uid));
    return {
      ...snapshot,
      highestModSeq: modSeq,
      entries: snapshot.entries.filter((entry) => !gone.has(entry.uid)),
      expunged: [...snapshot.expunged, ...missing.map((entry) => ({ uid: entry.uid, modSeq }))],
    };
  }

  /**
   * Builds a new index from the message files. UIDs come from the file names; files dropped in
   * by hand with other names get new UIDs above the rest and are renamed to match. Flags, dates
   * and ids come from the previous index where it knew the message.
   */
  private async rebuild(previous: IndexSnapshot | null): Promise<IndexSnapshot> {
    const known = new Map((previous?.entries ?? []).map((entry) => [entry.uid, entry]));
    const files = await this.messageFiles();
    let nextUid = Math.max(previous?.uidNext ?? 1, ...files.map((file) => (file.uid ?? 0) + 1));
    let modSeq = previous?.highestModSeq ?? 1;
    const entries: IndexEntry[] = [];
    for (const file of files.sort((a, b) => (a.uid ?? Infinity) - (b.uid ?? Infinity))) {
      let uid = file.uid;
      if (uid === null) {
        uid = nextUid++;
        await rename(
          join(this.directory, MESSAGES_DIRECTORY, file.name),
          messageFile(this.directory, uid),
        );
      }
      const info = await stat(messageFile(this.directory, uid));
      const old = known.get(uid);
      entries.push({
        uid,
        modSeq: ++modSeq,
        flags: old?.flags ?? [],
        internalDate: old?.internalDate ?? Math.floor(info.mtimeMs),
        saveDate: old?.saveDate ?? Math.floor(info.mtimeMs),
        size: info.size,
        emailId: old?.emailId ?? randomUUID().replaceAll('-', ''),
      });
    }
    const snapshot: IndexSnapshot = {
      uidValidity: this.uidValidity,
      uidNext: nextUid,
      highestModSeq: modSeq,
      entries,
      expunged: previous?.expunged ?? [],
    };
    await syncDirectory(join(this.directory, MESSAGES_DIRECTORY));
    await writeFileAtomically(join(this.directory, INDEX_FILE), snapshotText(snapshot));
    await this.summaries.rewrite(
      entries.filter((entry) => known.has(entry.uid)).map((entry) => entry.uid),
    );
    this.remember(snapshot);
    if (entries.length > 0 || previous) {
      this.logger.warn('folder index rebuilt', {
        folder: this.directory,
        messages: entries.length,
      });
    }
    return snapshot;
  }

  /** The `.eml` files of the folder, with the UID their name stands for (null for foreign names). */
  private async messageFiles(): Promise<{ name: string; uid: number | null }[]> {
    const names = await readdir(join(this.directory, MESSAGES_DIRECTORY)).catch(
      () => [] as string[],
    );
    return names
      .filter((name) => name.endsWith('.eml'))
      .map((name) => ({ name, uid: uidOfMessageFile(name) }));
  }

  /**
   * Removes writes that never finished. The folder directory is always looked at (it holds a few
   * files); `#msgs/` only with `messages`, when it changed since it was last found in order.
   */
  private async removeTemporaryFiles(messages: boolean): Promise<void> {
    const directories = messages
      ? [this.directory, join(this.directory, MESSAGES_DIRECTORY)]
      : [this.directory];
    for (const directory of directories) {
      for (const name of await readdir(directory).catch(() => [] as string[])) {
        if (name.endsWith(TEMPORARY_SUFFIX)) await rm(join(directory, name), { force: true });
      }
    }
  }
}

/** Writes a message file under a temporary name, flushes it, then gives it its name. */
async function writeMessageFile(path: string, content: Uint8Array): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/**
 * Reads up to this many octets in one synchronous open/read/close. Most messages are this small,
 * and a stream pays four trips through libuv's thread pool (open, read, read to EOF, close) for
 * what the page cache answers in microseconds; POP3 RETR and IMAP BODY[] of a whole mailbox are
 * dominated by it. Larger reads stream, so that a big message never blocks the event loop long.
 */
const SMALL_READ = 128 * 1024;
/** Chunk size for streamed reads of larger messages. */
const STREAM_CHUNK = 256 * 1024;

function readSmall(path: string, start: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const read = readSync(fd, buffer, filled, length - filled, start + filled);
      if (read === 0) break;
      filled += read;
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
