/**
 * What the client session needs from a connection, and nothing more: the session decides what to
 * send and what a reply means, the transport moves bytes and keeps time. Each call names the
 * phase of the conversation, so that the transport applies the timeout RFC 5321 4.5.3.2 gives
 * that phase (see {@link ClientPhase}); a test transport can ignore it.
 */
export interface ClientTransport {
  /** Whether the connection is encrypted (implicit TLS, or after STARTTLS). */
  readonly secure: boolean;
  /**
   * Sends bytes. Resolves when the transport has taken them (after a drain, when its buffer is
   * full); rejects with an {@link SmtpClientError} when the connection is gone or the phase's
   * timeout passes first.
   */
  write(bytes: Uint8Array, phase: ClientPhase): Promise<void>;
  /**
   * The next bytes from the server, or null once it closed the connection. Rejects with an
   * {@link SmtpClientError} of kind `timeout` when nothing came within the phase's timeout.
   */
  read(phase: ClientPhase): Promise<Uint8Array | null>;
  /**
   * Negotiates TLS on the open connection (the server said 220 to STARTTLS). Bytes that arrived
   * before the handshake are thrown away: nothing the server sent in the clear may be read as
   * if it came over TLS (RFC 3207 section 4.2, the CVE-2011-0411 class of attacks).
   */
  startTls(): Promise<void>;
  /** Ends the connection; never throws. */
  close(): void;
}

/**
 * The phases of a client's conversation, each with its own timeout (RFC 5321 4.5.3.2):
 * the greeting (5 minutes), commands such as EHLO, AUTH, RSET, QUIT (5), MAIL (5), RCPT (5),
 * the reply to DATA (2), sending a block of message data (3), the reply after the final dot or
 * the last BDAT chunk (10).
 */
export type ClientPhase =
  'greeting' | 'command' | 'mail' | 'rcpt' | 'data-init' | 'data-block' | 'data-end';
