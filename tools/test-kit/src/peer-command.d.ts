import { type Peer } from './peer.js';
/** Whether a program is on the PATH (or at the absolute path given). */
export declare function commandAvailable(command: string): boolean;
/** A peer that is a program on the PATH. */
export declare function commandPeer(command: string, debianPackage?: string | undefined): Peer;
/**
 * `describe` for interop suites that drive a real peer program (swaks, curl, fetchmail, ...):
 * skipped, saying which program is missing and how to install it, where it is not installed;
 * in CI (MAILYARD_REQUIRE_PEERS=1) a missing program fails instead.
 */
export declare function describeWithCommand(command: string, name: string, body: () => void): void;
