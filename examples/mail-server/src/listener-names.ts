/**
 * The server's listeners, in the order the `ready` line reports them, with the ports they take
 * when neither the command line nor mailserver.cfg says otherwise: the standard ports plus 2000
 * (1000 for IMAP and POP3), so that the server runs without root privileges; ManageSieve's 4190
 * needs none.
 */
export const LISTENERS = {
  smtp: { port: 2525, protocol: 'SMTP (STARTTLS offered)' },
  smtps: { port: 2465, protocol: 'SMTP over TLS' },
  submission: { port: 2587, protocol: 'SMTP submission, AUTH required (STARTTLS offered)' },
  imap: { port: 1143, protocol: 'IMAP (STARTTLS offered)' },
  imaps: { port: 1993, protocol: 'IMAP over TLS' },
  pop3: { port: 1110, protocol: 'POP3 (STLS offered)' },
  pop3s: { port: 1995, protocol: 'POP3 over TLS' },
  sieve: { port: 4190, protocol: 'ManageSieve (STARTTLS offered)' },
} as const;

export type ListenerName = keyof typeof LISTENERS;

export const LISTENER_NAMES = Object.keys(LISTENERS) as ListenerName[];
