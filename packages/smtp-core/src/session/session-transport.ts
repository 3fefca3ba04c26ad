/** What the session needs from the transport it runs on; the node floor provides it. */
export interface SessionTransport {
  /**
   * Sends bytes. `false` says the transport's buffer is full: the client is not reading its
   * replies, and the session takes no more input until `drained` resolves, so that a client
   * cannot make the server hold replies without bound.
   */
  write(bytes: Uint8Array): boolean | void;
  /** Resolves once a transport whose `write` said `false` can take more. */
  drained?(): Promise<void>;
  /** Upgrades the connection to TLS (after the 220 of STARTTLS); resolves once it is up. */
  startTls(): Promise<void>;
  /** Closes the connection once everything written has gone out. */
  close(): void;
  /** Stop and resume reading from the client, for backpressure. */
  pause(): void;
  resume(): void;
}

/** What the transport knows of the connection a session runs on. */
export interface ConnectionDetails {
  /** Unique per connection, for logs and the Received header's `id`. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Implicit TLS (port 465). */
  readonly secure: boolean;
  /** STARTTLS can be offered (the transport has a certificate). */
  readonly tlsAvailable: boolean;
  readonly listener: string;
}
