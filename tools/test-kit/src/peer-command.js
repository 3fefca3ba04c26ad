import { execFileSync } from 'node:child_process';
import { describeWithPeer } from './peer.js';
/** Whether a program is on the PATH (or at the absolute path given). */
export function commandAvailable(command) {
    try {
        execFileSync('sh', ['-c', `command -v "$0"`, command], { stdio: 'ignore' });
        return true;
    }
    catch {
        return false;
    }
}
/** The Debian package of each program the interop suites run (what .ci/run installs). */
const DEBIAN_PACKAGES = {
    curl: 'curl',
    fetchmail: 'fetchmail',
    mbsync: 'isync',
    mpop: 'mpop',
    openssl: 'openssl',
    prlimit: 'util-linux',
    python3: 'python3',
    'sieve-connect': 'sieve-connect',
    swaks: 'swaks',
};
/** A peer that is a program on the PATH. */
export function commandPeer(command, debianPackage = DEBIAN_PACKAGES[command]) {
    return {
        name: command,
        available: commandAvailable(command),
        install: `apt-get install ${debianPackage ?? command}`,
    };
}
/**
 * `describe` for interop suites that drive a real peer program (swaks, curl, fetchmail, ...):
 * skipped, saying which program is missing and how to install it, where it is not installed;
 * in CI (MAILYARD_REQUIRE_PEERS=1) a missing program fails instead.
 */
export function describeWithCommand(command, name, body) {
    describeWithPeer(commandPeer(command), name, body);
}
//# sourceMappingURL=peer-command.js.map