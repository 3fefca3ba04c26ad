/**
 * The ESM resolve hook of bench/spam-ab.ts (registered by spam-ab-loader.mjs): when
 * MAILYARD_SPAM_AB_BASE names a directory holding another revision's builds
 * (`<dir>/packages/<name>/dist/index.js`), an import of `@mailyard/<name>` loads that build
 * instead of this worktree's, from the bench scripts and from the base's own packages alike.
 * Packages the directory has no build of, and every other module, resolve as usual. Each
 * redirected package is announced once per thread on stderr, so spam-ab.ts can check that the
 * base side really ran the base's code (in worker threads too).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const base = process.env.MAILYARD_SPAM_AB_BASE;
const announced = new Set();

export async function resolve(specifier, context, next) {
  if (base && specifier.startsWith('@mailyard/')) {
    const name = specifier.slice('@mailyard/'.length);
    const entry = join(base, 'packages', name, 'dist', 'index.js');
    if (existsSync(entry)) {
      if (!announced.has(name)) {
        announced.add(name);
        process.stderr.write(`spam-ab: ${specifier} from ${entry}\n`);
      }
      return { url: pathToFileURL(entry).href, shortCircuit: true };
    }
  }
  return next(specifier, context);
}
