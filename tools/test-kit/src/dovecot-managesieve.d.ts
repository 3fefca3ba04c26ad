import { type Peer } from './peer.js';
/** Whether Debian's dovecot-managesieved (and the dovecot-core it needs) is installed. */
export declare const dovecotManageSieveAvailable: boolean;
/** Dovecot's managesieved (Pigeonhole), the ManageSieve peer. */
export declare const DOVECOT_MANAGESIEVE: Peer;
/**
 * `describe` for suites that need Dovecot's managesieved: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing managesieved fails instead.
 */
export declare function describeWithDovecotManageSieve(name: string, body: () => void): void;
export interface DovecotManageSieveOptions {
  /** Accounts, password in the clear (a passwd-file with `{PLAIN}`). */
  readonly users: readonly {
    readonly name: string;
    readonly password: string;
  }[];
  /** Pigeonhole's `sieve_max_script_size` in octets; default its own (unlimited). */
  readonly maxScriptSize?: number;
  /** Pigeonhole's `sieve_quota_max_scripts`; default its own (unlimited). */
  readonly maxScripts?: number;
  /** Pigeonhole's `sieve_quota_max_storage` in octets; default its own (unlimited). */
  readonly maxStorage?: number;
}
/**
 * A whole Dovecot of our own serving ManageSieve on loopback: master, managesieve-login and
 * managesieve processes, a passwd-file, each user's scripts in `~/sieve` with the active one
 * linked from `~/.dovecot.sieve`, all in a temporary directory. No TLS; plaintext logins allowed.
 */
export declare class DovecotManageSieveServer {
  private readonly daemon;
  readonly port: number;
  private constructor();
  get home(): string;
  static start(options: DovecotManageSieveOptions): Promise<DovecotManageSieveServer>;
  private static tryStart;
  /** Stops Dovecot and removes everything it had. */
  stop(): Promise<void>;
}
