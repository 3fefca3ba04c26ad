import { packageConfig } from '../../tsup.shared.js';

// vitest is the host's (a peer dependency): the kit's describe/it/expect must be the very ones
// of the run that collects them, never a bundled copy.
export default packageConfig({ external: ['vitest'] });
