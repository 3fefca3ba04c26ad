import { packageConfig } from '../../tsup.shared.js';

// The library, and the `mailyard-spam` command (dist/cli.js, package.json's bin).
export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
