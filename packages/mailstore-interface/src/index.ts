export * from './errors.js';
export * from './flags.js';
export * from './acl.js';
export * from './mailbox-name.js';
export * from './clock.js';
export * from './logger.js';
export * from './clean-out.js';
export * from './quota.js';
export * from './account-policy.js';
export * from './kerio-folders.js';
export type * from './mail-store.js';
export * from './mailbox-events.js';
export {
  MailboxIndex,
  type IndexChanges,
  type IndexEntry,
  type IndexSnapshot,
} from './engine/mailbox-index.js';
export type * from './engine/store-persistence.js';
export {
  StoreEngine,
  type StoreEngineOptions,
  type LoadedTree,
  type LoadedMailbox,
  type WriteTarget,
  RETAINED_PATH,
} from './engine/store-engine.js';
export { MemoryMailStore } from './memory/memory-mail-store.js';
export { MemoryPersistence } from './memory/memory-persistence.js';
export * from './durable-file.js';
export * from './missing-file.js';
export type * from './directory/directory.js';
export type * from './directory/directory-data.js';
export { EMPTY_DIRECTORY } from './directory/directory-data.js';
export { MemoryDirectory, type MemoryDirectoryOptions } from './directory/memory-directory.js';
export { XmlDirectory, type XmlDirectoryOptions } from './directory/xml-directory.js';
export { directoryAccountPolicy } from './directory/directory-account-policy.js';
export { formatUsersCfg, parseUsersCfg } from './directory/users-cfg.js';
export {
  KerioConfigError,
  formatKerioConfig,
  parseKerioConfig,
  type KerioConfig,
  type KerioConfigEntry,
  type KerioListItem,
} from './kerio-config.js';
export { aliasPattern } from './directory/directory-index.js';
export {
  type EncodedScramCredentials,
  type PasswordOptions,
  type PasswordRecord,
  type ScramDeriver,
  SCRYPT_COST,
  checkPasswordRecord,
  hashPassword,
  verifyPasswordRecord,
} from './directory/password.js';
export {
  VerifiedLoginCache,
  type VerifiedLoginCacheOptions,
} from './directory/verified-login-cache.js';
