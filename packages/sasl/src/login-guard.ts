/** Why a guard refused a login before its credential was looked at. */
export type LoginRefusalReason =
  /** The client's address failed too often and is locked out for a while. */
  | 'address-locked'
  /** The account failed too often and is locked for a while (Kerio 7.1's account lockout). */
  | 'account-locked'
  /** The account is under attack: this attempt would wait longer than the guard allows. */
  | 'throttled';

export interface LoginRefusal {
  readonly reason: LoginRefusalReason;
  /** Milliseconds until an attempt may be checked again, for logs (clients hear "later"). */
  readonly retryAfterMs: number;
}

/** What a failed login changed, so that each lock is logged once, by the failure that set it. */
export interface LoginFailureVerdict {
  /** This failure locked the client's address. */
  readonly justLocked: boolean;
  /** This failure locked the account. */
  readonly accountJustLocked: boolean;
}

/**
 * The brute-force guard the protocol engines consult around every credential check: IMAP LOGIN
 * and AUTHENTICATE, POP3 USER/PASS, APOP and AUTH, SMTP AUTH. Structural, so that no engine
 * depends on a policy package: `@mailyard/access-policy`'s `LoginGuard` is one; any object of
 * this shape may stand in for it.
 *
 * The order an engine follows: `checkAddress` before the exchange (no login name yet), `admit`
 * once the login name is known and before its credential is read (for SASL mechanisms the
 * `SaslServer` calls it, around the credential lookup), then `recordFailure` or
 * `recordSuccess` with the outcome. `admit` may take a while to resolve: that wait is how a
 * guard slows guessing down.
 */
export interface LoginGuard {
  /** A refusal when the address is locked out now; null to go on. */
  checkAddress(ip: string): LoginRefusal | null;
  /** Resolves with null when the credential of `login` may be checked now, or with a refusal. */
  admit(ip: string, login: string): Promise<LoginRefusal | null>;
  /** A failed login: wrong credentials, or an exchange the client broke. `login` when known. */
  recordFailure(ip: string, login: string | null): Promise<LoginFailureVerdict>;
  /** A good login of `login` from the address. */
  recordSuccess(ip: string, login: string): Promise<void>;
}

/** What an engine hands `SaslServer.start` so that the exchange is guarded. */
export interface GuardedAttempt {
  readonly loginGuard: LoginGuard;
  readonly remoteAddress: string;
}
