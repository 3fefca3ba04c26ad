import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { vi } from 'vitest';

/**
 * Runs the first TypeScript example of a package's README against the package's source, the
 * way a user would paste it, and returns what it printed with console.log. README examples are
 * code users copy: a test that runs them keeps them true.
 */
export async function runReadmeExample(
  packageDirectory: string,
  packageName: string,
): Promise<string[]> {
  const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) throw new Error(`no TypeScript example in ${packageName}'s README`);
  const file = join(packageDirectory, 'test', '.readme-example.ts');
  const source = relative(dirname(file), join(packageDirectory, 'src', 'index.js'));
  writeFileSync(file, example.replaceAll(`from '${packageName}'`, `from '${source}'`));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    return log.mock.calls.map((call) => call.map(String).join(' '));
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
}
