import { randomUUID } from 'node:crypto';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ContentRequest,
  type IndexEntry,
  type IndexSnapshot,
  type Logger,
  type MessageState,
  type StoredMessage,
  TEMPORARY_SUFFIX,
  nullIfMissing,
  nullIfMissingSync,
  syncDirectory,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import { type MessageSummary, summarize } from '@mailyard/mime';
import {
  PendingAppend,
  SMALL_WRITE,
  appendDurably,
  appendSync,
  closeQuietly,
  contentDigest,
  flushPaths,
  flushTogether,
  readSmall,
  writeMessageFile,
} from './durable-io.js';
import {
  type BatchRecord,
  IndexReplay,
  type IndexRecord,
  type UnconfirmedBatch,
  confirmationLine,
  headerLine,
  readIndexFile,
  recordLine,
  snapshotText,
  withRecords,
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
import type { BackgroundReader } from './background-reader.js';
import { SummaryFile } from './summary-file.js';

/** Compact the index once it holds this many more lines than messages, and at least this many. */
const COMPACT_AFTER_LINES = 1000;
/**
 * A batch of at least this many octets is confirmed as soon as it is flushed, so that the check
 * of an unconfirmed batch after a crash never reads more than about this much.
 */
const CONFIRM_AT_ONCE = 1024 * 1024;
/** Files of one batch written before the first ones are flushed and closed. */
const OPEN_FILES_PER_BATCH = 64;

/**
 * One folder's files: `#msgs/<uid>.eml`, `index.fld` and `summaries.fld`. It makes every change
 * durable before resolving, and on load repairs what a crash or a human left behind (Kerio 30.1):
 * a torn index line, an append the crash interrupted, orphaned or temporary files, and a
 * missing, damaged or `index.bad` index, which it rebuilds from the message files.
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
  /**
   * The last UID of a batch the index ends with and no later line confirms (0 if none): closing
   * the folder confirms it, so that the next load need not check its files.
   */
  private unconfirmedUid = 0;
  /** The change in progress, which {@link close} lets finish. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    readonly directory: string,
    private readonly uidValidity: number,
    private readonly logger: Logger,
    private readonly reader: BackgroundReader,
  ) {
    this.summaries = new SummaryFile(join(directory, SUMMARIES_FILE));
  }

  private get indexPath(): string {
    return join(this.directory, INDEX_FILE);
  }

  private get messagesDirectory(): string {
    return join(this.directory, MESSAGES_DIRECTORY);
  }

  /** Creates the folder's files for an empty folder, replacing anything left at the place. */
  async create(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
    await mkdir(this.messagesDirectory, { recursive: true });
    await writeFileAtomically(this.indexPath, headerLine(this.uidValidity));
    await this.summaries.reset(1);
    this.remember({
      uidValidity: this.uidValidity,
      uidNext: 1,
      highestModSeq: 1,
      entries: [],
      expunged: [],
    });
  }

  /** Reads the index, repairing the folder first where needed. */
  load(): Promise<IndexSnapshot> {
    return this.track(this.loadUntracked());
  }

  private async loadUntracked(): Promise<IndexSnapshot> {
    await mkdir(this.messagesDirectory, { recursive: true });
    const unchanged = await this.filesUnchangedSinceChecked();
    await this.removeTemporaryFiles(!unchanged);
    // Only a missing index is rebuilt from the files: one that cannot be read now (EMFILE, EIO)
    // fails the load, and the next load tries again; rebuilt, it would lose flags.
    const data = await nullIfMissing(readFile(this.indexPath));
    const reading = data === null ? null : readIndexFile(data);
    if (reading?.ok) {
      let snapshot = reading.snapshot;
      let lines = reading.lines;
      let keep = reading.end;
      const batch = reading.unconfirmed;
      const kept = batch !== null && batch.complete && this.batchIsOnFile(batch);
      if (batch && !kept) {
        // An append the crash interrupted: never acknowledged, so it never happened.
        this.logger.warn('an append interrupted by a crash was discarded', {
          folder: this.directory,
          uids: batch.records.map((record) => record.entry.uid),
        });
        keep = batch.start;
        lines -= batch.records.length;
        for (const record of batch.records) {
          rmSync(messageFile(this.directory, record.entry.uid), { force: true });
        }
      }
      // A torn last line, or a discarded batch: cut off, or the next record would be glued to it.
      if (keep < data!.length) await truncate(this.indexPath, keep);
      if (batch && kept) {
        snapshot = withRecords(snapshot, batch.records);
        await this.confirmAfterCrash(batch.records);
        lines++;
      }
      const reconciled = unchanged ? snapshot : await this.reconcile(snapshot);
      await this.summaries.reset(reconciled.uidNext);
      return this.remember(
        reconciled,
        lines + (reconciled.expunged.length - snapshot.expunged.length),
      );
    }
    const badPath = join(this.directory, BAD_INDEX_FILE);
    if (reading && !reading.ok) {
      this.logger.warn('folder index damaged, rebuilding it from the message files', {
        folder: this.directory,
        reason: reading.reason,
      });
      await rename(this.indexPath, badPath);
    }
    const badData = await nullIfMissing(readFile(badPath));
    const bad = badData === null ? null : readIndexFile(badData);
    const previous = !bad
      ? null
      : bad.ok
        ? // What the unconfirmed batch says is a hint like the rest: the files decide.
          withRecords(bad.snapshot, bad.unconfirmed?.records ?? [])
        : bad.partial;
    if (data === null && badData === null) {
      // No index at all: a folder created by hand, or one whose index was deleted.
      if ((await this.messageFiles()).length > 0) {
        this.logger.warn('folder index missing, rebuilding it from the message files', {
          folder: this.directory,
        });
      }
    } else if (data === null) {
      this.logger.warn('folder index renamed to index.bad, rebuilding it and keeping its flags', {
        folder: this.directory,
      });
    }
    return this.rebuild(previous);
  }

  /**
   * Whether every message of an unconfirmed batch is on file as its record describes it: the
   * size and the digest it was written with. The batch is at most about {@link CONFIRM_AT_ONCE}
   * octets (or one message), so this reads little.
   */
  private batchIsOnFile(batch: UnconfirmedBatch): boolean {
    return batch.records.every(({ entry, check }) => {
      // A file that cannot be read now is no proof the batch is torn: it fails the load, for
      // discarding the batch would delete messages that may have been acknowledged.
      const content = nullIfMissingSync(() => readFileSync(messageFile(this.directory, entry.uid)));
      return (
        content !== null && content.length === entry.size && contentDigest(content) === check.digest
      );
    });
  }

  /**
   * Makes a batch found whole after a crash durable (its flush may not have finished), then
   * confirms it, so that it is checked only once.
   */
  private async confirmAfterCrash(records: readonly BatchRecord[]): Promise<void> {
    await flushPaths([
      ...records.map((record) => messageFile(this.directory, record.entry.uid)),
      this.indexPath,
    ]);
    await syncDirectory(this.messagesDirectory);
    appendSync(this.indexPath, confirmationLine(records[records.length - 1]!.entry.uid));
  }

  /**
   * Records that the message files agree with the index, as of now: the next load skips the
   * listing of `#msgs/` unless files were added or removed since (the directory's mtime says so,
   * as Dovecot does for maildir). Called after a check and when the store closes cleanly.
   */
  async markChecked(): Promise<void> {
    const info = await nullIfMissing(stat(this.messagesDirectory));
    if (info) await writeFile(join(this.directory, CHECKED_FILE), String(info.mtimeMs));
  }

  /**
   * Lets the change in progress finish, confirms the batch the index ends with, and marks the
   * files checked: what a clean shutdown leaves needs no checks on the next load.
   */
  async close(): Promise<void> {
    await this.busy.catch(() => undefined);
    if (this.unconfirmedUid > 0) this.confirm();
    await this.markChecked();
  }

  private async filesUnchangedSinceChecked(): Promise<boolean> {
    const [mark, info] = await Promise.all([
      nullIfMissing(readFile(join(this.directory, CHECKED_FILE), 'utf8')),
      nullIfMissing(stat(this.messagesDirectory)),
    ]);
    return mark !== null && info !== null && mark === String(info.mtimeMs);
  }

  /**
   * Stores messages. Their files are written and given their names, their `*` lines appended to
   * the index, and then files, directory and index are flushed together: one wait for the disk
   * instead of three in a row. Until that flush is done nothing is acknowledged, and a crash
   * before it leaves an unconfirmed batch that the next load checks against the files' digests
   * (see {@link loadUntracked}). Summaries are written last, once the index is on disk.
   */
  add(messages: readonly StoredMessage[]): Promise<void> {
    return this.track(this.addUntracked(messages));
  }

  private async addUntracked(messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const records: BatchRecord[] = messages.map(({ entry, content }, i) => ({
      kind: 'message',
      entry,
      check: { digest: contentDigest(content), position: i + 1, count: messages.length },
    }));
    const written: string[] = [];
    const open: number[] = [];
    let index: PendingAppend | null = null;
    try {
      for (const { entry, content } of messages) {
        const path = messageFile(this.directory, entry.uid);
        open.push(await writeMessageFile(path, content));
        written.push(path);
        if (open.length >= OPEN_FILES_PER_BATCH) {
          await flushTogether({ data: open });
          for (const fd of open.splice(0)) closeQuietly(fd);
        }
      }
      index = new PendingAppend(this.indexPath, records.map(recordLine).join(''));
      // Data and size are what reading a message back needs; its name is the directory's.
      await flushTogether({ directories: [this.messagesDirectory], data: [...open, index.fd] });
    } catch (error) {
      // Nothing is acknowledged: take back what was written, so that a retry starts clean.
      index?.undo();
      for (const path of written) rmSync(path, { force: true });
      throw error;
    } finally {
      for (const fd of open) closeQuietly(fd);
      index?.close();
    }
    this.lines += records.length;
    this.journal.push(...records);
    this.live += messages.length;
    this.unconfirmedUid = records[records.length - 1]!.entry.uid;
    // The messages are stored: from here on nothing may fail the append.
    try {
      this.summaries.append(messages.map(({ entry, summary }) => ({ uid: entry.uid, summary })));
    } catch (error) {
      this.logger.warn('could not write message summaries; they will be computed again', {
        folder: this.directory,
        error: String(error),
      });
    }
    const octets = messages.reduce((sum, { content }) => sum + content.length, 0);
    if (octets >= CONFIRM_AT_ONCE) this.confirm();
  }

  /** Says in the index that the lines before are on disk. Not flushed: see folder-index.ts. */
  private confirm(): void {
    try {
      appendSync(this.indexPath, confirmationLine(this.unconfirmedUid));
      this.unconfirmedUid = 0;
      this.lines++;
    } catch (error) {
      // The next load checks the batch instead.
      this.logger.warn('could not confirm an append in the folder index', {
        folder: this.directory,
        error: String(error),
      });
    }
  }

  updateFlags(changes: readonly MessageState[]): Promise<void> {
    return this.track(
      (async () => {
        await this.appendRecords(changes.map((state) => ({ kind: 'flags', state })));
        await this.compactIfWorthIt();
      })(),
    );
  }

  remove(uids: readonly number[], modSeq: number): Promise<void> {
    return this.track(
      (async () => {
        await this.appendRecords(uids.map((uid) => ({ kind: 'expunge', uid, modSeq })));
        this.live -= uids.length;
        this.expunges += uids.length;
        this.deadSummaries += uids.length;
        // The index says they are gone; a file the crash leaves behind is removed on the next load.
        await Promise.all(uids.map((uid) => rm(messageFile(this.directory, uid), { force: true })));
        await this.compactIfWorthIt();
      })(),
    );
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

  /**
   * Ranges of several messages, read on the background reader's thread in one trip; null where
   * a message file does not exist.
   */
  async readMany(requests: readonly ContentRequest[]): Promise<(Buffer | null)[]> {
    const outcomes = await this.reader.read(
      requests.map(({ uid, start, end }) => ({
        path: messageFile(this.directory, uid),
        start,
        length: end - start,
      })),
    );
    return outcomes.map((outcome) => {
      if (outcome === 'missing') return null;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
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
    if (recomputed.length > 0) {
      try {
        this.summaries.append(recomputed);
      } catch {
        // Computed again next time.
      }
    }
    return found as MessageSummary[];
  }

  private async appendRecords(records: readonly IndexRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendDurably(this.indexPath, records.map(recordLine).join(''));
    this.lines += records.length;
    this.journal.push(...records);
    // Written after the last batch was flushed, these lines confirm it.
    this.unconfirmedUid = 0;
  }

  /** Rewrites the index without history once history outweighs the messages. */
  private async compactIfWorthIt(): Promise<void> {
    if (this.lines < COMPACT_AFTER_LINES || this.lines < 2 * (this.live + this.expunges)) return;
    const snapshot = this.snapshot();
    await writeFileAtomically(this.indexPath, snapshotText(snapshot));
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
    this.unconfirmedUid = 0;
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
        await rename(join(this.messagesDirectory, file.name), messageFile(this.directory, uid));
      }
      const info = await stat(messageFile(this.directory, uid));
      const old = known.get(uid);
      entries.push({
        uid,
        modSeq: ++modSeq,
        flags: old?.flags ?? [],
        internalDate: old?.internalDate ?? Math.floor(info.mtimeMs),
        ...(old?.internalDateZone !== undefined ? { internalDateZone: old.internalDateZone } : {}),
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
    await syncDirectory(this.messagesDirectory);
    await writeFileAtomically(this.indexPath, snapshotText(snapshot));
    await this.summaries.rewrite(
      entries.filter((entry) => known.has(entry.uid)).map((entry) => entry.uid),
    );
    await this.summaries.reset(snapshot.uidNext);
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
    // An empty listing would rebuild an empty index, or expunge every entry: only a missing
    // directory is empty.
    const names = (await nullIfMissing(readdir(this.messagesDirectory))) ?? [];
    return names
      .filter((name) => name.endsWith('.eml'))
      .map((name) => ({ name, uid: uidOfMessageFile(name) }));
  }

  /**
   * Removes writes that never finished. The folder directory is always looked at (it holds a few
   * files); `#msgs/` only with `messages`, when it changed since it was last found in order.
   */
  private async removeTemporaryFiles(messages: boolean): Promise<void> {
    const directories = messages ? [this.directory, this.messagesDirectory] : [this.directory];
    for (const directory of directories) {
      for (const name of (await nullIfMissing(readdir(directory))) ?? []) {
        if (name.endsWith(TEMPORARY_SUFFIX)) await rm(join(directory, name), { force: true });
      }
    }
  }

  /** Remembers `operation` as the change in progress. */
  private track<T>(operation: Promise<T>): Promise<T> {
    this.busy = operation;
    return operation;
  }
}

/**
 * Reads up to this many octets in one synchronous open/read/close. Most messages are this small,
 * and a stream pays four trips through libuv's thread pool (open, read, read to EOF, close) for
 * what the page cache answers in microseconds; POP3 RETR and IMAP BODY[] of a whole mailbox are
 * dominated by it. Larger reads stream, so that a big message never blocks the event loop long.
 */
const SMALL_READ = SMALL_WRITE;
/** Chunk size for streamed reads of larger messages. */
const STREAM_CHUNK = 256 * 1024;
