export {
  BYTEA_LIMIT,
  DEFAULT_MAX_MESSAGE_SIZE,
  PostgresMailStore,
  type PostgresMailStoreOptions,
} from './postgres-mail-store.js';
export { PostgresPersistence } from './postgres-persistence.js';
export { StaleIndexError, StaleTreeError } from './write-conflicts.js';
export { MIGRATIONS, type Migration, SCHEMA_VERSION, migrate } from './migrations.js';
export {
  DEFAULT_QUEUE_LEASE_SECONDS,
  PostgresQueueStorage,
  type PostgresQueueStorageOptions,
} from './postgres-queue-storage.js';
export { PostgresDirectory, type PostgresDirectoryOptions } from './postgres-directory.js';
export { DEFAULT_RECONNECT_DELAY_MS } from './connection-pool.js';
export { NOTICE_PAYLOAD_MAX, type NoticeChange } from './notice-change.js';
export { CARRIED_NOTICES_MAX } from './change-feed.js';
export { CACHED_MESSAGE_MAX, ContentCache, DEFAULT_CONTENT_CACHE_BYTES } from './content-cache.js';
export { PostgresServerState, type PostgresServerStateOptions } from './postgres-server-state.js';
export { PostgresSieveScriptStore } from './postgres-sieve-script-store.js';
export {
  DEFAULT_SIEVE_TRACKING_ENTRIES,
  PostgresSieveTracking,
  type SieveTrackingClaim,
  type SieveTrackingEntry,
} from './postgres-sieve-tracking.js';
export {
  type LoginFailureKind,
  type LoginFailureLimits,
  type LoginFailureVerdict,
  PostgresLoginFailures,
} from './postgres-login-failures.js';
export {
  type GreylistClientRow,
  type GreylistRows,
  type GreylistTripletRow,
  PostgresGreylist,
} from './postgres-greylist.js';
export {
  type LoginThrottleRules,
  type LoginThrottleVerdict,
  PostgresLoginThrottle,
} from './postgres-login-throttle.js';
