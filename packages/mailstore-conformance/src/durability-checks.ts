import { expect, it } from 'vitest';
import { ALICE, BOB, type Fixture, message, readAll } from './harness.js';

/** For stores that persist: what was acknowledged is there after a restart, exactly. */
export function durabilityChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const reopen = () => fixture().reopen!();

  it('keeps messages, flags and UIDs, and goes on numbering after them', async () => {
    await alice().append('INBOX', [
      { content: message(1), flags: ['\\Seen'] },
      { content: message(2) },
    ]);
    await (
      await alice().open('INBOX')
    ).updateFlags([2], { operation: 'add', flags: ['Important'] });
    await reopen();
    const box = await alice().open('INBOX');
    expect((await box.messages()).map((m) => [m.uid, m.flags])).toEqual([
      [1, ['\\Seen']],
      [2, ['Important']],
    ]);
    expect((await readAll(box.read(2))).equals(Buffer.from(message(2)))).toBe(true);
    const [next] = await alice().append('INBOX', [{ content: message(3) }]);
    expect(next!.uid).toBe(3);
  });

  it('keeps UIDVALIDITY, HIGHESTMODSEQ and the expunge log', async () => {
    await alice().append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n), flags: ['\\Deleted'] })),
    );
    const box = await alice().open('INBOX');
    await box.expunge([2]);
    const before = await alice().status('INBOX');
    await reopen();
    const after = await alice().status('INBOX');
    expect([after.uidValidity, after.highestModSeq, after.uidNext]).toEqual([
      before.uidValidity,
      before.highestModSeq,
      before.uidNext,
    ]);
    expect(await (await alice().open('INBOX')).vanishedSince(0)).toEqual([2]);
  });

  it('keeps summaries, dates with their zones, and email ids', async () => {
    const internalDate = Date.UTC(2021, 3, 4);
    await alice().append('INBOX', [
      { content: message(1), internalDate },
      { content: message(2), internalDate, internalDateZone: -420 },
      { content: message(3), internalDate, internalDateZone: 330 },
    ]);
    const before = await (await alice().open('INBOX')).fetch([1, 2, 3]);
    expect(before.map((record) => record.internalDateZone)).toEqual([undefined, -420, 330]);
    await reopen();
    const after = await (await alice().open('INBOX')).fetch([1, 2, 3]);
    expect(after).toEqual(before);
  });

  it('keeps the mailbox tree, ids, subscriptions and ACLs', async () => {
    await alice().create('Kept/Deep');
    await alice().subscribe('Kept/Deep');
    await alice().setAcl('Kept', BOB, 'lr');
    const before = await alice().list();
    await reopen();
    expect(await alice().list()).toEqual(before);
    expect(await fixture().store.access(BOB).myRights(`~${ALICE}/Kept`)).toBe('lr');
  });

  it('keeps renames and deletions', async () => {
    await alice().create('Gone');
    await alice().create('Old');
    await alice().append('Old', [{ content: message(1) }]);
    await alice().rename('Old', 'New');
    await alice().delete('Gone');
    await reopen();
    const names = (await alice().list()).map((m) => m.name);
    expect(names).toContain('New');
    expect(names).not.toContain('Old');
    expect(names).not.toContain('Gone');
    expect((await alice().status('New')).messages).toBe(1);
  });

  it('keeps copies and moves', async () => {
    await alice().append(
      'INBOX',
      [1, 2].map((n) => ({ content: message(n) })),
    );
    const inbox = await alice().open('INBOX');
    await inbox.copy([1], 'Drafts');
    await inbox.move([2], 'Sent Items');
    await reopen();
    expect((await alice().status('INBOX')).messages).toBe(1);
    expect((await alice().status('Drafts')).messages).toBe(1);
    expect((await alice().status('Sent Items')).messages).toBe(1);
  });

  it('keeps retained messages for recovery', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await alice().append('INBOX', [{ content: message(1), flags: ['\\Deleted'] }]);
    await (await alice().open('INBOX')).expunge();
    await reopen();
    expect(await alice().recoverDeleted(30)).toBe(1);
  });
}
