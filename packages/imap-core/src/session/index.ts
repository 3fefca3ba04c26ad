export { ImapSession, type ImapTransport } from './imap-session.js';
export { ImapCounters } from './imap-counters.js';
export {
  type CensusEntry,
  type CensusRefusal,
  type ConnectionCaps,
  ConnectionCensus,
} from './connection-census.js';
export {
  LiteralBudget,
  type LiteralBudgetLimits,
  type LiteralBudgetRefusal,
} from './literal-budget.js';
export type { SessionState, Status } from './session-context.js';
export {
  type ConnectionInfo,
  DEFAULT_MECHANISMS,
  DEFAULT_SESSION_LIMITS,
  type ImapSessionOptions,
  type LoginFailureEvent,
  type QuotaSetter,
  type SessionLimits,
  type SpamTrainingEvent,
} from './session-options.js';
export { capabilities, type CapabilityContext } from './capabilities.js';
export { MessageSequence } from './message-sequence.js';
export { NAMESPACES, IMAP_DELIMITER } from './mailbox-names.js';
export { DEFAULT_RECORD_CACHE_SIZE, MessageRecordCache } from './record-cache.js';
