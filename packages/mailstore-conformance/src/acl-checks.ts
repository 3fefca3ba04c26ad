import { expect, it } from 'vitest';
import { ACL_PRESETS, ALL_RIGHTS, isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, BOB, CAROL, DAVE, type Fixture, message } from './harness.js';

/** Sharing: RFC 4314 rights, Kerio's levels, other users' and public namespaces. */
export function aclChecks(fixture: () => Fixture): void {
  const as = (user: string) => fixture().store.access(user);
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (e: unknown) => (isMailStoreError(e) ? e.code : `threw ${String(e)}`),
    );
  const share = async (rights: string, identifier = BOB) => {
    await as(ALICE).create('Shared');
    await as(ALICE).append('Shared', [{ content: message(1) }]);
    await as(ALICE).setAcl('Shared', identifier, rights);
  };
  const shared = `~${ALICE}/Shared`;

  it('gives the owner every right on their own mailboxes', async () => {
    expect(await as(ALICE).myRights('INBOX')).toBe(ALL_RIGHTS);
  });

  it('shows the owner first in the ACL', async () => {
    await share(ACL_PRESETS.reader);
    expect(await as(ALICE).getAcl('Shared')).toEqual([
      { identifier: ALICE, rights: ALL_RIGHTS },
      { identifier: BOB, rights: 'lrs' },
    ]);
  });

  it('shows a shared folder in the other user’s namespace', async () => {
    await share(ACL_PRESETS.reader);
    const info = (await as(BOB).list()).find((m) => m.name === shared);
    if (as(BOB).info) expect(await as(BOB).info!(shared)).toEqual(info);
    expect(info).toMatchObject({ namespace: 'other', rights: 'lrs' });
  });

  it('hides folders that are not shared, as if they did not exist', async () => {
    await as(ALICE).create('Secret');
    expect((await as(BOB).list()).some((m) => m.name.startsWith('~'))).toBe(false);
    expect(await code(as(BOB).status(`~${ALICE}/Secret`))).toBe('not-found');
  });

  it('lets a Reader read and mark seen, but not write, delete or expunge', async () => {
    await share(ACL_PRESETS.reader);
    const box = await as(BOB).open(shared);
    expect((await box.fetch([1]))[0]!.summary.subject).toBe('message 1');
    await box.updateFlags([1], { operation: 'add', flags: ['\\Seen', 'Work', '\\Deleted'] });
    expect((await box.messages())[0]!.flags).toEqual(['\\Seen']);
    expect(await code(box.expunge())).toBe('permission-denied');
    expect(await code(as(BOB).append(shared, [{ content: message(2) }]))).toBe('permission-denied');
  });

  it('lets an Editor add, flag, delete and expunge, but not administer', async () => {
    await share(ACL_PRESETS.editor);
    await as(BOB).append(shared, [{ content: message(2), flags: ['Tag'] }]);
    const box = await as(BOB).open(shared);
    await box.updateFlags([1], { operation: 'add', flags: ['\\Deleted', 'Work'] });
    expect(await box.expunge()).toEqual([1]);
    expect(await code(as(BOB).getAcl(shared))).toBe('permission-denied');
    expect(await code(as(BOB).setAcl(shared, CAROL, 'lr'))).toBe('permission-denied');
  });

  it('lets an Admin share the folder further, but not change the owner’s rights', async () => {
    await share(ACL_PRESETS.admin);
    await as(BOB).setAcl(shared, CAROL, ACL_PRESETS.reader);
    expect((await as(CAROL).list()).some((m) => m.name === shared)).toBe(true);
    expect(await code(as(BOB).setAcl(shared, ALICE, 'l'))).toBe('not-allowed');
  });

  it('lets the right holder create subfolders only with k', async () => {
    await share(ACL_PRESETS.editor);
    expect(await code(as(BOB).create(`${shared}/Sub`))).toBe('permission-denied');
    await as(ALICE).setAcl('Shared', BOB, 'lrk');
    await as(BOB).create(`${shared}/Sub`);
    expect((await as(ALICE).list()).some((m) => m.name === 'Shared/Sub')).toBe(true);
  });

  it('refuses deleting or renaming a shared folder without x', async () => {
    await share(ACL_PRESETS.editor);
    expect(await code(as(BOB).delete(shared))).toBe('permission-denied');
    expect(await code(as(BOB).rename(shared, `~${ALICE}/Renamed`))).toBe('permission-denied');
  });

  it('refuses to open a folder with lookup but no read right', async () => {
    await share('l');
    expect(await code(as(BOB).open(shared))).toBe('permission-denied');
    expect(await code(as(BOB).status(shared))).toBe('permission-denied');
  });

  it('opens a folder read-only for a user who can only read', async () => {
    await share('lr');
    expect((await as(BOB).open(shared)).readOnly).toBe(true);
  });

  it('grants through anyone and authuser', async () => {
    await share('lr', 'anyone');
    expect(await as(CAROL).myRights(shared)).toBe('lr');
    await as(ALICE).setAcl('Shared', 'authuser', 'lrs');
    expect(await as(DAVE).myRights(shared)).toBe('lrs');
  });

  it('grants through groups', async () => {
    fixture().policy.memberships.set(CAROL, ['sales@example.com']);
    await share(ACL_PRESETS.reader, '$sales@example.com');
    expect(await as(CAROL).myRights(shared)).toBe('lrs');
    expect(await code(as(BOB).myRights(shared))).toBe('not-found');
  });

  it('unions rights from several entries', async () => {
    fixture().policy.memberships.set(BOB, ['team@example.com']);
    await share('lr');
    await as(ALICE).setAcl('Shared', '$team@example.com', 'lrsw');
    expect(await as(BOB).myRights(shared)).toBe('lrsw');
  });

  it('removes an entry when rights are set to nothing', async () => {
    await share(ACL_PRESETS.reader);
    await as(ALICE).setAcl('Shared', BOB, '');
    expect(await code(as(BOB).status(shared))).toBe('not-found');
  });

  it('filters flags by rights on append and copy', async () => {
    await share('lri');
    await as(BOB).append(shared, [{ content: message(2), flags: ['\\Seen', '\\Deleted', 'Tag'] }]);
    const [record] = await (await as(ALICE).open('Shared')).fetch([2]);
    expect(record!.flags).toEqual([]);
  });

  it('copies out of a shared folder into one’s own with the read right', async () => {
    await share('lr');
    const result = await (await as(BOB).open(shared)).copy([1], 'INBOX');
    expect(result.destinationUids).toEqual([1]);
    expect((await as(BOB).status('INBOX')).messages).toBe(1);
  });

  it('refuses a move out of a folder without t and e', async () => {
    await share('lrsw');
    expect(await code((await as(BOB).open(shared)).move([1], 'INBOX'))).toBe('permission-denied');
  });

  it('makes public folders read-only for everyone by default', async () => {
    fixture().policy.publicAdmins.add(ALICE);
    await as(ALICE).create('#public/News');
    await as(ALICE).append('#public/News', [{ content: message(1) }]);
    expect(await as(BOB).myRights('#public/News')).toBe('lr');
    expect(await code(as(BOB).append('#public/News', [{ content: message(2) }]))).toBe(
      'permission-denied',
    );
    expect((await as(BOB).list()).find((m) => m.name === '#public/News')?.namespace).toBe('public');
  });

  it('lets only public-folder admins create public folders', async () => {
    expect(await code(as(BOB).create('#public/Mine'))).toBe('permission-denied');
    fixture().policy.publicAdmins.add(BOB);
    await as(BOB).create('#public/Mine');
    expect(await as(BOB).myRights('#public/Mine')).toBe(ALL_RIGHTS);
  });

  it('keeps public folders per domain by default, and shares them server-wide when global', async () => {
    fixture().policy.publicAdmins.add(ALICE);
    await as(ALICE).create('#public/Domain news');
    expect((await as(DAVE).list()).some((m) => m.name === '#public/Domain news')).toBe(false);
    fixture().policy.scope = 'global';
    await as(ALICE).create('#public/Server news');
    expect((await as(DAVE).list()).some((m) => m.name === '#public/Server news')).toBe(true);
  });

  it('delivers into a public folder (aliases to #public/Folder)', async () => {
    fixture().policy.publicAdmins.add(ALICE);
    await as(ALICE).create('#public/Info');
    await fixture().store.deliver(BOB, { content: message(1), mailbox: '#public/Info' });
    expect((await as(ALICE).status('#public/Info')).messages).toBe(1);
  });

  it('refuses unknown rights and malformed identifiers', async () => {
    await as(ALICE).create('Shared');
    expect(await code(as(ALICE).setAcl('Shared', 'bad identifier', 'lr'))).toBe('invalid-argument');
    expect(await code(as(ALICE).setAcl('Shared', BOB, 'lrz'))).toBe('invalid-argument');
  });

  it('lists shared folders of several owners, each under its owner', async () => {
    await share(ACL_PRESETS.reader);
    await as(CAROL).create('Team');
    await as(CAROL).setAcl('Team', BOB, 'lr');
    const names = (await as(BOB).list()).map((m) => m.name).filter((n) => n.startsWith('~'));
    expect(names).toEqual([shared, `~${CAROL}/Team`]);
  });
}
