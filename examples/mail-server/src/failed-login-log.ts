import { failedLoginLine, lockedOutLine } from '@mailyard/smtp-core';

export interface FailedLogin {
  readonly ip: string;
  /** The SASL mechanism, `LOGIN`, `USER` or `APOP`, as Kerio's Security log names it. */
  readonly mechanism: string;
  /** A SASL failure reason, which the line's wording is keyed on. */
  readonly reason: string;
  /** This failure locked the address. */
  readonly justLocked: boolean;
}

/** A failed IMAP or POP3 login in Kerio's Security log, and the lock it caused, if it did. */
export function logFailedLogin(
  securityLog: (line: string) => void,
  service: 'IMAP' | 'POP3',
  failure: FailedLogin,
  lockoutFailures: number,
): void {
  securityLog(failedLoginLine(service, failure.ip, failure.mechanism, failure.reason));
  if (failure.justLocked) securityLog(lockedOutLine(service, failure.ip, lockoutFailures));
}
