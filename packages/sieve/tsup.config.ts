// Two entries: the library, and the test runner's command (`mailyard-sieve-test`, the bin).
import { packageConfig } from '../../tsup.shared.js';

export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
