import type { LoginRefusal } from './login-guard.js';

/**
 * What a SASL exchange ends in. Failures carry a reason each protocol maps onto its own reply:
 * IMAP `NO [AUTHENTICATIONFAILED]`, SMTP 535 5.7.8, POP3 `-ERR [AUTH]`, and so on (see README).
 */
export type SaslFailureReason =
  /** The client's message broke the mechanism's syntax (bad base64, missing fields, NULs...). */
  | 'malformed'
  /** The credentials are wrong, or the account is unknown or disabled. */
  | 'invalid-credentials'
  /** The credentials are right but may not act as the requested authorization identity. */
  | 'authorization-denied'
  /** The client cancelled with `*`. */
  | 'cancelled'
  /** The mechanism needs a protected connection (plaintext passwords without TLS). */
  | 'encryption-required'
  /** The mechanism is unknown, disabled, or cannot work with these credentials. */
  | 'unavailable'
  /** A channel-binding mismatch or a downgrade attempt (SCRAM `y` when PLUS was offered). */
  | 'channel-binding'
  /** A response was longer than the server accepts. */
  | 'too-long'
  /** The credential lookup failed: try again later (IMAP `[UNAVAILABLE]`, SMTP 454 4.7.0). */
  | 'temporary'
  /**
   * The login guard refused the login before its credential was read (a locked address or
   * account, or a throttled one): the step's `refusal` says which. Try again later.
   */
  | 'refused';

/** Who authenticated, and as whom they act. */
export interface SaslIdentity {
  /** The identity whose credentials were checked (the authcid), as the client sent it. */
  readonly authenticationId: string;
  /** The identity the client acts as (the authzid); the authentication id when none was asked. */
  readonly authorizationId: string;
  /** The account the credentials belong to, as the credential store names it (`alice@example.com`). */
  readonly user: string;
}

export type SaslStep =
  /** Send this to the client and wait for its response. */
  | { readonly type: 'challenge'; readonly challenge: Uint8Array }
  /**
   * Authenticated. `additionalData`, when present (SCRAM's server signature), goes to the client
   * with the success where the protocol allows it, or as a last challenge with an empty answer.
   */
  | {
      readonly type: 'success';
      readonly identity: SaslIdentity;
      readonly additionalData?: Uint8Array;
    }
  | {
      readonly type: 'failure';
      readonly reason: SaslFailureReason;
      /** For logs (Kerio's Security log); never shown to the client as is. */
      readonly message: string;
      /** The authentication id, when the client gave one, for logs and lockout counting. */
      readonly authenticationId?: string;
      /** Why the login guard refused, with reason `refused`. */
      readonly refusal?: LoginRefusal;
    };

export function failure(
  reason: SaslFailureReason,
  message: string,
  authenticationId?: string,
): SaslStep {
  return authenticationId === undefined
    ? { type: 'failure', reason, message }
    : { type: 'failure', reason, message, authenticationId };
}
