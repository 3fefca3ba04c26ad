import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Many tests here compare with Debian's SpamAssassin: each test file's oracle (helpers.ts's
// spamAssassinFiredEach) is a Perl process that compiles the whole rule set (seconds of CPU), and
// the beforeAll hooks compile that rule set here too. CI runs every package's suite side by side
// on two cores, where such a test takes minutes rather than the seconds it takes alone (stop 24:
// 43 s, over the shared 30 s). These deadlines only catch a hang; they say nothing of speed (bench/ does).
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } }),
);
