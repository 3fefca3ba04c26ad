import { type Peer } from './peer.js';
/**
 * Whether a Postfix instance of our own can run here: Debian's postfix is installed and we are
 * root (Postfix's master must start as root; it then runs its daemons as `postfix`).
 */
export declare const postfixAvailable: boolean;
/** Postfix's smtpd, run by a Postfix master of our own (which must start as root). */
export declare const POSTFIX_SMTPD: Peer;
/**
 * `describe` for suites that need a real Postfix smtpd: skipped, saying so, where it cannot run;
 * in CI (MAILYARD_REQUIRE_PEERS=1) a missing Postfix fails instead.
 */
export declare function describeWithPostfix(name: string, body: () => void): void;
export interface PostfixSmtpdOptions {
  /** `myhostname`: the greeting's and EHLO's name. Default `mx.example.com`. */
  readonly hostname?: string;
  /** `mydestination`: the domains Postfix takes mail for. Default `example.com`. */
  readonly domains?: readonly string[];
  /** main.cf settings over the sandbox's own (see `start`). */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * smtpd listeners besides `default`, by name, each with its `-o name=value` overrides: one
   * Postfix can then answer as several configurations at once (`strict_rfc821_envelopes = yes`
   * on one port, the defaults on another).
   */
  readonly listeners?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}
/**
 * A whole Postfix of our own on loopback, as a test peer: `postfix -c DIR start` with its own
 * configuration, queue and data directories in a temporary home, one smtpd per listener on
 * 127.0.0.1, nothing trusted (loopback clients are strangers, so relaying is refused), every
 * local part of `domains` accepted, and accepted mail discarded. Nothing outside the home is
 * written, so several instances can run at once beside the system's own Postfix.
 */
export declare class PostfixSmtpd {
  readonly home: string;
  private readonly ports;
  private constructor();
  static start(options?: PostfixSmtpdOptions): Promise<PostfixSmtpd>;
  /** The port of a listener (`default` unless named). */
  port(listener?: string): number;
  /** Postfix's own log of this instance (connections, rejections, warnings). */
  log(): string;
  /** `postfix -c DIR stop`, then removes everything the instance had. */
  stop(): Promise<void>;
  private static tryStart;
}
