import { SaslServer, type SaslServerOptions } from './sasl-server.js';

export interface SaslPerConnectionOptions<C> {
  /**
   * The application's SASL server, or its pick per connection (undefined from the function: no
   * mechanism offered). Unset: a default server over `defaults`.
   */
  readonly sasl?: SaslServer | ((connection: C) => SaslServer | undefined);
  /**
   * Whether passwords may travel in the clear on a connection without TLS; default false. A
   * function decides per connection (Kerio's "require secure authentication" but for an IP
   * group). It is what the default server's `allowPlaintext` is made of.
   */
  readonly allowPlaintextAuth?: boolean | ((connection: C) => boolean);
  /** What a default server is made of, all but `allowPlaintext`. */
  readonly defaults: Omit<SaslServerOptions, 'allowPlaintext'>;
}

/** A protocol engine's SASL, resolved per connection. */
export interface SaslPerConnection<C> {
  /** Whether `allowPlaintextAuth` allows passwords in the clear on this connection. */
  plaintextAllowed(connection: C): boolean;
  /** The server that authenticates this connection, if any. */
  saslFor(connection: C): SaslServer | undefined;
}

/**
 * How a protocol engine (POP3, ManageSieve) picks the SASL server of each connection from its
 * options: the application's own, or one of two default servers, with plaintext mechanisms or
 * without, made once each when first needed and shared by every connection after.
 */
export function saslPerConnection<C>(options: SaslPerConnectionOptions<C>): SaslPerConnection<C> {
  const plaintext = options.allowPlaintextAuth ?? false;
  const plaintextAllowed = (connection: C): boolean =>
    typeof plaintext === 'function' ? plaintext(connection) : plaintext;
  const defaults = new Map<boolean, SaslServer>();
  const defaultServer = (allowPlaintext: boolean): SaslServer => {
    let server = defaults.get(allowPlaintext);
    if (!server) {
      server = new SaslServer({ ...options.defaults, allowPlaintext });
      defaults.set(allowPlaintext, server);
    }
    return server;
  };
  return {
    plaintextAllowed,
    saslFor: (connection) => {
      const sasl = options.sasl;
      if (sasl === undefined) return defaultServer(plaintextAllowed(connection));
      return typeof sasl === 'function' ? sasl(connection) : sasl;
    },
  };
}
