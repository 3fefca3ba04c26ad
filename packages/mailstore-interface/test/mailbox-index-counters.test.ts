import { describe, expect, it } from 'vitest';
import { MailboxIndex } from '../src/engine/mailbox-index.js';
import type { FlagOperation } from '../src/flags.js';

/** A small seeded generator (mulberry32): the same operations on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLAGS = ['\\Seen', '\\Deleted', '\\Flagged', '\\seen', '$Junk'];
const OPERATIONS: FlagOperation[] = ['add', 'remove', 'replace'];

/** The counters as the index had them before they were kept incrementally: a full recount. */
function recount(index: MailboxIndex) {
  let unseen = 0;
  let deleted = 0;
  let size = 0;
  for (const entry of index.all()) {
    if (!entry.flags.some((flag) => flag.toLowerCase() === '\\seen')) unseen++;
    if (entry.flags.some((flag) => flag.toLowerCase() === '\\deleted')) deleted++;
    size += entry.size;
  }
  return { messages: index.all().length, unseen, deleted, size };
}

describe('MailboxIndex counters', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`match a full recount after random appends, flag changes and expunges (seed ${seed})`, () => {
      const random = seeded(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const someFlags = () => FLAGS.filter(() => random() < 0.3);
      const someUids = (index: MailboxIndex) => {
        const uids = index.all().map((entry) => entry.uid);
        // Also UIDs that are not there, and the same UID twice.
        return [
          ...uids.filter(() => random() < 0.2),
          index.uidNext + 3,
          uids[0] ?? 1,
          uids[0] ?? 1,
        ];
      };
      let index = new MailboxIndex(7);
      for (let step = 0; step < 400; step++) {
        const roll = random();
        if (roll < 0.35) {
          index.append(
            Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
              flags: someFlags(),
              internalDate: 0,
              saveDate: 0,
              size: Math.floor(random() * 5000),
              emailId: `e${step}`,
            })),
          );
        } else if (roll < 0.75) {
          const locked = random() < 0.3 ? (flag: string) => flag === '\\Seen' : undefined;
          const since = random() < 0.2 ? Math.floor(random() * index.highestModSeq) : undefined;
          index.updateFlags(someUids(index), pick(OPERATIONS), someFlags(), since, locked);
        } else if (roll < 0.9) {
          index.expunge(random() < 0.5 ? index.deletedAmong() : someUids(index));
        } else if (roll < 0.95) {
          index.claimRecent();
        } else {
          // A reload from what it persists (a store reading its index again).
          const { uidValidity, ...snapshot } = index.snapshot();
          index = new MailboxIndex(uidValidity, snapshot);
        }
        expect(index.counters()).toEqual(recount(index));
        expect(index.states()).toEqual(
          index.all().map(({ uid, flags, modSeq }) => ({ uid, flags, modSeq })),
        );
      }
    });
  }

  for (const seed of [5, 6, 7]) {
    it(`caught up with another process's changes, match that process's index and a recount (seed ${seed})`, () => {
      const random = seeded(seed);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const someFlags = () => FLAGS.filter(() => random() < 0.3);
      const other = new MailboxIndex(9);
      const local = new MailboxIndex(9);
      for (let step = 0; step < 300; step++) {
        const roll = random();
        const uids = other.all().map((entry) => entry.uid);
        if (roll < 0.4) {
          other.append([
            { flags: someFlags(), internalDate: 0, saveDate: 0, size: step, emailId: `e${step}` },
          ]);
        } else if (roll < 0.7) {
          other.updateFlags(
            uids.filter(() => random() < 0.3),
            pick(OPERATIONS),
            someFlags(),
          );
        } else if (roll < 0.8) {
          other.expunge(uids.filter(() => random() < 0.2));
        } else {
          // What a shared store reads back: rows changed and expunges after the local copy's
          // mod-sequence.
          const since = local.highestModSeq;
          local.applyChanges({
            uidNext: other.uidNext,
            highestModSeq: other.highestModSeq,
            changed: other.all().filter((entry) => entry.modSeq > since),
            expunged: other.snapshot().expunged.filter((entry) => entry.modSeq > since),
          });
          expect(local.all()).toEqual(other.all());
          expect(local.states()).toEqual(other.states());
          expect(local.counters()).toEqual(recount(local));
          expect(local.counters()).toEqual(other.counters());
          expect(local.vanishedSince(0)).toEqual(other.vanishedSince(0));
          expect(local.unclaimedRecent()).toBe(0);
          expect(local.get(other.uidNext - 1)).toEqual(other.get(other.uidNext - 1));
        }
      }
    });
  }

  it('gives the same frozen states until the index changes', () => {
    const index = new MailboxIndex(1);
    index.append([{ flags: [], internalDate: 0, saveDate: 0, size: 10, emailId: 'a' }]);
    const first = index.states();
    expect(Object.isFrozen(first)).toBe(true);
    expect(index.states()).toBe(first);
    // A flag change that changes nothing leaves them as they are.
    index.updateFlags([1], 'remove', ['\\Seen']);
    expect(index.states()).toBe(first);
    index.updateFlags([1], 'add', ['\\Seen']);
    const second = index.states();
    expect(second).not.toBe(first);
    expect(second).toEqual([{ uid: 1, flags: ['\\Seen'], modSeq: 3 }]);
    expect(first).toEqual([{ uid: 1, flags: [], modSeq: 2 }]);
    index.expunge([1]);
    expect(index.states()).toEqual([]);
  });
});
