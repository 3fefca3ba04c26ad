import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

/** Whether a program is on the PATH (or at the absolute path given). */
export function commandAvailable(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$0"`, command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` for interop suites that drive a real peer program (swaks, curl, fetchmail, ...):
 * skipped where it is not installed, except in CI (MAILYARD_REQUIRE_PEERS=1), where a missing
 * peer fails instead of silently skipping.
 */
export function describeWithCommand(command: string, name: string, body: () => void): void {
  const available = commandAvailable(command);
  if (!available && process.env.MAILYARD_REQUIRE_PEERS === '1') {
    throw new Error(`${command} is missing: install it (MAILYARD_REQUIRE_PEERS=1)`);
  }
  (available ? describe : describe.skip)(name, body);
}
