/**
 * Issue 11: a file that cannot be read is not a file that does not exist. Each test makes one of
 * the store's files fail to read for real (a directory in its place: EISDIR; or this process out
 * of file descriptors: EMFILE), and checks that the operation fails with `unavailable`, that
 * nothing on disk changed, and that every mailbox and message is back, flags and all, once the
 * cause is gone.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type Logger,
  type MailStore,
  type MailboxMeta,
  StoreEngine,
  type TreeKey,
  isMailStoreError,
} from '@mailyard/mailstore-interface';
import { exhaustFileDescriptors } from '@mailyard/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FsMailStore,
  FsPersistence,
  INDEX_FILE,
  SUMMARIES_FILE,
  TREE_FILE,
  treeDirectory,
} from '../src/index.js';
import { SummaryFile } from '../src/summary-file.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const message = (n: number) =>
  Buffer.from(`Subject: message ${n}\r\nMessage-ID: <m${n}@x>\r\n\r\nBody ${n}\r\n`);

let directory: string;
let aside: string;
let errors: string[];
const logger: Logger = { info() {}, warn() {}, error: (text) => errors.push(text) };
const open = () => new FsMailStore({ directory, logger });

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mailyard-read-failures-'));
  aside = mkdtempSync(join(tmpdir(), 'mailyard-aside-'));
  errors = [];
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
  rmSync(aside, { recursive: true, force: true });
});

/** Every file of the store, by path, with its content: what "nothing changed on disk" compares. */
function snapshot(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        files[`${relative(directory, full)}/`] = '';
        walk(full);
      } else files[relative(directory, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(directory);
  return files;
}

/**
 * Makes `path` unreadable by putting a directory in its place (reading it fails with EISDIR;
 * root ignores file modes, so chmod would not do); returns what undoes it.
 */
function unreadable(path: string): () => void {
  const saved = join(aside, String(Math.random()).slice(2));
  renameSync(path, saved);
  mkdirSync(path);
  return () => {
    rmSync(path, { recursive: true });
    renameSync(saved, path);
  };
}

/** A user with many folders, nested ones, messages with flags and keywords, a subscription. */
async function aliceWithMail(folders = 20): Promise<void> {
  const store = open();
  const alice = store.access(ALICE);
  for (let i = 1; i <= folders; i++) {
    await alice.create(`Folder ${i}`);
    await alice.append(`Folder ${i}`, [{ content: message(i), flags: ['\\Seen', `$Label${i}`] }]);
  }
  await alice.create('Work/Projects/2026');
  await alice.subscribe('Work/Projects/2026');
  await alice.append('INBOX', [
    { content: message(1001), flags: ['\\Seen'] },
    { content: message(1002), flags: ['\\Flagged', 'Important'] },
    { content: message(1003) },
  ]);
  const inbox = await alice.open('INBOX');
  await inbox.updateFlags([3], { operation: 'add', flags: ['\\Answered'] });
  inbox.close();
  await store.access(BOB).append('INBOX', [{ content: message(2001) }]);
  await store.close();
}

/** Everything Alice can see: folder names, and each folder's state and messages. */
async function aliceView(store: MailStore): Promise<unknown> {
  const alice = store.access(ALICE);
  const names = (await alice.list()).map((m) => m.name);
  const folders: unknown[] = [];
  for (const name of names) {
    const box = await alice.open(name, { readOnly: true });
    const { recent: _recent, ...status } = await box.status();
    const records = await box.fetch((await box.messages()).map((m) => m.uid));
    const bodies = [];
    for (const { uid } of records) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of box.read(uid)) chunks.push(chunk);
      bodies.push(Buffer.concat(chunks).toString());
    }
    folders.push({ name, uidValidity: box.uidValidity, status, records, bodies });
    box.close();
  }
  return { names, subscriptions: await alice.subscriptions(), folders };
}

async function expectUnavailable(operation: Promise<unknown>): Promise<void> {
  await expect(operation).rejects.toSatisfy((error: unknown) =>
    isMailStoreError(error, 'unavailable'),
  );
}

const treeFile = () => join(directory, treeDirectory(ALICE), TREE_FILE);

function folderDirectory(name: string): string {
  const tree = JSON.parse(readFileSync(treeFile(), 'utf8')) as {
    mailboxes: { id: string; path: string }[];
    directories: Record<string, string>;
  };
  const id = tree.mailboxes.find((m) => m.path === name)!.id;
  return join(directory, treeDirectory(ALICE), tree.directories[id]!);
}

describe('a tree file that cannot be read', () => {
  it('fails SELECT with unavailable, writes no new tree, and the tree is back once readable', async () => {
    await aliceWithMail();
    const expected = await aliceView(open());
    const store = open();
    const before = snapshot();
    const restore = unreadable(treeFile());
    await expectUnavailable(store.access(ALICE).open('INBOX'));
    await expectUnavailable(store.access(ALICE).status('INBOX'));
    await expectUnavailable(store.deliver(ALICE, { content: message(9) }));
    await expectUnavailable(store.provision(ALICE));
    restore();
    expect(snapshot()).toEqual(before);
    // The same store: the failure was not remembered as "no tree".
    expect(await aliceView(store)).toEqual(expected);
    await store.close();
    expect(await aliceView(open())).toEqual(expected);
    expect(readdirSync(join(directory, treeDirectory(ALICE)))).not.toContain('INBOX~2');
  });

  it('is damaged when it holds no tree record: unavailable, logged, and left as it is', async () => {
    await aliceWithMail(3);
    for (const damage of ['{"key": "alice@example.com", "mailb', '[]', 'null']) {
      writeFileSync(treeFile(), damage);
      const before = snapshot();
      const store = open();
      await expectUnavailable(store.access(ALICE).open('INBOX'));
      await expectUnavailable(store.deliver(ALICE, { content: message(9) }));
      // Another user's listing leaves the damaged tree out rather than failing.
      expect((await store.access(BOB).list()).map((m) => m.name)).toContain('INBOX');
      expect(snapshot()).toEqual(before);
      expect(errors.some((text) => text.includes('tree file damaged'))).toBe(true);
      await store.close();
    }
  });
});

describe('a folder index that cannot be read', () => {
  it('fails the folder with unavailable, rebuilds nothing, and keeps every flag', async () => {
    await aliceWithMail(3);
    const expected = await aliceView(open());
    const store = open();
    await store.access(ALICE).list();
    const before = snapshot();
    const restore = unreadable(join(folderDirectory('INBOX'), INDEX_FILE));
    await expectUnavailable(store.access(ALICE).open('INBOX'));
    await expectUnavailable(store.access(ALICE).status('INBOX'));
    await expectUnavailable(store.deliver(ALICE, { content: message(9) }));
    restore();
    expect(snapshot()).toEqual(before);
    expect(await aliceView(store)).toEqual(expected);
    await store.close();
    expect(await aliceView(open())).toEqual(expected);
  });

  it('keeps an unconfirmed last batch whose message file cannot be read', async () => {
    // A process that stopped after an append, before confirming it: the next load checks the
    // batch's files. A file it cannot read proves nothing, and its batch must not be discarded.
    const first = open();
    await first.access(ALICE).append('INBOX', [{ content: message(1) }, { content: message(2) }]);
    const folder = folderDirectory('INBOX');
    const restore = unreadable(join(folder, '#msgs', '00000002.eml'));
    const store = open();
    const before = snapshot();
    await expectUnavailable(store.access(ALICE).open('INBOX'));
    expect(snapshot()).toEqual(before);
    restore();
    const box = await store.access(ALICE).open('INBOX');
    expect((await box.messages()).map((m) => m.uid)).toEqual([1, 2]);
    await store.close();
    await first.close();
  });
});

describe('summaries that cannot be read', () => {
  it('fail the read instead of reading as "none"', async () => {
    const path = join(directory, SUMMARIES_FILE);
    mkdirSync(path);
    await expect(new SummaryFile(path).read([1])).rejects.toMatchObject({ code: 'EISDIR' });
    expect(statSync(path).isDirectory()).toBe(true);
  });
});

describe('a process out of file descriptors', () => {
  it('fails SELECT with unavailable, and the same store finds the whole tree afterwards', async () => {
    await aliceWithMail(90);
    const expected = await aliceView(open());
    const store = open();
    const before = snapshot();
    const restore = exhaustFileDescriptors();
    try {
      await expectUnavailable(store.access(ALICE).open('INBOX'));
      await expectUnavailable(store.access(ALICE).list());
      await expectUnavailable(store.deliver(ALICE, { content: message(9) }));
    } finally {
      restore();
    }
    expect(snapshot()).toEqual(before);
    expect(await aliceView(store)).toEqual(expected);
    expect((expected as { names: string[] }).names).toHaveLength(90 + 3 + 9);
    await store.close();
  });

  it('leaves no half-made folder of a new user behind to push INBOX aside', async () => {
    const store = open();
    const restore = exhaustFileDescriptors();
    try {
      await expectUnavailable(store.provision('carol@example.com'));
    } finally {
      restore();
    }
    await store.provision('carol@example.com');
    const tree = join(directory, treeDirectory('carol@example.com'));
    expect(readdirSync(tree).filter((name) => name.includes('~'))).toEqual([]);
    expect((await store.access('carol@example.com').status('INBOX')).messages).toBe(0);
    await store.close();
  });
});

describe('a tree whose creation failed halfway', () => {
  /** The store's persistence, with the third folder of one creation failing (ENOSPC, say). */
  class ThirdFolderFails extends FsPersistence {
    private created = 0;
    failing = true;
    override async createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
      if (this.failing && ++this.created === 3) {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      return super.createMailbox(tree, mailbox);
    }
  }

  it('does not exist for readers, and is created whole on the next try', async () => {
    const persistence = new ThirdFolderFails(directory, logger);
    const store = new StoreEngine({ persistence });
    await expectUnavailable(store.provision('carol@example.com'));
    // Nothing was written that says the tree exists.
    expect(await persistence.readTree('carol@example.com')).toBeNull();
    persistence.failing = false;
    await store.provision('carol@example.com');
    const tree = join(directory, treeDirectory('carol@example.com'));
    expect(readdirSync(tree).filter((name) => name.includes('~'))).toEqual([]);
    const names = (await store.access('carol@example.com').list()).map((m) => m.name);
    expect(names).toContain('INBOX');
    expect(names).toContain('Sent Items');
    await store.close();
    const reopened = open();
    expect((await reopened.access('carol@example.com').list()).map((m) => m.name)).toEqual(names);
    await reopened.close();
  });
});
