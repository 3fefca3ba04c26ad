import { expect, it } from 'vitest';
import { isMailStoreError, KERIO_STANDARD_FOLDERS } from '@mailyard/mailstore-interface';
import { ALICE, BOB, type Fixture, message } from './harness.js';

/** Mailbox trees: provisioning, names, create, delete, rename, subscriptions. */
export function mailboxChecks(fixture: () => Fixture): void {
  const names = async (user = ALICE) =>
    (await fixture().store.access(user).list()).map((m) => m.name);
  const rejects = async (promise: Promise<unknown>, code: string) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMailStoreError(error), `expected a MailStoreError ${code}, got ${String(error)}`).toBe(
      true,
    );
    expect((error as { code: string }).code).toBe(code);
  };

  it('gives a new user INBOX and Kerio’s standard folders', async () => {
    expect(await names()).toEqual(
      expect.arrayContaining(KERIO_STANDARD_FOLDERS.map((f) => f.path)),
    );
  });

  it('marks the standard folders with their special-use attributes', async () => {
    const list = await fixture().store.access(ALICE).list();
    const use = (name: string) => list.find((m) => m.name === name)?.specialUse;
    expect(use('Sent Items')).toBe('\\Sent');
    expect(use('Drafts')).toBe('\\Drafts');
    expect(use('Deleted Items')).toBe('\\Trash');
    expect(use('Junk E-mail')).toBe('\\Junk');
    expect(use('INBOX')).toBeNull();
  });

  it('gives the groupware folders their folder types', async () => {
    const list = await fixture().store.access(ALICE).list();
    const type = (name: string) => list.find((m) => m.name === name)?.folderType;
    expect([
      type('Calendar'),
      type('Contacts'),
      type('Tasks'),
      type('Notes'),
      type('INBOX'),
    ]).toEqual(['calendar', 'contacts', 'tasks', 'notes', 'mail']);
  });

  it('subscribes a new user to the standard folders', async () => {
    expect(await fixture().store.access(ALICE).subscriptions()).toEqual(
      expect.arrayContaining(['INBOX', 'Sent Items']),
    );
  });

  it('treats user ids case-insensitively', async () => {
    await fixture().store.access('Alice@Example.COM').create('Mixed');
    expect(await names(ALICE)).toContain('Mixed');
  });

  it('provisions explicitly and idempotently', async () => {
    await fixture().store.provision(BOB);
    await fixture().store.provision(BOB);
    expect((await names(BOB)).filter((n) => n === 'INBOX')).toHaveLength(1);
  });

  it('gives every mailbox a distinct id', async () => {
    const list = await fixture().store.access(ALICE).list();
    expect(new Set(list.map((m) => m.id)).size).toBe(list.length);
  });

  it('reads INBOX case-insensitively, also as a parent', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('inbox/Sub');
    expect(await names()).toContain('INBOX/Sub');
    expect((await alice.status('InBoX')).messages).toBe(0);
  });

  it('keeps other names case-sensitive: Work and work are two mailboxes', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Work');
    await alice.create('work');
    await alice.append('Work', [{ content: message(1) }]);
    expect(await names()).toEqual(expect.arrayContaining(['Work', 'work']));
    expect((await alice.status('work')).messages).toBe(0);
    expect((await alice.status('Work')).messages).toBe(1);
  });

  it('accepts Unicode names and gives them back unchanged', async () => {
    const alice = fixture().store.access(ALICE);
    for (const name of ['Čeština', '日本語/メール', 'Émojis 📬', 'Ελληνικά'])
      await alice.create(name);
    expect(await names()).toEqual(
      expect.arrayContaining(['Čeština', '日本語', '日本語/メール', 'Émojis 📬', 'Ελληνικά']),
    );
  });

  it('refuses names that could escape a directory or confuse IMAP', async () => {
    const alice = fixture().store.access(ALICE);
    for (const bad of [
      '..',
      'a/../b',
      '.',
      'a//b',
      '/lead',
      'trail/',
      'nul\u0000byte',
      'tab\tname',
      'star*',
      'pct%',
      '',
    ]) {
      await rejects(alice.create(bad), 'invalid-name');
    }
  });

  it('refuses overlong names and too deep hierarchies', async () => {
    const alice = fixture().store.access(ALICE);
    await rejects(alice.create('x'.repeat(256)), 'invalid-name');
    await rejects(alice.create(Array.from({ length: 65 }, () => 'd').join('/')), 'invalid-name');
    await alice.create('y'.repeat(255));
  });

  it('reserves names starting with # or ~ in the personal namespace', async () => {
    await rejects(fixture().store.access(ALICE).create('#archive2'), 'invalid-name');
  });

  it('creates missing parents', async () => {
    await fixture().store.access(ALICE).create('A/B/C');
    expect(await names()).toEqual(expect.arrayContaining(['A', 'A/B', 'A/B/C']));
  });

  it('refuses to create an existing mailbox', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Dup');
    await rejects(alice.create('Dup'), 'already-exists');
    await rejects(alice.create('INBOX'), 'already-exists');
  });

  it('reports children', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Parent/Child');
    const list = await alice.list();
    expect(list.find((m) => m.name === 'Parent')?.hasChildren).toBe(true);
    expect(list.find((m) => m.name === 'Parent/Child')?.hasChildren).toBe(false);
  });

  it('describes one mailbox (info) exactly as the list does, and no other', async () => {
    const access = fixture().store.access(ALICE);
    if (!access.info) return;
    await access.create('Projects/Mailyard', { specialUse: '\\Archive' });
    await access.subscribe('Projects');
    for (const entry of await access.list()) expect(await access.info(entry.name)).toEqual(entry);
    await rejects(access.info('Nowhere'), 'not-found');
    expect((await access.info('inbox')).name).toBe('INBOX');
    await access.rename('Projects', 'Archive');
    await rejects(access.info('Projects'), 'not-found');
    expect((await access.info('Archive/Mailyard')).specialUse).toBe('\\Archive');
  });

  it('creates a mailbox with a special-use attribute and folder type', async () => {
    const info = await fixture().store.access(ALICE).create('Old', { specialUse: '\\Archive' });
    expect(info.specialUse).toBe('\\Archive');
    const notes = await fixture().store.access(ALICE).create('More notes', { folderType: 'notes' });
    expect(notes.folderType).toBe('notes');
  });

  it('deletes a mailbox and its messages', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Trashme');
    await alice.append('Trashme', [{ content: message(1) }]);
    await alice.delete('Trashme');
    expect(await names()).not.toContain('Trashme');
    await rejects(alice.status('Trashme'), 'not-found');
  });

  it('refuses to delete INBOX, a missing mailbox, or one with children', async () => {
    const alice = fixture().store.access(ALICE);
    await rejects(alice.delete('INBOX'), 'not-allowed');
    await rejects(alice.delete('Nope'), 'not-found');
    await alice.create('P/C');
    await rejects(alice.delete('P'), 'not-allowed');
  });

  it('gives a re-created mailbox a new UIDVALIDITY', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Again');
    const first = (await alice.status('Again')).uidValidity;
    await alice.delete('Again');
    await alice.create('Again');
    expect((await alice.status('Again')).uidValidity).not.toBe(first);
  });

  it('renames a mailbox with its whole subtree, keeping ids, UIDVALIDITY and messages', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Old/Deep/Deeper');
    await alice.append('Old/Deep', [{ content: message(1) }]);
    const before = await alice.list();
    const validity = (await alice.status('Old/Deep')).uidValidity;
    await alice.rename('Old', 'New');
    const after = await alice.list();
    expect(after.map((m) => m.name)).toEqual(
      expect.arrayContaining(['New', 'New/Deep', 'New/Deep/Deeper']),
    );
    expect(after.map((m) => m.name)).not.toContain('Old');
    expect(after.find((m) => m.name === 'New/Deep')?.id).toBe(
      before.find((m) => m.name === 'Old/Deep')?.id,
    );
    expect((await alice.status('New/Deep')).uidValidity).toBe(validity);
    expect((await alice.status('New/Deep')).messages).toBe(1);
  });

  it('renames into a new parent, creating it', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Leaf');
    await alice.rename('Leaf', 'Branch/Leaf');
    expect(await names()).toEqual(expect.arrayContaining(['Branch', 'Branch/Leaf']));
  });

  it('moves subscriptions along with a rename', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Sub');
    await alice.subscribe('Sub');
    await alice.rename('Sub', 'Renamed');
    expect(await alice.subscriptions()).toContain('Renamed');
    expect(await alice.subscriptions()).not.toContain('Sub');
  });

  it('refuses renames onto an existing name, below itself, or of a missing mailbox', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('X');
    await alice.create('Y');
    await rejects(alice.rename('X', 'Y'), 'already-exists');
    await rejects(alice.rename('X', 'X/inner'), 'not-allowed');
    await rejects(alice.rename('Missing', 'Z'), 'not-found');
  });

  it('renames INBOX by moving its messages to the new mailbox and leaving INBOX empty', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    await alice.rename('INBOX', 'Old mail');
    expect((await alice.status('Old mail')).messages).toBe(2);
    expect((await alice.status('INBOX')).messages).toBe(0);
  });

  it('keeps subscriptions to names that do not exist', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.subscribe('Ghost');
    expect(await alice.subscriptions()).toContain('Ghost');
    await alice.unsubscribe('Ghost');
    expect(await alice.subscriptions()).not.toContain('Ghost');
  });

  it('marks subscribed mailboxes in the list', async () => {
    const alice = fixture().store.access(ALICE);
    await alice.create('Subbed');
    await alice.subscribe('Subbed');
    expect((await alice.list()).find((m) => m.name === 'Subbed')?.subscribed).toBe(true);
  });

  it('keeps users apart', async () => {
    await fixture().store.access(ALICE).create('Private');
    expect(await names(BOB)).not.toContain('Private');
    await rejects(fixture().store.access(BOB).status('Private'), 'not-found');
  });

  it('removes a user with everything in the tree', async () => {
    await fixture()
      .store.access(BOB)
      .append('INBOX', [{ content: message(1) }]);
    await fixture().store.removeUser(BOB);
    expect((await fixture().store.access(BOB).status('INBOX')).messages).toBe(0);
  });

  it('moves a removed user’s mailbox under another user (Kerio 8.5)', async () => {
    await fixture()
      .store.access(BOB)
      .append('INBOX', [{ content: message(1) }]);
    await fixture().store.removeUser(BOB, { moveTo: ALICE });
    const moved = (await names()).find(
      (n) => n.startsWith('Deleted mailbox') && n.endsWith('/INBOX'),
    );
    expect(moved).toBe(`Deleted mailbox \u2014 ${BOB}/INBOX`);
    expect((await fixture().store.access(ALICE).status(moved!)).messages).toBe(1);
  });

  it('refuses malformed user ids', async () => {
    expect(() => fixture().store.access('no-domain')).toThrow();
  });

  it('refuses "." and ".." as the local part or domain of a user id', async () => {
    const store = fixture().store;
    for (const id of ['..@example.com', '.@example.com', 'alice@..', 'alice@.']) {
      expect(() => store.access(id), id).toThrow(
        expect.objectContaining({ code: 'invalid-argument' }),
      );
      await expect(store.provision(id), id).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(store.deliver(id, { content: message(1) }), id).rejects.toMatchObject({
        code: 'invalid-argument',
      });
    }
    // Dots elsewhere are ordinary characters.
    await store.provision('.alice.@example.com');
    expect((await store.access('.alice.@example.com').list()).length).toBeGreaterThan(0);
  });
}
