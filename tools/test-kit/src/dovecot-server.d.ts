/** Whether Debian's dovecot-imapd can run as a daemon here. */
export declare const dovecotServerAvailable: boolean;
/**
 * A whole Dovecot of our own listening on a loopback port: its master, login and imap processes,
 * one user (`bench`, any password) on a maildir in a temporary home, no TLS. For comparisons
 * that need a real server over TCP, driven by the same client as ours (the benchmarks); the
 * {@link DovecotSandbox} is simpler where one pre-authenticated session will do.
 */
export declare class DovecotServer {
  readonly home: string;
  /** The user's maildir. */
  readonly maildir: string;
  private process;
  private portNumber;
  get port(): number;
  /** The master process's id while it runs: its children do the work (imap, auth). */
  get pid(): number | undefined;
  /**
   * Writes the configuration, starts Dovecot in the foreground, waits until it accepts. With
   * `login`, only that user and password log in, checked against a SHA512-CRYPT hash (what a
   * real passdb costs per login; Dovecot's auth cache is off by default); without, any
   * user with any password.
   */
  start(options?: {
    login?: {
      user: string;
      password: string;
    };
  }): Promise<number>;
  /**
   * Writes messages straight into the user's INBOX (`cur/` of the maildir), as a delivery agent
   * would, and makes them Dovecot's. Before {@link start}.
   */
  fillMaildir(messages: readonly Uint8Array[]): void;
  /** Makes what was written into the home (maildir files) Dovecot's. */
  ownForDovecot(): void;
  stop(): Promise<void>;
}
