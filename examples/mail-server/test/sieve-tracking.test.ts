// The example server's Sieve tracking on disk (vacation replies, duplicate ids): records hold
// for their period across instances (a restart), only a missing file means "nothing recorded",
// and the file is bounded.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SieveTrackingStore, TRACKING_FILE } from '../src/sieve-tracking.js';

const root = mkdtempSync(join(tmpdir(), 'mailyard-sieve-tracking-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let time = Date.parse('2026-12-05T12:00:00Z');
const clock = { now: () => time };
const store = (directory: string, maxEntries?: number) =>
  new SieveTrackingStore({
    userDirectory: (user: string) => join(directory, user, '#sieve'),
    clock,
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });
const vacation = (sender: string, periodSeconds = 3600) =>
  ({ kind: 'vacation', tracking: { sender, handle: 'h', periodSeconds } }) as const;
const duplicate = (id: string, periodSeconds = 3600) =>
  ({
    kind: 'duplicate',
    action: {
      type: 'duplicate',
      id,
      handle: '',
      periodSeconds,
      last: false,
      origin: { line: 1, column: 1 },
    },
  }) as const;
const entries = (directory: string, user: string) =>
  (
    JSON.parse(readFileSync(join(directory, user, '#sieve', TRACKING_FILE), 'utf8')) as {
      entries: { key: string }[];
    }
  ).entries;

describe('SieveTrackingStore', () => {
  it('lets one of two deliveries that both loaded before either recorded send the vacation reply', async () => {
    const directory = join(root, 'claims');
    const tracking = store(directory);
    // Two messages from one sender delivered at once: both runs see no reply yet.
    const [first, second] = await Promise.all([tracking.load('u@x'), tracking.load('u@x')]);
    expect(first.vacationReplied('s@y', 'h', 3600)).toBe(false);
    expect(second.vacationReplied('s@y', 'h', 3600)).toBe(false);
    const made = await Promise.all([
      tracking.record('u@x', [vacation('s@y'), duplicate('<a@x>')]),
      tracking.record('u@x', [vacation('s@y'), duplicate('<b@x>')]),
    ]);
    // One reply in all; the duplicate ids are recorded whatever happens to the reply.
    expect(made).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(entries(directory, 'u@x')).toHaveLength(3);
    // Past the period, a reply is made again.
    time += 3601_000;
    expect(await tracking.record('u@x', [vacation('s@y')])).toEqual([true]);
  });

  it('answers once per period and knows duplicates, also in a new instance (a restart)', async () => {
    const directory = join(root, 'a');
    const first = store(directory);
    const before = await first.load('u@x');
    expect(before.vacationReplied('s@y', 'h', 3600)).toBe(false);
    expect(before.duplicateSeen('<m@x>', '')).toBe(false);
    await first.record('u@x', [vacation('s@y'), duplicate('<m@x>', 60)]);
    const replies = await store(directory).load('u@x');
    expect(replies.vacationReplied('s@y', 'h', 3600)).toBe(true);
    expect(replies.vacationReplied('s@y', 'other handle', 3600)).toBe(false);
    expect(replies.vacationReplied('t@y', 'h', 3600)).toBe(false);
    expect(replies.duplicateSeen('<m@x>', '')).toBe(true);
    expect(replies.duplicateSeen('<m@x>', 'other')).toBe(false);
    time += 61_000;
    expect((await store(directory).load('u@x')).duplicateSeen('<m@x>', '')).toBe(false);
    time += 3600_000;
    expect((await store(directory).load('u@x')).vacationReplied('s@y', 'h', 3600)).toBe(false);
  });

  it('fails on anything but a missing file: a directory in its place, a file not its own', async () => {
    const directory = join(root, 'b');
    mkdirSync(join(directory, 'u@x', '#sieve', TRACKING_FILE), { recursive: true });
    await expect(store(directory).load('u@x')).rejects.toThrow(/EISDIR/);
    mkdirSync(join(directory, 'v@x', '#sieve'), { recursive: true });
    writeFileSync(join(directory, 'v@x', '#sieve', TRACKING_FILE), '{"something": "else"}');
    await expect(store(directory).load('v@x')).rejects.toThrow(/not a Sieve tracking file/);
    await expect(store(directory).record('v@x', [vacation('s@y')])).rejects.toThrow(
      /not a Sieve tracking file/,
    );
    // Nothing was rewritten.
    expect(readFileSync(join(directory, 'v@x', '#sieve', TRACKING_FILE), 'utf8')).toBe(
      '{"something": "else"}',
    );
  });

  it('keeps at most maxEntries records (the oldest go), and drops expired ones', async () => {
    const directory = join(root, 'c');
    const bounded = store(directory, 3);
    // 100 times the bound, written concurrently: none lost to a race, the newest three kept.
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => bounded.record('u@x', [vacation(`s${i}@y`)])),
    );
    const keys = entries(directory, 'u@x').map((entry) => entry.key.split('\0')[1]);
    expect(keys).toEqual(['s297@y', 's298@y', 's299@y']);
    time += 7200_000;
    await bounded.record('u@x', [vacation('late@y')]);
    expect(entries(directory, 'u@x').map((entry) => entry.key.split('\0')[1])).toEqual(['late@y']);
  });
});
