import type { SaslCredentials } from './credentials.js';
import type { SaslStep } from './sasl-result.js';

/** TLS channel-binding data the transport supplies (RFC 5929, RFC 9266). */
export interface ChannelBinding {
  readonly type: 'tls-exporter' | 'tls-server-end-point';
  readonly data: Uint8Array;
}

/** Everything a mechanism may use: the credentials, the connection, and injected randomness. */
export interface SaslContext {
  readonly credentials: SaslCredentials;
  /** The connection is protected by TLS (plaintext mechanisms are fine). */
  readonly secure: boolean;
  /** Offered to SCRAM-*-PLUS when the transport has it. */
  readonly channelBinding?: ChannelBinding;
  /** The identity the transport already established (a TLS client certificate), for EXTERNAL. */
  readonly externalIdentity?: string;
  /** The server's name: CRAM-MD5's challenge, DIGEST-MD5's realm and digest-uri host. */
  readonly hostname: string;
  /** The protocol (`smtp`, `imap`, `pop`, `sieve`): DIGEST-MD5's digest-uri service. */
  readonly service: string;
  /** A fresh nonce: printable ASCII without commas. */
  readonly nonce: () => string;
  /** UTC milliseconds, for CRAM-MD5's timestamp. */
  readonly now: () => number;
  /** Whether the channel-binding (PLUS) variants of SCRAM were offered. */
  readonly plusOffered: boolean;
}

/**
 * One exchange, as an async generator: it yields challenges, receives the client's responses,
 * and returns the outcome (a success or a failure step). Written this way, a mechanism reads
 * like its RFC's message sequence, and the driver (SaslSession) is the only state machine.
 */
export type Exchange = AsyncGenerator<Uint8Array, SaslStep, Uint8Array>;

export interface SaslMechanism {
  /** The IANA name (`SCRAM-SHA-256-PLUS`). */
  readonly name: string;
  /** Sends the password as it is: only over TLS, unless the server allows it. */
  readonly plaintext: boolean;
  /**
   * The server speaks first (CRAM-MD5, DIGEST-MD5): an initial response is a protocol error
   * (RFC 4422 5, RFC 4954 4, RFC 5034 4, RFC 4959 3), not the start of the exchange.
   */
  readonly serverFirst?: boolean;
  /** Whether the mechanism can work here: the lookups it needs exist, the transport has what it needs. */
  available(context: SaslContext): boolean;
  /** Runs the exchange; `initial` is the client's initial response, if it sent one. */
  exchange(context: SaslContext, initial: Uint8Array | null): Exchange;
}
