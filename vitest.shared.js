// The test settings every package shares. `npm test` runs the packages' suites side by side on
// whatever cores the machine has (two, in CI), so a test's own deadline must allow for neighbours:
// timing-sensitive checks set their own short timeouts where they mean them.
import { defineConfig } from 'vitest/config';
export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
        // Dates shown in the server's zone (IMAP INTERNALDATE, Kerio's logs) read the same on every
        // machine.
        env: { TZ: 'UTC' },
    },
});
//# sourceMappingURL=vitest.shared.js.map