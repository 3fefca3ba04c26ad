import type { SaslFailureReason } from './sasl-result.js';

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

/**
 * What a client is told when the guard refuses (IMAP `NO [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`,
 * SMTP `454 4.7.0`, each with this text): why, and that it is temporary, so that a mail client
 * says "try later" instead of asking for a password that may well be right.
 */
export function loginRefusalText(reason: LoginRefusalReason): string {
  switch (reason) {
    case 'address-locked':
      return 'Too many failed logins from your address; try again later';
    case 'account-locked':
      return 'Account locked after too many failed logins; try again later';
    case 'throttled':
      return 'Too many failed logins for this account; try again later';
  }
}

/**
 * Whether a failed exchange counts towards lockouts: wrong credentials, and exchanges the client
 * broke (bad base64, a malformed message, an over-long response, a channel-binding mismatch), so
 * that garbage costs an attacker as much as a wrong password. Not counted: a cancel (`*`: no
 * credential was tested, and clients cancel to fall back to another mechanism), a mechanism the
 * connection cannot use, the server's own failure, and a refusal by the guard itself.
 */
export function countsAsLoginFailure(reason: SaslFailureReason): boolean {
  switch (reason) {
    case 'invalid-credentials':
    case 'authorization-denied':
    case 'malformed':
    case 'too-long':
    case 'channel-binding':
      return true;
    case 'cancelled':
    case 'encryption-required':
    case 'unavailable':
    case 'temporary':
    case 'refused':
      return false;
  }
}
