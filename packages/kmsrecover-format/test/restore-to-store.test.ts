import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPEN_ACCOUNT_POLICY, MemoryMailStore } from '@mailyard/mailstore-interface';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { describe, expect, it } from 'vitest';
import { RestoreError, restoreBackup, restoreIntoStore, writeBackup } from '../src/index.js';
import { contentsOf, makeDataDirectory, message, openStore } from './store-fixture.js';

async function backedUpStore() {
  const data = await makeDataDirectory();
  const store = openStore(data.store);
  const ann = store.access('ann@example.com');
  await ann.create('Work/Projects');
  await ann.append('INBOX', [
    { content: message('one'), flags: ['\\Seen'] },
    { content: message('two') },
  ]);
  const inbox = await ann.open('INBOX');
  await inbox.updateFlags([1], { operation: 'add', flags: ['\\Deleted'] });
  await inbox.expunge();
  inbox.close();
  await ann.append('INBOX', [
    {
      content: message('three'),
      flags: ['\\Answered', 'Later'],
      internalDate: Date.parse('2020-05-01T10:00:00Z'),
    },
  ]);
  await ann.append('Work/Projects', [{ content: message('four'), flags: ['\\Flagged'] }]);
  await store.deliver('bob@other.org', { content: message('for bob') });
  const ann_ = await contentsOf(store, 'ann@example.com');
  const bob = await contentsOf(store, 'bob@other.org');
  await store.close();
  await writeBackup({
    sources: { configDirectory: data.root, storeDirectory: data.store },
    destination: data.backup,
    kind: 'F',
  });
  return { data, ann: ann_, bob };
}

describe('restoring through the MailStore contract', () => {
  it('restores into another store adapter with flags, dates and UIDs, and UIDVALIDITY of the folders it creates', async () => {
    const { data, ann, bob } = await backedUpStore();
    const target = new MemoryMailStore();
    const result = await restoreIntoStore({ source: data.backup, store: target });
    expect(result.messages).toBe(4);
    expect(result.uidsKept).toBe(4);
    const restored = await contentsOf(target, 'ann@example.com');
    for (const [name, folder] of Object.entries(ann)) {
      expect(restored[name]?.messages, name).toEqual(folder.messages);
      // The folders the restore created have the backup's UIDVALIDITY; INBOX and the standard
      // folders were made by the target with the user's tree.
      if (name === 'Work' || name === 'Work/Projects')
        expect(restored[name]!.uidValidity).toBe(folder.uidValidity);
    }
    expect((await contentsOf(target, 'bob@other.org')).INBOX!.messages).toEqual(
      bob.INBOX!.messages,
    );
    const inbox = await target.access('ann@example.com').open('INBOX', { readOnly: true });
    const [three] = await inbox.fetch([3]);
    expect(three!.internalDate).toBe(Date.parse('2020-05-01T10:00:00Z'));
    inbox.close();
  });

  it('restores only a domain, a user or a folder when asked', async () => {
    const { data, ann } = await backedUpStore();
    const target = new MemoryMailStore();
    await restoreIntoStore({
      source: data.backup,
      store: target,
      domain: 'example.com',
      user: 'ann',
      folder: 'Work/Projects',
    });
    const restored = await contentsOf(target, 'ann@example.com');
    expect(restored['Work/Projects']!.messages).toEqual(ann['Work/Projects']!.messages);
    expect(restored.INBOX!.messages).toEqual([]);
    expect((await contentsOf(target, 'bob@other.org')).INBOX!.messages).toEqual([]);
    await expect(
      restoreIntoStore({
        source: data.backup,
        store: target,
        domain: 'example.com',
        user: 'ann',
        folder: 'Nope',
      }),
    ).rejects.toThrow(RestoreError);
  });

  it('leaves public folders and the queue to restoreBackup, and says so', async () => {
    const data = await makeDataDirectory();
    const policy = { ...OPEN_ACCOUNT_POLICY, isPublicFolderAdmin: () => true };
    const store = new FsMailStore({ directory: data.store, policy });
    await store.access('ann@example.com').create('#public/Info');
    await store.access('ann@example.com').append('#public/Info', [{ content: message('news') }]);
    await store.deliver('ann@example.com', { content: message('mine') });
    await store.close();
    await mkdir(join(data.store, 'queue'), { recursive: true });
    await writeFile(join(data.store, 'queue', 'Q1.eml'), message('queued'));
    await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
    });
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (line: string) => void warnings.push(line) };
    const target = new MemoryMailStore({ policy });
    const result = await restoreIntoStore({ source: data.backup, store: target, logger });
    expect(result.messages).toBe(1);
    expect(warnings).toEqual([
      expect.stringMatching(
        /public folders #public@example\.com are not restored into a MailStore/,
      ),
      expect.stringMatching(/the queue is not restored into a MailStore/),
    ]);
    const listed = await target.access('ann@example.com').list();
    expect(listed.filter((mailbox) => mailbox.namespace === 'public')).toEqual([]);
    // Both are in the backup, and restoreBackup puts them back.
    const layout = await makeDataDirectory();
    await restoreBackup({
      source: data.backup,
      configDirectory: layout.root,
      storeDirectory: layout.store,
    });
    expect(await readFile(join(layout.store, 'queue', 'Q1.eml'), 'utf8')).toContain('queued');
    const restored = new FsMailStore({ directory: layout.store, policy });
    const info = await restored.access('ann@example.com').open('#public/Info', { readOnly: true });
    expect(await info.messages()).toHaveLength(1);
    info.close();
    await restored.close();
  });
});
