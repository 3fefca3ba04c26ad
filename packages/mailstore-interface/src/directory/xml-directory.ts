import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../durable-file.js';
import type { DirectoryData } from './directory-data.js';
import { MemoryDirectory, type MemoryDirectoryOptions } from './memory-directory.js';
import { formatUsersCfg, parseUsersCfg } from './users-cfg.js';

export interface XmlDirectoryOptions extends Omit<MemoryDirectoryOptions, 'data'> {
  /**
   * Keep changes in memory until `save()`, which writes them all at once; from then on each
   * change is written as usual. For a server's start-up changes (accounts given on its command
   * line, say), saved only once it is up, so that a start that fails leaves the file as it was.
   * Default false: every change is written before it takes effect.
   */
  readonly deferWrites?: boolean;
}

/**
 * A `Directory` kept in a Kerio-style `users.cfg` (XML lists of `<variable name="...">`). The file
 * is read once when opened, as Kerio reads it at start, and every change is written to it,
 * atomically, before it takes effect: a crash leaves either the old file or the new one.
 */
export class XmlDirectory extends MemoryDirectory {
  /** Changes `deferWrites` holds back: the directory as `save()` will write it. */
  private unsaved: DirectoryData | null = null;
  private deferring: boolean;

  private constructor(
    readonly path: string,
    options: MemoryDirectoryOptions & { readonly deferWrites?: boolean },
  ) {
    super(options);
    this.deferring = options.deferWrites ?? false;
  }

  /** Opens `users.cfg` at `path`; a missing file is an empty directory, created on first change. */
  static async open(path: string, options: XmlDirectoryOptions = {}): Promise<XmlDirectory> {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return new XmlDirectory(path, {
      ...options,
      ...(text === null ? {} : { data: parseUsersCfg(text, path) }),
    });
  }

  /** Whether changes held back by `deferWrites` wait for `save()`. */
  get hasUnsavedChanges(): boolean {
    return this.unsaved !== null;
  }

  /** Writes the changes `deferWrites` held back, if any, and stops holding changes back. */
  async save(): Promise<void> {
    // A failed write leaves the changes held back, to be saved again.
    if (this.unsaved !== null) await writeFileAtomically(this.path, formatUsersCfg(this.unsaved));
    this.unsaved = null;
    this.deferring = false;
  }

  protected override async change(data: DirectoryData): Promise<void> {
    if (this.deferring) this.unsaved = data;
    else await writeFileAtomically(this.path, formatUsersCfg(data));
    await super.change(data);
  }
}
