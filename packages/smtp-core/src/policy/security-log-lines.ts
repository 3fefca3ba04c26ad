/**
 * The lines of Kerio's Security log that SMTP writes, worded as Kerio MailServer words them
 * (Admin Guide 24.4; see shared/spec/protocols.md section 2). The time prefix belongs to the log
 * writer (`formatLogTime` in the Mail log module), not to these lines.
 */

export function relayAttemptLine(ip: string, from: string, to: string): string {
  return `Relay attempt from IP address ${ip}, mail from <${from}> to <${to}> rejected`;
}

/**
 * A relay that POP3 before SMTP let through: the client did not authenticate, but its address
 * logged in over POP3 within the window. Not a line of Kerio's; without it nothing says why an
 * unauthenticated client could send to other domains.
 */
export function relayByPop3Line(ip: string, from: string, to: string, pop3Login: string): string {
  return `Relay from IP address ${ip}, mail from <${from}> to <${to}> allowed by POP3 before SMTP: ${pop3Login} logged in over POP3 from this address`;
}

export function harvestAttackLine(ip: string): string {
  return `Directory harvest attack from ${ip} detected`;
}

/** A failed SMTP AUTH, with Kerio's reason texts for the SASL failure reasons. */
export function failedLoginLine(
  service: string,
  ip: string,
  mechanism: string,
  reason: string,
): string {
  return `Failed ${service} login from ${ip}, ${failedLoginReason(mechanism, reason)}`;
}

export function lockedOutLine(service: string, ip: string, failures: number): string {
  return `${service} login from ${ip} blocked after ${failures} failed attempts`;
}

/** Kerio 7.1's account lockout: the account, whatever the protocol and the address. */
export function accountLockedLine(login: string, failures: number): string {
  return `Account ${login} locked after ${failures} failed logins`;
}

function failedLoginReason(mechanism: string, reason: string): string {
  switch (reason) {
    case 'cancelled':
      return `authentication with method ${mechanism} cancelled by user`;
    case 'malformed':
    case 'too-long':
    case 'channel-binding':
      return `error during authentication with method ${mechanism}`;
    case 'unavailable':
    case 'encryption-required':
      return `authentication method ${mechanism} is disabled`;
    case 'address-locked':
      return `authentication method ${mechanism}, address blocked`;
    case 'account-locked':
      return `authentication method ${mechanism}, account locked`;
    case 'throttled':
      return `authentication method ${mechanism}, account throttled`;
    default:
      return `authentication method ${mechanism}`;
  }
}
