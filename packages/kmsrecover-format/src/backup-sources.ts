import { type Dirent, type Stats, lstatSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFileError, nullIfMissing } from '@mailyard/mailstore-interface';
import {
  CONFIG_DIRECTORIES,
  CONFIG_FILES,
  STORE_DIRECTORIES,
  entryNameOf,
} from './archive-layout.js';

/** What a backup reads: Kerio's install directory (the server's data directory) and its store. */
export interface BackupSources {
  /** Where `mailserver.cfg`, `users.cfg`, `license/`, `sslca/` and `sslcert/` are. */
  readonly configDirectory: string;
  /** The store: `mail/`, `lists/`, `spamassassin/`, `queue/`, `archive/` are taken from it. */
  readonly storeDirectory: string;
  /**
   * Directories of the store read from elsewhere: a snapshot's `mail/` and `queue/` (see
   * `BackupOptions.liveStore`) in place of the live ones.
   */
  readonly storeOverrides?: Partial<Record<(typeof STORE_DIRECTORIES)[number], string>>;
}

/** A file to back up. */
export interface SourceFile {
  /** Its name in the archive. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
  readonly mode: number;
}

/** Files a writer leaves half-made (mailstore-fs's and the queue's temporaries): never backed up. */
const TEMPORARY = /\.tmp$/;

/**
 * Every file a backup takes, configuration first, then the store, each directory in name
 * order, as it is found: a store of any size is walked without its list in memory. Only regular
 * files: a symbolic link is not followed (it could lead anywhere), and a directory that does not
 * exist is empty. Any other failure to read rejects: a backup that silently left a directory out
 * would restore as data lost.
 */
export async function* walkSourceFiles(
  sources: BackupSources,
  onSkipped: (path: string, why: string) => void = () => undefined,
): AsyncGenerator<SourceFile> {
  for (const name of CONFIG_FILES) {
    const path = join(sources.configDirectory, name);
    const stats = await nullIfMissing(lstat(path));
    if (stats?.isFile()) yield sourceFile(entryNameOf('config', name), path, stats);
  }
  for (const directory of CONFIG_DIRECTORIES)
    yield* walk(join(sources.configDirectory, directory), directory, 'config', onSkipped);
  for (const directory of STORE_DIRECTORIES) {
    const path = sources.storeOverrides?.[directory] ?? join(sources.storeDirectory, directory);
    yield* walk(path, directory, 'store', onSkipped);
  }
}

/** {@link walkSourceFiles}, as a list. */
export async function listSourceFiles(
  sources: BackupSources,
  onSkipped: (path: string, why: string) => void = () => undefined,
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for await (const file of walkSourceFiles(sources, onSkipped)) files.push(file);
  return files;
}

async function* walk(
  path: string,
  relative: string,
  root: 'config' | 'store',
  onSkipped: (path: string, why: string) => void,
): AsyncGenerator<SourceFile> {
  const entries = await nullIfMissing(readdir(path, { withFileTypes: true }));
  if (entries === null) return;
  entries.sort((a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = join(path, entry.name);
    const childRelative = `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      yield* walk(child, childRelative, root, onSkipped);
    } else if (entry.isFile()) {
      if (TEMPORARY.test(entry.name)) continue;
      // Synchronously: a file's inode is in the cache after the listing, and one trip through
      // libuv's thread pool a file (awaited in turn) left the compression threads waiting.
      const stats = lstatOrNull(child);
      if (stats?.isFile()) yield sourceFile(entryNameOf(root, childRelative), child, stats);
    } else {
      onSkipped(child, entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file');
    }
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
}

function sourceFile(
  name: string,
  path: string,
  stats: { size: number; mtimeMs: number; mode: number },
): SourceFile {
  return {
    name,
    path,
    size: stats.size,
    mtime: Math.floor(stats.mtimeMs),
    mode: stats.mode & 0o7777,
  };
}
