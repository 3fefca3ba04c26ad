import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsSieveScriptStore } from '../src/store/fs-sieve-script-store.js';
import { MemorySieveScriptStore } from '../src/store/memory-sieve-script-store.js';
import type { SieveScriptStore } from '../src/store/sieve-script-store.js';

const NO_QUOTA = { maxScripts: 0, maxStorage: 0 };
const USER = 'alice@example.com';
const directories: string[] = [];

afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'managesieve-store-'));
  directories.push(dir);
  return dir;
}

const stores: [string, () => Promise<SieveScriptStore>][] = [
  ['MemorySieveScriptStore', async () => new MemorySieveScriptStore()],
  ['FsSieveScriptStore', async () => new FsSieveScriptStore({ directory: await tempDir() })],
];

describe.each(stores)('%s', (_name, make) => {
  it('keeps scripts per user, lists them sorted with the active one', async () => {
    const store = await make();
    expect(await store.list(USER)).toEqual({ scripts: [], active: null });
    expect(await store.put(USER, 'b', 'keep;', NO_QUOTA)).toBe('stored');
    expect(await store.put(USER, 'a', 'discard;', NO_QUOTA)).toBe('stored');
    expect(await store.put('bob@example.com', 'c', 'stop;', NO_QUOTA)).toBe('stored');
    expect(await store.setActive(USER, 'b')).toBe('done');
    expect(await store.list(USER)).toEqual({
      scripts: [
        { name: 'a', size: 8 },
        { name: 'b', size: 5 },
      ],
      active: 'b',
    });
    expect(await store.getActive(USER)).toEqual({ name: 'b', content: 'keep;' });
    expect(await store.getActive('bob@example.com')).toBeNull();
  });

  it('replaces, renames (keeping the active mark), deletes, and deactivates', async () => {
    const store = await make();
    await store.put(USER, 'a', 'keep;', NO_QUOTA);
    await store.put(USER, 'a', 'discard;', NO_QUOTA);
    expect(await store.get(USER, 'a')).toBe('discard;');
    await store.setActive(USER, 'a');
    expect(await store.delete(USER, 'a')).toBe('active');
    expect(await store.rename(USER, 'a', 'z')).toBe('renamed');
    expect(await store.rename(USER, 'a', 'y')).toBe('nonexistent');
    await store.put(USER, 'y', 'stop;', NO_QUOTA);
    expect(await store.rename(USER, 'y', 'z')).toBe('exists');
    expect(await store.getActive(USER)).toEqual({ name: 'z', content: 'discard;' });
    expect(await store.setActive(USER, null)).toBe('done');
    expect(await store.delete(USER, 'z')).toBe('deleted');
    expect(await store.delete(USER, 'z')).toBe('nonexistent');
    expect(await store.setActive(USER, 'z')).toBe('nonexistent');
    expect((await store.list(USER)).scripts.map((s) => s.name)).toEqual(['y']);
  });

  it('keeps names with slashes, percent signs, leading dots and any Unicode', async () => {
    const store = await make();
    const names = ['a/b', '100%', '.hidden', '..', 'caf\u00e9 \u2603', 'x%2Fy'];
    for (const name of names) expect(await store.put(USER, name, name, NO_QUOTA)).toBe('stored');
    const listed = (await store.list(USER)).scripts.map((s) => s.name);
    expect([...listed].sort()).toEqual([...names].sort());
    for (const name of names) expect(await store.get(USER, name)).toBe(name);
  });

  it('checks the quota with the write: too many scripts, too many octets', async () => {
    const store = await make();
    const quota = { maxScripts: 2, maxStorage: 10 };
    expect(await store.put(USER, 'a', 'keep;', quota)).toBe('stored');
    expect(await store.put(USER, 'b', 'keep;', quota)).toBe('stored');
    expect(await store.put(USER, 'c', 'k', quota)).toBe('too-many-scripts');
    expect(await store.put(USER, 'a', 'keep;keep;', quota)).toBe('over-storage');
    expect(await store.put(USER, 'a', 'stop;', quota)).toBe('stored');
    const all = await Promise.all(
      ['p', 'q', 'r'].map((name) => store.put('bob@example.com', name, 'k', quota)),
    );
    expect(all.filter((outcome) => outcome === 'stored')).toHaveLength(2);
  });
});

describe('FsSieveScriptStore on disk', () => {
  it('writes a file per script and the active name in .active, leaving no temporary files', async () => {
    const directory = await tempDir();
    const store = new FsSieveScriptStore({ directory });
    await store.put(USER, 'main', 'keep;', NO_QUOTA);
    await store.put(USER, 'a/b', 'stop;', NO_QUOTA);
    await store.setActive(USER, 'main');
    const dir = store.userDirectory(USER);
    expect((await readdir(dir)).sort()).toEqual(['.active', 'a%2Fb.sieve', 'main.sieve']);
    expect(await readFile(join(dir, '.active'), 'utf8')).toBe('main');
    // A fresh store over the same directory sees the same state (nothing lives only in memory).
    const again = new FsSieveScriptStore({ directory });
    expect(await again.getActive(USER)).toEqual({ name: 'main', content: 'keep;' });
  });

  it('ignores what a crash may leave behind: temporary files and an .active naming no script', async () => {
    const directory = await tempDir();
    const store = new FsSieveScriptStore({ directory });
    await store.put(USER, 'main', 'keep;', NO_QUOTA);
    const dir = store.userDirectory(USER);
    await writeFile(join(dir, '.main.sieve.0123456789ab.tmp'), 'half');
    await writeFile(join(dir, '.active'), 'gone');
    expect(await store.list(USER)).toEqual({ scripts: [{ name: 'main', size: 5 }], active: null });
    expect(await store.getActive(USER)).toBeNull();
    expect(await store.delete(USER, 'main')).toBe('deleted');
  });

  it('fails, changing nothing, on an I/O error other than ENOENT', async () => {
    const directory = await tempDir();
    const store = new FsSieveScriptStore({ directory });
    // The user's directory is a file: ENOTDIR, which says nothing about what is stored.
    await writeFile(store.userDirectory(USER), 'not a directory');
    await expect(store.list(USER)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(store.get(USER, 'a')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(store.getActive(USER)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(store.put(USER, 'a', 'keep;', NO_QUOTA)).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
    await expect(store.setActive(USER, null)).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readFile(store.userDirectory(USER), 'utf8')).toBe('not a directory');
  });

  it('refuses a name too long for a file name with SieveScriptNameError', async () => {
    const store = new FsSieveScriptStore({ directory: await tempDir() });
    await expect(store.put(USER, '\u2603'.repeat(100), 'keep;', NO_QUOTA)).rejects.toMatchObject({
      name: 'SieveScriptNameError',
    });
  });
});
