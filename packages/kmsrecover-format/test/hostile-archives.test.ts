import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { Zip, ZipPassThrough, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  ArchiveError,
  RestoreError,
  ZipArchive,
  restoreBackup,
  writeBackup,
} from '../src/index.js';
import { makeDataDirectory, temporaryDirectory } from './store-fixture.js';

const fuzzRuns = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

/** A ZIP of the given entries, written with fflate entry by entry (so names may repeat). */
function zipOf(
  entries: readonly { name: string; data?: Uint8Array; attrs?: number; level?: 0 | 6 }[],
): Buffer {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    chunks.push(data);
  });
  for (const entry of entries) {
    const file = new ZipPassThrough(entry.name);
    if (entry.attrs !== undefined) {
      file.os = 3;
      file.attrs = entry.attrs;
    }
    zip.add(file);
    file.push(entry.data ?? Buffer.from('data'), true);
  }
  zip.end();
  return Buffer.concat(chunks);
}

async function archiveFile(bytes: Uint8Array, name = 'F20260101T000000Z.zip'): Promise<string> {
  const directory = await temporaryDirectory('kmsrecover-hostile-');
  const path = join(directory, name);
  await writeFile(path, bytes);
  return path;
}

async function openAndReadAll(path: string): Promise<void> {
  const archive = await ZipArchive.open(path);
  try {
    for (const entry of archive.entries) if (!entry.isDirectory) await archive.read(entry);
  } finally {
    archive.close();
  }
}

/** A live data directory and a restore of `archive` into it: what the restore did to it. */
async function restoreOver(archive: string) {
  const data = await makeDataDirectory();
  await mkdir(join(data.store, 'mail', 'example.com', 'ann'), { recursive: true });
  await writeFile(join(data.store, 'mail', 'example.com', 'ann', '#tree.json'), 'LIVE');
  const restore = restoreBackup({
    source: archive,
    configDirectory: data.root,
    storeDirectory: data.store,
  });
  return { data, restore };
}

async function expectUntouched(data: { root: string; store: string }) {
  expect(await readFile(join(data.store, 'mail', 'example.com', 'ann', '#tree.json'), 'utf8')).toBe(
    'LIVE',
  );
  expect(await readFile(join(data.root, 'users.cfg'), 'utf8')).toContain('ann');
  expect((await readdir(data.store)).sort()).toEqual(['lists', 'mail']);
  expect((await readdir(data.root)).sort()).toEqual([
    'license',
    'mailserver.cfg',
    'sslcert',
    'store',
    'users.cfg',
  ]);
}

describe('hostile entry names', () => {
  const names: [string, RegExp][] = [
    ['@backup/store/../../../escaped.txt', /"\.\." level|invalid relative path/],
    ['/etc/escaped.txt', /absolute path/],
    ['C:/escaped.txt', /drive letter|invalid|absolute/],
    ['@backup/store/mail/a\\..\\..\\x', /backslash|invalid characters/],
    ['@backup/store//mail/x', /empty or "\." level|invalid relative path/],
  ];
  for (const [name, why] of names)
    it(`refuses ${JSON.stringify(name)} and writes nothing`, async () => {
      const path = await archiveFile(
        zipOf([{ name: 'users.cfg', data: Buffer.from('EVIL') }, { name }]),
      );
      const error = await ZipArchive.open(path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as ArchiveError).problem).toBe('hostile');
      expect((error as Error).message).toMatch(why);
      const { data, restore } = await restoreOver(path);
      await expect(restore).rejects.toThrow(ArchiveError);
      await expectUntouched(data);
    });

  it('refuses a symbolic link', async () => {
    const path = await archiveFile(
      zipOf([
        {
          name: '@backup/store/mail/link',
          data: Buffer.from('/etc/passwd'),
          attrs: (0o120777 << 16) >>> 0,
        },
      ]),
    );
    await expect(ZipArchive.open(path)).rejects.toThrow(/symbolic link/);
  });

  it('refuses a name that is there twice, and a name that is a file and a directory', async () => {
    const twice = await archiveFile(zipOf([{ name: 'users.cfg' }, { name: 'users.cfg' }]));
    await expect(ZipArchive.open(twice)).rejects.toThrow(/twice/);
    const both = await archiveFile(
      zipOf([{ name: '@backup/store/lists/a' }, { name: '@backup/store/lists/a/b' }]),
    );
    await expect(ZipArchive.open(both)).rejects.toThrow(/both a file and a directory/);
  });
});

describe('zip bombs', () => {
  it('refuses an entry compressed beyond the ratio cap before inflating it', async () => {
    const bomb = zipSync({
      '@backup/store/lists/zeros': [new Uint8Array(8 * 1024 * 1024), { level: 9 }],
    });
    const path = await archiveFile(bomb);
    const error = await ZipArchive.open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).problem).toBe('limit');
    expect((error as Error).message).toMatch(/zip bomb/);
    // A higher cap lets it through: the limit is the option.
    const archive = await ZipArchive.open(path, { maxRatio: 10_000 });
    archive.close();
  });

  it('refuses archives over the entry size, total size and entry count caps', async () => {
    const path = await archiveFile(
      zipOf([
        { name: 'a', data: new Uint8Array(1000) },
        { name: 'b', data: new Uint8Array(1000) },
      ]),
    );
    await expect(ZipArchive.open(path, { maxEntrySize: 999 })).rejects.toThrow(
      /over the limit of 999/,
    );
    await expect(ZipArchive.open(path, { maxTotalSize: 1500 })).rejects.toThrow(/over 1500 bytes/);
    await expect(ZipArchive.open(path, { maxEntries: 1 })).rejects.toThrow(
      /2 entries, over the limit of 1/,
    );
    const archive = await ZipArchive.open(path, {
      maxEntrySize: 1000,
      maxTotalSize: 2000,
      maxEntries: 2,
    });
    archive.close();
  });
});

describe('damaged archives', () => {
  async function realBackup(): Promise<{ path: string; bytes: Buffer }> {
    const data = await makeDataDirectory();
    await writeFile(join(data.store, 'lists', 'big.txt'), 'a mailing list line\n'.repeat(5000));
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
    });
    return { path: result.parts[0]!, bytes: await readFile(result.parts[0]!) };
  }

  it('refuses a truncated archive, and the restore changes nothing', async () => {
    const { bytes } = await realBackup();
    const path = await archiveFile(bytes.subarray(0, bytes.length - 100));
    const error = await ZipArchive.open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).problem).toBe('corrupt');
    const { data, restore } = await restoreOver(path);
    await expect(restore).rejects.toThrow(ArchiveError);
    await expectUntouched(data);
  });

  it('refuses an entry whose data does not match its CRC, and the restore changes nothing', async () => {
    const { bytes } = await realBackup();
    const stored = Buffer.from('mailserver.cfg');
    const at = bytes.indexOf(stored);
    // The local header of mailserver.cfg is followed by its data (stored, text): change a byte.
    const damaged = Buffer.from(bytes);
    damaged[at + stored.length + 3] = damaged[at + stored.length + 3]! ^ 0x20;
    const path = await archiveFile(damaged);
    await expect(openAndReadAll(path)).rejects.toThrow(/CRC|invalid|corrupt|damaged/i);
    const { data, restore } = await restoreOver(path);
    await expect(restore).rejects.toThrow(ArchiveError);
    await expectUntouched(data);
  });

  it('refuses a file that is no ZIP at all', async () => {
    const path = await archiveFile(Buffer.from('not a zip file at all'));
    await expect(ZipArchive.open(path)).rejects.toThrow(ArchiveError);
  });

  it('survives random damage: every mutation opens and reads, or fails with an ArchiveError', async () => {
    const { bytes } = await realBackup();
    const directory = await temporaryDirectory('kmsrecover-fuzz-');
    let case_ = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ at: fc.nat(bytes.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.option(fc.nat(bytes.length), { nil: undefined }),
        async (changes, cut) => {
          const mutated = Buffer.from(bytes.subarray(0, cut ?? bytes.length));
          for (const { at, value } of changes) if (at < mutated.length) mutated[at] = value;
          const path = join(directory, `case-${case_++}.zip`);
          await writeFile(path, mutated);
          try {
            await openAndReadAll(path);
          } catch (error) {
            if (!(error instanceof ArchiveError)) throw error;
          }
        },
      ),
      { numRuns: fuzzRuns, seed: 16 },
    );
  });

  it('a restore of a randomly damaged archive writes nothing outside its targets', async () => {
    const { bytes } = await realBackup();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(bytes.length - 1),
        fc.integer({ min: 0, max: 255 }),
        async (at, value) => {
          const mutated = Buffer.from(bytes);
          mutated[at] = value;
          const path = await archiveFile(mutated);
          const { data, restore } = await restoreOver(path);
          try {
            await restore;
          } catch (error) {
            if (!(error instanceof ArchiveError) && !(error instanceof RestoreError)) throw error;
            await expectUntouched(data);
          }
          expect(
            (await readdir(join(data.root, '..'))).filter((name) => name === 'escaped.txt'),
          ).toEqual([]);
        },
      ),
      { numRuns: Math.max(1, Math.floor(fuzzRuns / 4)), seed: 16 },
    );
  });
});
