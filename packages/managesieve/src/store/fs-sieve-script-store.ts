import { link, mkdir, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isMissingFileError as isNotFound,
  syncDirectory,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import {
  type SieveQuota,
  type SievePutOutcome,
  type SieveScriptList,
  type SieveScriptStore,
  SieveScriptNameError,
  quotaOutcome,
  scriptSize,
} from './sieve-script-store.js';

export interface FsSieveScriptStoreOptions {
  /** Where users' directories are made: `<directory>/<user>/`, the user's id escaped. */
  readonly directory: string;
  /**
   * The directory of a user's scripts, when they belong somewhere else (beside the user's mail,
   * say). Default `<directory>/<user>`, with `/`, `%` and a leading `.` of the id escaped.
   */
  readonly userDirectory?: (user: string) => string;
}

const SUFFIX = '.sieve';
/** The active script's name, in a file of its own (UTF-8, nothing else). */
const ACTIVE_FILE = '.active';
/** Linux's NAME_MAX. */
const MAX_FILE_NAME = 255;

/**
 * Scripts on disk: a directory per user, a file per script (`<name>.sieve`, the name escaped
 * where a file name cannot hold it), and the active script's name in `.active`. Every change
 * is written to a temporary file, flushed, renamed into place and the directory flushed, so a
 * crash leaves the old state or the new, never half of either. Only ENOENT means "absent":
 * any other error fails the operation and changes nothing.
 *
 * Changes of one user are made one at a time within this process; the store is not shared
 * between processes.
 */
export class FsSieveScriptStore implements SieveScriptStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: FsSieveScriptStoreOptions) {}

  /** The directory of a user's scripts. */
  userDirectory(user: string): string {
    return this.options.userDirectory?.(user) ?? join(this.options.directory, escapeName(user));
  }

  async list(user: string): Promise<SieveScriptList> {
    const dir = this.userDirectory(user);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return { scripts: [], active: null };
      throw error;
    }
    const scripts: { name: string; size: number }[] = [];
    for (const file of files) {
      if (!file.endsWith(SUFFIX) || file.startsWith('.')) continue;
      const name = unescapeName(file.slice(0, -SUFFIX.length));
      if (name === null) continue;
      try {
        scripts.push({ name, size: (await stat(join(dir, file))).size });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    scripts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const active = await this.readActive(dir);
    return { scripts, active: scripts.some((s) => s.name === active) ? active : null };
  }

  async get(user: string, name: string): Promise<string | null> {
    try {
      return await readFile(this.scriptPath(user, name), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async getActive(user: string): Promise<{ name: string; content: string } | null> {
    const name = await this.readActive(this.userDirectory(user));
    if (name === null) return null;
    const content = await this.get(user, name);
    return content === null ? null : { name, content };
  }

  async put(
    user: string,
    name: string,
    content: string,
    quota: SieveQuota,
  ): Promise<SievePutOutcome> {
    const path = this.scriptPath(user, name);
    return this.locked(user, async () => {
      const { scripts } = await this.list(user);
      const outcome = quotaOutcome(scripts, name, scriptSize(content), quota);
      if (outcome !== 'stored') return outcome;
      const dir = this.userDirectory(user);
      await mkdir(dir, { recursive: true });
      await writeFileAtomically(path, content);
      return outcome;
    });
  }

  async delete(user: string, name: string): Promise<'deleted' | 'nonexistent' | 'active'> {
    const path = this.scriptPath(user, name);
    return this.locked(user, async () => {
      const dir = this.userDirectory(user);
      if ((await this.readActive(dir)) === name) {
        // `.active` may name a script that is gone (nothing we do leaves it so); only a
        // script that exists is the active one.
        if ((await this.get(user, name)) !== null) return 'active';
      }
      try {
        await unlink(path);
      } catch (error) {
        if (isNotFound(error)) return 'nonexistent';
        throw error;
      }
      await syncDirectory(dir);
      return 'deleted';
    });
  }

  async rename(
    user: string,
    from: string,
    to: string,
  ): Promise<'renamed' | 'nonexistent' | 'exists'> {
    const source = this.scriptPath(user, from);
    const target = this.scriptPath(user, to);
    return this.locked(user, async () => {
      const dir = this.userDirectory(user);
      // A link, not rename(2): it never replaces an existing script, and until the old name
      // is removed both names hold the script, so a crash between the steps loses nothing.
      try {
        await link(source, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return 'exists';
        if (code === 'ENOENT') return 'nonexistent';
        throw error;
      }
      if ((await this.readActive(dir)) === from)
        await writeFileAtomically(join(dir, ACTIVE_FILE), to);
      await unlink(source);
      await syncDirectory(dir);
      return 'renamed';
    });
  }

  async setActive(user: string, name: string | null): Promise<'done' | 'nonexistent'> {
    const path = name === null ? null : this.scriptPath(user, name);
    return this.locked(user, async () => {
      const dir = this.userDirectory(user);
      if (name === null || path === null) {
        try {
          await unlink(join(dir, ACTIVE_FILE));
        } catch (error) {
          if (isNotFound(error)) return 'done';
          throw error;
        }
        await syncDirectory(dir);
        return 'done';
      }
      try {
        await stat(path);
      } catch (error) {
        if (isNotFound(error)) return 'nonexistent';
        throw error;
      }
      await writeFileAtomically(join(dir, ACTIVE_FILE), name);
      return 'done';
    });
  }

  private scriptPath(user: string, name: string): string {
    const file = escapeName(name) + SUFFIX;
    if (Buffer.byteLength(file) > MAX_FILE_NAME) {
      throw new SieveScriptNameError(name, 'too long for a file name');
    }
    return join(this.userDirectory(user), file);
  }

  private async readActive(dir: string): Promise<string | null> {
    try {
      const name = await readFile(join(dir, ACTIVE_FILE), 'utf8');
      return name === '' ? null : name;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Runs `task` after every earlier change of the same user has finished. */
  private locked<T>(user: string, task: () => Promise<T>): Promise<T> {
    const before = this.locks.get(user) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(user, settled);
    void settled.then(() => {
      if (this.locks.get(user) === settled) this.locks.delete(user);
    });
    return run;
  }
}

/** `/` and `%` cannot stand in a file name as they are, nor a leading `.` (our own files). */
function escapeName(name: string): string {
  return name.replace(
    /[%/]|^\./g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function unescapeName(file: string): string | null {
  if (/%(?![0-9A-F]{2})/.test(file)) return null;
  return file.replace(/%([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}
