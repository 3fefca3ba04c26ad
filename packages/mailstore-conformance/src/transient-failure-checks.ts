import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, BOB, type Fixture, message, readAll } from './harness.js';

/**
 * For stores whose storage can fail for a while (out of file descriptors, a database restarting):
 * only "does not exist" means empty. A read that fails must fail the operation with
 * `unavailable`, must not be remembered as "nothing there", and must never lead to a write that
 * replaces what is stored: once the storage is back, every mailbox and message is as it was.
 */
export function transientFailureChecks(fixture: () => Fixture): void {
  const store = () => fixture().store;
  const alice = () => store().access(ALICE);

  async function seed(): Promise<void> {
    await alice().create('Work/Projects');
    await alice().create('Archive');
    await alice().subscribe('Work/Projects');
    await alice().setAcl('Work', BOB, 'lr');
    await alice().append('INBOX', [
      { content: message(1), flags: ['\\Seen'] },
      { content: message(2), flags: ['\\Flagged', 'Important'] },
      { content: message(3) },
    ]);
    await alice().append('Work/Projects', [{ content: message(4), flags: ['$Label1'] }]);
    const inbox = await alice().open('INBOX');
    await inbox.updateFlags([3], { operation: 'add', flags: ['\\Answered'] });
    inbox.close();
    await store()
      .access(BOB)
      .append('INBOX', [{ content: message(5) }]);
  }

  /** Everything a user can see of the store: mailboxes, their state, every message whole. */
  async function observe(user: string): Promise<unknown> {
    const access = store().access(user);
    const mailboxes = await access.list();
    const contents: unknown[] = [];
    for (const { name, rights } of mailboxes) {
      if (!rights.includes('r')) continue;
      const box = await access.open(name, { readOnly: true });
      try {
        const { recent: _recent, ...status } = await box.status();
        const uids = (await box.messages()).map((m) => m.uid);
        const records = await box.fetch(uids);
        const bodies = [];
        for (const uid of uids) bodies.push((await readAll(box.read(uid))).toString('latin1'));
        contents.push({ name, uidValidity: box.uidValidity, status, records, bodies });
      } finally {
        box.close();
      }
    }
    return { mailboxes, subscriptions: await access.subscriptions(), contents };
  }

  /** Runs an operation that may fail only as `unavailable`; says whether it did. */
  async function unavailableOrDone(operation: () => Promise<unknown>): Promise<boolean> {
    try {
      await operation();
      return false;
    } catch (error) {
      if (!isMailStoreError(error, 'unavailable')) throw error;
      return true;
    }
  }

  it('answers unavailable while reads fail, remembers nothing of it, and loses nothing', async () => {
    await seed();
    const before = { alice: await observe(ALICE), bob: await observe(BOB) };
    // A new store has nothing cached (a restart, a tree evicted): it must read its storage.
    await fixture().reopen!();
    const restore = await fixture().failReads!();
    try {
      // The first thing the user does, as in the report: SELECT INBOX.
      await expect(alice().open('INBOX')).rejects.toSatisfy((error: unknown) =>
        isMailStoreError(error, 'unavailable'),
      );
      // Again: a failed read of the tree is not remembered as "no tree".
      await expect(alice().open('INBOX')).rejects.toSatisfy((error: unknown) =>
        isMailStoreError(error, 'unavailable'),
      );
      // Whatever else a client tries fails the same way, or works without harm.
      const refused = [];
      for (const operation of [
        () => alice().status('INBOX'),
        () => alice().list(),
        () => alice().subscriptions(),
        () => alice().quota(),
        () => alice().append('INBOX', [{ content: message(6) }]),
        () => store().deliver(ALICE, { content: message(7) }),
        () => store().access(BOB).list(),
        () => store().provision(ALICE),
      ]) {
        refused.push(await unavailableOrDone(operation));
      }
      expect(refused.some(Boolean)).toBe(true);
    } finally {
      await restore();
    }
    // The same store, its storage back: everything is there, as it was.
    expect(await observe(ALICE)).toEqual(before.alice);
    expect(await observe(BOB)).toEqual(before.bob);
    // And on the storage itself, not only in memory.
    await fixture().reopen!();
    expect(await observe(ALICE)).toEqual(before.alice);
    expect(await observe(BOB)).toEqual(before.bob);
  });

  it('keeps a mailbox whose index cannot be read, flags and all', async () => {
    await seed();
    const before = await observe(ALICE);
    await fixture().reopen!();
    // The tree is read while the storage works; the mailboxes' indexes are not read yet.
    await alice().list();
    const restore = await fixture().failReads!();
    try {
      for (const name of ['INBOX', 'Work/Projects']) {
        await expect(alice().open(name)).rejects.toSatisfy((error: unknown) =>
          isMailStoreError(error, 'unavailable'),
        );
        await expect(alice().status(name)).rejects.toSatisfy((error: unknown) =>
          isMailStoreError(error, 'unavailable'),
        );
      }
      expect(await unavailableOrDone(() => store().deliver(ALICE, { content: message(8) }))).toBe(
        true,
      );
    } finally {
      await restore();
    }
    expect(await observe(ALICE)).toEqual(before);
    await fixture().reopen!();
    expect(await observe(ALICE)).toEqual(before);
  });

  it('fails a message read as unavailable, and reads it whole once the storage is back', async () => {
    await seed();
    await fixture().reopen!();
    const inbox = await alice().open('INBOX');
    try {
      const restore = await fixture().failReads!();
      try {
        await expect(readAll(inbox.read(2))).rejects.toSatisfy((error: unknown) =>
          isMailStoreError(error, 'unavailable'),
        );
      } finally {
        await restore();
      }
      expect((await readAll(inbox.read(2))).equals(Buffer.from(message(2)))).toBe(true);
    } finally {
      inbox.close();
    }
  });
}
