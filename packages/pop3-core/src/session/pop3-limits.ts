import { DEFAULT_MAX_RESPONSE } from '@mailyard/sasl';

/** The limits of a session. Every one is an option of `Pop3Engine`, with these defaults. */
export interface Pop3Limits {
  /**
   * Octets of a command line before its CRLF. RFC 2449 4 caps command lines at 255 octets with
   * the CRLF; we allow 1024 so that long user names and passwords in USER, PASS and APOP pass,
   * and stop there: anything longer gets `-ERR` and counts as a failed command.
   */
  readonly commandLine: number;
  /**
   * Octets of a SASL response line (RFC 5034 4 allows them to be longer than commands): enough
   * for the largest response `@mailyard/sasl` accepts (16 KiB decoded, as base64) and then some.
   */
  readonly saslLine: number;
  /**
   * Commands in a row answered with `-ERR` for being unknown, malformed, out of place or about
   * a message that does not exist, after which the session is closed; a command that succeeds
   * starts the count again (as Dovecot counts). Default 10.
   */
  readonly failedCommands: number;
  /** Failed logins in one session after which it is closed (RFC 1939 7 allows it). Default 3. */
  readonly failedLogins: number;
  /**
   * Octets of pipelined input waiting for their turn; beyond it the transport stops reading the
   * socket until the session catches up. Default 64 KiB.
   */
  readonly pendingInput: number;
}

export const DEFAULT_POP3_LIMITS: Pop3Limits = {
  commandLine: 1024,
  saslLine: Math.ceil(DEFAULT_MAX_RESPONSE / 3) * 4 + 64,
  failedCommands: 10,
  failedLogins: 3,
  pendingInput: 64 * 1024,
};
