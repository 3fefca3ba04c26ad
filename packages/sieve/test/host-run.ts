// Compiling and running a script with a host and limits of the test's choosing: the extension
// tests of batch A ask the host (mailboxes, environment, tracking) and set limits.
import {
  type RunOptions,
  type SieveEnvelope,
  type SieveRunResult,
  compileSieve,
  runScript,
} from '../src/index.js';
import { DEFAULT_MESSAGE, bytes } from './helpers.js';

export function runWithHost(
  script: string,
  options: RunOptions & { message?: string; envelope?: SieveEnvelope } = {},
): SieveRunResult {
  const compiled = compileSieve(script);
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const { message, envelope, ...run } = options;
  return runScript(
    compiled.script,
    {
      message: bytes(message ?? DEFAULT_MESSAGE),
      envelope: envelope ?? { from: 'sender@example.com', to: 'recipient@example.org' },
    },
    run,
  );
}
