import { normalizeIpKey } from '@mailyard/access-policy';
import type { Clock, Logger } from '@mailyard/mailstore-interface';
import type {
  LoginFailureLimits,
  LoginThrottleRules,
  PostgresLoginFailures,
  PostgresLoginThrottle,
} from '@mailyard/mailstore-postgres';
import type { LoginFailureVerdict, LoginGuard, LoginRefusal } from '@mailyard/sasl';

export interface SharedLoginGuardOptions {
  /**
   * This server's own guard: the throttle and known addresses (per server), and the lockouts
   * it counts while the database cannot be reached.
   */
  readonly local: LoginGuard;
  /** The counters every server shares. */
  readonly failures: PostgresLoginFailures;
  /** Failures per client address that lock it (Kerio's lockout). */
  readonly addressLimits: LoginFailureLimits;
  /** Failures per account that lock it (Kerio 7.1), when the account lockout is on. */
  readonly accountLimits: LoginFailureLimits | null;
  /**
   * The per-account throttle in the database (one line per account for every server) and the
   * addresses each account logged in from; null leaves both to `local`.
   */
  readonly throttle: {
    readonly store: PostgresLoginThrottle;
    readonly rules: LoginThrottleRules;
    readonly knownForMs: number;
  } | null;
  readonly accountOf: (login: string) => Promise<string>;
  readonly clock: Clock;
  /** How a throttled attempt waits its turn; default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where it says that the database failed (once, until it works again) and is back. */
  readonly logger: Logger;
}

/** Locks seen in the database, for `checkAddress`, which cannot wait: bounded, oldest out. */
const MAX_CACHED_LOCKS = 10_000;

/**
 * The login guard of servers that share a database: failed logins are counted in it, per
 * address and per account, so that a client gets Kerio's N attempts in all, not N per server,
 * and a lock made through one server holds on every other.
 *
 * The per-account throttle and the addresses each account logged in from are shared too, when
 * given: an attempt from an address the account has not logged in from takes its place in the
 * account's one line, whichever server it reaches.
 *
 * When the database cannot be reached, a login is neither let through unchecked nor refused
 * for that reason alone: the server falls back on its own counters (the lockouts as a single
 * server has them: N attempts per server during the outage), says so once in its log, and
 * uses the database again as soon as it answers. `checkAddress` (synchronous, before the
 * exchange) answers from the locks this server saw in the database and its own counters;
 * `admit`, which every engine calls before a credential is checked, asks the database.
 */
export class SharedLoginGuard implements LoginGuard {
  private readonly locks = new Map<string, number>();
  private failing = false;

  constructor(private readonly options: SharedLoginGuardOptions) {}

  checkAddress(ip: string): LoginRefusal | null {
    const now = this.options.clock.now();
    const until = this.locks.get(normalizeIpKey(ip));
    if (until !== undefined && until > now) {
      return { reason: 'address-locked', retryAfterMs: until - now };
    }
    return this.options.local.checkAddress(ip);
  }

  async admit(ip: string, login: string): Promise<LoginRefusal | null> {
    const throttle = this.options.throttle;
    const shared = await this.shared(async (now) => {
      const locked = await this.lockedInDatabase(ip, login, now);
      if (locked || !throttle) return { locked, wait: 0 };
      // Locks this server counted while the database was away still hold.
      const local = this.options.local.checkAddress(ip);
      if (local) return { locked: local, wait: 0 };
      const account = await this.options.accountOf(login);
      if (await throttle.store.isKnown(account, normalizeIpKey(ip), now, throttle.knownForMs)) {
        return { locked: null, wait: 0 };
      }
      const verdict = await throttle.store.reserve(account, throttle.rules, now);
      if (!verdict.admitted) {
        return {
          locked: { reason: 'throttled' as const, retryAfterMs: verdict.retryAfterMs },
          wait: 0,
        };
      }
      return { locked: null, wait: verdict.waitMs };
    });
    // The database down: this server's guard decides (its throttle, its own counters).
    if (!shared.ok) return this.options.local.admit(ip, login);
    if (shared.value.locked) return shared.value.locked;
    // Without a shared throttle, this server's own one applies.
    if (!throttle) return this.options.local.admit(ip, login);
    if (shared.value.wait === 0) return null;
    await (this.options.sleep ?? delay)(shared.value.wait);
    // Others' failures may have locked the address or the account while this one waited.
    const after = await this.shared((now) => this.lockedInDatabase(ip, login, now));
    return after.ok ? after.value : this.options.local.checkAddress(ip);
  }

  /** The address's or the account's lock in the database, as the refusal; null when neither. */
  private async lockedInDatabase(
    ip: string,
    login: string,
    now: number,
  ): Promise<LoginRefusal | null> {
    const address = await this.options.failures.lockedUntil('address', normalizeIpKey(ip), now);
    this.remember(ip, address);
    if (address !== null) return refusal('address-locked', address, now);
    if (!this.options.accountLimits) return null;
    const account = await this.options.accountOf(login);
    const locked = await this.options.failures.lockedUntil('account', account, now);
    return locked === null ? null : refusal('account-locked', locked, now);
  }

  async recordFailure(ip: string, login: string | null): Promise<LoginFailureVerdict> {
    const shared = await this.shared(async (now) => {
      const address = await this.options.failures.recordFailure(
        'address',
        normalizeIpKey(ip),
        this.options.addressLimits,
        now,
      );
      this.remember(ip, address.lockedUntil);
      const limits = this.options.accountLimits;
      const account =
        login === null || !limits
          ? null
          : await this.options.failures.recordFailure(
              'account',
              await this.options.accountOf(login),
              limits,
              now,
            );
      return { justLocked: address.justLocked, accountJustLocked: account?.justLocked ?? false };
    });
    return shared.ok ? shared.value : this.options.local.recordFailure(ip, login);
  }

  async recordSuccess(ip: string, login: string): Promise<void> {
    const throttle = this.options.throttle;
    await this.shared(async (now) => {
      const address = normalizeIpKey(ip);
      await this.options.failures.recordSuccess('address', address, now);
      if (!this.options.accountLimits && !throttle) return;
      const account = await this.options.accountOf(login);
      if (this.options.accountLimits) {
        await this.options.failures.recordSuccess('account', account, now);
      }
      if (throttle) {
        // The right password from a new place: the owner, or someone who has it anyway.
        if (!(await throttle.store.isKnown(account, address, now, throttle.knownForMs))) {
          await throttle.store.reset(account);
        }
        await throttle.store.recordKnown(account, address, now, throttle.knownForMs);
      }
    });
    // This server's own counters, throttle and known addresses: what it falls back on.
    await this.options.local.recordSuccess(ip, login);
  }

  /** Runs a step on the database; a failure is logged (once until it works again), not thrown. */
  private async shared<T>(
    step: (now: number) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const value = await step(this.options.clock.now());
      if (this.failing) {
        this.failing = false;
        this.options.logger.info('login failures: the database answers again; counting there');
      }
      return { ok: true, value };
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.options.logger.warn(
          `login failures: the database cannot be reached (${error instanceof Error ? error.message : String(error)}); this server counts failed logins on its own until it can`,
        );
      }
      return { ok: false };
    }
  }

  private remember(ip: string, until: number | null): void {
    const key = normalizeIpKey(ip);
    if (until === null) {
      this.locks.delete(key);
      return;
    }
    this.locks.delete(key);
    this.locks.set(key, until);
    if (this.locks.size > MAX_CACHED_LOCKS) this.locks.delete(this.locks.keys().next().value!);
  }
}

function refusal(reason: LoginRefusal['reason'], until: number, now: number): LoginRefusal {
  return { reason, retryAfterMs: until - now };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
