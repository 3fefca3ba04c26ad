import { randomBytes } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SUMMARY_ENTRY,
  VERSION_ENTRY,
  ZipArchive,
  listBackupFiles,
  parseSummaryText,
  parseVersionText,
  restoreBackup,
  writeBackup,
} from '../src/index.js';
import {
  contentsOf,
  makeDataDirectory,
  message,
  openStore,
  restoredBeside,
} from './store-fixture.js';

const clockAt = (iso: string) => ({ now: () => Date.parse(iso) });

async function fillStore(directory: string) {
  const store = openStore(directory);
  const ann = store.access('ann@example.com');
  await ann.create('Work');
  await ann.create('Work/Projects');
  await ann.append('INBOX', [
    { content: message('one'), flags: ['\\Seen'] },
    { content: message('two'), flags: ['\\Flagged', 'Later'] },
  ]);
  await ann.append('Work/Projects', [{ content: message('three') }]);
  await store.deliver('bob@example.com', { content: message('for bob') });
  await store.close();
}

describe('a full backup', () => {
  it('restores a store with its folders, flags, UIDs and UIDVALIDITY', async () => {
    const data = await makeDataDirectory();
    await fillStore(data.store);
    const before = openStore(data.store);
    const annBefore = await contentsOf(before, 'ann@example.com');
    const bobBefore = await contentsOf(before, 'bob@example.com');
    await before.close();

    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
      clock: clockAt('2026-01-18T22:00:07Z'),
      hostname: 'mail.example.com',
    });
    expect(result.parts.map((part) => part.slice(data.backup.length + 1))).toEqual([
      'F20260118T220007Z.zip',
    ]);

    const archive = await ZipArchive.open(result.parts[0]!);
    const names = archive.entries.map((entry) => entry.name);
    expect(names[0]).toBe(VERSION_ENTRY);
    expect(names.at(-1)).toBe(SUMMARY_ENTRY);
    expect(names).toContain('mailserver.cfg');
    expect(names).toContain('@backup/license/license.key');
    expect(names).toContain('@backup/store/lists/team.cfg');
    expect(
      names.some((name) => name.startsWith('@backup/store/mail/example.com/ann/INBOX/#msgs/')),
    ).toBe(true);
    expect(names.some((name) => name.startsWith('@backup/store/backup/'))).toBe(false);
    const version = parseVersionText((await archive.read(archive.get(VERSION_ENTRY)!)).toString());
    expect(version).toMatchObject({
      hostname: 'mail.example.com',
      started: Date.parse('2026-01-18T22:00:07Z'),
    });
    const summary = parseSummaryText((await archive.read(archive.get(SUMMARY_ENTRY)!)).toString());
    const files = archive.entries.filter((entry) => !entry.name.startsWith('.'));
    expect(summary.countFiles).toBe(files.length);
    expect(summary.totalSize).toBe(files.reduce((sum, entry) => sum + entry.size, 0));
    archive.close();

    // Wipe everything, restore, and compare through the store.
    await rm(join(data.store, 'mail'), { recursive: true });
    await rm(join(data.root, 'users.cfg'));
    const restored = await restoreBackup({
      source: data.backup,
      configDirectory: data.root,
      storeDirectory: data.store,
    });
    expect(restored.backups).toEqual(['F20260118T220007Z']);
    expect(await readFile(join(data.root, 'users.cfg'), 'utf8')).toContain('ann');
    const after = openStore(data.store);
    expect(await contentsOf(after, 'ann@example.com')).toEqual(annBefore);
    expect(await contentsOf(after, 'bob@example.com')).toEqual(bobBefore);
    await after.close();
    expect((await readdir(data.store)).filter((name) => name.includes('kmsrecover'))).toEqual([]);
  });
});

describe('a differential backup', () => {
  it('records new, changed and deleted files, and F+I restores the state at I', async () => {
    const data = await makeDataDirectory();
    await fillStore(data.store);
    const sources = { configDirectory: data.root, storeDirectory: data.store };
    await writeBackup({
      sources,
      destination: data.backup,
      kind: 'F',
      clock: clockAt('2026-01-18T22:00:00Z'),
    });

    const store = openStore(data.store);
    const ann = store.access('ann@example.com');
    await ann.append('INBOX', [{ content: message('four') }]);
    const inbox = await ann.open('INBOX');
    await inbox.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
    await inbox.expunge();
    inbox.close();
    await ann.delete('Work/Projects');
    const expected = await contentsOf(store, 'ann@example.com');
    await store.close();
    await rm(join(data.root, 'license', 'license.key'));

    const differential = await writeBackup({
      sources,
      destination: data.backup,
      kind: 'I',
      clock: clockAt('2026-01-21T01:00:00Z'),
    });
    expect(differential.base).toBe('F20260118T220000Z');
    expect(differential.deleted).toBeGreaterThan(0);
    const archive = await ZipArchive.open(differential.parts[0]!);
    const names = archive.entries.map((entry) => entry.name);
    archive.close();
    // The unchanged messages of bob are not in it; the new message of ann is.
    expect(names.some((name) => name.includes('/bob/INBOX/#msgs/'))).toBe(false);
    expect(names.filter((name) => name.includes('/ann/INBOX/#msgs/'))).toHaveLength(1);

    await rm(join(data.store, 'mail'), { recursive: true });
    const restored = await restoreBackup({
      source: data.backup,
      configDirectory: data.root,
      storeDirectory: data.store,
    });
    expect(restored.backups).toEqual(['F20260118T220000Z', 'I20260121T010000Z']);
    const after = openStore(data.store);
    expect(await contentsOf(after, 'ann@example.com')).toEqual(expected);
    await after.close();
    await expect(stat(join(data.root, 'license', 'license.key'))).rejects.toThrow(/ENOENT/);
  });

  it('replaces the previous differential, and rotation keeps the latest N full backups', async () => {
    const data = await makeDataDirectory();
    const sources = { configDirectory: data.root, storeDirectory: data.store };
    const at = (iso: string, kind: 'F' | 'I' | 'C') =>
      writeBackup({ sources, destination: data.backup, kind, keep: 2, clock: clockAt(iso) });
    await at('2026-01-01T01:00:00Z', 'F');
    await at('2026-01-02T01:00:00Z', 'I');
    await at('2026-01-03T01:00:00Z', 'I');
    expect((await readdir(data.backup)).sort()).toEqual([
      'F20260101T010000Z.zip',
      'I20260103T010000Z.zip',
    ]);
    await at('2026-01-04T01:00:00Z', 'F');
    await at('2026-01-05T01:00:00Z', 'C');
    expect((await readdir(data.backup)).sort()).toEqual([
      'C20260105T010000Z.zip',
      'F20260104T010000Z.zip',
    ]);
  });
});

describe('splitting', () => {
  it('splits into parts that each open alone, and leaves out a file over the part size', async () => {
    const data = await makeDataDirectory();
    const store = openStore(data.store);
    for (let i = 0; i < 40; i++)
      await store.deliver('ann@example.com', {
        content: message(`m${i}`, randomBytes(3000).toString('base64')),
      });
    await store.close();
    await writeFile(join(data.store, 'lists', 'huge.bin'), randomBytes(200_000));
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
      splitSize: 64 * 1024,
      clock: clockAt('2026-02-01T00:00:00Z'),
    });
    expect(result.parts.length).toBeGreaterThan(2);
    expect(result.parts[1]).toMatch(/F20260201T000000Z-2\.zip$/);
    for (const part of result.parts) expect((await stat(part)).size).toBeLessThanOrEqual(64 * 1024);
    expect(result.skipped).toEqual([{ path: '@backup/store/lists/huge.bin', size: 200_000 }]);
    const last = await ZipArchive.open(result.parts.at(-1)!);
    const summary = parseSummaryText((await last.read(last.get(SUMMARY_ENTRY)!)).toString());
    last.close();
    expect(summary.skipped).toEqual(result.skipped);
    expect(summary.parts).toBe(result.parts.length);
    const listed = await listBackupFiles(data.backup, { domain: 'example.com', user: 'ann' });
    expect(listed.files.filter((file) => file.path.endsWith('.eml'))).toHaveLength(40);
  });

  it('closes a part at maxPartEntries entries, and the parts restore whole', async () => {
    const data = await makeDataDirectory();
    const store = openStore(data.store);
    for (let i = 0; i < 23; i++)
      await store.deliver('ann@example.com', { content: message(`m${i}`) });
    await store.close();
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
      maxPartEntries: 7,
    });
    // The default split size is far away: only the entry cap splits.
    expect(result.parts.length).toBeGreaterThan(3);
    const counts: number[] = [];
    for (const part of result.parts) {
      const archive = await ZipArchive.open(part);
      counts.push(archive.count);
      expect(archive.nameAt(0)).toBe('.version.txt');
      archive.close();
    }
    // Every part but the last is full, .version.txt and .summary.txt counted.
    expect(counts.slice(0, -1).every((count) => count === 7)).toBe(true);
    expect(counts.at(-1)).toBeLessThanOrEqual(7);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(
      result.countFiles + result.parts.length + 1,
    );
    const { original, restored } = await restoredBeside(data.backup, data, 'ann@example.com');
    expect(restored).toEqual(original);
    expect(restored.INBOX!.messages).toHaveLength(23);
    await expect(
      writeBackup({
        sources: { configDirectory: data.root, storeDirectory: data.store },
        destination: data.backup,
        kind: 'F',
        maxPartEntries: 65_536,
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe('a backup of a running store', () => {
  it('has every message acknowledged before it began, once, while mail keeps arriving', async () => {
    const data = await makeDataDirectory();
    const store = openStore(data.store);
    const acknowledged: string[] = [];
    let stop = false;
    let count = 0;
    const users = ['ann@example.com', 'bob@example.com'];
    const senders = users.map(async (user) => {
      for (let n = 0; !stop; n++) {
        await store.deliver(user, { content: message(`${user} ${n}`) });
        acknowledged.push(`${user} ${n}`);
        count++;
      }
    });
    while (count < 40) await new Promise((resolve) => setImmediate(resolve));
    const before = [...acknowledged];
    const backup = writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'C',
      liveStore: store,
    });
    const result = await backup;
    stop = true;
    await Promise.all(senders);
    await store.close();
    expect((await readdir(data.backup)).filter((name) => name.startsWith('.snapshot'))).toEqual([]);

    const target = await makeDataDirectory();
    await restoreBackup({
      source: result.parts[0]!,
      configDirectory: target.root,
      storeDirectory: target.store,
    });
    const restored = openStore(target.store);
    const subjects: string[] = [];
    for (const user of users)
      for (const line of (await contentsOf(restored, user)).INBOX!.messages)
        subjects.push(line.replace(/^\d+ /, '').replace(/ \[.*\]$/, ''));
    await restored.close();
    for (const subject of before) expect(subjects).toContain(subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });
});
