import { expect, it } from 'vitest';
import { isMailStoreError } from '@mailyard/mailstore-interface';
import { ALICE, type Fixture, message } from './harness.js';

/** Operations that race each other still leave a consistent store. */
export function concurrencyChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);

  it('gives 50 concurrent appends to one mailbox 50 distinct ascending UIDs', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fixture()
          .store.access(ALICE)
          .append('INBOX', [{ content: message(i) }]),
      ),
    );
    const uids = results.map(([result]) => result!.uid).sort((a, b) => a - b);
    expect(uids).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await alice().status('INBOX')).uidNext).toBe(51);
  });

  it('keeps mod-sequences distinct when appends and flag updates interleave', async () => {
    await alice().append(
      'INBOX',
      Array.from({ length: 10 }, (_, i) => ({ content: message(i) })),
    );
    const box = await alice().open('INBOX');
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        box.updateFlags([i + 1], { operation: 'add', flags: ['\\Seen'] }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        alice().append('INBOX', [{ content: message(100 + i) }]),
      ),
    ]);
    const modSeqs = (await box.messages()).map((m) => m.modSeq);
    expect(new Set(modSeqs).size).toBe(modSeqs.length);
  });

  it('does not deadlock when two copies cross between two users', async () => {
    const bob = fixture().store.access('bob@example.com');
    await alice().create('Drop');
    await bob.create('Drop');
    await alice().setAcl('Drop', 'bob@example.com', 'lri');
    await bob.setAcl('Drop', ALICE, 'lri');
    await alice().append('INBOX', [{ content: message(1) }]);
    await bob.append('INBOX', [{ content: message(2) }]);
    await Promise.all([
      (await alice().open('INBOX')).copy([1], '~bob@example.com/Drop'),
      (await bob.open('INBOX')).copy([1], `~${ALICE}/Drop`),
    ]);
    expect((await alice().status('Drop')).messages).toBe(1);
    expect((await bob.status('Drop')).messages).toBe(1);
  });

  it('lets exactly one of two racing creates of a name succeed', async () => {
    const outcomes = await Promise.allSettled([alice().create('Race'), alice().create('Race')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isMailStoreError(rejected.reason, 'already-exists')).toBe(true);
  });

  it('keeps the quota when concurrent appends race for the last slot', async () => {
    fixture().policy.quotas.set(ALICE, { storage: 0, messages: 5 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => alice().append('INBOX', [{ content: message(i) }])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect((await alice().status('INBOX')).messages).toBe(5);
  });
}
