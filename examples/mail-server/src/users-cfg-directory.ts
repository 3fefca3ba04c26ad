import {
  type DirectoryData,
  KerioConfigError,
  MemoryDirectory,
  type MemoryDirectoryOptions,
  formatUsersCfg,
  parseUsersCfg,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import { readOptional } from './data-directory.js';
import { StartupError } from './startup-error.js';

/**
 * Kerio's `users.cfg` as the server keeps it: read once at start, as Kerio reads it, and
 * changed at start by `--domain`, `--user`, the first run's accounts and the postmaster aliases,
 * in memory only, until `save()` writes them all in one atomic write. The server saves once its
 * listeners are bound: a start that fails (a busy port, a `--user` outside the local domains)
 * leaves the file as it was, so a running server never has users on disk that it does not
 * know, and a first run either keeps its accounts and shows their passwords, or keeps nothing.
 * Once saved, each change is written before it takes effect, as `XmlDirectory` writes it.
 */
export class UsersCfgDirectory extends MemoryDirectory {
  private unsaved: DirectoryData | null = null;
  private saved = false;

  private constructor(
    readonly path: string,
    options: MemoryDirectoryOptions,
  ) {
    super(options);
  }

  /** Reads `path` (a missing file is an empty directory); a file it cannot read is a StartupError. */
  static async open(
    path: string,
    options: Omit<MemoryDirectoryOptions, 'data'> = {},
  ): Promise<UsersCfgDirectory> {
    const text = await readOptional(path);
    try {
      return new UsersCfgDirectory(path, {
        ...options,
        ...(text === null ? {} : { data: parseUsersCfg(text, path) }),
      });
    } catch (error) {
      if (error instanceof KerioConfigError) throw new StartupError(error.message);
      throw error;
    }
  }

  /** Whether there are changes that `save()` has still to write. */
  get changed(): boolean {
    return this.unsaved !== null;
  }

  /** Writes the changes made so far, if any; from now on every change is written at once. */
  async save(): Promise<void> {
    this.saved = true;
    const data = this.unsaved;
    if (data === null) return;
    try {
      await writeFileAtomically(this.path, formatUsersCfg(data));
    } catch (error) {
      throw new StartupError(`cannot write ${this.path}: ${(error as Error).message}`);
    }
    this.unsaved = null;
  }

  protected override async change(data: DirectoryData): Promise<void> {
    if (this.saved) await writeFileAtomically(this.path, formatUsersCfg(data));
    else this.unsaved = data;
    await super.change(data);
  }
}
