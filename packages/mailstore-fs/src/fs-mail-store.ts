import {
  type Logger,
  StoreEngine,
  type StoreEngineOptions,
  silentLogger,
} from '@mailyard/mailstore-interface';
import { join } from 'node:path';
import { FsPersistence } from './fs-persistence.js';
import { treeDirectory } from './store-layout.js';
import { type SnapshotCounts, snapshotTreeDirectory } from './store-snapshot.js';

export interface FsMailStoreOptions extends Omit<StoreEngineOptions, 'persistence'> {
  /** The store directory (Kerio's `store/`); created if missing. */
  readonly directory: string;
  /** Where repairs (reindexing, orphaned files) are reported. */
  readonly logger?: Logger;
}

/**
 * The embedded default store: Kerio's on-disk layout, each message a `.eml` file, each folder an
 * append-only `index.fld`. Every acknowledged change survives a crash; a damaged or missing index
 * is rebuilt from the message files when the folder is next opened.
 */
export class FsMailStore extends StoreEngine {
  /** The store directory. */
  readonly directory: string;

  constructor(options: FsMailStoreOptions) {
    const { directory, logger = silentLogger, ...engine } = options;
    super({ ...engine, persistence: new FsPersistence(directory, logger) });
    this.directory = directory;
  }

  /**
   * A consistent copy of every tree (user mailboxes and public folders) under `target`, in the
   * store's own layout (`<target>/mail/...`), for a backup to read while the store keeps
   * working. Each tree is copied while its lock is held, so it is the tree at one instant:
   * every change acknowledged before is in it, nothing half-done is. Message files and tree
   * files are hard-linked (on the same filesystem: a snapshot of a large store takes little
   * time and no space), indexes copied; see {@link snapshotTreeDirectory}. `target` should
   * not exist; remove it when done.
   */
  async snapshot(target: string): Promise<SnapshotCounts> {
    const counts: SnapshotCounts = { trees: 0, files: 0, linked: 0 };
    for (const tree of await this.persistence.listTrees()) {
      const relative = treeDirectory(tree);
      await this.mutex.run([tree], () =>
        snapshotTreeDirectory(join(this.directory, relative), join(target, relative), counts),
      );
      counts.trees++;
    }
    return counts;
  }
}
