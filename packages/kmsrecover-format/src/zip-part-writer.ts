import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createDeflateRaw } from 'node:zlib';
import { crc32 } from './crc32.js';

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
  return LOCAL_HEADER + DATA_DESCRIPTOR + CENTRAL_RECORD + 2 * Buffer.byteLength(name);
}

/** What deflate may add to data it cannot compress (stored blocks), plus some slack. */
export function deflateBound(size: number): number {
  return size + Math.ceil(size / 16_000) * 5 + 64;
}

/** DOS times run from 1980 to 2107; kept to 2099 as most writers do. A file outside gets the nearest end. */
const EARLIEST = Date.UTC(1980, 0, 2);
const LATEST = Date.UTC(2099, 11, 30);

const LOCAL_HEADER = 30;
const DATA_DESCRIPTOR = 16;
const CENTRAL_RECORD = 46;
const END_RECORD = 22;
/** Without ZIP64 a part holds at most this many entries, and offsets and sizes under 4 GiB. */
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
/** Version 2.0 (deflate), made on Unix (3): unzip and Python's zipfile then restore the modes. */
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (3 << 8) | 20;
/** General purpose flags: sizes and CRC in a data descriptor after the data; UTF-8 names. */
const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;

/**
 * One ZIP file (PKWARE APPNOTE 4.3, without ZIP64) being written entry by entry: each entry's
 * local header and data go to the file at once, and of each entry only its central-directory
 * record is kept, as bytes in one growing buffer (46 bytes and the name), until `finish`
 * writes them and the end record. The data comes compressed already (compression runs on
 * worker threads, see CompressPool), so the local header carries the CRC and sizes; a large
 * file is compressed as it streams, its CRC and sizes then in a data descriptor after it.
 * Writes respect the file's backpressure: `add` resolves when the data may be dropped.
 */
export class ZipPartWriter {
  private readonly out: WriteStream;
  private failure: Error | null = null;
  private readonly closed: Promise<void>;
  /** The central directory so far: one record an entry, as it will be written. */
  private central = Buffer.allocUnsafe(64 * 1024);
  private centralLength = 0;
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
  }

  /** Adds an entry whose data is at hand. */
  async add(entry: PreparedEntry): Promise<void> {
    const header = this.begin(entry.name, entry.mtime, entry.method, 0);
    const offset = this.written;
    header.writeUInt32LE(entry.crc >>> 0, 14);
    header.writeUInt32LE(entry.data.length, 18);
    header.writeUInt32LE(entry.size, 22);
    this.write(header);
    this.write(entry.data);
    this.record(header, offset, entry.mode);
    await this.drained();
  }

  /** Adds a file that is read and compressed as it streams (one too large to hold). */
  async addStream(
    name: string,
    source: AsyncIterable<Uint8Array>,
    options: { mtime: number; mode: number; level: number },
  ): Promise<{ size: number; crc: number }> {
    const header = this.begin(name, options.mtime, 8, FLAG_DATA_DESCRIPTOR);
    const offset = this.written;
    // A copy goes out: the header itself gets the CRC and sizes for the central record below,
    // while the stream may not have written it yet.
    this.write(Buffer.from(header));
    const deflate = createDeflateRaw({ level: options.level });
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const compressed = (async () => {
      for await (const chunk of deflate as AsyncIterable<Buffer>) {
        compressedSize += chunk.length;
        this.write(chunk);
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
    if (size > MAX_OFFSET || compressedSize > MAX_OFFSET)
      throw new RangeError(`${name}: over 4 GiB, which a ZIP without ZIP64 cannot hold`);
    const descriptor = Buffer.allocUnsafe(DATA_DESCRIPTOR);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressedSize, 8);
    descriptor.writeUInt32LE(size, 12);
    this.write(descriptor);
    header.writeUInt32LE(crc >>> 0, 14);
    header.writeUInt32LE(compressedSize, 18);
    header.writeUInt32LE(size, 22);
    this.record(header, offset, options.mode);
    await this.drained();
    return { size, crc };
  }

  /** Writes the central directory and the end record, and closes the file. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    const start = this.written;
    if (start > MAX_OFFSET) throw new RangeError(`${this.path}: over 4 GiB without ZIP64`);
    const end = Buffer.alloc(END_RECORD);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries, 8);
    end.writeUInt16LE(this.entries, 10);
    end.writeUInt32LE(this.centralLength, 12);
    end.writeUInt32LE(start, 16);
    this.write(this.central.subarray(0, this.centralLength));
    this.write(end);
    this.central = Buffer.alloc(0);
    this.out.end();
    await this.closed;
  }

  /** Stops writing and removes the file. */
  async abort(): Promise<void> {
    this.out.destroy();
    await this.closed.catch(() => undefined);
    await rm(this.path, { force: true });
  }

  /** A local header for an entry, its CRC and sizes still zero. */
  private begin(name: string, mtime: number, method: 0 | 8, flags: number): Buffer {
    if (this.failure) throw this.failure;
    if (this.entries >= MAX_ENTRIES)
      throw new RangeError(`${this.path}: over ${MAX_ENTRIES} entries without ZIP64`);
    if (this.written > MAX_OFFSET) throw new RangeError(`${this.path}: over 4 GiB without ZIP64`);
    const nameLength = Buffer.byteLength(name);
    const header = Buffer.alloc(LOCAL_HEADER + nameLength);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    // Names are UTF-8; the flag tells readers so when one is not plain ASCII.
    header.writeUInt16LE(flags | (nameLength === name.length ? 0 : FLAG_UTF8), 6);
    header.writeUInt16LE(method, 8);
    const { time, date } = dosTime(Math.min(LATEST, Math.max(EARLIEST, mtime)));
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt16LE(nameLength, 26);
    header.write(name, LOCAL_HEADER, 'utf8');
    return header;
  }

  /** Keeps the entry's central-directory record, made from its finished local header. */
  private record(header: Buffer, offset: number, mode: number): void {
    const nameLength = header.length - LOCAL_HEADER;
    const needed = this.centralLength + CENTRAL_RECORD + nameLength;
    if (needed > this.central.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.central.length * 2));
      this.central.copy(grown, 0, 0, this.centralLength);
      this.central = grown;
    }
    const record = this.central.subarray(this.centralLength, needed);
    record.fill(0, 0, CENTRAL_RECORD);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(VERSION_MADE_BY, 4);
    // version needed, flags, method, time, date, CRC, sizes and name length: as in the header.
    header.copy(record, 6, 4, 30);
    // Regular file with its permission bits, in the high half of the external attributes.
    record.writeUInt32LE(((0o100000 | (mode & 0o7777)) << 16) >>> 0, 38);
    record.writeUInt32LE(offset, 42);
    header.copy(record, CENTRAL_RECORD, LOCAL_HEADER);
    this.centralLength = needed;
    this.entries++;
  }

  private write(data: Uint8Array): void {
    this.written += data.length;
    this.out.write(data);
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

/** MS-DOS date and time fields, in local time as Info-ZIP writes and reads them. */
function dosTime(epochMs: number): { time: number; date: number } {
  const at = new Date(epochMs);
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >>> 1),
    date: ((at.getFullYear() - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}
