import { describe } from 'vitest';
const warned = new Set();
/**
 * `describe` for a suite that needs a peer. Where the peer is missing the suite is skipped, and
 * says so where a developer looks: the skipped suite's name carries the reason, and the test
 * output shows, once per test file and peer, which peer is missing and how to install it. In CI
 * (MAILYARD_REQUIRE_PEERS=1) a missing peer fails the run instead: there every peer must run.
 */
export function describeWithPeer(peer, name, body) {
    if (peer.available) {
        describe(name, body);
        return;
    }
    const reason = `${peer.name} is not installed (${peer.install})`;
    if (process.env.MAILYARD_REQUIRE_PEERS === '1')
        throw new Error(`${reason}, and MAILYARD_REQUIRE_PEERS=1 requires every peer`);
    if (!warned.has(peer.name)) {
        warned.add(peer.name);
        console.warn(`skipped: ${reason}; its suites here are skipped. \`bash .ci/run\` installs every peer.`);
    }
    describe.skip(`${name} [skipped: ${reason}]`, body);
}
//# sourceMappingURL=peer.js.map