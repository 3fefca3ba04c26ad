import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../durable-file.js';
import type { DirectoryData } from './directory-data.js';
import { MemoryDirectory, type MemoryDirectoryOptions } from './memory-directory.js';
import { formatUsersCfg, parseUsersCfg } from './users-cfg.js';

/**
 * A `Directory` kept in a Kerio-style `users.cfg` (XML lists of `<variable name="...">`). The file
 * is read once when opened, as Kerio reads it at start, and every change is written to it,
 * atomically, before it takes effect: a crash leaves either the old file or the new one.
 */
export class XmlDirectory extends MemoryDirectory {
  private constructor(
    readonly path: string,
    options: MemoryDirectoryOptions,
  ) {
    super(options);
  }

  /** Opens `users.cfg` at `path`; a missing file is an empty directory, created on first change. */
  static async open(
    path: string,
    options: Omit<MemoryDirectoryOptions, 'data'> = {},
  ): Promise<XmlDirectory> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return new XmlDirectory(path, {
      ...options,
      ...(text === null ? {} : { data: parseUsersCfg(text, path) }),
    });
  }

  protected override async change(data: DirectoryData): Promise<void> {
    await writeFileAtomically(this.path, formatUsersCfg(data));
    await super.change(data);
  }
}
