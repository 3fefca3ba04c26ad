export { FsMailStore, type FsMailStoreOptions } from './fs-mail-store.js';
export { FsPersistence } from './fs-persistence.js';
export {
  INDEX_MAGIC,
  INDEX_VERSION,
  type IndexRecord,
  readIndexText,
  recordLine,
  snapshotText,
} from './folder-index.js';
export {
  BAD_INDEX_FILE,
  INDEX_FILE,
  MAIL_DIRECTORY,
  MESSAGES_DIRECTORY,
  SUMMARIES_FILE,
  TREE_FILE,
  folderDirectoryName,
  treeDirectory,
} from './store-layout.js';
export { type SnapshotCounts, linkOrCopy } from './store-snapshot.js';
