import type { AccountThrottle } from './account-throttle.js';
import type { AuthLockout } from './auth-lockout.js';
import { KnownAddresses } from './known-addresses.js';

/** Why a login was refused before its credential was checked. */
export interface LoginGuardRefusal {
  readonly reason: 'address-locked' | 'account-locked' | 'throttled';
  /** Milliseconds until an attempt could be checked (for logs). */
  readonly retryAfterMs: number;
}

/** What a failure locked, so that each lock is logged once. */
export interface LoginGuardFailure {
  /** This failure locked the address. */
  readonly justLocked: boolean;
  /** This failure locked the account. */
  readonly accountJustLocked: boolean;
}

export interface LoginGuardOptions {
  /** Failed logins per client address (Kerio's lockout as its guide words it). */
  readonly addressLockout?: AuthLockout;
  /**
   * Failed logins per account, from any address (Kerio 7.1: "count of failed logins to lock a
   * user account"). Off unless given: an attacker can use it to lock the owner out.
   */
  readonly accountLockout?: AuthLockout;
  /** The per-account delay for attempts from addresses the account has not logged in from. */
  readonly throttle?: AccountThrottle;
  /** Where the account's recent addresses are kept; default 30 days, with the throttle's clock. */
  readonly knownAddresses?: KnownAddresses;
  /**
   * The account a login name stands for, so that `alice`, `ALICE` and `alice@example.com` are
   * one account to the throttle and the account lockout. Default: the name trimmed and in lower
   * case. A directory's `findUser` is the better answer (`(await findUser(login))?.id ?? login`).
   */
  readonly accountOf?: (login: string) => string | Promise<string>;
  /** How a throttled attempt waits its turn; default a timer. Tests pass a fake clock's advance. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One guard for every protocol's logins, in the shape the engines take (`LoginGuard` of
 * `@mailyard/sasl`, structurally): a locked address is refused before anything else; once the
 * login name is known, a locked account is refused, and an attempt from an address the account
 * has not logged in from recently takes its place in the account's throttle line, waiting its
 * turn or being refused when the line is too long. Known addresses never wait.
 *
 * The only part of this package that waits (a throttled attempt sleeps through `sleep`); the
 * counters it is made of stay pure.
 */
export class LoginGuard {
  readonly #addressLockout: AuthLockout | undefined;
  readonly #accountLockout: AuthLockout | undefined;
  readonly #throttle: AccountThrottle | undefined;
  readonly #known: KnownAddresses;
  readonly #accountOf: (login: string) => string | Promise<string>;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: LoginGuardOptions = {}) {
    this.#addressLockout = options.addressLockout;
    this.#accountLockout = options.accountLockout;
    this.#throttle = options.throttle?.enabled ? options.throttle : undefined;
    this.#known = options.knownAddresses ?? new KnownAddresses();
    this.#accountOf = options.accountOf ?? ((login) => login.trim().toLowerCase());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  checkAddress(ip: string): LoginGuardRefusal | null {
    return refusal('address-locked', this.#addressLockout?.lockedForMs(ip) ?? 0);
  }

  async admit(ip: string, login: string): Promise<LoginGuardRefusal | null> {
    const account = await this.#accountOf(login);
    const locked = this.#locked(ip, account);
    if (locked || !this.#throttle || this.#known.isKnown(account, ip)) return locked;
    const verdict = this.#throttle.reserve(account);
    if (!verdict.admitted) return { reason: 'throttled', retryAfterMs: verdict.retryAfterMs };
    if (verdict.waitMs === 0) return null;
    await this.#sleep(verdict.waitMs);
    // Others' failures may have locked the address or the account while this one waited.
    return this.#locked(ip, account);
  }

  async recordFailure(ip: string, login: string | null): Promise<LoginGuardFailure> {
    const justLocked = this.#addressLockout?.recordFailure(ip).justLocked ?? false;
    if (login === null || !this.#accountLockout) return { justLocked, accountJustLocked: false };
    const account = await this.#accountOf(login);
    return {
      justLocked,
      accountJustLocked: this.#accountLockout.recordFailure(account).justLocked,
    };
  }

  async recordSuccess(ip: string, login: string): Promise<void> {
    this.#addressLockout?.recordSuccess(ip);
    const account = await this.#accountOf(login);
    this.#accountLockout?.recordSuccess(account);
    // The right password from a new place: the owner, or someone who has it anyway.
    if (!this.#known.isKnown(account, ip)) this.#throttle?.reset(account);
    this.#known.record(account, ip);
  }

  /** Kerio's "Unlock all accounts now": every address and account lock lifted, every line reset. */
  unlockAll(): void {
    this.#addressLockout?.unlockAll();
    this.#accountLockout?.unlockAll();
    this.#throttle?.resetAll();
  }

  #locked(ip: string, account: string): LoginGuardRefusal | null {
    return (
      refusal('address-locked', this.#addressLockout?.lockedForMs(ip) ?? 0) ??
      refusal('account-locked', this.#accountLockout?.lockedForMs(account) ?? 0)
    );
  }
}

function refusal(
  reason: LoginGuardRefusal['reason'],
  lockedForMs: number,
): LoginGuardRefusal | null {
  return lockedForMs > 0 ? { reason, retryAfterMs: lockedForMs } : null;
}
