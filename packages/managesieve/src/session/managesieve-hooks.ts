import type { LoginRefusalReason } from '@mailyard/sasl';

/** What hooks and logs know about a connection. */
export interface ManageSieveSessionInfo {
  /** Unique per connection, for logs (node-listeners' `sessionIds`). */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The listener's name (`sieve`). */
  readonly listener: string;
  /** TLS is up (after STARTTLS). */
  readonly secure: boolean;
  /** The account id once logged in (`alice@example.com`), else null. */
  readonly user: string | null;
}

export interface ManageSieveLoginFailure {
  /** The login name the client gave, when it gave one. */
  readonly login: string | null;
  /** The SASL mechanism. */
  readonly mechanism: string;
  /**
   * `invalid-credentials`: wrong name or password, or a disabled account; `plaintext-refused`:
   * a password offered in the clear where that is not allowed; `malformed`: a SASL exchange
   * that broke its syntax; `temporary`: the credential lookup failed; `address-locked`,
   * `account-locked`, `throttled`: the login guard refused before any credential was checked.
   */
  readonly reason:
    'invalid-credentials' | 'plaintext-refused' | 'malformed' | 'temporary' | LoginRefusalReason;
}

/** A change to a user's scripts that a session made. */
export type ManageSieveScriptChange =
  | { readonly action: 'put' | 'delete'; readonly name: string }
  | { readonly action: 'rename'; readonly name: string; readonly from: string }
  | { readonly action: 'activate'; readonly name: string }
  | { readonly action: 'deactivate' };

/**
 * Where an application follows what ManageSieve sessions do. Hooks are awaited; a hook that
 * throws is logged and otherwise ignored: a broken hook never breaks a session.
 */
export interface ManageSieveHooks {
  onLogin?(user: string, session: ManageSieveSessionInfo): void | Promise<void>;
  /** A login failed (Kerio's Security log). */
  onLoginFailed?(
    failure: ManageSieveLoginFailure,
    session: ManageSieveSessionInfo,
  ): void | Promise<void>;
  /** A user's scripts changed: a compiled copy of the active one is stale. */
  onScriptChange?(
    user: string,
    change: ManageSieveScriptChange,
    session: ManageSieveSessionInfo,
  ): void | Promise<void>;
}
