import { packageConfig } from '../../tsup.shared.js';

// The conformance kit is its own entry point so adapters' tests can import it without
// pulling vitest into the main bundle.
export default packageConfig({
  entry: ['src/index.ts', 'src/conformance/index.ts'],
  external: ['vitest'],
});
