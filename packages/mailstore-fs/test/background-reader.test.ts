import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundReader } from '../src/background-reader.js';

describe('BackgroundReader', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-background-reader-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads slices of many files in one trip, missing files and failures each in their place', async () => {
    const files = Array.from({ length: 300 }, (_, i) => {
      const path = join(directory, `${i}.eml`);
      writeFileSync(path, `message ${i} `.repeat(i + 1));
      return path;
    });
    mkdirSync(join(directory, 'a-directory'));
    const reader = new BackgroundReader();
    try {
      const outcomes = await reader.read([
        ...files.map((path) => ({ path, start: 0, length: 1_000_000 })),
        { path: files[7]!, start: 2, length: 5 },
        { path: join(directory, 'gone.eml'), start: 0, length: 10 },
        { path: join(directory, 'a-directory'), start: 0, length: 10 },
      ]);
      files.forEach((_, i) => {
        expect(outcomes[i]!.toString()).toBe(`message ${i} `.repeat(i + 1));
      });
      expect(outcomes[300]!.toString()).toBe('ssage');
      expect(outcomes[301]).toBe('missing');
      expect(outcomes[302]).toMatchObject({ code: 'EISDIR' });
      // Trips overlap and each gets its own answer.
      const parallel = await Promise.all(
        files.slice(0, 20).map((path) => reader.read([{ path, start: 0, length: 9 }])),
      );
      expect(parallel.map(([bytes]) => bytes!.toString())).toEqual(
        files.slice(0, 20).map((_, i) => `message ${i}`.slice(0, 9)),
      );
    } finally {
      await reader.close();
    }
    await expect(reader.read([{ path: files[0]!, start: 0, length: 1 }])).resolves.toHaveLength(1);
    await reader.close();
  });

  it('does not keep a process alive once it is idle', () => {
    const module = new URL('../src/background-reader.ts', import.meta.url).pathname;
    const script = `
      import { BackgroundReader } from ${JSON.stringify(module)};
      const reader = new BackgroundReader();
      const [bytes] = await reader.read([{ path: ${JSON.stringify(module)}, start: 0, length: 6 }]);
      console.log(bytes.toString());
    `;
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(output.trim()).toBe('import');
  });
});
