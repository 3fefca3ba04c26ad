import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { format } from 'node:util';
import { expect, vi } from 'vitest';
import { README_OUTPUTS } from './readme-outputs.js';
/** A package README's example and what it says to install for it. */
export function readReadmeExample(packageDirectory, packageName) {
    const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
    const source = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!source)
        throw new Error(`no TypeScript example in ${packageName}'s README`);
    const installs = [...readme.matchAll(/^npm install (.*)$/gm)].flatMap(([, line]) => line
        .replace(/#.*/, '')
        .split(/\s+/)
        .filter((word) => word !== '' && !word.startsWith('-')));
    return { source, installs };
}
/**
 * Runs the first TypeScript example of a package's README against the package's source, the
 * way a user would paste it, and returns the lines it printed with console.log (formatted as
 * console.log formats them). README examples are code users copy: a test that runs them keeps
 * them true. The pack-and-install test (tools/pack-test) runs the same examples under plain node
 * against the packed tarballs.
 */
export async function runReadmeExample(packageDirectory, packageName) {
    const { source: example } = readReadmeExample(packageDirectory, packageName);
    const file = join(packageDirectory, 'test', '.readme-example.ts');
    const source = relative(dirname(file), join(packageDirectory, 'src', 'index.js'));
    writeFileSync(file, example.replaceAll(`from '${packageName}'`, `from '${source}'`));
    const log = vi.spyOn(console, 'log').mockImplementation(() => { });
    try {
        await import(file);
        return log.mock.calls.flatMap((call) => format(...call).split('\n'));
    }
    finally {
        log.mockRestore();
        rmSync(file, { force: true });
    }
}
/** Checks what a README example printed against what its README promises (readme-outputs.ts). */
export function expectReadmeOutput(packageName, printed) {
    const expected = README_OUTPUTS[packageName];
    if (!expected)
        throw new Error(`no expected output for ${packageName}'s README example`);
    expect(printed).toEqual(expected.map((line) => (typeof line === 'string' ? line : expect.stringMatching(line))));
}
//# sourceMappingURL=readme-example.js.map