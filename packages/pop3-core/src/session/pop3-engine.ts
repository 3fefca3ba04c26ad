import { randomBytes } from 'node:crypto';
import {
  type Clock,
  type Directory,
  type Logger,
  type MailStore,
  silentLogger,
  systemClock,
} from '@mailyard/mailstore-interface';
import { type LoginGuard, type SaslServer, saslPerConnection } from '@mailyard/sasl';
import { InProcessMaildropRegistry, type MaildropRegistry } from './maildrop-registry.js';
import type { SizeMode } from './maildrop.js';
import type { Pop3Hooks } from './pop3-hooks.js';
import { DEFAULT_POP3_LIMITS, type Pop3Limits } from './pop3-limits.js';
import { WIRE_SIZE_CACHE_ENTRIES, WireSizeCache } from './wire-size-cache.js';
import { type Pop3Connection, Pop3Session, type Pop3Transport } from './pop3-session.js';

export interface Pop3EngineOptions {
  /** Where the maildrops are: each user's INBOX. */
  readonly store: MailStore;
  /**
   * Who may log in: USER/PASS through `verifyPassword`, APOP through `plaintextPassword`, login
   * names resolved by `findUser` (a bare name is in the primary domain); the store knows the
   * user by `UserAccount.id`.
   */
  readonly directory: Directory;
  /** Our name in the greeting and the APOP timestamp. */
  readonly hostname: string;
  /**
   * AUTH (RFC 5034). Default: a `SaslServer` over the directory with every mechanism that can
   * work with it, offering PLAIN and LOGIN in the clear only when `allowPlaintextAuth` is set.
   * A function picks per connection (Kerio's "require secure authentication" except for an IP
   * group); return undefined to offer no AUTH.
   */
  readonly sasl?: SaslServer | ((connection: Pop3Connection) => SaslServer | undefined);
  /**
   * Accept passwords in the clear (USER/PASS, AUTH PLAIN and LOGIN) on connections without TLS.
   * Default false: they are refused with `-ERR [AUTH]` until STLS (RFC 2595 2.1, RFC 3206).
   * APOP sends no password and is not affected. A function decides per connection.
   */
  readonly allowPlaintextAuth?: boolean | ((connection: Pop3Connection) => boolean);
  /** Offer APOP (a timestamp in the greeting). Default true; it works for accounts whose
   * password the directory keeps reversibly (`plaintextPassword`), and fails for the others. */
  readonly apop?: boolean;
  readonly hooks?: Pop3Hooks;
  /**
   * Brute-force protection, shared with the other protocols: consulted before every credential
   * check (USER/PASS, APOP, and inside every SASL mechanism), told of every outcome.
   * `@mailyard/access-policy`'s `LoginGuard` fits (address and account lockouts, the
   * per-account throttle); the engine imports no policy.
   */
  readonly loginGuard?: LoginGuard;
  /** Who holds which maildrop; default one registry per engine (one session per user). */
  readonly maildrops?: MaildropRegistry;
  readonly limits?: Partial<Pop3Limits>;
  /** What LIST, STAT and RETR report as sizes; see {@link SizeMode}. Default `wire`. */
  readonly sizes?: SizeMode;
  /**
   * Messages whose wire size the engine remembers across sessions, so that a maildrop is read
   * to count its sizes once, not at every login. Default 100,000 (some 10 MB); 0: none.
   */
  readonly wireSizeCache?: number;
  /** Set `\Seen` on messages retrieved with RETR, in the UPDATE state. Default true (as Dovecot). */
  readonly markSeen?: boolean;
  /** CAPA's IMPLEMENTATION; null hides it (Kerio's "Show program name and version"). */
  readonly implementation?: string | null;
  /** CAPA EXPIRE (RFC 2449 6.7): days the server keeps messages, or `NEVER` (the default). */
  readonly expire?: number | 'NEVER';
  /**
   * CAPA LOGIN-DELAY (RFC 2449 6.8): seconds a user must wait between logins; a login sooner
   * is refused with `-ERR [LOGIN-DELAY]`. Default 0: no delay.
   */
  readonly loginDelaySeconds?: number;
  /**
   * Messages whose reading starts ahead of the client's next RETR (clients retrieve in order,
   * and a store read is mostly waiting). Default 4; 0 turns it off. Each holds at most the
   * first chunk the store hands out.
   */
  readonly readAhead?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Unique text for APOP timestamps; default 8 random bytes in hex. */
  readonly random?: () => string;
}

/** What every session of an engine shares, resolved once. */
export interface Pop3EngineContext {
  readonly options: Pop3EngineOptions;
  readonly limits: Pop3Limits;
  readonly maildrops: MaildropRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => string;
  /** Wire sizes measured by earlier sessions; null when the sizes are the stored ones. */
  readonly wireSizes: WireSizeCache | null;
  saslFor(connection: Pop3Connection): SaslServer | undefined;
  plaintextAllowed(connection: Pop3Connection): boolean;
}

/**
 * The POP3 server engine: the options and the state its sessions share (the maildrop registry),
 * and a session per connection. Transport-free: `createPop3Server` runs it over Node sockets,
 * tests run it over byte arrays.
 */
export class Pop3Engine {
  private readonly context: Pop3EngineContext;

  constructor(options: Pop3EngineOptions) {
    const limits = { ...DEFAULT_POP3_LIMITS, ...options.limits };
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`POP3 limit ${name} must be a positive integer, got ${value}`);
      }
    }
    const readAhead = options.readAhead ?? 0; // validated here; the default is READ_AHEAD
    if (!Number.isInteger(readAhead) || readAhead < 0) {
      throw new RangeError(`readAhead must be a non-negative integer, got ${readAhead}`);
    }
    const cacheEntries = options.wireSizeCache ?? WIRE_SIZE_CACHE_ENTRIES;
    if (!Number.isInteger(cacheEntries) || cacheEntries < 0) {
      throw new RangeError(`wireSizeCache must be a non-negative integer, got ${cacheEntries}`);
    }
    const delay = options.loginDelaySeconds ?? 0;
    if (!Number.isInteger(delay) || delay < 0) {
      throw new RangeError(`loginDelaySeconds must be a non-negative integer, got ${delay}`);
    }
    const sasl = saslPerConnection<Pop3Connection>({
      sasl: options.sasl,
      allowPlaintextAuth: options.allowPlaintextAuth,
      defaults: { credentials: options.directory, hostname: options.hostname, service: 'pop' },
    });
    this.context = {
      options,
      limits,
      maildrops: options.maildrops ?? new InProcessMaildropRegistry(),
      clock: options.clock ?? systemClock,
      logger: options.logger ?? silentLogger,
      random: options.random ?? (() => randomBytes(8).toString('hex')),
      wireSizes:
        (options.sizes ?? 'wire') === 'wire' && cacheEntries > 0
          ? new WireSizeCache(cacheEntries)
          : null,
      plaintextAllowed: sasl.plaintextAllowed,
      saslFor: sasl.saslFor,
    };
  }

  get maildrops(): MaildropRegistry {
    return this.context.maildrops;
  }

  /** A session for a new connection; call `start()` on it to send the greeting. */
  connect(connection: Pop3Connection, transport: Pop3Transport): Pop3Session {
    return new Pop3Session(this.context, connection, transport);
  }
}
