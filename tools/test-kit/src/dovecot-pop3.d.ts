import { type Peer } from './peer.js';
/** Whether Debian's dovecot-pop3d (and the dovecot-core it needs) is installed. */
export declare const dovecotPop3Available: boolean;
/** Dovecot's pop3d, the POP3 peer. */
export declare const DOVECOT_POP3: Peer;
/**
 * `describe` for suites that need Dovecot's pop3d: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing pop3d fails instead.
 */
export declare function describeWithDovecotPop3(name: string, body: () => void): void;
export interface DovecotPop3Options {
  /** Accounts, password in the clear (a passwd-file with `{PLAIN}`, so APOP works too). */
  readonly users: readonly {
    readonly name: string;
    readonly password: string;
  }[];
  /** A certificate and key (PEM): then STLS is offered and a pop3s listener runs. */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
  };
  /** Offer APOP (a timestamp in the greeting). Default true. */
  readonly apop?: boolean;
}
/**
 * A whole Dovecot of our own serving POP3 on loopback: master, pop3-login and pop3 processes,
 * a passwd-file, maildirs in a temporary directory. Unlike `DovecotSandbox` (a pre-authenticated
 * `imap` over pipes), a POP3 client must log in, so here Dovecot runs as the daemon it is.
 *
 * As root (CI), Dovecot's processes run as nobody; as another user (a developer machine), every
 * process runs as that user, which Dovecot allows when nothing asks it to change users.
 */
export declare class DovecotPop3Server {
  private readonly daemon;
  readonly port: number;
  /** The implicit-TLS port, when a certificate was given. */
  readonly pop3sPort: number | null;
  private constructor();
  get home(): string;
  static start(options: DovecotPop3Options): Promise<DovecotPop3Server>;
  private static tryStart;
  /** The maildir of a user (created on first use). */
  maildir(user: string): string;
  /** Puts messages straight into a user's maildir, as a delivery agent would. */
  fillMaildir(user: string, messages: readonly Uint8Array[]): void;
  /** How many messages a user's maildir holds now. */
  messageCount(user: string): number;
  /** Stops Dovecot and removes everything it had. */
  stop(): Promise<void>;
}
