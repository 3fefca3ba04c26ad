/**
 * The limits a server session applies, with their defaults. RFC 5321 4.5.3 gives the minimums an
 * implementation must accept; Kerio's figures (Admin Guide 12.2) are noted where they apply.
 */
export interface SessionLimits {
  /** Octets of a command line, CRLF included; RFC 5321 4.5.3.1.4 says at least 512. */
  readonly commandLine: number;
  /** Octets of a client's line in an AUTH exchange, CRLF included (RFC 4954 4: 12288 suffice). */
  readonly authLine: number;
  /**
   * Octets of a text line in DATA, CRLF included. RFC 5321 4.5.3.1.6 sets 1000
   * ({@link RFC5321_TEXT_LINE}, the strict mode), but real mail breaks it (0.4% of the
   * SpamAssassin corpus: unfolded address lists, unwrapped HTML) and Postfix takes such lines, so
   * the default is 64 KiB. Lines are streamed, never held, whatever this is.
   */
  readonly textLine: number;
  /** Octets of a message, advertised with SIZE (RFC 1870); 0 means no limit (Kerio: 0 = no limit). */
  readonly messageSize: number;
  /** RCPT commands accepted per message (Kerio: "Max. recipients in a message", Fig 100). */
  readonly recipients: number;
  /** Refused commands before the session is closed (Kerio: "Max. failed commands", Fig 3). */
  readonly failedCommands: number;
  /** Commands before MAIL FROM; a client that never gets to the point is closed (anti-abuse). */
  readonly commandsBeforeMail: number;
  /** Failed AUTH attempts in one session before it is closed. */
  readonly authFailures: number;
  /** Octets a single BDAT chunk may announce. */
  readonly chunkSize: number;
  /**
   * Octets of message text in flight (received, not yet acknowledged) for one client: its user
   * once it authenticated, else its address, over all its connections. A message that would pass
   * it is refused with 452 4.3.1 (RFC 3463: "mail system full"). 0: no limit.
   */
  readonly inFlightPerClient: number;
  /** The same for the whole server, every client together. 0: no limit. */
  readonly inFlightPerServer: number;
  /**
   * Octets of input received and not yet handled (pipelined commands, message text the session
   * has not got to) above which the transport stops reading the socket until it caught up.
   */
  readonly pendingInput: number;
  /**
   * Octets of message text handed to `onMessage` and not yet read by it, above which the
   * transport stops reading the socket: how far a client may get ahead of the application.
   */
  readonly messageWindow: number;
  /** `Received:` fields a message may carry; more is a mail loop (Kerio: "Max. accepted Received headers (hops)", Fig 100). 0: no limit. */
  readonly receivedHeaders: number;
}

/** RFC 5321 4.5.3.1.6's text line limit, CRLF included: `textLine` for the strict mode. */
export const RFC5321_TEXT_LINE = 1000;

export const DEFAULT_LIMITS: SessionLimits = {
  commandLine: 512,
  authLine: 12288,
  textLine: 64 * 1024,
  messageSize: 0,
  recipients: 100,
  failedCommands: 3,
  commandsBeforeMail: 100,
  authFailures: 3,
  chunkSize: 64 * 1024 * 1024,
  receivedHeaders: 100,
  inFlightPerClient: 256 * 1024 * 1024,
  inFlightPerServer: 1024 * 1024 * 1024,
  pendingInput: 256 * 1024,
  messageWindow: 1024 * 1024,
};

/**
 * Idle timeouts in milliseconds (RFC 5321 4.5.3.2: a server SHOULD wait at least 5 minutes for
 * the next command, and 10 minutes for the end of DATA); the transport enforces them.
 */
export interface SessionTimeouts {
  readonly command: number;
  readonly data: number;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { command: 5 * 60_000, data: 10 * 60_000 };
