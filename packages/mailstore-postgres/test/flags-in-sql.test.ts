import { type FlagOperation, MailboxIndex, normalizeFlags } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresMailStore } from '../src/index.js';

const ALICE = 'alice@example.com';
const message = (n: number) => Buffer.from(`Subject: message ${n}\r\n\r\nbody ${n}\r\n`);
/** The ACL right a flag needs (RFC 4314): `s` for \Seen, `t` for \Deleted, `w` for the rest. */
const rightFor = (flag: string) =>
  flag.toLowerCase() === '\\seen' ? 's' : flag.toLowerCase() === '\\deleted' ? 't' : 'w';

/**
 * The database computes a flag change from the flags it holds (updateFlagsAllocating): it must
 * give what the engine's index gives for the same change, case for case: one spelling per flag
 * (the first), system flags first in their order, keywords in the order they came, a replace
 * keeping the flags the writer may not change, and no new mod-sequence when nothing changes.
 */
describeWithPostgres('flag changes computed by the database', () => {
  const server = new PostgresServer();
  let store: PostgresMailStore;

  beforeAll(async () => {
    await server.start();
    store = await PostgresMailStore.open({ url: server.url(), schema: 'flags_in_sql' });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server.close();
  });

  it('gives the flags the engine’s index gives, for every operation, flag list and right', async () => {
    const starts = [
      [],
      ['\\Seen'],
      ['\\Seen', '\\Deleted', '$A', 'b'],
      ['\\Flagged', 'Work', '$Junk'],
    ];
    await store.provision(ALICE);
    await store.access(ALICE).append(
      'INBOX',
      starts.map((_, i) => ({ content: message(i) })),
    );
    const tree = (await store.cachedTree(ALICE))!;
    const inbox = tree.mailboxes.get('INBOX')!;
    const persistence = store.persistenceOverPostgres;
    const uids = starts.map((_, i) => i + 1);
    const lists = [['\\seen'], ['\\DELETED', 'work', 'New'], ['$a', '$A', 'x', '\\Answered'], []];
    const rightsSets = ['stw', 'tw', 's'];
    let checked = 0;
    for (const operation of ['add', 'remove', 'replace'] as FlagOperation[]) {
      for (const list of lists) {
        for (const rights of rightsSets) {
          // Each message back to its starting flags (all rights).
          for (const [i, start] of starts.entries()) {
            await persistence.updateFlagsAllocating(
              ALICE,
              inbox.meta,
              {
                uids: [i + 1],
                operation: 'replace',
                flags: start,
                locked: { seen: false, deleted: false, other: false },
              },
              0,
            );
          }
          const snapshot = await persistence.readIndex(ALICE, inbox.meta);
          const index = new MailboxIndex(inbox.meta.uidValidity, snapshot);
          const locked = (flag: string) => !rights.includes(rightFor(flag));
          const expected = index.updateFlags(uids, operation, list, undefined, locked);
          const result = await persistence.updateFlagsAllocating(
            ALICE,
            inbox.meta,
            {
              uids,
              operation,
              flags: normalizeFlags(list).filter((flag) => !locked(flag)),
              locked: {
                seen: !rights.includes('s'),
                deleted: !rights.includes('t'),
                other: !rights.includes('w'),
              },
            },
            snapshot.highestModSeq,
          );
          const what = `${operation} ${JSON.stringify(list)} with rights ${rights}`;
          expect(result.updated, what).toEqual(
            expected.updated.map(({ uid, flags, modSeq }) => ({ uid, flags, modSeq })),
          );
          expect(result.modified, what).toEqual([]);
          expect(result.changes, what).toBeNull();
          const after = await persistence.readIndex(ALICE, inbox.meta);
          expect(
            after.entries.map((entry) => entry.flags),
            what,
          ).toEqual(index.all().map((entry) => entry.flags));
          expect(after.highestModSeq, what).toBe(index.highestModSeq);
          checked++;
        }
      }
    }
    expect(checked).toBe(3 * lists.length * rightsSets.length);
  }, 60_000);
});
