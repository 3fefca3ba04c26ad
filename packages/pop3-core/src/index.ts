export { LineSplitter, type LineEvent } from './protocol/line-splitter.js';
export {
  type ParsedCommand,
  type Pop3Command,
  type Pop3CommandName,
  parseCommand,
} from './protocol/pop3-command.js';
export {
  type Pop3ResponseCode,
  continuationLine,
  errLine,
  multilineResponse,
  okLine,
} from './protocol/pop3-response.js';
export { MessageEncoder, type MessageEncoderOptions } from './protocol/message-encoder.js';
export { WireSizeCounter } from './protocol/wire-size.js';
export { formatUidl, isValidUidl } from './protocol/uidl.js';
export {
  apopDigest,
  apopDigestMatches,
  apopTimestamp,
  greetingTimestamp,
} from './protocol/apop.js';
export {
  DEFAULT_MAX_STATUS_LINE,
  ResponseReader,
  type ResponseEvent,
  type StatusLine,
  parseStatusLine,
} from './protocol/response-reader.js';
export {
  InProcessMaildropRegistry,
  type MaildropLease,
  type MaildropRegistry,
} from './session/maildrop-registry.js';
export type { SizeMode } from './session/maildrop.js';
export type {
  Pop3Hooks,
  Pop3LoginFailure,
  Pop3LoginMethod,
  Pop3SessionInfo,
} from './session/pop3-hooks.js';
export { DEFAULT_POP3_LIMITS, type Pop3Limits } from './session/pop3-limits.js';
export { Pop3Engine, type Pop3EngineOptions } from './session/pop3-engine.js';
export { Pop3Session, type Pop3Connection, type Pop3Transport } from './session/pop3-session.js';
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  type Pop3Listener,
  type Pop3Server,
  type Pop3ServerOptions,
  createPop3Server,
} from './node/pop3-server.js';
export {
  type Pop3ClientErrorCode,
  type Pop3ClientOptions,
  type Pop3ClientTransport,
  DEFAULT_CLIENT_MAX_MESSAGE,
  Pop3ClientError,
  Pop3ClientSession,
} from './client/pop3-client-session.js';
export { type ConnectPop3Options, type Pop3Client, connectPop3 } from './client/connect-pop3.js';
export type { Pop3DownloadAccount } from './download/download-account.js';
export { type SortResult, type SortingRule, SortingRules } from './download/sorting-rules.js';
export {
  FALLBACK_HEADER_GROUPS,
  PREFERRED_HEADERS,
  headerAddresses,
  returnPath,
} from './download/recipient-headers.js';
export {
  type AccountDownloadState,
  type DownloadStateStore,
  EMPTY_ACCOUNT_STATE,
  JsonFileDownloadState,
  MemoryDownloadState,
} from './download/download-state.js';
export {
  type AccountDownloadResult,
  type DeliverDownloadedMessage,
  type DownloadEnvelope,
  type Pop3DownloaderOptions,
  Pop3Downloader,
} from './download/pop3-downloader.js';
export {
  type DownloadSchedulerOptions,
  type SchedulerTimers,
  Pop3DownloadScheduler,
  nodeTimers,
} from './download/download-scheduler.js';
