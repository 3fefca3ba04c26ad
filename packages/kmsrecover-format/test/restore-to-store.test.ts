import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { RestoreError, restoreIntoStore, writeBackup } from '../src/index.js';
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
});
