import { DEFAULT_MAX_RESPONSE } from '@mailyard/sasl';

/** The limits of a session and the user's quota. Every one is an option of `ManageSieveEngine`. */
export interface ManageSieveLimits {
  /**
   * Octets of a command line outside its literals (a quoted string is in the line). Longer
   * lines are read through and dropped: `NO "Line too long"`. Default 8 KiB.
   */
  readonly commandLine: number;
  /**
   * Octets of one script (PUTSCRIPT, CHECKSCRIPT, HAVESPACE): `NO (QUOTA/MAXSIZE)` beyond it.
   * Default 1 MiB (Dovecot's `sieve_max_script_size`).
   */
  readonly maxScriptSize: number;
  /** Scripts a user may have: `NO (QUOTA/MAXSCRIPTS)` beyond it. Default 100; 0: no limit. */
  readonly maxScripts: number;
  /** Octets of all a user's scripts: `NO (QUOTA)` beyond it. Default 10 MiB; 0: no limit. */
  readonly maxStorage: number;
  /** Octets of a script name (RFC 5804 1.6): `NO` beyond it. Default 128. */
  readonly scriptName: number;
  /**
   * Octets of a literal over `maxScriptSize` that are read and dropped after login (the client
   * sends a `{n+}` literal whatever we answer), so that the command gets `NO (QUOTA/MAXSIZE)`
   * and the session goes on. A literal announced larger ends the session at once with
   * `BYE (QUOTA/MAXSIZE)`. Default 64 MiB.
   */
  readonly discardedLiteral: number;
  /**
   * Octets of the literals of one line before login, where only SASL needs them: enough for
   * the largest response `@mailyard/sasl` accepts (16 KiB decoded, as base64). A larger one
   * ends the session with `BYE`: nothing is read for a client that has not logged in.
   */
  readonly literalBeforeLogin: number;
  /**
   * Commands in a row answered `NO` for being unknown, malformed or out of place, after which
   * the session ends with `BYE`; any command that succeeds starts the count again. Default 10.
   */
  readonly failedCommands: number;
  /** Failed logins in one session after which it ends with `BYE`. Default 3. */
  readonly failedLogins: number;
  /**
   * Octets of pipelined input waiting for their turn; beyond it the transport stops reading the
   * socket until the session catches up. Default 64 KiB.
   */
  readonly pendingInput: number;
}

export const DEFAULT_MANAGESIEVE_LIMITS: ManageSieveLimits = {
  commandLine: 8 * 1024,
  maxScriptSize: 1024 * 1024,
  maxScripts: 100,
  maxStorage: 10 * 1024 * 1024,
  scriptName: 128,
  discardedLiteral: 64 * 1024 * 1024,
  literalBeforeLogin: Math.ceil(DEFAULT_MAX_RESPONSE / 3) * 4 + 64,
  failedCommands: 10,
  failedLogins: 3,
  pendingInput: 64 * 1024,
};

/** Limits that may be 0 (no limit); every other must be a positive integer. */
export const UNLIMITED_ALLOWED: ReadonlySet<keyof ManageSieveLimits> = new Set([
  'maxScripts',
  'maxStorage',
]);
