import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, type Fixture, message } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Kerio's deleted-items retention (7.4): expunged messages can come back into Deleted Items. */
export function retentionChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const expungeAll = async (count: number) => {
    await alice().append(
      'INBOX',
      Array.from({ length: count }, (_, i) => ({ content: message(i + 1), flags: ['\\Deleted'] })),
    );
    await (await alice().open('INBOX')).expunge();
  };

  it('recovers expunged messages into Deleted Items when retention is on', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await expungeAll(2);
    expect(await alice().recoverDeleted(30)).toBe(2);
    const box = await alice().open('Deleted Items');
    const records = await box.fetch((await box.messages()).map((m) => m.uid));
    expect(records.map((r) => r.summary.subject).sort()).toEqual(['message 1', 'message 2']);
  });

  it('recovers nothing when retention is off', async () => {
    await expungeAll(2);
    expect(await alice().recoverDeleted(30)).toBe(0);
  });

  it('recovers only what was expunged within the given days', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await expungeAll(1);
    fixture().clock.advance(10 * DAY);
    await alice().append('INBOX', [{ content: message(9), flags: ['\\Deleted'] }]);
    await (await alice().open('INBOX')).expunge();
    expect(await alice().recoverDeleted(5)).toBe(1);
    expect(await alice().recoverDeleted(30)).toBe(1);
  });

  it('hides retained messages from the folder list and the quota', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await expungeAll(3);
    expect((await alice().list()).some((m) => m.name.startsWith('#'))).toBe(false);
    expect((await alice().quota()).usage.messages).toBe(0);
  });

  it('purges retained messages older than the retention time', async () => {
    fixture().policy.retention.set(ALICE, 7);
    await expungeAll(2);
    fixture().clock.advance(6 * DAY);
    expect(await fixture().store.purgeRetained(ALICE)).toBe(0);
    fixture().clock.advance(2 * DAY);
    expect(await fixture().store.purgeRetained(ALICE)).toBe(2);
    expect(await alice().recoverDeleted(365)).toBe(0);
  });

  it('does not retain messages that were moved rather than deleted', async () => {
    fixture().policy.retention.set(ALICE, 30);
    await alice().append('INBOX', [{ content: message(1) }]);
    await (await alice().open('INBOX')).move([1], 'Drafts');
    expect(await alice().recoverDeleted(30)).toBe(0);
  });

  it('refuses recovery windows outside 1 to 365 days', async () => {
    for (const days of [0, 366, -1]) {
      const error = await alice()
        .recoverDeleted(days)
        .catch((e: unknown) => e);
      expect(isMailStoreError(error, 'invalid-argument')).toBe(true);
    }
  });
}
