export {
  SaslServer,
  ALL_MECHANISMS,
  type SaslServerOptions,
  type SaslTransport,
} from './sasl-server.js';
export {
  saslPerConnection,
  type SaslPerConnection,
  type SaslPerConnectionOptions,
} from './sasl-per-connection.js';
export {
  SaslWireSession,
  DEFAULT_MAX_RESPONSE,
  decodeSaslBase64,
  type WireStep,
} from './sasl-wire.js';
export { SaslSession } from './sasl-session.js';
export { countsAsLoginFailure, loginRefusalText } from './login-guard.js';
export type {
  GuardedAttempt,
  LoginFailureVerdict,
  LoginGuard,
  LoginRefusal,
  LoginRefusalReason,
} from './login-guard.js';
export type { SaslFailureReason, SaslIdentity, SaslStep } from './sasl-result.js';
export type {
  SaslCredentials,
  ScramHash,
  ScramStoredCredentials,
  TokenRequest,
  TokenVerdict,
} from './credentials.js';
export type { ChannelBinding, Exchange, SaslContext, SaslMechanism } from './mechanism.js';
export { PLAIN } from './mechanisms/plain.js';
export { LOGIN } from './mechanisms/login.js';
export { CRAM_MD5 } from './mechanisms/cram-md5.js';
export { DIGEST_MD5 } from './mechanisms/digest-md5.js';
export { scram } from './mechanisms/scram.js';
export { OAUTHBEARER, XOAUTH2 } from './mechanisms/oauth.js';
export { EXTERNAL } from './mechanisms/external.js';
export { deriveScramCredentials, DEFAULT_SCRAM_ITERATIONS } from './scram-credentials.js';
export { saslPrep } from './saslprep.js';
