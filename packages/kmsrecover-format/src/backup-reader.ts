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
    readonly files: ReadonlyMap<string, SetEntry>,
  ) {}

  static async open(selection: BackupSelection, limits: ArchiveLimits = {}): Promise<BackupSet> {
    const archives: ZipArchive[] = [];
    try {
      const files = new Map<string, SetEntry>();
      const base = await openBackup(selection.base, limits, archives);
      for (const [name, entry] of base.files) files.set(name, entry);
      if (selection.differential) {
        const differential = await openBackup(selection.differential, limits, archives);
        if (differential.base !== selection.base.id)
          throw new ArchiveError(
            'corrupt',
            selection.differential.parts[0]!,
            `a differential of ${differential.base ?? 'no backup'}, not of ${selection.base.id}`,
          );
        for (const name of differential.deleted) files.delete(name);
        for (const [name, entry] of differential.files) files.set(name, entry);
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

async function openBackup(
  backup: BackupInfo,
  limits: ArchiveLimits,
  opened: ZipArchive[],
): Promise<{ files: Map<string, SetEntry>; deleted: string[]; base: string | null }> {
  const files = new Map<string, SetEntry>();
  let deleted: string[] = [];
  let base: string | null = null;
  for (const part of backup.parts) {
    const archive = await ZipArchive.open(part, limits);
    opened.push(archive);
    for (const entry of archive.entries) {
      if (entry.isDirectory) continue;
      if (entry.name === VERSION_ENTRY) {
        if (part === backup.parts[0])
          base = parseVersionText((await archive.read(entry)).toString('utf8')).base ?? null;
        continue;
      }
      if (entry.name === DELETED_ENTRY) {
        deleted = parseDeletedText((await archive.read(entry)).toString('utf8'));
        continue;
      }
      if (entry.name.startsWith('.')) continue;
      if (files.has(entry.name))
        throw new ArchiveError(
          'hostile',
          part,
          `${entry.name}: the name is in two parts of ${backup.id}`,
        );
      files.set(entry.name, { entry, archive });
    }
  }
  return { files, deleted, base };
}
