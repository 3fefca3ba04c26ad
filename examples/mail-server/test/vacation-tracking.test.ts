// The example server's vacation response tracking on disk: a sender is answered once per period,
// across instances (a restart), only a missing file means "nobody answered yet", and the file is
// bounded.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRACKING_FILE, VacationTrackingStore } from '../src/vacation-tracking.js';

const root = mkdtempSync(join(tmpdir(), 'mailyard-vacation-tracking-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let time = Date.parse('2026-12-05T12:00:00Z');
const clock = { now: () => time };
const store = (directory: string, maxEntries?: number) =>
  new VacationTrackingStore({
    userDirectory: (user) => join(directory, user, '#sieve'),
    clock,
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });

describe('VacationTrackingStore', () => {
  it('answers once per period, and a new instance (a restart) knows it', async () => {
    const directory = join(root, 'a');
    const first = store(directory);
    expect((await first.load('u@x')).replied('s@y', 'h', 3600)).toBe(false);
    await first.record('u@x', { sender: 's@y', handle: 'h', periodSeconds: 3600 });
    const second = store(directory);
    const replies = await second.load('u@x');
    expect(replies.replied('s@y', 'h', 3600)).toBe(true);
    expect(replies.replied('s@y', 'other handle', 3600)).toBe(false);
    expect(replies.replied('t@y', 'h', 3600)).toBe(false);
    time += 3601_000;
    expect((await second.load('u@x')).replied('s@y', 'h', 3600)).toBe(false);
  });

  it('fails on anything but a missing file: a directory in its place, a file not its own', async () => {
    const directory = join(root, 'b');
    mkdirSync(join(directory, 'u@x', '#sieve', TRACKING_FILE), { recursive: true });
    await expect(store(directory).load('u@x')).rejects.toThrow(/EISDIR/);
    mkdirSync(join(directory, 'v@x', '#sieve'), { recursive: true });
    writeFileSync(join(directory, 'v@x', '#sieve', TRACKING_FILE), '{"something": "else"}');
    await expect(store(directory).load('v@x')).rejects.toThrow(/not a vacation reply list/);
    await expect(
      store(directory).record('v@x', { sender: 's@y', handle: 'h', periodSeconds: 60 }),
    ).rejects.toThrow(/not a vacation reply list/);
    // Nothing was rewritten.
    expect(readFileSync(join(directory, 'v@x', '#sieve', TRACKING_FILE), 'utf8')).toBe(
      '{"something": "else"}',
    );
  });

  it('keeps at most maxEntries replies (the oldest go), and drops expired ones', async () => {
    const directory = join(root, 'c');
    const bounded = store(directory, 3);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        bounded.record('u@x', { sender: `s${i}@y`, handle: 'h', periodSeconds: 3600 }),
      ),
    );
    const file = JSON.parse(
      readFileSync(join(directory, 'u@x', '#sieve', TRACKING_FILE), 'utf8'),
    ) as { replies: { sender: string }[] };
    expect(file.replies.map((entry) => entry.sender)).toEqual(['s297@y', 's298@y', 's299@y']);
    time += 7200_000;
    await bounded.record('u@x', { sender: 'late@y', handle: 'h', periodSeconds: 3600 });
    const after = JSON.parse(
      readFileSync(join(directory, 'u@x', '#sieve', TRACKING_FILE), 'utf8'),
    ) as { replies: { sender: string }[] };
    expect(after.replies.map((entry) => entry.sender)).toEqual(['late@y']);
  });
});
