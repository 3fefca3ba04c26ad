import { IpAddressGroups } from '@mailyard/access-policy';
import type { LoginGuard } from '@mailyard/sasl';
import {
  type ManageSieveServer,
  type SieveScriptStore,
  createManageSieveServer,
} from '@mailyard/managesieve';
import type { Directory } from '@mailyard/mailstore-interface';
import { logFailedLogin } from './failed-login-log.js';
import type { KerioLogs } from './kerio-logs.js';
import { type ListenerPlan, listenersOn } from './listener-plan.js';
import type { TlsCredentials } from './self-signed-certificate.js';
import type { MailServerConfig } from './server-config.js';
import { type CompiledScripts, SIEVE_CAPABILITIES } from './sieve-scripts.js';

export interface SieveListenersOptions {
  readonly config: MailServerConfig;
  readonly plan: ListenerPlan;
  readonly directory: Directory;
  readonly scripts: SieveScriptStore;
  readonly compiled: CompiledScripts;
  readonly tls: TlsCredentials;
  readonly loginGuard: LoginGuard;
  readonly securityLog: (line: string) => void;
  readonly logs: KerioLogs;
}

/**
 * ManageSieve (RFC 5804) on the `sieve` listener, port 4190: users upload, activate and edit the
 * script delivery runs for them. STARTTLS offered, passwords in the clear only as the
 * configuration allows for IMAP and POP3; a script is stored only once `@mailyard/sieve`
 * compiles it, with every error reported.
 */
export function createSieveListeners(options: SieveListenersOptions): ManageSieveServer {
  const { config } = options;
  const plaintext = !config.authentication.requireSecureAuth;
  const exemptGroup = config.limits.exemptGroup;
  const ipGroups = new IpAddressGroups(config.ipGroups);
  const log = options.logs.logger('sieve');
  return createManageSieveServer({
    store: options.scripts,
    directory: options.directory,
    hostname: config.hostname,
    allowPlaintextAuth: plaintext,
    checkScript: (script) => {
      const { errors } = options.compiled.get(script);
      return errors.length === 0 ? { ok: true, warnings: [] } : { ok: false, errors };
    },
    sieveExtensions: SIEVE_CAPABILITIES,
    loginGuard: options.loginGuard,
    logger: log,
    hooks: {
      onLoginFailed: (failure, session) =>
        logFailedLogin(
          options.securityLog,
          'ManageSieve',
          {
            ip: session.remoteAddress,
            login: failure.login,
            mechanism: failure.mechanism,
            reason: failure.reason === 'plaintext-refused' ? 'encryption-required' : failure.reason,
            justLocked: false,
            accountJustLocked: false,
          },
          config.authentication,
        ),
      onScriptChange: (user, change) =>
        log.info(`${user}: script ${change.action}${'name' in change ? ` ${change.name}` : ''}`),
    },
    tls: { cert: options.tls.cert, key: options.tls.key },
    ...(exemptGroup
      ? { connectionLimitsExempt: (ip: string) => ipGroups.contains(exemptGroup, ip) }
      : {}),
    listeners: listenersOn(options.plan, { sieve: { tls: 'starttls' as const } }),
  });
}
