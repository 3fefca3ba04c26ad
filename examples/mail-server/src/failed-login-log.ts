import { accountLockedLine, failedLoginLine, lockedOutLine } from '@mailyard/smtp-core';
import type { AuthenticationConfig } from './server-config.js';

export interface FailedLogin {
  readonly ip: string;
  /** The login name the client gave, when it gave one. */
  readonly login: string | null;
  /** The SASL mechanism, `LOGIN`, `USER` or `APOP`, as Kerio's Security log names it. */
  readonly mechanism: string;
  /** A SASL failure reason or a login guard's refusal, which the line's wording is keyed on. */
  readonly reason: string;
  /** This failure locked the address. */
  readonly justLocked: boolean;
  /** This failure locked the account. */
  readonly accountJustLocked: boolean;
}

/** A failed IMAP, POP3 or ManageSieve login in Kerio's Security log, and the locks it caused, if it did. */
export function logFailedLogin(
  securityLog: (line: string) => void,
  service: 'IMAP' | 'POP3' | 'ManageSieve',
  failure: FailedLogin,
  config: AuthenticationConfig,
): void {
  securityLog(failedLoginLine(service, failure.ip, failure.mechanism, failure.reason));
  if (failure.justLocked) securityLog(lockedOutLine(service, failure.ip, config.lockoutFailures));
  if (failure.accountJustLocked && failure.login !== null) {
    securityLog(accountLockedLine(failure.login, config.accountLockoutFailures));
  }
}
