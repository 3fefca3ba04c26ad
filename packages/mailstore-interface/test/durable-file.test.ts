import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullIfMissing, writeFileAtomically } from '../src/index.js';
import { readFile } from 'node:fs/promises';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mailyard-durable-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('leaves no temporary file behind when the rename fails', async () => {
    // A directory in the target's place: the data is written and flushed, the rename refused.
    mkdirSync(join(directory, 'users.cfg'));
    writeFileSync(join(directory, 'users.cfg', 'keep'), 'x');
    await expect(writeFileAtomically(join(directory, 'users.cfg'), 'new')).rejects.toThrow();
    expect(readdirSync(directory)).toEqual(['users.cfg']);
  });
});

describe('nullIfMissing', () => {
  it('is null only for a file that does not exist', async () => {
    expect(await nullIfMissing(readFile(join(directory, 'absent')))).toBeNull();
    await expect(nullIfMissing(readFile(directory))).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
