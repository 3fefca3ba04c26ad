export {
  BACKUP_ROOT,
  CONFIG_DIRECTORIES,
  CONFIG_FILES,
  type EntryCategory,
  type EntryPlace,
  MASKS,
  type Mask,
  STORE_DIRECTORIES,
  STORE_PREFIX,
  entryNameOf,
  parseMasks,
  placeOfEntry,
  unsafeEntryName,
} from './archive-layout.js';
export {
  type BackupInfo,
  type BackupSelection,
  UNFINISHED_SUFFIX,
  baseOf,
  listBackups,
  rotateBackups,
  selectBackup,
} from './backup-directory.js';
export {
  type BackupKind,
  type BackupName,
  formatBackupId,
  formatBackupName,
  parseBackupName,
} from './backup-name.js';
export {
  type BackupSources,
  type SourceFile,
  listSourceFiles,
  walkSourceFiles,
} from './backup-sources.js';
export {
  BackupTextError,
  DELETED_ENTRY,
  SUMMARY_ENTRY,
  type SummaryText,
  VERSION_ENTRY,
  type VersionText,
  formatDeletedText,
  formatDuration,
  formatSummaryText,
  formatTime,
  formatVersionText,
  parseDeletedText,
  parseSummaryText,
  parseVersionText,
} from './backup-text.js';
export {
  BACKUP_TOOL_VERSION,
  type BackupOptions,
  type BackupProgress,
  type BackupResult,
  DEFAULT_KEEP,
  DEFAULT_READ_AHEAD,
  DEFAULT_READ_AHEAD_FILES,
  MAX_PART_ENTRIES,
  MAX_PART_ENTRIES_LIMIT,
  MAX_SPLIT_SIZE,
  writeBackup,
} from './backup-writer.js';
export {
  type ArchiveEntry,
  ArchiveError,
  type ArchiveLimits,
  type ArchiveProblem,
  DEFAULT_ARCHIVE_LIMITS,
  RATIO_FLOOR,
  ZipArchive,
} from './zip-archive.js';
export { BackupSet, type SetEntry, type SetFiles } from './backup-reader.js';
export {
  RestoreError,
  type RestoreOptions,
  type RestoreResult,
  type RestoreSelection,
  type RestoredFile,
  listBackupFiles,
  resolveSource,
  restoreBackup,
} from './restore-backup.js';
export {
  STORE_LOCK_FILE,
  StoreLockedError,
  type StoreLockOwner,
  lockStore,
  storeLockOwner,
} from './store-lock.js';
export { EXIT, KMSRECOVER_HELP, type KmsrecoverIo, runKmsrecover } from './kmsrecover.js';
export {
  type StoreRestoreOptions,
  type StoreRestoreResult,
  restoreIntoStore,
} from './restore-to-store.js';
export { MAX_ZIP_BYTES, zipDirectory } from './zip-directory.js';
