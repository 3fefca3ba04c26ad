// Server engine
export {
  SmtpServerSession,
  type ConnectionDetails,
  type SessionTransport,
  type SmtpSessionOptions,
} from './session/smtp-server-session.js';
export type { AuthOutcome, SessionInfo, SmtpServerHooks } from './session/smtp-hooks.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type SessionLimits,
  type SessionTimeouts,
} from './session/session-limits.js';
export { MessageAbortedError } from './session/message-stream.js';
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
export { parseProxyHeader, type ProxyHeader } from './node/proxy-protocol.js';

// Kerio's policy
export { KerioSmtpPolicy, type KerioSmtpPolicyOptions } from './policy/kerio-smtp-policy.js';
export {
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

// Shared shapes
export type {
  DeliveryAgent,
  DeliveryAttempt,
  Envelope,
  EnvelopeRecipient,
  MessageSource,
  RecipientResult,
} from './envelope.js';
export type { DnsResolver } from './dns-resolver.js';
