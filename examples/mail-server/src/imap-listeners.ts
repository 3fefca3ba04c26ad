import { IpAddressGroups } from '@mailyard/access-policy';
import type { LoginGuard } from '@mailyard/sasl';
import { type ImapServer, createImapServer } from '@mailyard/imap-core';
import type { Directory, MailStore } from '@mailyard/mailstore-interface';
import { logFailedLogin } from './failed-login-log.js';
import type { KerioLogs } from './kerio-logs.js';
import { type ListenerPlan, listenersOn } from './listener-plan.js';
import type { TlsCredentials } from './self-signed-certificate.js';
import type { MailServerConfig } from './server-config.js';
import type { MarkedMessage, SpamFilter } from './spam-filter.js';

export interface ImapListenersOptions {
  readonly config: MailServerConfig;
  readonly plan: ListenerPlan;
  readonly directory: Directory;
  readonly store: MailStore;
  readonly tls: TlsCredentials;
  readonly loginGuard: LoginGuard;
  readonly securityLog: (line: string) => void;
  readonly logs: KerioLogs;
  /** Learns from messages users move into Junk E-mail (spam) and out of it (ham). */
  readonly spam: SpamFilter;
}

/**
 * IMAP on two ports: `imap` (STARTTLS offered; LOGINDISABLED before it unless the configuration
 * allows plaintext authentication) and `imaps` (TLS from the first byte). Every folder of the
 * store, public folders included. Connections are capped per address (the exempt group aside)
 * and per user and address, as mailserver.cfg says.
 */
export function createImapListeners(options: ImapListenersOptions): ImapServer {
  const { config } = options;
  const ipGroups = new IpAddressGroups(config.ipGroups);
  const exemptGroup = config.limits.exemptGroup;
  return createImapServer({
    store: options.store,
    directory: options.directory,
    hostname: config.hostname,
    // The mechanisms users.cfg's hashes can serve (no reversible passwords for CRAM-MD5).
    mechanisms: [
      'SCRAM-SHA-256-PLUS',
      'SCRAM-SHA-256',
      'SCRAM-SHA-1-PLUS',
      'SCRAM-SHA-1',
      'PLAIN',
      'LOGIN',
    ],
    allowPlaintextAuth: !config.authentication.requireSecureAuth,
    loginGuard: options.loginGuard,
    logger: options.logs.logger('imap'),
    limits: {
      maxConnectionsPerIp: config.limits.imapConnectionsPerIp,
      maxUnauthenticatedPerIp: config.limits.imapUnauthenticatedPerIp,
      maxSessionsPerUserIp: config.limits.imapUserIpConnections,
    },
    // Kerio's "Do not apply these limits to IP address group".
    connectionLimitsExempt: (ip) => ipGroups.contains(exemptGroup, ip),
    // Kerio's Security log: every failed login, and the moment an address or account gets locked.
    onLoginFailed: (failure) =>
      logFailedLogin(
        options.securityLog,
        'IMAP',
        {
          ip: failure.remoteAddress,
          login: failure.login,
          mechanism: failure.method,
          reason: failure.reason,
          justLocked: failure.justLocked,
          accountJustLocked: failure.accountJustLocked,
        },
        config.authentication,
      ),
    // Kerio 13.4: moving mail into Junk E-mail teaches the Bayes filter spam, out of it ham.
    onSpamTraining: (event) =>
      void options.spam.learnFromUser(
        { user: event.user, as: event.verdict, folder: `~${event.user}/${event.source}` },
        () =>
          messagesIn(
            options.store,
            event.user,
            event.destination,
            event.destinationUids,
            config.spam.maxContentBytes,
          ),
      ),
    tls: { cert: options.tls.cert, key: options.tls.key },
    listeners: listenersOn(options.plan, {
      imap: { tls: 'starttls' },
      imaps: { tls: 'implicit' },
    }),
  });
}

/**
 * The messages, one at a time, from a mailbox opened read-only for the purpose: whole up to
 * `limit` bytes, only their first `limit` bytes beyond (enough for the log line's From and
 * Subject; too large to learn from, as to rate).
 */
async function* messagesIn(
  store: MailStore,
  user: string,
  mailbox: string,
  uids: readonly number[],
  limit: number,
): AsyncIterable<MarkedMessage> {
  const opened = await store.access(user).open(mailbox, { readOnly: true });
  try {
    for (const record of await opened.fetch(uids)) {
      const range = record.size > limit ? { start: 0, end: limit } : undefined;
      const chunks: Uint8Array[] = [];
      for await (const chunk of opened.read(record.uid, range)) chunks.push(chunk);
      yield { size: record.size, bytes: Buffer.concat(chunks) };
    }
  } finally {
    opened.close();
  }
}
