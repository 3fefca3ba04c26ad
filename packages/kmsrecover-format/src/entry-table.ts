/** An entry of an archive, as a reader sees it. */
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

/** An entry with what a reader needs to find and decode its data. */
export interface StoredEntry extends ArchiveEntry {
  readonly localHeaderOffset: number;
  readonly compressionMethod: number;
  readonly generalPurposeBitFlag: number;
}

const DIRECTORY_BIT = 0x8000;

/**
 * The entries of one archive, in columns: a typed array a field and the names, so that an
 * entry costs its name and about 50 bytes, where an object an entry (with its numbers boxed)
 * costs several hundred, held through a whole restore. Entry objects are made when asked for.
 */
export class EntryTable {
  private readonly names: string[] = [];
  private readonly indexByName = new Map<string, number>();
  private capacity = 0;
  private sizes = new Float64Array(0);
  private compressedSizes = new Float64Array(0);
  private mtimes = new Float64Array(0);
  private offsets = new Float64Array(0);
  private crcs = new Uint32Array(0);
  /** Permission bits, and {@link DIRECTORY_BIT} for a directory. */
  private modes = new Uint16Array(0);
  private methods = new Uint16Array(0);
  private flags = new Uint16Array(0);

  get length(): number {
    return this.names.length;
  }

  /** Appends an entry; its name must not be in the table yet. */
  push(entry: StoredEntry): void {
    const at = this.names.length;
    if (at === this.capacity) this.grow();
    this.names.push(entry.name);
    this.indexByName.set(entry.name, at);
    this.sizes[at] = entry.size;
    this.compressedSizes[at] = entry.compressedSize;
    this.mtimes[at] = entry.mtime;
    this.offsets[at] = entry.localHeaderOffset;
    this.crcs[at] = entry.crc;
    this.modes[at] = (entry.mode & 0o7777) | (entry.isDirectory ? DIRECTORY_BIT : 0);
    this.methods[at] = entry.compressionMethod;
    this.flags[at] = entry.generalPurposeBitFlag;
  }

  indexOf(name: string): number | undefined {
    return this.indexByName.get(name);
  }

  nameAt(index: number): string {
    return this.names[index]!;
  }

  isDirectoryAt(index: number): boolean {
    return (this.modes[index]! & DIRECTORY_BIT) !== 0;
  }

  /** The entry at an index, as a new object each call. */
  entryAt(index: number): StoredEntry {
    return {
      name: this.names[index]!,
      size: this.sizes[index]!,
      compressedSize: this.compressedSizes[index]!,
      crc: this.crcs[index]!,
      mtime: this.mtimes[index]!,
      mode: this.modes[index]! & 0o7777,
      isDirectory: this.isDirectoryAt(index),
      localHeaderOffset: this.offsets[index]!,
      compressionMethod: this.methods[index]!,
      generalPurposeBitFlag: this.flags[index]!,
    };
  }

  /** Whether an entry object describes the entry of that name here (not one of another archive). */
  matches(entry: ArchiveEntry): number | undefined {
    const index = this.indexByName.get(entry.name);
    if (index === undefined) return undefined;
    return this.crcs[index] === entry.crc >>> 0 &&
      this.sizes[index] === entry.size &&
      this.compressedSizes[index] === entry.compressedSize
      ? index
      : undefined;
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const grown = <T extends Float64Array | Uint32Array | Uint16Array>(
      old: T,
      make: new (n: number) => T,
    ): T => {
      const next = new make(capacity);
      next.set(old);
      return next;
    };
    this.sizes = grown(this.sizes, Float64Array);
    this.compressedSizes = grown(this.compressedSizes, Float64Array);
    this.mtimes = grown(this.mtimes, Float64Array);
    this.offsets = grown(this.offsets, Float64Array);
    this.crcs = grown(this.crcs, Uint32Array);
    this.modes = grown(this.modes, Uint16Array);
    this.methods = grown(this.methods, Uint16Array);
    this.flags = grown(this.flags, Uint16Array);
    this.capacity = capacity;
  }
}
