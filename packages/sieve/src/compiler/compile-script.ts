import { standardRegistry } from '../extensions/index.js';
import { type CompileOptions, type CompileResult, compileWithRegistry } from './compile.js';
import type { ExtensionRegistry } from './registry.js';

export interface SieveCompileOptions extends CompileOptions {
  /** The extensions a script may require. Default: every standard extension of this package. */
  readonly registry?: ExtensionRegistry;
}

/**
 * Compiles a Sieve script once, to run against many messages. Never throws: errors come back in
 * `errors`, each with its line and column, and `script` is then null.
 */
export function compileSieve(
  source: string | Uint8Array,
  options: SieveCompileOptions = {},
): CompileResult {
  return compileWithRegistry(source, options.registry ?? standardRegistry, options);
}
