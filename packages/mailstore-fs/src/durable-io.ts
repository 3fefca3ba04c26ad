import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fstatSync,
  fsync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  write,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { TEMPORARY_SUFFIX } from '@mailyard/mailstore-interface';

/**
 * The file operations the folder storage is built from. Everything that costs microseconds in
 * the page cache (opening, writing small files, renaming, appending a line) is done
 * synchronously: through libuv's thread pool each would cost a round trip worth more than the
 * work. What waits for the disk (flushes) and what is large (big messages) goes through the
 * pool, and flushes that can overlap are issued together.
 */

const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);
const writeAsync = promisify(write);

/**
 * Up to this many octets are written synchronously: a page-cache copy of a few microseconds.
 * Larger messages go through the thread pool, so that a big message never blocks the event loop.
 */
export const SMALL_WRITE = 128 * 1024;
/** How many files are flushed at once: enough to keep the pool busy, few enough descriptors. */
export const FLUSH_CONCURRENCY = 32;

/** The digest recovery checks a message file against: 64 bits of its SHA-256, in hex. */
export function contentDigest(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

/** Writes all of `data` at the descriptor's position (the end, for a file opened to append). */
export function writeAllSync(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length;) {
    done += writeSync(fd, data, done, data.length - done);
  }
}

async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await writeAsync(fd, data, done, data.length - done, null);
    done += bytesWritten;
  }
}

/**
 * Writes a message file under a temporary name and gives it its name, unflushed: the caller
 * flushes it, and keeps the descriptor for that. A kill during the write leaves only a temporary
 * file, which the next load removes, so a file under a message's name is always whole as far as
 * the page cache knows; whether it reached the disk is what the caller's flush and recovery's
 * digest check are for.
 */
export async function writeMessageFile(path: string, content: Uint8Array): Promise<number> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    if (content.length <= SMALL_WRITE) writeAllSync(fd, content);
    else await writeAll(fd, content);
    renameSync(temporary, path);
    return fd;
  } catch (error) {
    closeQuietly(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Appends `text` to a file and flushes it. The write is synchronous (a line or a few); only the
 * flush waits in the pool.
 */
export async function appendDurably(path: string, text: string): Promise<void> {
  const fd = openSync(path, 'a', 0o600);
  try {
    writeAllSync(fd, Buffer.from(text));
    await fdatasyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends `text` without a flush, for lines whose loss in a crash costs nothing (see the
 * confirmation lines of `index.fld`).
 */
export function appendSync(path: string, text: string): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    writeAllSync(fd, Buffer.from(text));
  } finally {
    closeSync(fd);
  }
}

/**
 * An append of lines that can be flushed later, together with other files, and undone if that
 * fails: the descriptor stays open until {@link PendingAppend.close}.
 */
export class PendingAppend {
  readonly fd: number;
  private readonly sizeBefore: number;

  constructor(path: string, text: string) {
    const fd = openSync(path, 'a', 0o600);
    let size = -1;
    try {
      size = fstatSync(fd).size;
      writeAllSync(fd, Buffer.from(text));
    } catch (error) {
      if (size >= 0) truncateQuietly(fd, size);
      closeQuietly(fd);
      throw error;
    }
    this.fd = fd;
    this.sizeBefore = size;
  }

  /** Cuts the file back to its length before the append. */
  undo(): void {
    truncateQuietly(this.fd, this.sizeBefore);
  }

  close(): void {
    closeQuietly(this.fd);
  }
}

/**
 * Flushes the given files (descriptors, `fsync`), directories (paths, `fsync`) and files whose
 * data and size are what matters (descriptors, `fdatasync`) all at once, a bounded number at a
 * time: on a journaling filesystem flushes that overlap share one journal commit, so flushing a
 * message file, its directory and the index together costs about one flush, not three in a row.
 */
export async function flushTogether(items: {
  files?: readonly number[];
  directories?: readonly string[];
  data?: readonly number[];
}): Promise<void> {
  const directories = (items.directories ?? []).map((path) => openSync(path, 'r'));
  try {
    const work: (() => Promise<void>)[] = [
      ...(items.files ?? []).map((fd) => () => fsyncAsync(fd)),
      ...directories.map((fd) => () => fsyncAsync(fd)),
      ...(items.data ?? []).map((fd) => () => fdatasyncAsync(fd)),
    ];
    await runBounded(work, FLUSH_CONCURRENCY);
  } finally {
    for (const fd of directories) closeQuietly(fd);
  }
}

/** Flushes files given by path: opened (without truncating), flushed, closed. */
export async function flushPaths(paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += FLUSH_CONCURRENCY) {
    const fds = paths.slice(i, i + FLUSH_CONCURRENCY).map((path) => openSync(path, 'r+'));
    try {
      await flushTogether({ files: fds });
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
  }
}

/** Runs tasks with at most `limit` in flight; rejects with the first failure, after all settle. */
async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== null) throw failure;
}

function truncateQuietly(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
  } catch {
    // Recovery finds lines without their files and drops them.
  }
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed, or the close itself failed: nothing left to do with it.
  }
}

/**
 * Reads `length` octets at `start` in one synchronous open/read/close; a short file gives what
 * it has. For small reads, where a stream's trips through the thread pool cost more than the read.
 */
export function readSmall(path: string, start: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    return readAt(fd, start, length);
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` octets at `start` from an open file; a short file gives what it has. */
export function readAt(fd: number, start: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, start + filled);
    if (read === 0) break;
    filled += read;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}
