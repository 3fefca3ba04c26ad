// How every package builds: ESM for Node 20 with type declarations, from src/index.ts.
// A package with more entry points (or externals) passes them to packageConfig.
import { defineConfig, type Options } from 'tsup';

export function packageConfig(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...options,
  });
}

export default packageConfig();
