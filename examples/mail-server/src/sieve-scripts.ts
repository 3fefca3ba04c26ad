import { join } from 'node:path';
import { FsSieveScriptStore } from '@mailyard/managesieve';
import { treeDirectory } from '@mailyard/mailstore-fs';
import {
  type CompiledScript,
  STANDARD_EXTENSIONS,
  compileSieve,
  createSpamtest,
  formatSieveDiagnostic,
  standardRegistry,
} from '@mailyard/sieve';
import { VIRUS_STATUS_HEADER, virusLevel } from './content-screen.js';

/**
 * The extensions scripts compile with: the standard set, with `virustest` reading the
 * antivirus's verdict (`X-Virus-Status`); `spamtest` reads Kerio's `X-Spam-Score` (0 to 10),
 * which the spam filter writes and a sender's copy of which it removes.
 */
const DELIVERY_REGISTRY = standardRegistry.with(
  ...createSpamtest({ virus: { header: VIRUS_STATUS_HEADER, level: virusLevel } }),
);

/**
 * Users' Sieve scripts, where Kerio keeps a user's rules: in the user's own directory of the
 * store, `<store>/mail/<domain>/<user>/#sieve/` (a leading `#` is never a folder's directory, so
 * no folder can collide with it; a backup of the user's directory takes the scripts along).
 */
export function openSieveScripts(storeDirectory: string): FsSieveScriptStore {
  return new FsSieveScriptStore({
    directory: join(storeDirectory, 'sieve'),
    userDirectory: (user) => join(storeDirectory, treeDirectory(user), '#sieve'),
  });
}

/** The `SIEVE` capability: every extension the compiler and delivery know. */
export const SIEVE_CAPABILITIES: readonly string[] = STANDARD_EXTENSIONS.map(
  (extension) => extension.capability,
).filter((capability) => capability !== 'core');

/**
 * Compiled scripts by their text: delivery compiles a user's active script once, not once per
 * message, and a new upload (another text) compiles afresh. Bounded, oldest out first.
 */
export class CompiledScripts {
  private readonly cache = new Map<string, ReturnType<typeof compileSieve>>();

  constructor(private readonly capacity = 1000) {}

  get(text: string): { script: CompiledScript | null; errors: string[] } {
    let compiled = this.cache.get(text);
    if (compiled) {
      this.cache.delete(text);
    } else {
      compiled = compileSieve(text, { registry: DELIVERY_REGISTRY });
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(text, compiled);
    return {
      script: compiled.script,
      errors: compiled.errors.map((error) => formatSieveDiagnostic(error)),
    };
  }
}
