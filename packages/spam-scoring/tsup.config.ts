import { packageConfig } from '../../tsup.shared.js';

// The library, and the `mailyard-spam` command that bin/mailyard-spam.js starts.
export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
