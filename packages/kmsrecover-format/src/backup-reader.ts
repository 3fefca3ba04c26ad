import { type BackupInfo, type BackupSelection } from './backup-directory.js';
import { DELETED_ENTRY, VERSION_ENTRY, parseDeletedText, parseVersionText } from './backup-text.js';
import { type ArchiveEntry, ArchiveError, type ArchiveLimits, ZipArchive } from './zip-archive.js';

/** An entry of a backup set, with the part it is read from. */
export interface SetEntry {
  readonly entry: ArchiveEntry;
  readonly archive: ZipArchive;
}

/**
 * The files of a backup set (a full or copy backup and its differential) as a restore sees
 * them: the differential's files over the base's, less the files its `.deleted.txt` names.
 * Every part is opened (and every entry checked, see {@link ZipArchive}) before anything is
 * read; a name in two parts of one backup is refused as hostile.
 */
export class BackupSet {
  private constructor(
    private readonly archives: readonly ZipArchive[],
    /** Entry name → where to read it, in archive order; the backup's own text files left out. */
    readonly files: SetFiles,
  ) {}

  static async open(selection: BackupSelection, limits: ArchiveLimits = {}): Promise<BackupSet> {
    const archives: ZipArchive[] = [];
    try {
      const files = new SetFiles(archives);
      await openBackup(selection.base, limits, archives, files);
      if (selection.differential) {
        const differential = await openBackup(selection.differential, limits, archives, files);
        if (differential.base !== selection.base.id)
          throw new ArchiveError(
            'corrupt',
            selection.differential.parts[0]!,
            `a differential of ${differential.base ?? 'no backup'}, not of ${selection.base.id}`,
          );
        // Gone at the differential's time, unless the differential has it again.
        for (const name of differential.deleted)
          if ((files.numberOf(name) ?? -1) < differential.start) files.delete(name);
      }
      return new BackupSet(archives, files);
    } catch (error) {
      for (const archive of archives) archive.close();
      throw error;
    }
  }

  close(): void {
    for (const archive of this.archives) archive.close();
  }
}

/**
 * The set's files by name, each kept as one number (which part, which entry of it) rather than
 * an object: {@link SetEntry} objects are made as they are asked for, so that a set of 100,000
 * messages costs its names and a map of numbers through the whole restore.
 */
export class SetFiles implements ReadonlyMap<string, SetEntry> {
  private readonly where = new Map<string, number>();
  /** The first number of each archive's entries: `where` holds start + entry index. */
  private readonly starts: number[] = [];

  constructor(private readonly archives: readonly ZipArchive[]) {}

  /** Numbers the entries of an archive just opened (the last of `archives`). */
  addArchive(): number {
    const previous = this.archives.length - 2;
    const start = previous < 0 ? 0 : this.starts[previous]! + this.archives[previous]!.count;
    this.starts.push(start);
    return start;
  }

  set(name: string, number: number): void {
    this.where.set(name, number);
  }

  /** The number an entry name has (see {@link addArchive}), if any. */
  numberOf(name: string): number | undefined {
    return this.where.get(name);
  }

  delete(name: string): void {
    this.where.delete(name);
  }

  get size(): number {
    return this.where.size;
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  get(name: string): SetEntry | undefined {
    const number = this.where.get(name);
    return number === undefined ? undefined : this.entryOf(number);
  }

  *entries(): MapIterator<[string, SetEntry]> {
    for (const [name, number] of this.where) yield [name, this.entryOf(number)];
  }

  keys(): MapIterator<string> {
    return this.where.keys();
  }

  *values(): MapIterator<SetEntry> {
    for (const number of this.where.values()) yield this.entryOf(number);
  }

  [Symbol.iterator](): MapIterator<[string, SetEntry]> {
    return this.entries();
  }

  forEach(
    callback: (value: SetEntry, key: string, map: ReadonlyMap<string, SetEntry>) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, entry] of this) callback.call(thisArg, entry, name, this);
  }

  private entryOf(number: number): SetEntry {
    // The last archive whose first number is not above it (few archives: a linear search).
    let at = this.starts.length - 1;
    while (this.starts[at]! > number) at--;
    const archive = this.archives[at]!;
    return { entry: archive.entryAt(number - this.starts[at]!), archive };
  }
}

async function openBackup(
  backup: BackupInfo,
  limits: ArchiveLimits,
  opened: ZipArchive[],
  files: SetFiles,
): Promise<{ start: number; deleted: string[]; base: string | null }> {
  // The first number of this backup's entries: a name already numbered from it on is in two
  // of its parts.
  let first: number | null = null;
  let deleted: string[] = [];
  let base: string | null = null;
  for (const part of backup.parts) {
    const archive = await ZipArchive.open(part, limits);
    opened.push(archive);
    const start = files.addArchive();
    first ??= start;
    for (let index = 0; index < archive.count; index++) {
      if (archive.isDirectoryAt(index)) continue;
      const name = archive.nameAt(index);
      if (name === VERSION_ENTRY) {
        if (part === backup.parts[0])
          base =
            parseVersionText((await archive.read(archive.entryAt(index))).toString('utf8')).base ??
            null;
        continue;
      }
      if (name === DELETED_ENTRY) {
        deleted = parseDeletedText((await archive.read(archive.entryAt(index))).toString('utf8'));
        continue;
      }
      if (name.startsWith('.')) continue;
      if ((files.numberOf(name) ?? -1) >= first)
        throw new ArchiveError(
          'hostile',
          part,
          `${name}: the name is in two parts of ${backup.id}`,
        );
      files.set(name, start + index);
    }
  }
  return { start: first ?? Number.MAX_SAFE_INTEGER, deleted, base };
}
