import {
  AccountThrottle,
  AuthLockout,
  DEFAULT_FORGET_AFTER_MS,
  KnownAddresses,
  LoginGuard,
} from '@mailyard/access-policy';
import type { Clock, Directory, Logger } from '@mailyard/mailstore-interface';
import type { PostgresLoginFailures, PostgresLoginThrottle } from '@mailyard/mailstore-postgres';
import type { LoginGuard as EngineLoginGuard } from '@mailyard/sasl';
import type { AuthenticationConfig } from './server-config.js';
import { SharedLoginGuard } from './shared-login-guard.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The login guard every listener shares, from mailserver.cfg: the per-address lockout (Kerio's,
 * as its guide words it), Kerio 7.1's account lockout when turned on, and the per-account
 * throttle for addresses an account has not logged in from (docs/access-policy.md). Logins are
 * counted by the account they name, as the directory resolves them, so `alice`, `ALICE` and
 * `alice@example.test` are one account to the throttle.
 */
export function createLoginGuard(
  config: AuthenticationConfig,
  directory: Directory,
  clock: Clock,
  /** Over a shared database: the failures counted there, for every server. */
  shared?: {
    readonly failures: PostgresLoginFailures;
    readonly throttle: PostgresLoginThrottle;
    readonly logger: Logger;
  },
): EngineLoginGuard {
  const accountOf = async (login: string) =>
    (await directory.findUser(login))?.id ?? login.trim().toLowerCase();
  const throttle = new AccountThrottle({
    freeAttempts: config.throttleFreeAttempts,
    baseDelayMs: config.throttleDelayMs,
    maxDelayMs: config.throttleMaxDelayMs,
    maxWaitMs: config.throttleMaxWaitMs,
    clock,
  });
  const local = new LoginGuard({
    addressLockout: new AuthLockout({
      maxFailures: config.lockoutFailures,
      unlockAfterMs: config.lockoutMinutes * MINUTE,
      clock,
    }),
    ...(config.accountLockout
      ? {
          accountLockout: new AuthLockout({
            maxFailures: config.accountLockoutFailures,
            unlockAfterMs: config.accountLockoutMinutes * MINUTE,
            clock,
          }),
        }
      : {}),
    throttle,
    knownAddresses: new KnownAddresses({ knownForMs: config.knownAddressDays * DAY, clock }),
    accountOf,
  });
  if (!shared) return local;
  return new SharedLoginGuard({
    local,
    failures: shared.failures,
    addressLimits: {
      maxFailures: config.lockoutFailures,
      windowMs: config.lockoutMinutes * MINUTE,
    },
    accountLimits: config.accountLockout
      ? {
          maxFailures: config.accountLockoutFailures,
          windowMs: config.accountLockoutMinutes * MINUTE,
        }
      : null,
    throttle: throttle.enabled
      ? {
          store: shared.throttle,
          rules: {
            delayAfter: (attempts) => throttle.delayAfter(attempts),
            maxWaitMs: config.throttleMaxWaitMs,
            forgetAfterMs: DEFAULT_FORGET_AFTER_MS,
          },
          knownForMs: config.knownAddressDays * DAY,
        }
      : null,
    accountOf,
    clock,
    logger: shared.logger,
  });
}
