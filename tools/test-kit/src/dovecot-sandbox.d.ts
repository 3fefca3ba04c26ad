import { type Peer } from './peer.js';
/** Whether Debian's dovecot-imapd is installed. */
export declare const dovecotAvailable: boolean;
/** Dovecot's imap, the IMAP oracle. */
export declare const DOVECOT_IMAP: Peer;
/**
 * `describe` for suites that need Dovecot: skipped, saying so, where it is not installed; in CI
 * (MAILYARD_REQUIRE_PEERS=1) a missing Dovecot fails instead.
 */
export declare function describeWithDovecot(name: string, body: () => void): void;
/**
 * A Dovecot of our own for one test or benchmark: its `imap` binary run as a pre-authenticated
 * session over pipes, on a maildir in a temporary home. No daemon, port or password.
 *
 * Dovecot wants real pipes on stdin (it refuses a socket, "must not be started from inetd", and
 * Node's pipes are socketpairs), cannot poll a plain file, and drops a session whose input ends
 * while it is still writing a large answer. So stdin is a FIFO that we hold open, for reading and
 * writing, until the process has exited: it never sees the end of its input.
 */
export declare class DovecotSandbox {
  readonly home: string;
  constructor();
  /**
   * Runs one session: the commands, then `Z LOGOUT`. Resolves with what Dovecot wrote and the
   * wall time it took; rejects when the session did not end with the logout completed.
   */
  run(commands: Buffer | string): Promise<{
    output: Buffer;
    seconds: number;
  }>;
  /** Writes messages straight into a maildir folder's `cur/`, as a delivery agent would. */
  fillMaildir(folder: string, messages: readonly Uint8Array[]): void;
  close(): void;
  private ownForDovecot;
}
/** IMAP APPEND commands (LITERAL+) for the messages, tagged A0, A1, ... */
export declare function appendCommands(messages: readonly Uint8Array[], mailbox?: string): Buffer;
