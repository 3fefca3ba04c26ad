import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@mailyard/mailstore-interface';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FsMailStore } from '../src/index.js';

const message = (n: number) =>
  Buffer.from(`From: a@example.com\r\nSubject: message ${n}\r\n\r\nBody ${n}\r\n`);

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  return { lines, info: () => undefined, warn: record, error: record };
}

async function subjects(store: FsMailStore, user: string, mailbox: string): Promise<string[]> {
  const open = await store.access(user).open(mailbox, { readOnly: true });
  const records = await open.fetch((await open.messages()).map((state) => state.uid));
  open.close();
  return records.map(
    (record) => `${record.uid} ${record.summary.subject} ${record.flags.join(' ')}`,
  );
}

describe('FsMailStore.snapshot', () => {
  it('takes every acknowledged message while appends go on, and the copy opens without a repair', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mailyard-snapshot-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const store = new FsMailStore({ directory });
    const users = ['ann@example.com', 'bob@example.com', 'cy@other.org'];
    const acknowledged = new Map<string, number[]>(users.map((user) => [user, []]));
    let stop = false;
    let appended = 0;
    const writers = users.map(async (user, i) => {
      for (let n = 0; !stop; n++) {
        const [result] = await store.access(user).append('INBOX', [{ content: message(n) }]);
        acknowledged.get(user)!.push(result!.uid);
        appended++;
        if (n % 7 === i) {
          const inbox = await store.access(user).open('INBOX');
          await inbox.updateFlags([result!.uid], { operation: 'add', flags: ['\\Seen'] });
          inbox.close();
        }
      }
    });
    while (appended < 60) await new Promise((resolve) => setImmediate(resolve));
    const before = new Map([...acknowledged].map(([user, uids]) => [user, [...uids]]));
    const target = join(directory, 'snapshot');
    const counts = await store.snapshot(target);
    const mid = appended;
    while (appended < mid + 30) await new Promise((resolve) => setImmediate(resolve));
    stop = true;
    await Promise.all(writers);
    // Expunging after the snapshot leaves the snapshot's (linked) files alone.
    const inbox = await store.access('ann@example.com').open('INBOX');
    await inbox.updateFlags(before.get('ann@example.com')!, {
      operation: 'add',
      flags: ['\\Deleted'],
    });
    await inbox.expunge();
    inbox.close();
    await store.close();

    expect(counts.trees).toBe(3);
    expect(counts.linked).toBeGreaterThan(0);
    expect(await readdir(join(target, 'mail', 'example.com', 'ann', 'INBOX'))).not.toContain(
      'summaries.fld',
    );
    const logger = recordingLogger();
    const copy = new FsMailStore({ directory: target, logger });
    for (const user of users) {
      const taken = (await subjects(copy, user, 'INBOX')).map((line) => Number(line.split(' ')[0]));
      for (const uid of before.get(user)!) expect(taken).toContain(uid);
      expect(new Set(taken).size).toBe(taken.length);
    }
    await copy.close();
    expect(logger.lines).toEqual([]);
    const linkedFile = join(target, 'mail', 'example.com', 'ann', 'INBOX', '#msgs', '00000001.eml');
    expect((await stat(linkedFile)).nlink).toBe(1); // the live one was expunged: the link remains
  });
});
