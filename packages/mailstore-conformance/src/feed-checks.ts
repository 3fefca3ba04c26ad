import { expect, it } from 'vitest';
import { ALICE, BOB, type Fixture, message, record, settle } from './harness.js';

/** The change feed every open session of a mailbox hears. */
export function feedChecks(fixture: () => Fixture): void {
  const alice = () => fixture().store.access(ALICE);

  it('tells every subscriber about new messages', async () => {
    const first = record(await alice().open('INBOX'));
    const second = record(await alice().open('INBOX'));
    await alice().append('INBOX', [{ content: message(1) }]);
    await settle();
    for (const events of [first, second]) {
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'appended', messages: [{ uid: 1, flags: [] }] });
    }
  });

  it('tells about flag changes with the new flags and mod-sequences', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    const watcher = record(await alice().open('INBOX'));
    const result = await (
      await alice().open('INBOX')
    ).updateFlags([1], { operation: 'add', flags: ['\\Seen'] });
    await settle();
    expect(watcher).toEqual([
      { type: 'flags', messages: result.updated, modSeq: result.updated[0]!.modSeq },
    ]);
  });

  it('tells about expunges with the UIDs removed', async () => {
    await alice().append(
      'INBOX',
      [1, 2].map((n) => ({ content: message(n), flags: ['\\Deleted'] })),
    );
    const watcher = record(await alice().open('INBOX'));
    await (await alice().open('INBOX')).expunge();
    await settle();
    expect(watcher).toMatchObject([{ type: 'expunged', uids: [1, 2] }]);
  });

  it('reports the mailbox’s highest mod-sequence with each change', async () => {
    const box = await alice().open('INBOX');
    const events = record(box);
    await alice().append('INBOX', [{ content: message(1) }]);
    await settle();
    expect(events[0]).toMatchObject({ modSeq: (await box.status()).highestModSeq });
  });

  it('tells about deletion and renames of the mailbox', async () => {
    await alice().create('Watched');
    const events = record(await alice().open('Watched'));
    await alice().rename('Watched', 'Still watched');
    await alice().delete('Still watched');
    await settle();
    expect(events.map((e) => e.type)).toEqual(['renamed', 'deleted']);
  });

  it('tells the source and destination of a move', async () => {
    await alice().append('INBOX', [{ content: message(1) }]);
    await alice().create('Target');
    const source = record(await alice().open('INBOX'));
    const target = record(await alice().open('Target'));
    await (await alice().open('INBOX')).move([1], 'Target');
    await settle();
    expect(source.map((e) => e.type)).toEqual(['expunged']);
    expect(target.map((e) => e.type)).toEqual(['appended']);
  });

  it('tells subscribers about deliveries', async () => {
    const events = record(await alice().open('INBOX'));
    await fixture().store.deliver(ALICE, { content: message(1) });
    await settle();
    expect(events.map((e) => e.type)).toEqual(['appended']);
  });

  it('stops telling a subscriber that unsubscribed, or a mailbox that was closed', async () => {
    const box = await alice().open('INBOX');
    const events: unknown[] = [];
    const unsubscribe = box.subscribe((e) => events.push(e));
    const closed = await alice().open('INBOX');
    const closedEvents = record(closed);
    unsubscribe();
    closed.close();
    await alice().append('INBOX', [{ content: message(1) }]);
    await settle();
    expect(events).toEqual([]);
    expect(closedEvents).toEqual([]);
  });

  it('keeps telling the others when one listener throws', async () => {
    const box = await alice().open('INBOX');
    box.subscribe(() => {
      throw new Error('bad listener');
    });
    const events = record(await alice().open('INBOX'));
    await alice().append('INBOX', [{ content: message(1) }]);
    await settle();
    expect(events).toHaveLength(1);
  });

  it('does not tell one mailbox about another’s changes', async () => {
    const events = record(await alice().open('INBOX'));
    await alice().append('Drafts', [{ content: message(1) }]);
    await fixture()
      .store.access(BOB)
      .append('INBOX', [{ content: message(2) }]);
    await settle();
    expect(events).toEqual([]);
  });
}
