import { IpAddressGroups, type RecentLogins } from '@mailyard/access-policy';
import type { Directory, MailStore } from '@mailyard/mailstore-interface';
import { type Pop3LoginFailure, type Pop3Server, createPop3Server } from '@mailyard/pop3-core';
import { type LoginGuard, SaslServer } from '@mailyard/sasl';
import { logFailedLogin } from './failed-login-log.js';
import type { KerioLogs } from './kerio-logs.js';
import { type ListenerPlan, listenersOn } from './listener-plan.js';
import type { TlsCredentials } from './self-signed-certificate.js';
import type { MailServerConfig } from './server-config.js';

export interface Pop3ListenersOptions {
  readonly config: MailServerConfig;
  readonly plan: ListenerPlan;
  readonly directory: Directory;
  readonly store: MailStore;
  readonly tls: TlsCredentials;
  readonly loginGuard: LoginGuard;
  /** Fed with every POP3 login, for POP3-before-SMTP; null when it is off. */
  readonly pop3Logins: RecentLogins | null;
  readonly securityLog: (line: string) => void;
  readonly logs: KerioLogs;
}

/**
 * POP3 on two ports: `pop3` (STLS offered; passwords only after it, unless the configuration
 * allows plaintext authentication) and `pop3s` (TLS from the first byte). Kerio's rules: INBOX
 * only, one session per mailbox, deletions at QUIT. A login opens the POP3-before-SMTP window for
 * the client's address.
 */
export function createPop3Listeners(options: Pop3ListenersOptions): Pop3Server {
  const { config } = options;
  const plaintext = !config.authentication.requireSecureAuth;
  // The per-IP limits' exempt group (Kerio's "Do not apply these limits to") covers POP3 too.
  const exemptGroup = config.limits.exemptGroup;
  const ipGroups = new IpAddressGroups(config.ipGroups);
  return createPop3Server({
    store: options.store,
    directory: options.directory,
    hostname: config.hostname,
    sasl: new SaslServer({
      credentials: options.directory,
      hostname: config.hostname,
      service: 'pop',
      mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN', 'LOGIN'],
      allowPlaintext: plaintext,
    }),
    allowPlaintextAuth: plaintext,
    // APOP needs reversible passwords, which users.cfg does not keep.
    apop: false,
    loginGuard: options.loginGuard,
    logger: options.logs.logger('pop3'),
    hooks: {
      onLogin: (user, session) => options.pop3Logins?.record(session.remoteAddress, user),
      onLoginFailed: (failure, session) =>
        logFailedLogin(
          options.securityLog,
          'POP3',
          {
            ip: session.remoteAddress,
            login: failure.login,
            mechanism: mechanismOf(failure),
            reason: reasonOf(failure),
            justLocked: failure.justLocked,
            accountJustLocked: failure.accountJustLocked,
          },
          config.authentication,
        ),
    },
    tls: { cert: options.tls.cert, key: options.tls.key },
    maxConnectionsPerIp: config.limits.pop3ConnectionsPerIp,
    ...(exemptGroup ? { connectionLimitsExempt: (ip) => ipGroups.contains(exemptGroup, ip) } : {}),
    listeners: listenersOn(options.plan, {
      pop3: { tls: 'starttls' },
      pop3s: { tls: 'implicit' },
    }),
  });
}

/** USER/PASS and APOP by their names, AUTH by its mechanism, as Kerio's Security log names them. */
function mechanismOf(failure: Pop3LoginFailure): string {
  return failure.method.startsWith('AUTH ') ? failure.method.slice(5) : failure.method;
}

/** The SASL failure reasons (and guard refusals) the Security log's wording is keyed on. */
function reasonOf(failure: Pop3LoginFailure): string {
  return failure.reason === 'plaintext-refused' ? 'encryption-required' : failure.reason;
}
