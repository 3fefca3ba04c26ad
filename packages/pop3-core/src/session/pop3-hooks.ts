import type { LoginRefusalReason } from '@mailyard/sasl';

/** What hooks and logs know about a connection. */
export interface Pop3SessionInfo {
  /** Unique per connection, for logs. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The listener's name (`pop3`, `pop3s`), from the transport. */
  readonly listener: string;
  /** TLS is up: implicit TLS, or after STLS. */
  readonly secure: boolean;
  /** The account id once logged in (`alice@example.com`), else null. */
  readonly user: string | null;
  /** The client sent UTF8 (RFC 6856). */
  readonly utf8: boolean;
}

/** How a client authenticated. */
export type Pop3LoginMethod = 'USER' | 'APOP' | `AUTH ${string}`;

export interface Pop3LoginFailure {
  /** The login name the client gave, when it gave one. */
  readonly login: string | null;
  readonly method: Pop3LoginMethod;
  /**
   * `invalid-credentials`: wrong name or password, or a disabled account; `plaintext-refused`: a
   * password offered in the clear where that is not allowed; `malformed`: a SASL exchange that
   * broke its syntax; `temporary`: the credential lookup failed; `address-locked`,
   * `account-locked`, `throttled`: the login guard refused before any credential was checked.
   */
  readonly reason:
    'invalid-credentials' | 'plaintext-refused' | 'malformed' | 'temporary' | LoginRefusalReason;
  /** This failure locked the IP (the guard's `justLocked`): log it once, as Kerio does. */
  readonly justLocked: boolean;
  /** This failure locked the account (Kerio 7.1's account lockout): log it once. */
  readonly accountJustLocked: boolean;
}

/**
 * Where an application follows what POP3 sessions do. Hooks are awaited, and a hook that throws
 * or rejects is logged and otherwise ignored: a broken hook never breaks a session.
 */
export interface Pop3Hooks {
  /**
   * A user logged in and has the maildrop. The place to open the POP3-before-SMTP relay window
   * for `session.remoteAddress` (Kerio 12.2), and to count logins (Kerio 8.7).
   */
  onLogin?(user: string, session: Pop3SessionInfo): void | Promise<void>;
  /** A login failed (Kerio's Security log: "Failed POP3 login from ..."). */
  onLoginFailed?(failure: Pop3LoginFailure, session: Pop3SessionInfo): void | Promise<void>;
  /**
   * The session ended. `deleted` holds the UIDs removed in the UPDATE state (empty when the
   * client did not QUIT, or deleted nothing).
   */
  onLogout?(
    outcome: { readonly user: string; readonly quit: boolean; readonly deleted: readonly number[] },
    session: Pop3SessionInfo,
  ): void | Promise<void>;
}
