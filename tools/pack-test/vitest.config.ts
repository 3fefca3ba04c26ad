import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Packing and installing takes npm a few seconds a package, more on a cold cache.
export default mergeConfig(
  shared,
  defineConfig({ test: { hookTimeout: 300_000, testTimeout: 300_000 } }),
);
