import { crc32 } from './crc32.js';
import yauzl from 'yauzl';
import { unsafeEntryName } from './archive-layout.js';

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

export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly crc: number;
  /** Modification time, UTC milliseconds (DOS time: two seconds' resolution, local time). */
  readonly mtime: number;
  /** Unix permission bits when the maker recorded them, else 0o644. */
  readonly mode: number;
  readonly isDirectory: boolean;
}

interface StoredEntry extends ArchiveEntry {
  readonly raw: yauzl.Entry;
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
  private readonly byName: Map<string, StoredEntry>;

  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    readonly entries: readonly ArchiveEntry[],
  ) {
    this.byName = new Map(entries.map((entry) => [entry.name, entry as StoredEntry]));
  }

  static async open(path: string, limits: ArchiveLimits = {}): Promise<ZipArchive> {
    const bounds = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
    let zip: yauzl.ZipFile;
    try {
      zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
        yauzl.open(
          path,
          {
            lazyEntries: true,
            autoClose: false,
            decodeStrings: true,
            validateEntrySizes: true,
            strictFileNames: true,
          },
          (error, opened) => (error ? reject(error) : resolve(opened)),
        ),
      );
    } catch (error) {
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
      return new ZipArchive(path, zip, entries);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  get(name: string): ArchiveEntry | undefined {
    return this.byName.get(name);
  }

  /** The entry's bytes as they stream out; rejects on a CRC or size mismatch. */
  async *stream(entry: ArchiveEntry): AsyncGenerator<Buffer> {
    const stored = this.byName.get(entry.name);
    if (!stored || stored !== entry) throw new Error(`not an entry of ${this.path}: ${entry.name}`);
    let readable: NodeJS.ReadableStream;
    try {
      readable = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        this.zip.openReadStream(stored.raw, (error, stream) =>
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

  /** The entry's bytes, whole. For small entries (the text files, a tree, an index). */
  async read(entry: ArchiveEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.stream(entry)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  close(): void {
    this.zip.close();
  }
}

async function readEntries(
  path: string,
  zip: yauzl.ZipFile,
  bounds: Required<ArchiveLimits>,
): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
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
    raw: slimEntry(raw),
  };
}

/**
 * What yauzl needs of an entry to read it (where its local header is, its sizes and method):
 * a central record keeps name, extra field and comment buffers too, which, for an archive of
 * 100,000 entries held open through a restore, is memory for nothing.
 */
function slimEntry(raw: yauzl.Entry): yauzl.Entry {
  const slim = new yauzl.Entry();
  slim.fileName = raw.fileName;
  slim.compressedSize = raw.compressedSize;
  slim.uncompressedSize = raw.uncompressedSize;
  slim.relativeOffsetOfLocalHeader = raw.relativeOffsetOfLocalHeader;
  slim.compressionMethod = raw.compressionMethod;
  slim.generalPurposeBitFlag = raw.generalPurposeBitFlag;
  slim.crc32 = raw.crc32;
  return slim;
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
