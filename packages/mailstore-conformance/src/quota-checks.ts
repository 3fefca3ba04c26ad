import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, BOB, type Fixture, message } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Quotas: limits, edges, what counts, and Kerio's warning. */
export function quotaChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);
  const size = message(1).length;
  const overQuota = (promise: Promise<unknown>) =>
    promise.then(
      () => false,
      (e: unknown) => isMailStoreError(e, 'over-quota'),
    );

  it('reports the user as quota root, with usage and limits', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 10_000, messages: 50 });
    await alice().append('INBOX', [{ content: message(1) }]);
    expect(await alice().quota()).toEqual({
      root: ALICE,
      usage: { storage: size, messages: 1 },
      limits: { storage: 10_000, messages: 50 },
    });
  });

  it('treats 0 as unlimited', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 0 });
    await alice().append(
      'INBOX',
      Array.from({ length: 20 }, (_, i) => ({ content: message(i) })),
    );
    expect((await alice().quota()).usage.messages).toBe(20);
  });

  it('accepts a message that fills the storage limit exactly, and refuses one more byte', async () => {
    fixture().policy.quotas.set(ALICE, { storage: size * 2, messages: 0 });
    await alice().append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    expect(await overQuota(alice().append('INBOX', [{ content: new Uint8Array(1) }]))).toBe(true);
  });

  it('accepts messages up to the count limit, and refuses the next', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 3 });
    await alice().append(
      'INBOX',
      [1, 2, 3].map((n) => ({ content: message(n) })),
    );
    expect(await overQuota(alice().append('INBOX', [{ content: message(4) }]))).toBe(true);
  });

  it('counts every folder of the user, not just the one appended to', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 2 });
    await alice().append('INBOX', [{ content: message(1) }]);
    await alice().append('Drafts', [{ content: message(2) }]);
    expect(await overQuota(alice().append('Sent Items', [{ content: message(3) }]))).toBe(true);
  });

  it('applies the quota to deliveries, copies and moves into the user’s folders', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 1 });
    await fixture().store.deliver(ALICE, { content: message(1) });
    expect(await overQuota(fixture().store.deliver(ALICE, { content: message(2) }))).toBe(true);
    expect(await overQuota((await alice().open('INBOX')).copy([1], 'Drafts'))).toBe(true);
  });

  it('counts a message moved between the user’s folders once', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 2 });
    await alice().append('INBOX', [{ content: message(1) }]);
    await (await alice().open('INBOX')).move([1], 'Drafts');
    expect((await alice().quota()).usage.messages).toBe(1);
  });

  it('keeps users’ quotas apart', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 1 });
    await alice().append('INBOX', [{ content: message(1) }]);
    await fixture()
      .store.access(BOB)
      .append(
        'INBOX',
        [1, 2, 3].map((n) => ({ content: message(n) })),
      );
    expect((await fixture().store.access(BOB).quota()).usage.messages).toBe(3);
  });

  it('takes a changed limit into account at once', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 1 });
    await alice().append('INBOX', [{ content: message(1) }]);
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 5 });
    await alice().append('INBOX', [{ content: message(2) }]);
    expect((await alice().quota()).usage.messages).toBe(2);
  });

  it('warns at 90 % of a limit', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 10 });
    await alice().append(
      'INBOX',
      Array.from({ length: 8 }, (_, i) => ({ content: message(i) })),
    );
    expect(fixture().warnings).toEqual([]);
    await alice().append('INBOX', [{ content: message(9) }]);
    expect(fixture().warnings).toEqual([
      {
        user: ALICE,
        usage: { storage: size * 9, messages: 9 },
        limits: { storage: 0, messages: 10 },
      },
    ]);
  });

  it('warns at most once per 24 hours, even if usage drops and rises again', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 10 });
    await alice().append(
      'INBOX',
      Array.from({ length: 9 }, (_, i) => ({ content: message(i), flags: ['\\Deleted'] })),
    );
    const box = await alice().open('INBOX');
    await box.expunge([9]);
    await alice().append('INBOX', [{ content: message(10), flags: ['\\Deleted'] }]);
    fixture().clock.advance(DAY - 1);
    await alice().append('INBOX', [{ content: message(11), flags: ['\\Deleted'] }]);
    expect(fixture().warnings).toHaveLength(1);
    await box.expunge([10, 11]);
    fixture().clock.advance(1);
    await alice().append('INBOX', [{ content: message(12) }]);
    expect(fixture().warnings).toHaveLength(2);
  });

  it('does not warn users without limits', async () => {
    await alice().append(
      'INBOX',
      Array.from({ length: 30 }, (_, i) => ({ content: message(i) })),
    );
    expect(fixture().warnings).toEqual([]);
  });
}
