import { closeSync, createWriteStream, futimesSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type Logger,
  isMissingFileError,
  nullIfMissing,
  silentLogger,
} from '@mailyard/mailstore-interface';
import { TREE_FILE, treeDirectory } from '@mailyard/mailstore-fs';
import { type EntryPlace, type Mask, STORE_PREFIX, placeOfEntry } from './archive-layout.js';
import {
  type BackupInfo,
  type BackupSelection,
  baseOf,
  listBackups,
  selectBackup,
} from './backup-directory.js';
import { parseBackupName } from './backup-name.js';
import { BackupSet, type SetEntry } from './backup-reader.js';
import type { ArchiveLimits } from './zip-archive.js';

/** What to restore, and where (kmsrecover's options). */
export interface RestoreSelection {
  /** `-m`: only these parts; none restores everything, the queue and archive folders included. */
  readonly masks?: readonly Mask[];
  /** `-d`: only this domain's mailboxes (and public folders). */
  readonly domain?: string;
  /** `-u`: only this user's mailbox (needs `domain`). */
  readonly user?: string;
  /** `-f`: only this folder of the user, with its subfolders (needs `domain` and `user`). */
  readonly folder?: string;
}

export interface RestoreOptions extends RestoreSelection {
  /** A backup directory (the latest full or copy backup and its differential) or one backup file. */
  readonly source: string;
  /** `-c`: where the configuration, licenses and certificates go. */
  readonly configDirectory: string;
  /** `-s`: where the store's parts go. */
  readonly storeDirectory: string;
  /** `-b`: keep each replaced directory or file as `<name>.BAK` (an older `.BAK` is replaced). */
  readonly keepOriginals?: boolean;
  readonly limits?: ArchiveLimits;
  readonly logger?: Logger;
  readonly onProgress?: (progress: {
    files: number;
    bytes: number;
    totalFiles: number;
    totalBytes: number;
  }) => void;
}

/** A file a restore writes (or `-l` lists). */
export interface RestoredFile {
  readonly root: 'config' | 'store';
  /** Relative to its root, `/`-separated. */
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

export interface RestoreResult {
  /** Ids of the backups read: the base, and the differential if there was one. */
  readonly backups: readonly string[];
  readonly files: number;
  readonly bytes: number;
  /** What was replaced, as `<root>:<path>` of each directory or file swapped in. */
  readonly replaced: readonly string[];
}

/** A restore that cannot be done as asked: nothing to restore, no such folder, bad options. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

/**
 * Restores a backup into Kerio's directory layout. Every file is first written under a
 * temporary directory beside its target (`.kmsrecover-*.tmp`, so that renames stay on one
 * filesystem), each entry's CRC checked as it streams; only when the whole selection is there
 * is each unit swapped in by rename: a configuration file, `license/`, `sslca/`, `sslcert/`,
 * `lists/`, `spamassassin/`, `queue/`, `archive/`, one mailbox tree (`mail/<domain>/<user>`,
 * `mail/<domain>/#public`, `mail/#public`), or with `folder` that one folder's directory. A unit
 * in the backup replaces the live one whole (so F+I restores the state at I); live units the
 * backup does not have are left alone. A damaged or hostile archive fails the restore before
 * any live file is touched.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const logger = options.logger ?? silentLogger;
  const selection = await resolveSource(options.source);
  const set = await BackupSet.open(selection, options.limits);
  const backups = [
    selection.base.id,
    ...(selection.differential ? [selection.differential.id] : []),
  ];
  const roots = { config: options.configDirectory, store: options.storeDirectory };
  const stamp = `.kmsrecover-${process.pid}-${Date.now()}.tmp`;
  const staging = { config: join(roots.config, stamp), store: join(roots.store, stamp) };
  try {
    const chosen = await chooseEntries(set, options);
    if (chosen.names.length === 0)
      throw new RestoreError(`nothing in ${backups.join(' + ')} matches what was asked`);
    const totalFiles = chosen.names.length;
    let totalBytes = 0;
    for (const name of chosen.names) totalBytes += set.files.get(name)!.entry.size;
    let files = 0;
    let bytes = 0;
    const units = new Map<string, { root: 'config' | 'store'; unit: string }>();
    const made = new Set<string>();
    let next = 0;
    // A few entries at once, so that reads, inflation and writes of small files overlap.
    let failure: { error: unknown } | null = null;
    const extract = async () => {
      while (next < chosen.names.length && !failure) {
        const name = chosen.names[next++]!;
        const item = { set: set.files.get(name)!, ...chosen.describe(name) };
        const target = join(staging[item.place.root], ...item.place.path.split('/'));
        const parent = dirname(target);
        if (!made.has(parent)) {
          mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        try {
          await extractEntry(item.set, target);
        } catch (error) {
          failure ??= { error };
          return;
        }
        units.set(`${item.place.root}:${item.unit}`, { root: item.place.root, unit: item.unit });
        files++;
        bytes += item.set.entry.size;
        options.onProgress?.({ files, bytes, totalFiles, totalBytes });
      }
    };
    // Every task is done before the staging directory may be removed: the first failure is
    // thrown once the others have stopped.
    await Promise.all(Array.from({ length: EXTRACT_CONCURRENCY }, extract));
    if (failure) throw (failure as { error: unknown }).error;
    // A folder restore adds the folder to the target's tree, worked out before anything is
    // swapped in (a damaged tree file stops the restore here) and written after.
    const liveTreeFile = chosen.folderTree
      ? join(roots.store, ...chosen.folderTree.directory.split('/'), TREE_FILE)
      : null;
    const tree =
      chosen.folderTree && liveTreeFile && options.folder !== undefined
        ? await mergedTree(liveTreeFile, chosen.folderTree.file, options.folder, logger)
        : null;
    // Everything is read and checked: swap the units in.
    const replaced: string[] = [];
    const old = { config: join(staging.config, '.old'), store: join(staging.store, '.old') };
    for (const [key, { root, unit }] of [...units].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const live = join(roots[root], ...unit.split('/'));
      const staged = join(staging[root], ...unit.split('/'));
      if (await exists(live)) {
        if (options.keepOriginals) {
          await rm(`${live}.BAK`, { recursive: true, force: true });
          await rename(live, `${live}.BAK`);
        } else {
          const aside = join(old[root], ...unit.split('/'));
          await mkdir(dirname(aside), { recursive: true });
          await rename(live, aside);
        }
      }
      await mkdir(dirname(live), { recursive: true });
      await rename(staged, live);
      replaced.push(key);
      logger.info(`kmsrecover: restored ${root === 'config' ? 'configuration' : 'store'} ${unit}`);
    }
    if (tree !== null && liveTreeFile !== null) {
      // Replaced whole, by rename, as mailstore-fs writes it.
      await writeFile(`${liveTreeFile}${stamp}`, tree);
      await rename(`${liveTreeFile}${stamp}`, liveTreeFile);
      logger.info(`kmsrecover: ${options.folder} listed in ${liveTreeFile}`);
    }
    return { backups, files, bytes, replaced };
  } finally {
    set.close();
    await rm(staging.config, { recursive: true, force: true });
    await rm(staging.store, { recursive: true, force: true });
  }
}

/** Entries extracted at once. */
const EXTRACT_CONCURRENCY = 8;
/** Entries up to this size are read whole and written with synchronous calls (page cache). */
const SMALL_ENTRY = 1024 * 1024;

/**
 * Writes one entry to a new file (`wx`: never over anything), with its mode and time. A small
 * one is read whole (its CRC checked) and written with synchronous calls, which take
 * microseconds in the page cache where a trip through libuv's pool per call costs more; a large
 * one streams.
 */
async function extractEntry({ entry, archive }: SetEntry, target: string): Promise<void> {
  const time = new Date(entry.mtime);
  if (entry.size <= SMALL_ENTRY) {
    const data = await archive.read(entry);
    const fd = openSync(target, 'wx', entry.mode);
    try {
      for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
      futimesSync(fd, time, time);
    } finally {
      closeSync(fd);
    }
    return;
  }
  await pipeline(
    Readable.from(archive.stream(entry)),
    createWriteStream(target, { flags: 'wx', mode: entry.mode }),
  );
  await utimes(target, time, time);
}

/** What `kmsrecover -l` shows: the files a restore with these options would write. */
export async function listBackupFiles(
  source: string,
  selection: RestoreSelection = {},
  limits: ArchiveLimits = {},
): Promise<{ backups: string[]; files: RestoredFile[] }> {
  const resolved = await resolveSource(source);
  const set = await BackupSet.open(resolved, limits);
  try {
    const chosen = await chooseEntries(set, selection);
    return {
      backups: [resolved.base.id, ...(resolved.differential ? [resolved.differential.id] : [])],
      files: chosen.names.map((name) => {
        const { place } = chosen.describe(name);
        const { entry } = set.files.get(name)!;
        return { root: place.root, path: place.path, size: entry.size, mtime: entry.mtime };
      }),
    };
  } finally {
    set.close();
  }
}

/**
 * The backup a kmsrecover argument names: a directory gives its latest complete set; a file
 * gives that backup (its other parts found beside it), and a differential comes with its base.
 * A ZIP file not named as Kerio names backups (one made by hand with `zip -r`) is read as a
 * full backup of one part.
 */
export async function resolveSource(source: string): Promise<BackupSelection> {
  const stats = await stat(source);
  if (stats.isDirectory()) {
    const selection = await selectBackup(source);
    if (!selection) throw new RestoreError(`${source}: no complete backup in this directory`);
    return selection;
  }
  const name = parseBackupName(basename(source));
  if (!name)
    return {
      base: { id: basename(source), kind: 'F', started: stats.mtimeMs, parts: [source] },
      differential: null,
    };
  const siblings = await listBackups(dirname(source));
  const backup: BackupInfo = siblings.find((candidate) => candidate.id === name.id) ?? {
    id: name.id,
    kind: name.kind,
    started: name.started,
    parts: [source],
  };
  if (backup.kind !== 'I') return { base: backup, differential: null };
  const baseId = await baseOf(backup);
  const base = siblings.find((candidate) => candidate.id === baseId);
  if (!base)
    throw new RestoreError(
      `${source}: a differential backup, and its full backup ${baseId ?? '(unnamed)'} is not beside it`,
    );
  return { base, differential: backup };
}

/**
 * The entries a restore takes: their names only (which the set holds already), and where each
 * goes worked out again when it is written, so that a restore of 100,000 files keeps no object
 * a file.
 */
interface ChosenEntries {
  readonly names: readonly string[];
  /** For a folder restore: the mailbox tree (relative to the store) and the backup's tree file. */
  readonly folderTree: { readonly directory: string; readonly file: BackupTreeFile } | null;
  /** Where the entry goes, and the unit swapped in whole (see {@link restoreBackup}). */
  describe(name: string): { place: EntryPlace; unit: string };
}

async function chooseEntries(set: BackupSet, selection: RestoreSelection): Promise<ChosenEntries> {
  if (selection.user !== undefined && selection.domain === undefined)
    throw new RestoreError('-u (user) needs -d (domain)');
  if (
    selection.folder !== undefined &&
    (selection.domain === undefined || selection.user === undefined)
  )
    throw new RestoreError('-f (folder) needs -d (domain) and -u (user)');
  const masks = selection.masks && selection.masks.length > 0 ? new Set(selection.masks) : null;
  const domain = selection.domain?.toLowerCase();
  let prefix: string | null = null;
  let folderTree: ChosenEntries['folderTree'] = null;
  if (domain !== undefined && selection.user !== undefined) {
    const local = selection.user.includes('@')
      ? selection.user.slice(0, selection.user.lastIndexOf('@'))
      : selection.user;
    prefix = treeDirectory(`${local.toLowerCase()}@${domain}`).split(/[\\/]/).join('/');
    if (selection.folder !== undefined) {
      const found = await folderDirectory(set, prefix, selection.folder);
      folderTree = { directory: prefix, file: found.file };
      prefix = `${prefix}/${found.directory}`;
    }
  }
  const chosen: string[] = [];
  for (const name of set.files.keys()) {
    const place = placeOfEntry(name);
    if (!place) continue;
    if (masks) {
      if (!masks.has(place.category as Mask)) continue;
    } else if (domain !== undefined && place.category !== 'mail' && place.category !== 'public')
      continue;
    const levels = place.path.split('/');
    if (domain !== undefined) {
      if (place.root !== 'store' || levels[0] !== 'mail' || levels[1] !== domain) continue;
    }
    if (prefix !== null && !place.path.startsWith(`${prefix}/`)) continue;
    chosen.push(name);
  }
  const folderUnit = prefix;
  return {
    names: chosen,
    folderTree,
    describe(name) {
      const place = placeOfEntry(name)!;
      return { place, unit: folderUnit ?? unitOf(place) };
    },
  };
}

/** The directory (relative to its tree's) of a folder, from the tree file in the backup. */
async function folderDirectory(
  set: BackupSet,
  tree: string,
  folder: string,
): Promise<{ directory: string; file: BackupTreeFile }> {
  const treeEntry = set.files.get(`${STORE_PREFIX}${tree}/${TREE_FILE}`);
  if (!treeEntry) throw new RestoreError(`the backup has no mailbox ${tree}`);
  let file: BackupTreeFile;
  try {
    file = JSON.parse(
      (await treeEntry.archive.read(treeEntry.entry)).toString('utf8'),
    ) as typeof file;
  } catch (error) {
    throw new RestoreError(`${tree}/${TREE_FILE} in the backup is not a tree file`, {
      cause: error,
    });
  }
  const mailbox = file.mailboxes?.find((candidate) => candidate.path === folder);
  const directory =
    mailbox && typeof mailbox.id === 'string' ? file.directories?.[mailbox.id] : undefined;
  if (
    typeof directory !== 'string' ||
    directory === '' ||
    directory.split('/').some((level) => level === '..' || level === '.' || level === '')
  )
    throw new RestoreError(`the backup of ${tree} has no folder "${folder}"`);
  return { directory, file };
}

/** The parts of mailstore-fs's `#tree.json` a folder restore reads and merges; others are kept. */
interface BackupTreeFile {
  mailboxes?: { id?: unknown; path?: unknown; [field: string]: unknown }[];
  subscriptions?: unknown[];
  directories?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * The target tree's `#tree.json` with the restored folder (and its subfolders) listed as the
 * backup lists them, so that the store shows what was just put in place: a folder the tree
 * lacks is added; one it lists at another directory (deleted and made again since) is pointed
 * at the restored directory, with the backup's record (its UIDVALIDITY goes with the index
 * restored). Null when the target has no tree for the user (a restore with `-s` into an empty
 * directory): there is nothing to add the folder to.
 */
async function mergedTree(
  liveTreeFile: string,
  backupTree: BackupTreeFile,
  folder: string,
  logger: Logger,
): Promise<string | null> {
  const text = await nullIfMissing(readFile(liveTreeFile, 'utf8'));
  if (text === null) return null;
  let live: BackupTreeFile;
  try {
    live = JSON.parse(text) as BackupTreeFile;
  } catch (error) {
    throw new RestoreError(`${liveTreeFile} is not a tree file; the folder was not restored`, {
      cause: error,
    });
  }
  if (!Array.isArray(live.mailboxes) || typeof live.directories !== 'object' || !live.directories)
    throw new RestoreError(`${liveTreeFile} is not a tree file; the folder was not restored`);
  const mailboxes = [...live.mailboxes];
  const directories = { ...live.directories };
  const subscriptions = Array.isArray(live.subscriptions) ? [...live.subscriptions] : [];
  const restored = (backupTree.mailboxes ?? []).filter(
    (mailbox) =>
      typeof mailbox.path === 'string' &&
      typeof mailbox.id === 'string' &&
      (mailbox.path === folder || mailbox.path.startsWith(`${folder}/`)),
  );
  for (const mailbox of restored) {
    const id = mailbox.id as string;
    const directory = backupTree.directories?.[id];
    if (typeof directory !== 'string') continue;
    const at = mailboxes.findIndex((candidate) => candidate.path === mailbox.path);
    if (at >= 0) {
      const current = mailboxes[at]!;
      if (current.id === id && directories[id] === directory) continue;
      if (typeof current.id === 'string') {
        if (directories[current.id] !== directory)
          logger.warn(
            `kmsrecover: ${String(mailbox.path)} was at ${String(directories[current.id])}, now at the restored ${directory}; the former directory is left as it was`,
          );
        delete directories[current.id];
      }
      mailboxes[at] = mailbox;
    } else mailboxes.push(mailbox);
    directories[id] = directory;
    if (backupTree.subscriptions?.includes(mailbox.path) && !subscriptions.includes(mailbox.path))
      subscriptions.push(mailbox.path);
  }
  return `${JSON.stringify({ ...live, mailboxes, subscriptions, directories }, null, 1)}\n`;
}

function unitOf(place: EntryPlace): string {
  const levels = place.path.split('/');
  if (place.root === 'config') return levels[0]!;
  if (levels[0] === 'mail')
    return levels[1] === '#public' ? 'mail/#public' : levels.slice(0, 3).join('/');
  return levels[0]!;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissingFileError(error)) return false;
    throw error;
  }
}
