import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { CompressPool } from './compress-pool.js';
import { crc32 } from './crc32.js';
import {
  type Clock,
  type Logger,
  isMissingFileError,
  silentLogger,
  systemClock,
} from '@mailyard/mailstore-interface';
import { type BackupKind, formatBackupId, formatBackupName } from './backup-name.js';
import {
  type BackupInfo,
  UNFINISHED_SUFFIX,
  listBackups,
  rotateBackups,
} from './backup-directory.js';
import { type BackupSources, type SourceFile, walkSourceFiles } from './backup-sources.js';
import { linkDirectory } from './link-directory.js';
import {
  DELETED_ENTRY,
  SUMMARY_ENTRY,
  VERSION_ENTRY,
  formatDeletedText,
  formatSummaryText,
  formatVersionText,
} from './backup-text.js';
import { ZipArchive } from './zip-archive.js';
import {
  type PreparedEntry,
  ZipPartWriter,
  deflateBound,
  entryOverhead,
} from './zip-part-writer.js';

/** Kerio's default and largest part: "compressed files (.zip) where the maximal size of 2 GB is allowed". */
export const MAX_SPLIT_SIZE = 2 * 1024 ** 3;
/**
 * Default entries of one part (`.version.txt` and `.summary.txt` included). Under 65,535 so
 * that no part needs ZIP64; lower still because the writer keeps each entry's central record
 * (46 bytes and the name) until its part is closed.
 */
export const MAX_PART_ENTRIES = 16_384;
/** The most `maxPartEntries` may be: a ZIP without ZIP64 holds 65,535 entries. */
export const MAX_PART_ENTRIES_LIMIT = 65_535;
/** Default uncompressed bytes read ahead and compressed at once: see `BackupOptions.readAhead`. */
export const DEFAULT_READ_AHEAD = 16 * 1024 * 1024;
/** Default files read ahead and compressed at once: see `BackupOptions.readAheadFiles`. */
export const DEFAULT_READ_AHEAD_FILES = 512;
export const DEFAULT_KEEP = 3;
/** The version `.version.txt` names. */
export const BACKUP_TOOL_VERSION = 'mailyard-kmsrecover-format 0.1.0';

/** Files up to this size are read whole and compressed in parallel; larger ones stream alone. */
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;

export interface BackupOptions {
  readonly sources: BackupSources;
  /** The backup directory (Kerio's default: `store/backup`); created if missing. */
  readonly destination: string;
  /**
   * `F` full, `I` differential (files new or changed since the latest full or copy backup, and
   * the files gone since), `C` copy ("Start now"; counts as a full backup). A differential with
   * no full backup to be relative to is made a full one.
   */
  readonly kind: BackupKind;
  /** Bytes at which a part is closed and the next begun; default and largest 2 GB. */
  readonly splitSize?: number;
  /** Complete backups kept (rotation); default 3, 0 keeps them all. */
  readonly keep?: number;
  /** Deflate level, 0 (store) to 9; default 6, as `zip -6`. */
  readonly level?: number;
  /**
   * Entries of one part, `.version.txt` and `.summary.txt` included: a part is closed when it
   * has this many, whatever its size; default 16,384, at most 65,535 (no ZIP64), at least 2.
   */
  readonly maxPartEntries?: number;
  /**
   * Uncompressed bytes read ahead and compressed at once on the worker threads, not yet
   * written: the memory the data in flight may take (its compressed form, about half);
   * default 16 MiB. One file over it is still read (alone), up to 4 MiB; larger ones stream.
   */
  readonly readAhead?: number;
  /** Files read ahead and compressed at once, not yet written; default 512. */
  readonly readAheadFiles?: number;
  /**
   * Worker threads that read and compress files; default the number of cores, at most 4. Each
   * costs its own heap (about 10 MB).
   */
  readonly compressThreads?: number;
  readonly hostname?: string;
  readonly clock?: Clock;
  /** Files skipped (over the part size, gone, not regular files) and rotation are reported here. */
  readonly logger?: Logger;
  readonly onProgress?: (progress: BackupProgress) => void;
  /**
   * The running store, when the server is up: its mailboxes are backed up from a snapshot it
   * takes (each tree at one instant, see `FsMailStore.snapshot`) in a directory beside the
   * backups, after the queue's files are linked there; the snapshot is removed afterwards.
   * Every message acknowledged before the backup began is then in it, in the queue or in a
   * mailbox (one delivered during the snapshot may be in both).
   */
  readonly liveStore?: { snapshot(target: string): Promise<unknown> };
}

export interface BackupProgress {
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
}

export interface BackupResult {
  readonly id: string;
  readonly kind: BackupKind;
  readonly started: number;
  readonly finished: number;
  /** Paths of the parts written. */
  readonly parts: readonly string[];
  readonly countFiles: number;
  readonly totalSize: number;
  /** For a differential: the backup it is relative to, and how many files it records as gone. */
  readonly base: string | null;
  readonly deleted: number;
  readonly skipped: readonly { readonly path: string; readonly size: number }[];
  /** Files rotation removed. */
  readonly removed: readonly string[];
}

/** An entry of the base backup, to tell whether a file changed since. */
interface BaseEntry {
  readonly size: number;
  readonly crc: number;
  readonly mtime: number;
}

/**
 * Writes a backup (Admin Guide 15.2): `.version.txt` first, the configuration and the store,
 * then (for a differential) `.deleted.txt`, and `.summary.txt` last; split into parts of at most
 * `splitSize` bytes and `maxPartEntries` entries; then rotates the directory. Files up
 * to 4 MiB are read and compressed several at once in node:zlib's thread pool (both cores),
 * within a read-ahead window, and written in order; larger ones stream through on their own.
 * Memory stays within the window whatever the store's size. The sources must not change while
 * they are read: give a stopped server's directories, or a snapshot of a running one's.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupResult> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  checkOptions(options);
  await mkdir(options.destination, { recursive: true });

  let kind = options.kind;
  const existing = await listBackups(options.destination);
  let base: BackupInfo | null = null;
  if (kind === 'I') {
    base = existing.filter((backup) => backup.kind !== 'I').at(-1) ?? null;
    if (!base) {
      logger.info('no full backup yet to make a differential one against: making a full backup');
      kind = 'F';
    }
  }
  // Names are to the second: a backup in the same second as another waits its turn by name.
  let started = Math.floor(clock.now() / 1000) * 1000;
  const taken = new Set(existing.map((backup) => backup.id));
  while (
    taken.has(formatBackupId('F', started).slice(1)) ||
    [...taken].some((id) => id.slice(1) === formatBackupId(kind, started).slice(1))
  )
    started += 1000;
  const id = formatBackupId(kind, started);

  const snapshot = options.liveStore
    ? join(options.destination, `.snapshot-${id}${UNFINISHED_SUFFIX}`)
    : null;
  try {
    let sources = options.sources;
    if (snapshot && options.liveStore) {
      await rm(snapshot, { recursive: true, force: true });
      // The queue first: a message leaves it only once delivered into a mailbox, and the
      // mailboxes are taken after, so none acknowledged before now can be missed.
      await linkDirectory(join(options.sources.storeDirectory, 'queue'), join(snapshot, 'queue'));
      await options.liveStore.snapshot(snapshot);
      sources = {
        ...sources,
        storeOverrides: { mail: join(snapshot, 'mail'), queue: join(snapshot, 'queue') },
      };
    }
    return await writeFrom(sources, options, { kind, started, id, base, logger, clock });
  } finally {
    if (snapshot) await rm(snapshot, { recursive: true, force: true });
  }
}

async function writeFrom(
  sourcesToRead: BackupSources,
  options: BackupOptions,
  context: {
    kind: BackupKind;
    started: number;
    id: string;
    base: BackupInfo | null;
    logger: Logger;
    clock: Clock;
  },
): Promise<BackupResult> {
  const { kind, started, id, base, logger, clock } = context;
  const splitSize = Math.min(options.splitSize ?? MAX_SPLIT_SIZE, MAX_SPLIT_SIZE);
  const level = options.level ?? 6;
  const readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
  const readAheadFiles = options.readAheadFiles ?? DEFAULT_READ_AHEAD_FILES;
  const onSkipped = (path: string, why: string) => logger.warn(`backup: ${path} left out: ${why}`);
  // A first pass for the totals progress reports (only when they are asked for); the files
  // themselves are taken as the second walk finds them, so that no list of a whole store is
  // held.
  let totalFiles = 0;
  let totalBytes = 0;
  if (options.onProgress)
    for await (const file of walkSourceFiles(sourcesToRead)) {
      totalFiles++;
      totalBytes += file.size;
    }
  // The base's entries still unseen once the walk is done are the files deleted since.
  const baseEntries = base ? await readManifest(base) : null;

  const writer = new PartsWriter(options.destination, kind, started, {
    splitSize,
    maxEntries: options.maxPartEntries ?? MAX_PART_ENTRIES,
    hostname: options.hostname ?? osHostname(),
    base: base?.id ?? null,
  });
  const skipped: { path: string; size: number }[] = [];
  let countFiles = 0;
  let totalSize = 0;
  let doneFiles = 0;
  let doneBytes = 0;
  const progress = (file: SourceFile) => {
    doneFiles++;
    doneBytes += file.size;
    options.onProgress?.({ files: doneFiles, bytes: doneBytes, totalFiles, totalBytes });
  };

  const pool = new CompressPool(level, options.compressThreads);
  try {
    await writer.open();
    const window: { file: SourceFile; ready: Promise<PreparedEntry | null>; bound: number }[] = [];
    let windowBytes = 0;
    const writeHead = async () => {
      const head = window.shift()!;
      windowBytes -= head.file.size;
      writer.pending -= head.bound;
      writer.pendingEntries--;
      pool.flush();
      const prepared = await head.ready;
      if (prepared) {
        await writer.add(prepared);
        countFiles++;
        totalSize += prepared.size;
      }
      progress(head.file);
    };
    const flush = async () => {
      while (window.length > 0) await writeHead();
    };
    for await (const file of walkSourceFiles(sourcesToRead, onSkipped)) {
      const known = baseEntries?.get(file.name);
      baseEntries?.delete(file.name);
      const bound = deflateBound(file.size) + entryOverhead(file.name);
      if (!writer.fitsEmptyPart(bound)) {
        skipped.push({ path: file.name, size: file.size });
        logger.warn(
          `backup: ${file.name} left out: ${file.size} bytes do not fit a part of ${splitSize}`,
        );
        progress(file);
        continue;
      }
      if (
        known &&
        file.name.endsWith('.eml') &&
        known.size === file.size &&
        Math.abs(known.mtime - file.mtime) < 2000
      ) {
        // Message files never change once written (mailstore-fs names them by UID, the queue by
        // Queue-ID): the same name, size and time is the same message.
        progress(file);
        continue;
      }
      if (!writer.fits(bound)) {
        await flush();
        if (!writer.fits(bound)) await writer.nextPart();
      }
      if (file.size > WHOLE_FILE_LIMIT) {
        await flush();
        if (known && known.size === file.size && Math.abs(known.mtime - file.mtime) < 2000) {
          progress(file);
          continue;
        }
        const written = await writer.addFile(file, level);
        if (written) {
          countFiles++;
          totalSize += written.size;
        }
        progress(file);
        continue;
      }
      const ready = prepare(pool, file, known);
      // Awaited in turn by writeHead; until then a failure must not count as unhandled.
      ready.catch(() => undefined);
      window.push({ file, ready, bound });
      windowBytes += file.size;
      writer.pending += bound;
      writer.pendingEntries++;
      while (window.length > 0 && (windowBytes > readAhead || window.length >= readAheadFiles))
        await writeHead();
    }
    await flush();
    const deleted = baseEntries ? [...baseEntries.keys()].sort() : [];
    if (kind === 'I') await writer.addText(DELETED_ENTRY, formatDeletedText(deleted), clock.now());
    const finished = clock.now();
    const summary = formatSummaryText({
      started,
      finished,
      countFiles,
      totalSize,
      parts:
        writer.partCount + (writer.fitsText(SUMMARY_ENTRY, 4096 + skipped.length * 300) ? 0 : 1),
      skipped,
    });
    await writer.addText(SUMMARY_ENTRY, summary, finished, true);
    const parts = await writer.finish();
    logger.info(`backup ${id}: ${countFiles} files, ${totalSize} bytes, ${parts.length} part(s)`);
    const removed = await rotateBackups(options.destination, options.keep ?? DEFAULT_KEEP);
    for (const file of removed) logger.info(`backup rotation: removed ${file}`);
    return {
      id,
      kind,
      started,
      finished,
      parts,
      countFiles,
      totalSize,
      base: base?.id ?? null,
      deleted: deleted.length,
      skipped,
      removed,
    };
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await pool.close();
  }
}

/** Refuses option values that could not make a backup (a part too small to hold anything). */
function checkOptions(options: BackupOptions): void {
  const { splitSize, keep, level, readAhead, readAheadFiles, compressThreads, maxPartEntries } =
    options;
  if (splitSize !== undefined && !(Number.isInteger(splitSize) && splitSize >= 64 * 1024))
    throw new RangeError(
      `splitSize must be a whole number of bytes from 65536 up (got ${splitSize})`,
    );
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0))
    throw new RangeError(`keep must be a whole number from 0 up (got ${keep})`);
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9))
    throw new RangeError(`level must be 0 to 9 (got ${level})`);
  if (readAhead !== undefined && !(Number.isInteger(readAhead) && readAhead >= 0))
    throw new RangeError(`readAhead must be a whole number of bytes (got ${readAhead})`);
  if (readAheadFiles !== undefined && !(Number.isInteger(readAheadFiles) && readAheadFiles >= 1))
    throw new RangeError(`readAheadFiles must be a whole number from 1 up (got ${readAheadFiles})`);
  if (
    compressThreads !== undefined &&
    !(Number.isInteger(compressThreads) && compressThreads >= 1 && compressThreads <= 64)
  )
    throw new RangeError(`compressThreads must be 1 to 64 (got ${compressThreads})`);
  if (
    maxPartEntries !== undefined &&
    !(
      Number.isInteger(maxPartEntries) &&
      maxPartEntries >= 2 &&
      maxPartEntries <= MAX_PART_ENTRIES_LIMIT
    )
  )
    throw new RangeError(
      `maxPartEntries must be 2 to ${MAX_PART_ENTRIES_LIMIT} (got ${maxPartEntries})`,
    );
}

/** Reads, compresses (on the pool's threads) and checks one file against the base. */
async function prepare(
  pool: CompressPool,
  file: SourceFile,
  known: BaseEntry | undefined,
): Promise<PreparedEntry | null> {
  // A file gone since the listing (null) is skipped; any other failure to read it fails the
  // backup rather than leave a hole in it.
  const compressed = await pool.compress(file.path, file.size);
  if (!compressed) return null;
  if (known && known.size === compressed.size && known.crc === compressed.crc) return null;
  return { name: file.name, mtime: file.mtime, mode: file.mode, ...compressed };
}

/** Every entry of a backup (all its parts) by name, for a differential to compare with. */
async function readManifest(backup: BackupInfo): Promise<Map<string, BaseEntry>> {
  const entries = new Map<string, BaseEntry>();
  for (const part of backup.parts) {
    const archive = await ZipArchive.open(part);
    try {
      for (const entry of archive.entries) {
        if (entry.isDirectory || entry.name.startsWith('.')) continue;
        entries.set(entry.name, { size: entry.size, crc: entry.crc, mtime: entry.mtime });
      }
    } finally {
      archive.close();
    }
  }
  return entries;
}

/** The parts of one backup being written: `.version.txt` opens each, the split rules close them. */
class PartsWriter {
  private part: ZipPartWriter | null = null;
  private readonly paths: string[] = [];
  /** Central-directory bytes the open part will need for what it has. */
  private central = 0;
  /** Upper bound of the bytes of entries handed out for compression and not written yet. */
  pending = 0;
  /** Entries handed out for compression and not written yet: each counts against the cap. */
  pendingEntries = 0;

  constructor(
    private readonly directory: string,
    private readonly kind: BackupKind,
    private readonly started: number,
    private readonly options: {
      splitSize: number;
      maxEntries: number;
      hostname: string;
      base: string | null;
    },
  ) {}

  get partCount(): number {
    return this.paths.length;
  }

  async open(): Promise<void> {
    await this.nextPart();
  }

  async nextPart(): Promise<void> {
    if (this.part) await this.part.finish();
    const number = this.paths.length + 1;
    const path = join(
      this.directory,
      `${formatBackupName(this.kind, this.started, number)}${UNFINISHED_SUFFIX}`,
    );
    await rm(path, { force: true });
    this.part = new ZipPartWriter(path);
    this.paths.push(path);
    this.central = 0;
    const version = formatVersionText({
      started: this.started,
      version: BACKUP_TOOL_VERSION,
      hostname: this.options.hostname,
      part: number,
      ...(this.options.base ? { base: this.options.base } : {}),
    });
    await this.addTextHere(VERSION_ENTRY, version, this.started);
  }

  /** Whether an entry of this bound fits the open part now. */
  fits(bound: number): boolean {
    const part = this.part!;
    return (
      part.entries + this.pendingEntries < this.options.maxEntries &&
      part.written + this.pending + this.central + bound + 22 <= this.options.splitSize
    );
  }

  /** Whether an entry of this bound would fit a part holding only its `.version.txt`. */
  fitsEmptyPart(bound: number): boolean {
    return bound + 512 + 22 <= this.options.splitSize;
  }

  fitsText(name: string, size: number): boolean {
    return this.fits(deflateBound(size) + entryOverhead(name));
  }

  async add(entry: PreparedEntry): Promise<void> {
    await this.part!.add(entry);
    this.central += 46 + Buffer.byteLength(entry.name);
  }

  async addFile(file: SourceFile, level: number): Promise<{ size: number } | null> {
    try {
      const written = await this.part!.addStream(file.name, createReadStream(file.path), {
        mtime: file.mtime,
        mode: file.mode,
        level,
      });
      this.central += 46 + Buffer.byteLength(file.name);
      return written;
    } catch (error) {
      if (isMissingFileError(error))
        throw new Error(`${file.path} went away while it was backed up`, { cause: error });
      throw error;
    }
  }

  /** Adds a text entry, in a part of its own if the open one has no room left. */
  async addText(name: string, text: string, mtime: number, last = false): Promise<void> {
    if (!this.fitsText(name, Buffer.byteLength(text) + (last ? 4096 : 0))) await this.nextPart();
    await this.addTextHere(name, text, mtime);
  }

  private async addTextHere(name: string, text: string, mtime: number): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    await this.add({
      name,
      mtime,
      mode: 0o644,
      crc: crc32(data),
      size: data.length,
      method: 0,
      data,
    });
  }

  /** Closes the last part and gives every part its final name, the first last. */
  async finish(): Promise<string[]> {
    await this.part!.finish();
    this.part = null;
    const finals = this.paths.map((path) => path.slice(0, -UNFINISHED_SUFFIX.length));
    for (let i = this.paths.length - 1; i >= 0; i--) await rename(this.paths[i]!, finals[i]!);
    return finals;
  }

  async abort(): Promise<void> {
    await this.part?.abort().catch(() => undefined);
    for (const path of this.paths) await rm(path, { force: true }).catch(() => undefined);
  }
}
