export {
  CommandReader,
  type BadLineReason,
  type CommandReaderLimits,
  type ReaderEvent,
  type Token,
} from './protocol/command-reader.js';
export {
  type ManageSieveCommand,
  type ManageSieveCommandName,
  type ParsedCommand,
  parseCommand,
} from './protocol/managesieve-command.js';
export {
  type Capability,
  type ResponseCode,
  type ResponseStatus,
  capabilityResponse,
  challengeLine,
  encodeString,
  response,
  scriptListResponse,
  scriptResponse,
} from './protocol/response.js';
export { readScriptName, readScriptText } from './protocol/script-name.js';
export {
  SieveScriptNameError,
  type SievePutOutcome,
  type SieveQuota,
  type SieveScriptEntry,
  type SieveScriptList,
  type SieveScriptStore,
  quotaOutcome,
  scriptSize,
} from './store/sieve-script-store.js';
export { MemorySieveScriptStore } from './store/memory-sieve-script-store.js';
export {
  FsSieveScriptStore,
  type FsSieveScriptStoreOptions,
} from './store/fs-sieve-script-store.js';
export type { SieveCheckResult, SieveScriptChecker } from './session/script-checker.js';
export type {
  ManageSieveHooks,
  ManageSieveLoginFailure,
  ManageSieveScriptChange,
  ManageSieveSessionInfo,
} from './session/managesieve-hooks.js';
export {
  DEFAULT_MANAGESIEVE_LIMITS,
  type ManageSieveLimits,
} from './session/managesieve-limits.js';
export { ManageSieveEngine, type ManageSieveEngineOptions } from './session/managesieve-engine.js';
export {
  ManageSieveSession,
  type ManageSieveConnection,
  type ManageSieveTransport,
} from './session/managesieve-session.js';
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  type ManageSieveListener,
  type ManageSieveServer,
  type ManageSieveServerOptions,
  createManageSieveServer,
} from './node/managesieve-server.js';
