/** A program nobody here wrote that interop suites drive or compare against. */
export interface Peer {
  /** As its users know it: `swaks`, `Dovecot's imap`, `Postfix's smtp-sink`. */
  readonly name: string;
  readonly available: boolean;
  /** How to get it, as CI does in .ci/run: `apt-get install swaks`. */
  readonly install: string;
}
/**
 * `describe` for a suite that needs a peer. Where the peer is missing the suite is skipped, and
 * says so where a developer looks: the skipped suite's name carries the reason, and the test
 * output shows, once per test file and peer, which peer is missing and how to install it. In CI
 * (MAILYARD_REQUIRE_PEERS=1) a missing peer fails the run instead: there every peer must run.
 */
export declare function describeWithPeer(peer: Peer, name: string, body: () => void): void;
