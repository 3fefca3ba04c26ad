import { randomBytes } from 'node:crypto';
import type { SaslCredentials } from './credentials.js';
import { guardCredentials } from './guarded-credentials.js';
import type { GuardedAttempt } from './login-guard.js';
import type { ChannelBinding, SaslContext, SaslMechanism } from './mechanism.js';
import { CRAM_MD5 } from './mechanisms/cram-md5.js';
import { DIGEST_MD5 } from './mechanisms/digest-md5.js';
import { EXTERNAL } from './mechanisms/external.js';
import { LOGIN } from './mechanisms/login.js';
import { OAUTHBEARER, XOAUTH2 } from './mechanisms/oauth.js';
import { PLAIN } from './mechanisms/plain.js';
import { scram } from './mechanisms/scram.js';
import { SaslSession } from './sasl-session.js';
import { DEFAULT_MAX_RESPONSE, SaslWireSession } from './sasl-wire.js';

/** Every mechanism this package implements, strongest first: the default offer, in that order. */
export const ALL_MECHANISMS: readonly SaslMechanism[] = [
  scram('SHA-256', true),
  scram('SHA-256', false),
  scram('SHA-1', true),
  scram('SHA-1', false),
  EXTERNAL,
  OAUTHBEARER,
  XOAUTH2,
  CRAM_MD5,
  DIGEST_MD5,
  LOGIN,
  PLAIN,
];

export interface SaslServerOptions {
  readonly credentials: SaslCredentials;
  /** The server's name (CRAM-MD5 challenge, DIGEST-MD5 realm). */
  readonly hostname: string;
  /** The protocol's GSSAPI service name: `smtp`, `imap`, `pop` or `sieve`. */
  readonly service: string;
  /** Mechanism names to offer, in order; default all of {@link ALL_MECHANISMS} that can work. */
  readonly mechanisms?: readonly string[];
  /**
   * Allow PLAIN, LOGIN, OAUTHBEARER and XOAUTH2 without TLS (Kerio's "No restrictions"). Off by
   * default, as RFC 4954, RFC 9051 and RFC 5034 advise.
   */
  readonly allowPlaintext?: boolean;
  /** Decoded octets a response may have; default 16 KiB. */
  readonly maxResponse?: number;
  /** How SCRAM's final server data is sent; see {@link SaslWireSession}. Default as a challenge. */
  readonly finalData?: 'as-challenge' | 'with-success';
  /** Nonces for CRAM-MD5, DIGEST-MD5 and SCRAM; default 18 random bytes in base64. */
  readonly nonce?: () => string;
  readonly now?: () => number;
}

/** What the transport knows about the connection an authentication runs on. */
export interface SaslTransport {
  readonly secure: boolean;
  readonly channelBinding?: ChannelBinding;
  readonly externalIdentity?: string;
}

/**
 * The SASL side of a server: which mechanisms to advertise on a connection, and sessions for
 * the one the client picks. One per protocol listener; sessions are per attempt.
 */
export class SaslServer {
  private readonly mechanisms: readonly SaslMechanism[];

  constructor(private readonly options: SaslServerOptions) {
    const wanted = options.mechanisms?.map((name) => name.toUpperCase());
    this.mechanisms = wanted
      ? wanted.flatMap((name) => ALL_MECHANISMS.filter((m) => m.name === name))
      : ALL_MECHANISMS;
  }

  /** The mechanisms to list (SMTP EHLO AUTH, IMAP AUTH=, POP3 SASL) on this connection. */
  advertise(transport: SaslTransport): string[] {
    const context = this.context(transport);
    return this.mechanisms
      .filter(
        (m) =>
          m.available(context) &&
          (!m.plaintext || transport.secure || this.options.allowPlaintext === true),
      )
      .map((m) => m.name);
  }

  /**
   * A session for the mechanism the client named, or null when it is not one we offer. With a
   * `guarded` attempt, the login guard admits the login before any of its secrets is read, and a
   * refusal ends the exchange as `refused`.
   */
  start(name: string, transport: SaslTransport, guarded?: GuardedAttempt): SaslWireSession | null {
    const mechanism = this.mechanisms.find((m) => m.name === name.toUpperCase());
    if (!mechanism) return null;
    const context = this.context(transport);
    const session = new SaslSession(
      mechanism,
      guarded
        ? { ...context, credentials: guardCredentials(context.credentials, guarded) }
        : context,
      this.options.allowPlaintext,
    );
    return new SaslWireSession(
      session,
      this.options.maxResponse ?? DEFAULT_MAX_RESPONSE,
      this.options.finalData,
    );
  }

  private context(transport: SaslTransport): SaslContext {
    const { credentials, hostname, service } = this.options;
    return {
      credentials,
      hostname,
      service: service.toLowerCase(),
      secure: transport.secure,
      ...(transport.channelBinding ? { channelBinding: transport.channelBinding } : {}),
      ...(transport.externalIdentity !== undefined
        ? { externalIdentity: transport.externalIdentity }
        : {}),
      nonce: this.options.nonce ?? (() => randomBytes(18).toString('base64')),
      now: this.options.now ?? Date.now,
      plusOffered:
        transport.channelBinding !== undefined &&
        this.mechanisms.some((m) => m.name.endsWith('-PLUS')),
    };
  }
}
