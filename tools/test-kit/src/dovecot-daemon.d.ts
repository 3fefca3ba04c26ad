export declare const DOVECOT = '/usr/sbin/dovecot';
/** Who Dovecot's processes run as: nobody as root (CI), else the current user. */
export interface DovecotAccount {
  readonly user: string;
  readonly group: string;
}
export interface DovecotDaemonOptions {
  /** For the temporary directory's name: `pop3`, `managesieve`. */
  readonly name: string;
  /** Dovecot's `protocols`: `pop3`, `sieve`. */
  readonly protocols: string;
  /** Accounts, password in the clear (a passwd-file with `{PLAIN}`). */
  readonly users: readonly {
    readonly name: string;
    readonly password: string;
  }[];
  /** The port to wait on for a greeting starting with `greeting`. */
  readonly port: number;
  readonly greeting: string;
  /**
   * The protocol's own lines of `dovecot.conf` (ssl, auth mechanisms, its login service and
   * listeners, plugin settings); may write files it names into `home`.
   */
  readonly configure: (home: string, account: DovecotAccount) => string[];
}
/**
 * A whole Dovecot of our own on loopback, as the daemon it is: master, login and protocol
 * processes, a passwd-file, each user's home under `<home>/users/<user>`, everything in a
 * temporary directory. As root (CI), Dovecot's processes run as nobody; as another user (a
 * developer machine), every process runs as that user, which Dovecot allows when nothing asks
 * it to change users.
 */
export declare class DovecotDaemon {
  readonly home: string;
  private readonly master;
  private readonly exited;
  private constructor();
  static start(options: DovecotDaemonOptions): Promise<DovecotDaemon>;
  /** Stops Dovecot and removes everything it had. */
  stop(): Promise<void>;
}
