// Server engine
export { SmtpServerSession } from './session/smtp-server-session.js';
export type { SmtpSessionOptions } from './session/session-options.js';
export type { ConnectionDetails, SessionTransport } from './session/session-transport.js';
export type { AuthOutcome, SessionInfo, SmtpServerHooks } from './session/smtp-hooks.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  RFC5321_TEXT_LINE,
  type SessionLimits,
  type SessionTimeouts,
} from './session/session-limits.js';
export { MessageAbortedError } from './session/message-stream.js';
export { InFlightBudget } from './session/in-flight-budget.js';
export {
  receivedHeader,
  receivedProtocol,
  type ReceivedFields,
} from './session/received-header.js';
export {
  createSmtpServer,
  type SmtpListener,
  type SmtpServer,
  type SmtpServerOptions,
} from './node/smtp-server.js';
export { parseProxyHeader, type ProxyHeader } from '@mailyard/node-listeners';

// Kerio's policy
export { KerioSmtpPolicy, type KerioSmtpPolicyOptions } from './policy/kerio-smtp-policy.js';
export {
  accountLockedLine,
  failedLoginLine,
  harvestAttackLine,
  lockedOutLine,
  relayAttemptLine,
} from './policy/security-log-lines.js';

// Wire formats
export { type SmtpReply, formatReply } from './protocol/smtp-reply.js';
export {
  parseCommand,
  type SmtpCommand,
  type MailParameters,
  type RcptParameters,
} from './protocol/command-parser.js';
export {
  SmtpInputDecoder,
  type InputEvent,
  type InputDecoderOptions,
} from './protocol/input-decoder.js';
export { checkMailbox, PATH_LIMITS } from './protocol/path-syntax.js';
export { decodeXtext, encodeXtext } from './protocol/xtext.js';

// Client engine
export {
  SmtpClientSession,
  type AuthenticateOptions,
  type SendOptions,
  type SmtpClientSessionOptions,
} from './client/smtp-client-session.js';
export {
  runSmtpConversation,
  type ConversationOptions,
  type ConversationOutcome,
  type StartTlsPolicy,
} from './client/smtp-conversation.js';
export {
  connectSmtp,
  NodeSmtpConnection,
  DEFAULT_CLIENT_TIMEOUTS,
  type ClientTlsOptions,
  type NodeSmtpConnectOptions,
  type SmtpClientTimeouts,
} from './client/node-smtp-connection.js';
export type { ClientPhase, ClientTransport } from './client/client-transport.js';
export { SmtpClientError, type SmtpClientErrorKind } from './client/smtp-client-error.js';
export { DataEncoder } from './client/data-encoder.js';
export {
  clientMechanism,
  type ClientMechanism,
  type SmtpCredentials,
} from './client/sasl-client.js';
export {
  ReplyParser,
  DEFAULT_REPLY_LIMITS,
  authMechanisms,
  parseEhloReply,
  replyText,
  sizeLimit,
  type ReplyError,
  type ReplyEvent,
  type ReplyParserLimits,
  type ServerCapabilities,
} from './protocol/reply-parser.js';

// Routing and outbound delivery
export {
  remoteDeliveryAgent,
  type DomainRoute,
  type RelayAuthentication,
  type RelayHost,
  type RemoteDeliveryAgentOptions,
  type RoutingDeliveryAgent,
} from './routing/remote-delivery-agent.js';
export {
  addressLiteral,
  lookupDeliveryHosts,
  type DeliveryHost,
  type HostsLookup,
} from './routing/mx-hosts.js';
export { pop3Login, type Pop3LoginOptions } from './routing/pop3-before-smtp.js';
export { nodeDnsResolver, type NodeDnsResolverOptions } from './routing/node-dns-resolver.js';

// The queue, DSNs, local delivery, the Mail log
export { DeliveryQueue } from './queue/delivery-queue.js';
export type {
  DeliveryQueueOptions,
  EnqueueOptions,
  QueueDeliveryAgent,
  QueueHold,
  QueueListItem,
  QueueTimers,
  RemoveCriteria,
} from './queue/queue-options.js';
export { QueueError } from './queue/queue-files.js';
export { FileQueueStorage, type QueueStorage } from './queue/queue-storage.js';
export type { QueueMeta, QueueRecord, RecipientRecord } from './queue/queue-record.js';
export {
  buildDsn,
  type Dsn,
  type DsnAction,
  type DsnInput,
  type DsnRecipient,
} from './dsn/delivery-status-notification.js';
export { DEFAULT_NOTIFY, wantsNotification, type NotifyCondition } from './dsn/notify-policy.js';
export { localDeliveryAgent, type LocalDeliveryOptions } from './delivery/local-delivery-agent.js';
export type {
  FiledCopy,
  FilterDecision,
  FilterInput,
  MailboxFilter,
  OutgoingMessage,
  Redirect,
} from './delivery/mailbox-filter.js';
export { filterJournalKey } from './delivery/mailbox-filter.js';
export {
  DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY,
  DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE,
  FilterRejection,
  filterBeforeAccepting,
  type FilterBeforeAccepting,
  type FilterBeforeAcceptingOptions,
} from './delivery/filter-before-accepting.js';
export { deliveryRouter, type DeliveryRouterOptions } from './delivery/delivery-router.js';
export {
  isBarePostmaster,
  leadsNowhere,
  resolveLocalRecipient,
  storeRefusal,
  type StoreRefusal,
} from './delivery/local-recipients.js';
export {
  formatLogTimestamp,
  formatMailLogEntry,
  silentMailLog,
  textMailLog,
  type MailLog,
  type MailLogEntry,
  type MailLogReceived,
  type MailLogSent,
} from './log/mail-log.js';

// Shared shapes
export type {
  DeliveryAgent,
  DeliveryAttempt,
  DeliveryJournal,
  JournalEntry,
  JournalNote,
  Envelope,
  EnvelopeRecipient,
  MessageSource,
  RecipientResult,
} from './envelope.js';
export type { DnsResolver } from './dns-resolver.js';
