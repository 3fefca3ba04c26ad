import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
// A suite file whose peer is missing, run by vitest as a package's suite runs, the output read
// as a developer reads it.
function runFixture(environment) {
    const vitest = join(import.meta.dirname, '..', '..', '..', 'node_modules', 'vitest', 'vitest.mjs');
    const { MAILYARD_REQUIRE_PEERS: _ci, ...inherited } = process.env;
    const env = { ...inherited, ...environment };
    return new Promise((resolve) => {
        execFile(process.execPath, [vitest, 'run'], { cwd: join(import.meta.dirname, 'fixtures', 'missing-peer'), env }, (error, stdout, stderr) => resolve({
            code: error ? Number(error.code) : 0,
            output: stripVTControlCharacters(stdout + stderr),
        }));
    });
}
describe('describeWithCommand (describeWithPeer), when its peer is missing', () => {
    it('skips the suite and says which peer is missing and how to install it, once per file', async () => {
        const { code, output } = await runFixture({});
        expect(code).toBe(0);
        const warnings = output.match(/mailyard-frobnicator is not installed \(apt-get install mailyard-frobnicator\)/g);
        expect(warnings).toHaveLength(1);
        expect(output).toMatch(/1 passed \| 2 skipped/);
    });
    it('fails the run instead in CI (MAILYARD_REQUIRE_PEERS=1)', async () => {
        const { code, output } = await runFixture({ MAILYARD_REQUIRE_PEERS: '1' });
        expect(code).not.toBe(0);
        expect(output).toContain('mailyard-frobnicator is not installed (apt-get install mailyard-frobnicator), and MAILYARD_REQUIRE_PEERS=1 requires every peer');
    });
});
//# sourceMappingURL=describe-with-peer.test.js.map