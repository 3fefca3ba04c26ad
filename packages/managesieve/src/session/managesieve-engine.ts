import { type Directory, type Logger, silentLogger } from '@mailyard/mailstore-interface';
import { type LoginGuard, type SaslServer, saslPerConnection } from '@mailyard/sasl';
import type { SieveScriptStore } from '../store/sieve-script-store.js';
import type { ManageSieveHooks } from './managesieve-hooks.js';
import {
  DEFAULT_MANAGESIEVE_LIMITS,
  type ManageSieveLimits,
  UNLIMITED_ALLOWED,
} from './managesieve-limits.js';
import {
  type ManageSieveConnection,
  ManageSieveSession,
  type ManageSieveTransport,
} from './managesieve-session.js';
import type { SieveScriptChecker } from './script-checker.js';

export interface ManageSieveEngineOptions {
  /** Where the users' scripts are. */
  readonly store: SieveScriptStore;
  /**
   * Who may log in: SASL checks credentials against it (`verifyPassword`, `scramCredentials`,
   * ...) and `findUser` names the account whose scripts a session manages (`UserAccount.id`);
   * a disabled account cannot log in.
   */
  readonly directory: Directory;
  /** Our name, in the greeting. */
  readonly hostname: string;
  /**
   * Compiles scripts for PUTSCRIPT and CHECKSCRIPT. Without one, every UTF-8 script of an
   * acceptable size is stored as it is: pass the Sieve implementation's compiler.
   */
  readonly checkScript?: SieveScriptChecker;
  /** The `SIEVE` capability: the extensions the checker (and delivery) support. Default none. */
  readonly sieveExtensions?: readonly string[];
  /** The `NOTIFY` capability (RFC 5435 methods, `mailto`), when enotify is supported. */
  readonly notifyMethods?: readonly string[];
  /** The `MAXREDIRECTS` capability: redirects a script may make, when there is a limit. */
  readonly maxRedirects?: number;
  /**
   * AUTHENTICATE. Default: a `SaslServer` over the directory with every mechanism that can work
   * with it, PLAIN and LOGIN in the clear only when `allowPlaintextAuth` is set. A function
   * picks per connection; undefined offers no mechanism.
   */
  readonly sasl?: SaslServer | ((connection: ManageSieveConnection) => SaslServer | undefined);
  /**
   * Accept passwords in the clear (PLAIN, LOGIN) on connections without TLS. Default false:
   * they are refused with `NO (ENCRYPT-NEEDED)` until STARTTLS. A function decides per
   * connection.
   */
  readonly allowPlaintextAuth?: boolean | ((connection: ManageSieveConnection) => boolean);
  /**
   * Brute-force protection, shared with the other protocols (sasl's `LoginGuard` shape;
   * `@mailyard/access-policy`'s fits): consulted before every credential check, told of every
   * outcome.
   */
  readonly loginGuard?: LoginGuard;
  readonly hooks?: ManageSieveHooks;
  readonly limits?: Partial<ManageSieveLimits>;
  /** The `IMPLEMENTATION` capability; null hides it. Default `Mailyard`. */
  readonly implementation?: string | null;
  readonly logger?: Logger;
}

/** What every session of an engine shares, resolved once. */
export interface ManageSieveContext {
  readonly options: ManageSieveEngineOptions;
  readonly limits: ManageSieveLimits;
  readonly logger: Logger;
  saslFor(connection: ManageSieveConnection): SaslServer | undefined;
  plaintextAllowed(connection: ManageSieveConnection): boolean;
}

/**
 * The ManageSieve server engine (RFC 5804): the options its sessions share, and a session per
 * connection. Transport-free: `createManageSieveServer` runs it over Node sockets, tests over
 * byte arrays.
 */
export class ManageSieveEngine {
  private readonly context: ManageSieveContext;

  constructor(options: ManageSieveEngineOptions) {
    const limits = { ...DEFAULT_MANAGESIEVE_LIMITS, ...options.limits };
    for (const [name, value] of Object.entries(limits)) {
      const least = UNLIMITED_ALLOWED.has(name as keyof ManageSieveLimits) ? 0 : 1;
      if (!Number.isInteger(value) || value < least) {
        throw new RangeError(
          `ManageSieve limit ${name} must be ${least === 0 ? 'a non-negative' : 'a positive'} integer, got ${value}`,
        );
      }
    }
    const sasl = saslPerConnection<ManageSieveConnection>({
      sasl: options.sasl,
      allowPlaintextAuth: options.allowPlaintextAuth,
      defaults: {
        credentials: options.directory,
        hostname: options.hostname,
        service: 'sieve',
        // ManageSieve carries SCRAM's server signature in the OK: `OK (SASL "...")`.
        finalData: 'with-success',
      },
    });
    this.context = {
      options,
      limits,
      logger: options.logger ?? silentLogger,
      plaintextAllowed: sasl.plaintextAllowed,
      saslFor: sasl.saslFor,
    };
  }

  /** A session for a new connection; call `start()` on it to send the greeting. */
  connect(connection: ManageSieveConnection, transport: ManageSieveTransport): ManageSieveSession {
    return new ManageSieveSession(this.context, connection, transport);
  }
}
