import {
  type Logger,
  StoreEngine,
  type StoreEngineOptions,
  silentLogger,
} from '@mailyard/mailstore-interface';
import { FsPersistence } from './fs-persistence.js';

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
  constructor(options: FsMailStoreOptions) {
    const { directory, logger = silentLogger, ...engine } = options;
    super({ ...engine, persistence: new FsPersistence(directory, logger) });
  }
}
