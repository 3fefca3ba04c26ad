/** The README's example is code users copy: it must run as written against this package. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

it('runs the README example', async () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const file = join(import.meta.dirname, '.readme-example.ts');
  writeFileSync(file, example.replace(/from '@mailyard\/mailstore-fs'/g, "from '../src/index.js'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    const printed = log.mock.calls.map((call) => String(call[0]));
    expect(printed).toContain('Hi');
    expect(printed.some((line) => line.endsWith('00000001.eml'))).toBe(true);
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
});
