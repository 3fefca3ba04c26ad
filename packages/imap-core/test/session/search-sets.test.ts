import { MemoryMailStore } from '@mailyard/mailstore-interface';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSearch } from '../../src/session/search-evaluator.js';
import { UidSet } from '../../src/session/uid-set.js';
import { ALICE, TestClient, message } from './harness.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

/** A mailbox with UIDs 1 to `count`, some of them expunged, selected. */
async function mailboxWithGaps(count: number, expunged: readonly number[]) {
  const store = new MemoryMailStore();
  for (let i = 1; i <= count; i++) await store.deliver(ALICE, { content: message(`m${i}`) });
  if (expunged.length > 0) {
    const inbox = await store.access(ALICE).open('INBOX');
    await inbox.updateFlags(expunged, { operation: 'add', flags: ['\\Deleted'] });
    await inbox.expunge(expunged);
  }
  const client = await TestClient.loggedIn({ store });
  await client.command('s SELECT INBOX');
  return client;
}

describe('SEARCH over sets of messages', () => {
  it('runs thousands of set keys as one set: its size is the ranges written, not the messages', async () => {
    for (const messages of [10, 1000]) {
      const client = await mailboxWithGaps(messages, []);
      const key = {
        type: 'and' as const,
        keys: Array.from({ length: 3600 }, () => ({
          type: 'uid' as const,
          set: { type: 'ranges' as const, ranges: [{ start: 1, end: 4294967295 }] },
        })),
      };
      const compiled = compileSearch(key, client.session.selected!, 'utf-8', 0);
      expect(compiled.type).toBe('uids');
      expect(compiled.type === 'uids' && compiled.uids.rangeCount).toBe(1);
      const line = `a UID SEARCH ${Array.from({ length: 3600 }, () => 'UID 1:4294967295').join(' ')}`;
      expect(await client.command(line)).toMatch(
        new RegExp(`^\\* SEARCH 1 2 .* ${messages}\\r\\na OK Search completed\\r\\n$`),
      );
    }
  });

  it('combines sets under NOT and OR into one set, and keeps other keys beside it', async () => {
    const client = await mailboxWithGaps(5, []);
    const set = (start: number, end: number) => ({
      type: 'uid' as const,
      set: { type: 'ranges' as const, ranges: [{ start, end }] },
    });
    const compiled = compileSearch(
      {
        type: 'and',
        keys: [
          { type: 'not', key: set(2, 3) },
          { type: 'or', left: set(1, 1), right: set(3, 5) },
          { type: 'flag', flag: '\\Seen', set: false },
        ],
      },
      client.session.selected!,
      'utf-8',
      0,
    );
    expect(compiled).toEqual({
      type: 'and',
      keys: [
        {
          type: 'uids',
          uids: UidSet.fromRanges([
            [1, 1],
            [4, 5],
          ]),
        },
        { type: 'flag', flag: '\\Seen', set: false },
      ],
    });
    expect(await client.command('a UID SEARCH NOT UID 2:3 OR UID 1 UID 3:* UNSEEN')).toBe(
      '* SEARCH 1 4 5\r\na OK Search completed\r\n',
    );
  });

  it('finds what resolving each set on its own finds (message numbers, UIDs, *, $, gaps)', async () => {
    // UIDs 1..30 with some expunged: message numbers and UIDs differ.
    const expunged = [3, 4, 10, 17, 18, 19, 25, 30];
    const client = await mailboxWithGaps(30, expunged);
    const uids = Array.from({ length: 30 }, (_, i) => i + 1).filter((u) => !expunged.includes(u));
    await client.command('r UID SEARCH RETURN (SAVE) UID 2:12,20');
    const saved = uids.filter((u) => (u >= 2 && u <= 12) || u === 20);

    type Key = { text: string; matches: (uid: number) => boolean };
    const end = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant('*' as const));
    const range = fc.tuple(end, end);
    const set = fc.array(range, { minLength: 1, maxLength: 4 });
    const leaf: fc.Arbitrary<Key> = fc.oneof(
      fc.tuple(fc.boolean(), set).map(([byUid, ranges]): Key => {
        const largest = byUid ? uids[uids.length - 1]! : uids.length;
        const value = (n: number | '*') => (n === '*' ? largest : n);
        const text = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
        return {
          text: `${byUid ? 'UID ' : ''}${text}`,
          matches: (uid) => {
            const n = byUid ? uid : uids.indexOf(uid) + 1;
            return ranges.some(([a, b]) => {
              const [low, high] = [value(a), value(b)].sort((x, y) => x - y);
              return n >= low! && n <= high!;
            });
          },
        };
      }),
      fc.constant<Key>({ text: '$', matches: (uid) => saved.includes(uid) }),
      fc.constant<Key>({ text: 'ALL', matches: () => true }),
    );
    const key: fc.Arbitrary<Key> = fc.letrec<{ key: Key }>((tie) => ({
      key: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        tie('key').map((k): Key => ({ text: `NOT ${k.text}`, matches: (u) => !k.matches(u) })),
        fc.tuple(tie('key'), tie('key')).map(([a, b]): Key => ({
          text: `OR ${a.text} ${b.text}`,
          matches: (u) => a.matches(u) || b.matches(u),
        })),
        fc.tuple(tie('key'), tie('key')).map(([a, b]): Key => ({
          text: `(${a.text} ${b.text})`,
          matches: (u) => a.matches(u) && b.matches(u),
        })),
      ),
    })).key;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        const reply = await client.command(`u${n++} UID SEARCH ${k.text}`);
        const expected = uids.filter((u) => k.matches(u));
        expect(reply).toBe(
          `* SEARCH${expected.map((u) => ` ${u}`).join('')}\r\nu${n - 1} OK Search completed\r\n`,
        );
      }),
      { seed: 11, numRuns: runs },
    );
  });
});
