import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createDeflateRaw } from 'node:zlib';
import { crc32 } from './crc32.js';
import { Zip, type ZipInputFile } from 'fflate';

/** An entry whose data is ready: compressed (method 8) or stored (method 0). */
export interface PreparedEntry {
  readonly name: string;
  readonly mtime: number;
  /** Unix mode bits of the file (0o644 and the like). */
  readonly mode: number;
  /** CRC-32 and size of the uncompressed data. */
  readonly crc: number;
  readonly size: number;
  readonly method: 0 | 8;
  readonly data: Uint8Array;
}

/** Bytes a ZIP entry adds besides its data: local header, data descriptor, central record. */
export function entryOverhead(name: string): number {
  return 30 + 16 + 46 + 2 * Buffer.byteLength(name);
}

/** What deflate may add to data it cannot compress (stored blocks), plus some slack. */
export function deflateBound(size: number): number {
  return size + Math.ceil(size / 16_000) * 5 + 64;
}

/** DOS times run from 1980 to 2107; fflate stops at 2099. A file outside gets the nearest end. */
const EARLIEST = Date.UTC(1980, 0, 2);
const LATEST = Date.UTC(2099, 11, 30);

/**
 * One ZIP file being written, entry by entry, through fflate's streaming `Zip` (headers, data
 * descriptors, central directory). The data comes compressed already, so that compression can
 * run elsewhere and in parallel (node:zlib's thread pool); a large file is compressed as it
 * streams. Writes respect the file's backpressure: `add` resolves when the data may be dropped.
 */
export class ZipPartWriter {
  private readonly zip: Zip;
  private readonly out: WriteStream;
  private failure: Error | null = null;
  private readonly closed: Promise<void>;
  /** Bytes handed to the file so far. */
  written = 0;
  entries = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'wx' });
    this.closed = new Promise((resolve, reject) => {
      this.out.on('close', () => (this.failure ? reject(this.failure) : resolve()));
      this.out.on('error', (error) => {
        this.failure ??= error;
        reject(error);
      });
    });
    this.closed.catch(() => undefined);
    this.zip = new Zip((error, data, final) => {
      if (error) {
        this.failure ??= error;
        this.out.destroy(error);
        return;
      }
      this.written += data.length;
      this.out.write(data);
      if (final) this.out.end();
    });
  }

  /** Adds an entry whose data is at hand. */
  async add(entry: PreparedEntry): Promise<void> {
    const file = this.inputFile(entry.name, entry.mtime, entry.mode, entry.method);
    file.crc = entry.crc;
    file.size = entry.size;
    this.zip.add(file);
    // fflate only reads the bytes; its types ask for a plain ArrayBuffer behind them.
    file.ondata!(null, entry.data as Uint8Array<ArrayBuffer>, true);
    this.entries++;
    await this.drained();
  }

  /** Adds a file that is read and compressed as it streams (one too large to hold). */
  async addStream(
    name: string,
    source: AsyncIterable<Uint8Array>,
    options: { mtime: number; mode: number; level: number },
  ): Promise<{ size: number; crc: number }> {
    const file = this.inputFile(name, options.mtime, options.mode, 8);
    this.zip.add(file);
    const deflate = createDeflateRaw({ level: options.level });
    let crc = 0;
    let size = 0;
    const compressed = (async () => {
      for await (const chunk of deflate as AsyncIterable<Buffer>) {
        file.ondata!(null, chunk as Uint8Array<ArrayBuffer>, false);
        await this.drained();
      }
    })();
    try {
      for await (const chunk of source) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
      }
      deflate.end();
      await compressed;
    } catch (error) {
      deflate.destroy();
      throw error;
    }
    file.crc = crc;
    file.size = size;
    file.ondata!(null, new Uint8Array(0), true);
    this.entries++;
    await this.drained();
    return { size, crc };
  }

  /** Writes the central directory and closes the file. */
  async finish(): Promise<void> {
    this.zip.end();
    await this.closed;
  }

  /** Stops writing and removes the file. */
  async abort(): Promise<void> {
    this.zip.terminate();
    this.out.destroy();
    await this.closed.catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private inputFile(name: string, mtime: number, mode: number, method: 0 | 8): ZipInputFile {
    if (this.failure) throw this.failure;
    return {
      filename: name,
      size: 0,
      crc: 0,
      compression: method,
      mtime: Math.min(LATEST, Math.max(EARLIEST, mtime)),
      // Unix (3) as the maker, the mode in the high half of the external attributes: Info-ZIP's
      // unzip and Python's zipfile then restore the permissions.
      os: 3,
      attrs: ((0o100000 | (mode & 0o7777)) << 16) >>> 0,
      terminate: () => undefined,
    };
  }

  private async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.writableNeedDrain) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          if (this.failure) reject(this.failure);
          else resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }
}
