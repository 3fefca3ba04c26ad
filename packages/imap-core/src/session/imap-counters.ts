/**
 * Kerio's IMAP performance counters (Admin Guide, statistics): IMAPConnections,
 * IMAPConnectionsCurrent, IMAPLogins, IMAPBytesSent and IMAPMessagesSent. One object is shared
 * by every session of a server; an application reads it for its statistics page.
 */
export class ImapCounters {
  /** Connections accepted since start. */
  connections = 0;
  /** Connections open now. */
  connectionsCurrent = 0;
  /** Successful logins (LOGIN and AUTHENTICATE). */
  logins = 0;
  /** Octets written to clients, before compression and TLS. */
  bytesSent = 0;
  /** Whole messages sent (FETCH of BODY[], RFC822 or BINARY[]). */
  messagesSent = 0;

  snapshot(): {
    connections: number;
    connectionsCurrent: number;
    logins: number;
    bytesSent: number;
    messagesSent: number;
  } {
    const { connections, connectionsCurrent, logins, bytesSent, messagesSent } = this;
    return { connections, connectionsCurrent, logins, bytesSent, messagesSent };
  }
}
