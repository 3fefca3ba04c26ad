/**
 * Kerio 30.1 reindexing and crash leftovers: whatever state a folder's files are found in, the
 * store opens it, keeps every message it can, and says what it repaired.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Logger } from '@mailyard/mailstore-interface';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FsMailStore,
  INDEX_FILE,
  MESSAGES_DIRECTORY,
  SUMMARIES_FILE,
  TREE_FILE,
  readIndexText,
  snapshotText,
  treeDirectory,
} from '../src/index.js';

const ALICE = 'alice@example.com';
const message = (n: number) =>
  Buffer.from(`Subject: message ${n}\r\nMessage-ID: <m${n}@x>\r\n\r\nBody ${n}\r\n`);

let directory: string;
let warnings: string[];
const logger: Logger = {
  info() {},
  warn: (text) => warnings.push(text),
  error: (text) => warnings.push(text),
};
const open = () => new FsMailStore({ directory, logger });

/** The directory of one of Alice's folders, from the store's own tree file. */
function folderDirectory(name: string): string {
  const treeDir = join(directory, treeDirectory(ALICE));
  const tree = JSON.parse(readFileSync(join(treeDir, TREE_FILE), 'utf8')) as {
    mailboxes: { id: string; path: string }[];
    directories: Record<string, string>;
  };
  const id = tree.mailboxes.find((m) => m.path === name)!.id;
  return join(treeDir, tree.directories[id]!);
}

async function inboxWith(count: number, flags: string[][] = []): Promise<void> {
  const store = open();
  await store.access(ALICE).append(
    'INBOX',
    Array.from({ length: count }, (_, i) => ({ content: message(i + 1), flags: flags[i] ?? [] })),
  );
  await store.close();
}

async function inboxState(store = open()) {
  const box = await store.access(ALICE).open('INBOX');
  return (await box.messages()).map((m) => [m.uid, m.flags]);
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mailyard-recovery-'));
  warnings = [];
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('reindexing', () => {
  it('rebuilds an index renamed to index.bad, keeping its flags, and warns', async () => {
    await inboxWith(3, [['\\Seen'], [], ['\\Flagged', 'Work']]);
    const folder = folderDirectory('INBOX');
    renameSync(join(folder, INDEX_FILE), join(folder, 'index.bad'));
    expect(await inboxState()).toEqual([
      [1, ['\\Seen']],
      [2, []],
      [3, ['\\Flagged', 'Work']],
    ]);
    expect(warnings.join('\n')).toMatch(/index\.bad/);
    expect(existsSync(join(folder, INDEX_FILE))).toBe(true);
  });

  it('rebuilds a deleted index from the message files, and warns', async () => {
    await inboxWith(2, [['\\Seen']]);
    rmSync(join(folderDirectory('INBOX'), INDEX_FILE));
    expect(await inboxState()).toEqual([
      [1, []],
      [2, []],
    ]);
    expect(warnings.join('\n')).toMatch(/missing/);
  });

  it('drops a torn last line, the one operation that never completed, without reindexing', async () => {
    await inboxWith(2);
    const store = open();
    await (
      await store.access(ALICE).open('INBOX')
    ).updateFlags([2], { operation: 'add', flags: ['\\Seen'] });
    await store.close();
    const index = join(folderDirectory('INBOX'), INDEX_FILE);
    const text = readFileSync(index);
    writeFileSync(index, text.subarray(0, text.length - 5));
    expect(await inboxState()).toEqual([
      [1, []],
      [2, []],
    ]);
    expect(warnings).toEqual([]);
    // The torn bytes are gone, so the next record lines up.
    const reopened = open();
    await (
      await reopened.access(ALICE).open('INBOX')
    ).updateFlags([1], { operation: 'add', flags: ['\\Answered'] });
    expect(await inboxState(open())).toEqual([
      [1, ['\\Answered']],
      [2, []],
    ]);
  });

  it('rebuilds an index damaged in the middle, keeping the flags read before the damage', async () => {
    await inboxWith(3, [['\\Seen'], ['\\Seen'], ['\\Seen']]);
    const index = join(folderDirectory('INBOX'), INDEX_FILE);
    const lines = readFileSync(index, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('\\Seen', '\\Seex');
    writeFileSync(index, lines.join('\n'));
    expect(await inboxState()).toEqual([
      [1, ['\\Seen']],
      [2, []],
      [3, []],
    ]);
    expect(warnings.join('\n')).toMatch(/damaged/);
    expect(existsSync(join(folderDirectory('INBOX'), 'index.bad'))).toBe(true);
  });

  it('adopts message files dropped in by hand when asked to reindex (index.bad)', async () => {
    await inboxWith(2);
    const folder = folderDirectory('INBOX');
    writeFileSync(join(folder, MESSAGES_DIRECTORY, 'imported.eml'), message(99));
    renameSync(join(folder, INDEX_FILE), join(folder, 'index.bad'));
    const store = open();
    const box = await store.access(ALICE).open('INBOX');
    const records = await box.fetch([1, 2, 3]);
    expect(records.map((r) => [r.uid, r.summary.subject])).toEqual([
      [1, 'message 1'],
      [2, 'message 2'],
      [3, 'message 99'],
    ]);
    const [next] = await store.access(ALICE).append('INBOX', [{ content: message(4) }]);
    expect(next!.uid).toBe(4);
  });
});

describe('crash leftovers', () => {
  it('removes temporary files and message files the index does not know', async () => {
    await inboxWith(1);
    const folder = folderDirectory('INBOX');
    writeFileSync(join(folder, MESSAGES_DIRECTORY, '00000002.eml'), message(2));
    writeFileSync(join(folder, MESSAGES_DIRECTORY, '00000003.eml.a1b2c3.tmp'), 'partial');
    writeFileSync(join(folder, '.index.fld.d4e5f6.tmp'), 'partial');
    expect(await inboxState()).toEqual([[1, []]]);
    expect(readdirSync(join(folder, MESSAGES_DIRECTORY)).sort()).toEqual(['00000001.eml']);
    expect(readdirSync(folder).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('expunges, with an error logged, an entry whose message file is gone', async () => {
    await inboxWith(2);
    rmSync(join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000001.eml'));
    const store = open();
    const box = await store.access(ALICE).open('INBOX');
    expect((await box.messages()).map((m) => m.uid)).toEqual([2]);
    expect(await box.vanishedSince(0)).toEqual([1]);
    expect(warnings.join('\n')).toMatch(/missing/);
  });

  it('computes lost summaries again from the message files', async () => {
    await inboxWith(2);
    rmSync(join(folderDirectory('INBOX'), SUMMARIES_FILE));
    const store = open();
    const records = await (await store.access(ALICE).open('INBOX')).fetch([1, 2]);
    expect(records.map((r) => r.summary.subject)).toEqual(['message 1', 'message 2']);
  });
});

describe('folder names on disk', () => {
  const hostile = [
    'Work',
    'work',
    'WORK',
    'Work/#msgs',
    'Work/index.fld',
    'Work/summaries.fld',
    'Work/index.bad',
    'back\\slash',
    'colon:name',
    'quote"and<angle>|pipe?',
    'percent 2e',
    '.hidden',
    'Work/~tilde',
    'x'.repeat(255),
    'ü'.repeat(200),
    '日本語'.repeat(40),
  ];

  it('gives every name its own directory inside the user’s tree, and keeps their messages apart', async () => {
    const store = open();
    const alice = store.access(ALICE);
    for (const [i, name] of hostile.entries()) {
      await alice.create(name);
      await alice.append(name, [{ content: message(i) }]);
    }
    await store.close();
    const treeDir = resolve(directory, treeDirectory(ALICE));
    const reopened = open();
    for (const [i, name] of hostile.entries()) {
      const folder = resolve(folderDirectory(name));
      expect(relative(treeDir, folder).startsWith('..')).toBe(false);
      const [record] = await (await reopened.access(ALICE).open(name)).fetch([1]);
      expect(record!.summary.subject).toBe(`message ${i}`);
    }
    const directories = hostile.map((name) => resolve(folderDirectory(name)).toLowerCase());
    expect(new Set(directories).size).toBe(hostile.length);
  });

  it('keeps every directory name short enough for any filesystem', async () => {
    const store = open();
    for (const name of hostile) await store.access(ALICE).create(name);
    for (const name of hostile) {
      for (const part of relative(directory, folderDirectory(name)).split('/')) {
        expect(Buffer.byteLength(part)).toBeLessThanOrEqual(200);
      }
    }
  });
});

describe('appends a crash interrupted', () => {
  /** Appends and walks away without closing the store, as a process killed afterwards would. */
  async function appendAndCrash(contents: Buffer[]): Promise<number[]> {
    const store = open();
    const results = await store.access(ALICE).append(
      'INBOX',
      contents.map((content) => ({ content })),
    );
    return results.map((result) => result.uid);
  }
  const indexLines = () =>
    readFileSync(join(folderDirectory('INBOX'), INDEX_FILE), 'utf8').split('\n');
  const messageFiles = () => readdirSync(join(folderDirectory('INBOX'), MESSAGES_DIRECTORY)).sort();
  const subjects = async (store = open()) => {
    const box = await store.access(ALICE).open('INBOX');
    const uids = (await box.messages()).map((m) => m.uid);
    return (await box.fetch(uids)).map((r) => [r.uid, r.summary.subject]);
  };

  it('keeps a batch found whole, flushes it and confirms it, once', async () => {
    await inboxWith(1);
    await appendAndCrash([message(2), message(3)]);
    expect(indexLines().at(-2)).toMatch(/^\* 3 /);
    expect(await subjects()).toEqual([
      [1, 'message 1'],
      [2, 'message 2'],
      [3, 'message 3'],
    ]);
    expect(indexLines().at(-2)).toMatch(/^= 3 #/);
    expect(warnings).toEqual([]);
    // Confirmed: the next open trusts the batch without reading its files.
    writeFileSync(join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000003.eml'), message(4));
    expect((await subjects()).map(([uid]) => uid)).toEqual([1, 2, 3]);
  });

  it('repairs a folder once when several callers open it at once after the crash', async () => {
    await inboxWith(1);
    await appendAndCrash([message(2)]);
    const store = open();
    const alice = store.access(ALICE);
    // A delivery's STATUS beside an IMAP SELECT, say: one reading of the index serves both.
    const [status, box] = await Promise.all([alice.status('INBOX'), alice.open('INBOX')]);
    expect(status.uidNext).toBe(3);
    expect((await box.messages()).map((m) => m.uid)).toEqual([1, 2]);
    expect(indexLines().filter((line) => line.startsWith('= 2 '))).toHaveLength(1);
    expect(indexLines().at(-2)).toMatch(/^= 2 #/);
    expect(warnings).toEqual([]);
  });

  it('discards, files and all, a batch whose lines the crash tore', async () => {
    await inboxWith(1);
    await appendAndCrash([message(2), message(3), message(4)]);
    const index = join(folderDirectory('INBOX'), INDEX_FILE);
    const text = readFileSync(index, 'utf8');
    const second = text.indexOf('\n* 3 ') + 1;
    for (const cut of [second + 20, second + text.slice(second).indexOf('\n') + 1]) {
      writeFileSync(index, text.slice(0, cut));
      expect(await subjects()).toEqual([[1, 'message 1']]);
      expect(messageFiles()).toEqual(['00000001.eml']);
      expect(warnings.join('\n')).toMatch(/interrupted/);
      expect(readFileSync(index, 'utf8')).toBe(text.slice(0, text.indexOf('\n* 2 ') + 1));
      // The files are gone with the lines; put them back for the next cut.
      await appendAndCrash([message(2), message(3), message(4)]);
      warnings = [];
    }
    expect(await subjects()).toHaveLength(4);
  });

  it('discards the whole batch when one of its files never reached the disk', async () => {
    await inboxWith(1);
    await appendAndCrash([message(2), message(3)]);
    rmSync(join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000003.eml'));
    const store = open();
    expect(await subjects(store)).toEqual([[1, 'message 1']]);
    // Never acknowledged, so not expunged either: it never happened.
    expect(await (await store.access(ALICE).open('INBOX')).vanishedSince(0)).toEqual([]);
    expect(messageFiles()).toEqual(['00000001.eml']);
    expect(warnings.join('\n')).toMatch(/interrupted/);
    expect(warnings.join('\n')).not.toMatch(/missing/);
    const [again] = await store.access(ALICE).append('INBOX', [{ content: message(5) }]);
    expect(again!.uid).toBe(2);
  });

  it('discards a batch whose file is short or not what was written', async () => {
    for (const damage of [
      (content: Buffer) => content.subarray(0, content.length >> 1),
      (content: Buffer) => Buffer.alloc(content.length),
    ]) {
      rmSync(directory, { recursive: true, force: true });
      await inboxWith(1);
      await appendAndCrash([message(2)]);
      const file = join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000002.eml');
      writeFileSync(file, damage(readFileSync(file)));
      expect(await subjects()).toEqual([[1, 'message 1']]);
      expect(existsSync(file)).toBe(false);
    }
  });

  it('takes any later line, and a clean close, as proof the batch reached the disk', async () => {
    await inboxWith(1);
    const crashed = open();
    await crashed.access(ALICE).append('INBOX', [{ content: message(2) }]);
    await (
      await crashed.access(ALICE).open('INBOX')
    ).updateFlags([2], { operation: 'add', flags: ['\\Seen'] });
    const file = join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000002.eml');
    writeFileSync(file, Buffer.alloc(readFileSync(file).length));
    expect(await inboxState()).toEqual([
      [1, []],
      [2, ['\\Seen']],
    ]);
    const closed = open();
    await closed.access(ALICE).append('INBOX', [{ content: message(3) }]);
    await closed.close();
    expect(indexLines().at(-2)).toMatch(/^= 3 #/);
    rmSync(join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000003.eml'));
    // A confirmed message whose file is gone is the old repair: expunged, with an error.
    expect((await inboxState()).map(([uid]) => uid)).toEqual([1, 2]);
    expect(warnings.join('\n')).toMatch(/missing/);
  });

  it('takes back a failed append, so that nothing of it is left', async () => {
    await inboxWith(1);
    // A directory where the second message's file should go makes its rename fail.
    const blocker = join(folderDirectory('INBOX'), MESSAGES_DIRECTORY, '00000003.eml');
    mkdirSync(blocker);
    const store = open();
    const before = readFileSync(join(folderDirectory('INBOX'), INDEX_FILE), 'utf8');
    await expect(
      store.access(ALICE).append('INBOX', [{ content: message(2) }, { content: message(3) }]),
    ).rejects.toThrow();
    expect(readFileSync(join(folderDirectory('INBOX'), INDEX_FILE), 'utf8')).toBe(before);
    expect(messageFiles()).toEqual(['00000001.eml', '00000003.eml']);
    rmSync(blocker, { recursive: true });
    const [next] = await store.access(ALICE).append('INBOX', [{ content: message(2) }]);
    expect(next!.uid).toBe(2);
    expect(await subjects()).toEqual([
      [1, 'message 1'],
      [2, 'message 2'],
    ]);
  });
});

describe('stores written by earlier versions', () => {
  it('opens an index of `+` lines and goes on appending to it', async () => {
    await inboxWith(2, [['\\Seen']]);
    const index = join(folderDirectory('INBOX'), INDEX_FILE);
    const reading = readIndexText(readFileSync(index, 'utf8'));
    // What an earlier version wrote: the same records, none of them `*` or `=`.
    writeFileSync(index, snapshotText(reading.ok ? reading.snapshot : (undefined as never)));
    expect(readFileSync(index, 'utf8')).not.toMatch(/^[*=] /m);
    const store = open();
    await store.access(ALICE).append('INBOX', [{ content: message(3) }]);
    expect(await inboxState(store)).toEqual([
      [1, ['\\Seen']],
      [2, []],
      [3, []],
    ]);
    expect(await inboxState(open())).toEqual([
      [1, ['\\Seen']],
      [2, []],
      [3, []],
    ]);
    expect(warnings).toEqual([]);
  });

  it('cuts off summaries an earlier crash left for UIDs never given out, and torn ones', async () => {
    await inboxWith(1);
    const summaries = join(folderDirectory('INBOX'), SUMMARIES_FILE);
    const first = readFileSync(summaries, 'utf8');
    // An earlier version wrote summaries before the index: a crash in between left this.
    const stale = first.replace(/^1\t/, '2\t').replace('message 1', 'stale');
    writeFileSync(summaries, first + stale + '3\t{"torn');
    const store = open();
    await store.access(ALICE).open('INBOX');
    expect(readFileSync(summaries, 'utf8')).toBe(first);
    await store.access(ALICE).append('INBOX', [{ content: message(2) }]);
    await store.close();
    // Even if the new summary line were lost, the stale one could not stand in for it.
    writeFileSync(summaries, first);
    const [record] = await (await open().access(ALICE).open('INBOX')).fetch([2]);
    expect(record!.summary.subject).toBe('message 2');
  });
});
