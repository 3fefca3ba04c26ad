import { close, createReadStream, fstatSync, openSync, read, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.js';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { unsafeEntryName } from './archive-layout.js';
import { type ArchiveEntry, EntryTable, type StoredEntry } from './entry-table.js';

export type { ArchiveEntry } from './entry-table.js';

/**
 * What a reader accepts from an archive before it writes anything: each a bound on what a
 * hostile archive could make a restore do (a zip bomb's output, an entry list that fills
 * memory).
 */
export interface ArchiveLimits {
  /** Entries in one archive; default 2,000,000 (a part of ours has at most 16,384). */
  readonly maxEntries?: number;
  /** Uncompressed bytes of one entry; default 4 GiB (ours are at most 2 GB). */
  readonly maxEntrySize?: number;
  /** Uncompressed bytes of all entries together; default 1 TiB. */
  readonly maxTotalSize?: number;
  /**
   * Uncompressed to compressed, for entries over {@link RATIO_FLOOR} (deflate reaches 1032:1
   * on a run of one byte; mail compresses 2:1 to 20:1); default 200.
   */
  readonly maxRatio?: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Required<ArchiveLimits> = {
  maxEntries: 2_000_000,
  maxEntrySize: 4 * 1024 ** 3,
  maxTotalSize: 1024 ** 4,
  maxRatio: 200,
};

/** Entries smaller than this may compress as well as they like: they cannot be a bomb. */
export const RATIO_FLOOR = 1024 * 1024;

/** Why an archive was refused. */
export type ArchiveProblem = 'hostile' | 'corrupt' | 'limit';

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';

  constructor(
    readonly problem: ArchiveProblem,
    readonly archive: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${archive}: ${message}`, options);
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * A ZIP file opened for reading through yauzl (ZIP64 included), with every entry checked before
 * any is read: names that could reach outside a target (see {@link unsafeEntryName}), symbolic
 * links, devices, duplicate names, a name that is both a file and a directory, and the
 * {@link ArchiveLimits}. Reads stream, check the entry's size (yauzl) and CRC-32 (here), and
 * reject on any damage.
 */
export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    private readonly reader: ChunkedFileReader,
    private readonly table: EntryTable,
  ) {}

  /** How many entries the archive has. */
  get count(): number {
    return this.table.length;
  }

  /**
   * Every entry, in archive order, as objects made for this call: to go through a large
   * archive without them all at once, use {@link count}, {@link nameAt} and {@link entryAt}.
   */
  get entries(): readonly ArchiveEntry[] {
    return Array.from({ length: this.table.length }, (_, index) => this.entryAt(index));
  }

  nameAt(index: number): string {
    return this.table.nameAt(index);
  }

  isDirectoryAt(index: number): boolean {
    return this.table.isDirectoryAt(index);
  }

  /** The entry at an index (0 to count - 1), as a new object each call. */
  entryAt(index: number): ArchiveEntry {
    const { name, size, compressedSize, crc, mtime, mode, isDirectory } = this.table.entryAt(index);
    return { name, size, compressedSize, crc, mtime, mode, isDirectory };
  }

  static async open(path: string, limits: ArchiveLimits = {}): Promise<ZipArchive> {
    const bounds = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
    let zip: yauzl.ZipFile;
    let reader: ChunkedFileReader | null = null;
    try {
      reader = new ChunkedFileReader(openSync(path, 'r'));
      const opened = reader;
      zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
        yauzl.fromRandomAccessReader(
          opened,
          opened.size,
          {
            lazyEntries: true,
            autoClose: false,
            decodeStrings: true,
            validateEntrySizes: true,
            strictFileNames: true,
          },
          (error, zipFile) => (error ? reject(error) : resolve(zipFile)),
        ),
      );
    } catch (error) {
      reader?.closeNow();
      throw asArchiveError(path, error);
    }
    try {
      if (zip.entryCount > bounds.maxEntries)
        throw new ArchiveError(
          'limit',
          path,
          `${zip.entryCount} entries, over the limit of ${bounds.maxEntries}`,
        );
      const entries = await readEntries(path, zip, bounds);
      return new ZipArchive(path, zip, reader, entries);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  get(name: string): ArchiveEntry | undefined {
    const index = this.table.indexOf(name);
    return index === undefined ? undefined : this.entryAt(index);
  }

  /** The stored form of an entry of this archive; throws for one of another archive. */
  private stored(entry: ArchiveEntry): StoredEntry {
    const index = this.table.matches(entry);
    if (index === undefined) throw new Error(`not an entry of ${this.path}: ${entry.name}`);
    return this.table.entryAt(index);
  }

  /** The entry's bytes as they stream out; rejects on a CRC or size mismatch. */
  async *stream(entry: ArchiveEntry): AsyncGenerator<Buffer> {
    const stored = this.stored(entry);
    let readable: NodeJS.ReadableStream;
    try {
      readable = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        this.zip.openReadStream(yauzlEntry(stored), (error, stream) =>
          error ? reject(error) : resolve(stream),
        ),
      );
    } catch (error) {
      throw asArchiveError(this.path, error, entry.name);
    }
    let crc = 0;
    try {
      for await (const chunk of readable as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      throw asArchiveError(this.path, error, entry.name);
    }
    if (crc !== entry.crc)
      throw new ArchiveError(
        'corrupt',
        this.path,
        `${entry.name}: CRC-32 ${hex(crc)} where the archive says ${hex(entry.crc)}`,
      );
  }

  /**
   * The entry's bytes, whole; rejects on a CRC or size mismatch. For entries that fit in
   * memory (messages, the text files, a tree, an index): one read of the local header and the
   * data together, and one inflate, where a stream costs several objects and reads an entry.
   */
  async read(entry: ArchiveEntry): Promise<Buffer> {
    const stored = this.stored(entry);
    if (entry.compressedSize > WHOLE_READ_LIMIT || entry.size > WHOLE_READ_LIMIT) {
      const chunks: Buffer[] = [];
      for await (const chunk of this.stream(entry)) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
    let data: Buffer;
    try {
      data = this.readWhole(stored);
    } catch (error) {
      throw asArchiveError(this.path, error, entry.name);
    }
    const crc = crc32(data);
    if (crc !== entry.crc)
      throw new ArchiveError(
        'corrupt',
        this.path,
        `${entry.name}: CRC-32 ${hex(crc)} where the archive says ${hex(entry.crc)}`,
      );
    return data;
  }

  private readWhole(entry: StoredEntry): Buffer {
    const start = entry.localHeaderOffset;
    // The name and extra field of the local header are read along with the data, on the
    // guess that the extra field is short; a longer one costs a second read.
    let buffer = this.reader.readAt(start, LOCAL_HEADER + LOCAL_SLACK + entry.compressedSize);
    if (buffer.length < LOCAL_HEADER || buffer.readUInt32LE(0) !== 0x04034b50)
      throw new Error('invalid local file header signature');
    const dataStart = LOCAL_HEADER + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
    if (buffer.length < dataStart + entry.compressedSize) {
      buffer = this.reader.readAt(start, dataStart + entry.compressedSize);
      if (buffer.length < dataStart + entry.compressedSize) throw new Error('unexpected EOF');
    }
    const raw = buffer.subarray(dataStart, dataStart + entry.compressedSize);
    let data: Buffer;
    if (entry.compressionMethod === 0) data = raw;
    else {
      // Never more than the entry says: a bomb stops at its declared size.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    }
    if (data.length !== entry.size)
      throw new Error(`${data.length} bytes where the archive says ${entry.size}`);
    return data;
  }

  close(): void {
    this.zip.close();
  }
}

async function readEntries(
  path: string,
  zip: yauzl.ZipFile,
  bounds: Required<ArchiveLimits>,
): Promise<EntryTable> {
  const entries = new EntryTable();
  const names = new Set<string>();
  const files = new Set<string>();
  const directories = new Set<string>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      zip.removeAllListeners('entry');
      reject(asArchiveError(path, error));
    };
    zip.on('error', fail);
    zip.on('end', () => resolve());
    zip.on('entry', (raw: yauzl.Entry) => {
      try {
        const entry = checkEntry(path, raw, bounds);
        const key = entry.isDirectory ? entry.name.slice(0, -1) : entry.name;
        if (names.has(key))
          throw new ArchiveError(
            'hostile',
            path,
            `${entry.name}: the name is in the archive twice`,
          );
        names.add(key);
        total += entry.size;
        if (total > bounds.maxTotalSize)
          throw new ArchiveError(
            'limit',
            path,
            `over ${bounds.maxTotalSize} bytes uncompressed in all (the limit)`,
          );
        const levels = key.split('/');
        for (let i = 1; i < levels.length; i++) directories.add(levels.slice(0, i).join('/'));
        if (entry.isDirectory) directories.add(key);
        else files.add(key);
        entries.push(entry);
        zip.readEntry();
      } catch (error) {
        fail(error);
      }
    });
    zip.readEntry();
  });
  for (const file of files)
    if (directories.has(file))
      throw new ArchiveError('hostile', path, `${file}: both a file and a directory`);
  return entries;
}

function checkEntry(path: string, raw: yauzl.Entry, bounds: Required<ArchiveLimits>): StoredEntry {
  const name = raw.fileName;
  const unsafe = unsafeEntryName(name);
  if (unsafe) throw new ArchiveError('hostile', path, `${JSON.stringify(name)}: ${unsafe}`);
  const unixMode = raw.externalFileAttributes >>> 16;
  const type = unixMode & S_IFMT;
  const isDirectory = name.endsWith('/') || type === S_IFDIR;
  if (type === S_IFLNK) throw new ArchiveError('hostile', path, `${name}: a symbolic link`);
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
    throw new ArchiveError('hostile', path, `${name}: not a file or directory`);
  if (isDirectory && !name.endsWith('/'))
    throw new ArchiveError('hostile', path, `${name}: a directory without a trailing "/"`);
  if (raw.isEncrypted()) throw new ArchiveError('corrupt', path, `${name}: encrypted`);
  if (raw.compressionMethod !== 0 && raw.compressionMethod !== 8)
    throw new ArchiveError(
      'corrupt',
      path,
      `${name}: compression method ${raw.compressionMethod} is not deflate`,
    );
  if (raw.uncompressedSize > bounds.maxEntrySize)
    throw new ArchiveError(
      'limit',
      path,
      `${name}: ${raw.uncompressedSize} bytes uncompressed, over the limit of ${bounds.maxEntrySize}`,
    );
  if (
    raw.uncompressedSize > RATIO_FLOOR &&
    raw.uncompressedSize / Math.max(1, raw.compressedSize) > bounds.maxRatio
  )
    throw new ArchiveError(
      'limit',
      path,
      `${name}: compressed ${Math.round(raw.uncompressedSize / Math.max(1, raw.compressedSize))} to 1, over the limit of ${bounds.maxRatio} (a zip bomb?)`,
    );
  return {
    name,
    size: raw.uncompressedSize,
    compressedSize: raw.compressedSize,
    crc: raw.crc32 >>> 0,
    mtime: raw.getLastModDate().getTime(),
    mode: unixMode & 0o777 ? unixMode & 0o777 : 0o644,
    isDirectory,
    // Only numbers: a central record keeps name, extra field and comment buffers too, which,
    // for an archive of 100,000 entries held open through a restore, is memory for nothing.
    localHeaderOffset: raw.relativeOffsetOfLocalHeader,
    compressionMethod: raw.compressionMethod,
    generalPurposeBitFlag: raw.generalPurposeBitFlag,
  };
}

/** What yauzl needs of an entry to stream it: where its local header is, its sizes and method. */
function yauzlEntry(entry: StoredEntry): yauzl.Entry {
  const made = new yauzl.Entry();
  made.fileName = entry.name;
  made.compressedSize = entry.compressedSize;
  made.uncompressedSize = entry.size;
  made.relativeOffsetOfLocalHeader = entry.localHeaderOffset;
  made.compressionMethod = entry.compressionMethod;
  made.generalPurposeBitFlag = entry.generalPurposeBitFlag;
  made.crc32 = entry.crc;
  return made;
}

const LOCAL_HEADER = 30;
/** Bytes read past a local header for its name and extra field, in the same read as the data. */
const LOCAL_SLACK = 1024;
/** Entries up to this size (compressed and not) are read whole by `read`; larger ones stream. */
const WHOLE_READ_LIMIT = 16 * 1024 * 1024;
/** The central directory is read this much at a time. */
const DIRECTORY_CHUNK = 1024 * 1024;

/**
 * The archive file as yauzl reads it: its many small reads of the central directory (two an
 * entry) served from one chunk read ahead, so that listing 16,384 entries costs a few dozen
 * system calls rather than 32,768; entry data streams from the file itself.
 */
class ChunkedFileReader extends yauzl.RandomAccessReader {
  readonly size: number;
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;
  private closed = false;

  constructor(private readonly fd: number) {
    super();
    try {
      this.size = fstatSync(fd).size;
    } catch (error) {
      this.closeNow();
      throw error;
    }
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (error: Error | null, bytesRead?: number) => void,
  ): void {
    const end = position + length;
    const serve = () => {
      const available = Math.max(0, Math.min(end, this.chunkStart + this.chunk.length) - position);
      this.chunk.copy(
        buffer,
        offset,
        position - this.chunkStart,
        position - this.chunkStart + available,
      );
      // Asynchronously all the same: yauzl asks for the next entry from within the callback.
      queueMicrotask(() => callback(null, available));
    };
    if (position >= this.chunkStart && end <= this.chunkStart + this.chunk.length) return serve();
    const chunk = Buffer.allocUnsafe(
      Math.min(Math.max(length, DIRECTORY_CHUNK), Math.max(0, this.size - position)) || 1,
    );
    read(this.fd, chunk, 0, chunk.length, position, (error, got) => {
      if (error) return callback(error);
      this.chunk = chunk.subarray(0, got);
      this.chunkStart = position;
      serve();
    });
  }

  /** Bytes at a place of the file, up to `length` (fewer at its end). */
  readAt(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    let done = 0;
    while (done < buffer.length) {
      const got = readSync(this.fd, buffer, done, buffer.length - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return buffer.subarray(0, done);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }

  override close(callback: (error: Error | null) => void): void {
    this.chunk = Buffer.alloc(0);
    if (this.closed) return callback(null);
    this.closed = true;
    close(this.fd, callback);
  }

  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd, () => undefined);
  }
}

function asArchiveError(path: string, error: unknown, entry?: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = entry ? `${entry}: ` : '';
  // yauzl's own name checks (it refuses some names before we see them).
  if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(message))
    return new ArchiveError('hostile', path, `${where}${message}`, { cause: error });
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !entry) throw error;
  return new ArchiveError('corrupt', path, `${where}${message} (truncated or damaged)`, {
    cause: error,
  });
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}
