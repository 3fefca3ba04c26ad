import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  type ContentRequest,
  type IndexSnapshot,
  type Logger,
  type MailboxMeta,
  type MailboxMove,
  type MessageState,
  type StorePersistence,
  type StoredMessage,
  type TreeKey,
  type TreeRecord,
  DELIMITER,
  parentPath,
} from '@mailyard/mailstore-interface';
import type { MessageSummary } from '@mailyard/mime';
import {
  TEMPORARY_SUFFIX,
  nullIfMissing,
  syncDirectory,
  writeFileAtomically,
} from '@mailyard/mailstore-interface';
import { BackgroundReader } from './background-reader.js';
import { FolderStorage } from './folder-storage.js';
import {
  CHECKED_FILE,
  INDEX_FILE,
  MAIL_DIRECTORY,
  MESSAGES_DIRECTORY,
  SUMMARIES_FILE,
  TREE_FILE,
  folderDirectoryName,
  treeDirectory,
} from './store-layout.js';

/** What `#tree.json` holds: the engine's record, and which directory each mailbox lives in. */
interface TreeFile extends TreeRecord {
  readonly key: TreeKey;
  /** Mailbox id → directory, relative to the tree's directory. */
  readonly directories: Record<string, string>;
}

interface LoadedTreeFile {
  record: TreeRecord;
  /** Mailbox id → directory relative to the tree's. */
  directories: Map<string, string>;
  /** Mailbox path → id, including mailboxes created or moved since the record was last written. */
  ids: Map<string, string>;
  /**
   * Whether the tree file exists: false for a tree being created whose record was never
   * written. Such a tree does not exist for readers, and a creation that failed halfway is
   * forgotten when the tree is next read (see {@link FsPersistence.readTree}).
   */
  saved: boolean;
}

function loadedTree(
  record: TreeRecord,
  directories: Map<string, string>,
  saved: boolean,
): LoadedTreeFile {
  return {
    record,
    directories,
    ids: new Map(record.mailboxes.map((m) => [m.path, m.id])),
    saved,
  };
}

/** Kerio's on-disk store layout as a {@link StorePersistence}; see store-layout.ts. */
export class FsPersistence implements StorePersistence {
  private readonly trees = new Map<TreeKey, LoadedTreeFile>();
  private readonly folders = new Map<string, FolderStorage>();
  /** Where many message files are read at once, off the event loop. */
  private readonly reader = new BackgroundReader();

  constructor(
    /** The store directory (Kerio's `store/`); mail goes under its `mail/`. */
    readonly root: string,
    private readonly logger: Logger,
  ) {}

  async listTrees(): Promise<TreeKey[]> {
    const keys: TreeKey[] = [];
    const mail = join(this.root, MAIL_DIRECTORY);
    for (const level1 of await subdirectories(mail)) {
      const candidates = [join(mail, level1)];
      for (const level2 of await subdirectories(join(mail, level1))) {
        candidates.push(join(mail, level1, level2));
      }
      for (const directory of candidates) {
        const path = join(directory, TREE_FILE);
        try {
          const file = await this.readTreeFile(path);
          if (file) keys.push(file.key);
        } catch (error) {
          // A damaged tree file hides only that tree's shared folders from listings; reading it
          // for its owner still fails, and nothing is rewritten. I/O errors fail the listing.
          if (!(error instanceof DamagedTreeFile)) throw error;
          this.logger.error('tree file damaged; its tree is left out of listings', { path });
        }
      }
    }
    return keys;
  }

  async readTree(tree: TreeKey): Promise<TreeRecord | null> {
    // A creation that failed before its record was written: its half-made folders are reused
    // by the next creation (see placeFolder), not remembered under their old ids.
    if (this.trees.get(tree)?.saved === false) this.trees.delete(tree);
    return (await this.loadTree(tree))?.record ?? null;
  }

  async writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    const previous = await this.loadTree(tree);
    const loaded = loadedTree(
      record,
      previous?.directories ?? new Map<string, string>(),
      previous?.saved ?? false,
    );
    this.trees.set(tree, loaded);
    await this.saveTree(tree, loaded);
  }

  async deleteTree(tree: TreeKey): Promise<void> {
    const directory = join(this.root, treeDirectory(tree));
    for (const key of [...this.folders.keys()])
      if (key.startsWith(`${tree}\0`)) this.folders.delete(key);
    this.trees.delete(tree);
    await rm(directory, { recursive: true, force: true });
    // The domain directory may have gone with it (a store that never held another of its trees).
    await nullIfMissing(syncDirectory(dirname(directory)));
  }

  async createMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    const loaded = await this.treeForWrite(tree);
    const parent = parentPath(mailbox.path);
    const directory = await this.placeFolder(
      tree,
      loaded,
      mailbox.path,
      parent === null ? '' : this.directoryOf(loaded, parent),
    );
    loaded.directories.set(mailbox.id, directory);
    loaded.ids.set(mailbox.path, mailbox.id);
    try {
      await this.folder(tree, mailbox).create();
    } catch (error) {
      // Forget the half-made folder, so that a retry can place the mailbox under the same name
      // (placeFolder reuses the leftover directory: it holds no message).
      loaded.directories.delete(mailbox.id);
      loaded.ids.delete(mailbox.path);
      this.folders.delete(`${tree}\0${mailbox.id}`);
      throw error;
    }
  }

  async deleteMailbox(tree: TreeKey, mailbox: MailboxMeta): Promise<void> {
    const loaded = await this.treeForWrite(tree);
    const directory = loaded.directories.get(mailbox.id);
    this.folders.delete(`${tree}\0${mailbox.id}`);
    if (directory !== undefined) {
      await rm(join(this.root, treeDirectory(tree), directory), { recursive: true, force: true });
    }
    loaded.directories.delete(mailbox.id);
    loaded.ids.delete(mailbox.path);
  }

  async moveMailboxes(tree: TreeKey, moves: readonly MailboxMove[], into: TreeKey): Promise<void> {
    const source = await this.treeForWrite(tree);
    const target = into === tree ? source : await this.treeForWrite(into);
    const movedPaths = new Set(moves.map((move) => move.path));
    // Each moved subtree goes with one directory rename; its folders nest inside its directory.
    const carried = new Map<string, string>();
    for (const { mailbox, path } of moves) {
      const parent = parentPath(path);
      const from = source.directories.get(mailbox.id)!;
      if (parent !== null && movedPaths.has(parent)) {
        const [root, rootTarget] = [...carried].find(([old]) => from.startsWith(old + '/'))!;
        target.directories.set(mailbox.id, rootTarget + from.slice(root.length));
      } else {
        const to = await this.placeFolder(
          into,
          target,
          path,
          parent === null ? '' : this.directoryOf(target, parent, moves),
        );
        await mkdir(dirname(join(this.root, treeDirectory(into), to)), { recursive: true });
        await rename(
          join(this.root, treeDirectory(tree), from),
          join(this.root, treeDirectory(into), to),
        );
        carried.set(from, to);
        target.directories.set(mailbox.id, to);
      }
      if (target !== source) source.directories.delete(mailbox.id);
      if (source.ids.get(mailbox.path) === mailbox.id) source.ids.delete(mailbox.path);
      target.ids.set(path, mailbox.id);
      this.folders.delete(`${tree}\0${mailbox.id}`);
    }
    // Saved at once, so that a crash before the engine records the new names loses no messages.
    await this.saveTree(tree, source);
    if (target !== source) await this.saveTree(into, target);
  }

  async readIndex(tree: TreeKey, mailbox: MailboxMeta): Promise<IndexSnapshot> {
    return this.folder(tree, mailbox).load();
  }

  async addMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    messages: readonly StoredMessage[],
  ): Promise<void> {
    await this.folder(tree, mailbox).add(messages);
  }

  async updateFlags(
    tree: TreeKey,
    mailbox: MailboxMeta,
    changes: readonly MessageState[],
  ): Promise<void> {
    await this.folder(tree, mailbox).updateFlags(changes);
  }

  async removeMessages(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
    modSeq: number,
  ): Promise<void> {
    await this.folder(tree, mailbox).remove(uids, modSeq);
  }

  readContent(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uid: number,
    range?: { start: number; end: number },
  ): AsyncIterable<Uint8Array> {
    return this.folder(tree, mailbox).read(uid, range);
  }

  readContents(
    tree: TreeKey,
    mailbox: MailboxMeta,
    requests: readonly ContentRequest[],
  ): Promise<(Uint8Array | null)[]> {
    return this.folder(tree, mailbox).readMany(requests);
  }

  readSummaries(
    tree: TreeKey,
    mailbox: MailboxMeta,
    uids: readonly number[],
  ): Promise<MessageSummary[]> {
    return this.folder(tree, mailbox).readSummaries(uids);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.folders.values()].map((folder) => folder.close().catch(() => undefined)),
    );
    this.trees.clear();
    this.folders.clear();
    await this.reader.close();
  }

  private folder(tree: TreeKey, mailbox: MailboxMeta): FolderStorage {
    const key = `${tree}\0${mailbox.id}`;
    let folder = this.folders.get(key);
    if (!folder) {
      const directory = this.trees.get(tree)?.directories.get(mailbox.id);
      if (directory === undefined)
        throw new Error(`no directory for mailbox ${mailbox.path} of ${tree}`);
      folder = new FolderStorage(
        join(this.root, treeDirectory(tree), directory),
        mailbox.uidValidity,
        this.logger,
        this.reader,
      );
      this.folders.set(key, folder);
    }
    return folder;
  }

  /**
   * Picks the directory for a folder: inside its parent's, under a name no sibling has. A
   * directory on disk that the tree does not know counts as taken (it may hold the messages of a
   * tree whose record was lost), unless it is a folder that was never given a message: what a
   * creation that failed halfway leaves behind, reused rather than stepped around.
   */
  private async placeFolder(
    tree: TreeKey,
    loaded: LoadedTreeFile,
    path: string,
    parentDirectory: string,
  ): Promise<string> {
    const level = path.slice(path.lastIndexOf(DELIMITER) + 1);
    const parent = join(this.root, treeDirectory(tree), parentDirectory);
    const known = new Set(
      [...loaded.directories.values()]
        .filter((directory) => dirname(directory) === (parentDirectory || '.'))
        .map((directory) => basename(directory).toLowerCase()),
    );
    const taken = new Set(known);
    for (const entry of (await nullIfMissing(readdir(parent, { withFileTypes: true }))) ?? []) {
      const lower = entry.name.toLowerCase();
      if (taken.has(lower)) continue;
      if (!entry.isDirectory() || !(await isUnusedFolder(join(parent, entry.name))))
        taken.add(lower);
    }
    const name = folderDirectoryName(level, taken);
    return parentDirectory ? `${parentDirectory}/${name}` : name;
  }

  /** The directory of the mailbox at `path`, looked up among pending moves first, then the tree. */
  private directoryOf(
    loaded: LoadedTreeFile,
    path: string,
    moves: readonly MailboxMove[] = [],
  ): string {
    const id = moves.find((move) => move.path === path)?.mailbox.id ?? loaded.ids.get(path);
    const directory = id === undefined ? undefined : loaded.directories.get(id);
    if (directory === undefined) throw new Error(`no directory for parent mailbox ${path}`);
    return directory;
  }

  private async treeForWrite(tree: TreeKey): Promise<LoadedTreeFile> {
    let loaded = await this.loadTree(tree);
    if (!loaded) {
      loaded = loadedTree({ mailboxes: [], subscriptions: [] }, new Map(), false);
      this.trees.set(tree, loaded);
      await mkdir(join(this.root, treeDirectory(tree)), { recursive: true });
    }
    return loaded;
  }

  private async loadTree(tree: TreeKey): Promise<LoadedTreeFile | null> {
    const cached = this.trees.get(tree);
    if (cached) return cached;
    const file = await this.readTreeFile(join(this.root, treeDirectory(tree), TREE_FILE));
    if (!file) return null;
    const record = { mailboxes: file.mailboxes, subscriptions: file.subscriptions };
    const loaded = loadedTree(record, new Map(Object.entries(file.directories)), true);
    this.trees.set(tree, loaded);
    return loaded;
  }

  private async saveTree(tree: TreeKey, loaded: LoadedTreeFile): Promise<void> {
    const file: TreeFile = {
      key: tree,
      mailboxes: loaded.record.mailboxes,
      subscriptions: loaded.record.subscriptions,
      directories: Object.fromEntries(loaded.directories),
    };
    const directory = join(this.root, treeDirectory(tree));
    await mkdir(directory, { recursive: true });
    await writeFileAtomically(join(directory, TREE_FILE), `${JSON.stringify(file, null, 1)}\n`);
    loaded.saved = true;
  }

  /**
   * The tree file, or null when there is none (ENOENT: a user who never logged in). Any other
   * failure to read it rejects: taken for "no tree", it would have the engine write a new tree
   * of standard folders over the user's real one. A file that is not a tree record is damaged
   * ({@link DamagedTreeFile}); it is left as it is for the operator (it is only ever replaced
   * whole, by rename, so damage comes from outside the store) and the tree is unavailable.
   */
  private async readTreeFile(path: string): Promise<TreeFile | null> {
    const text = await nullIfMissing(readFile(path, 'utf8'));
    if (text === null) return null;
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch (error) {
      this.logger.error('tree file damaged', { path, error: String(error) });
      throw new DamagedTreeFile(path, String(error));
    }
    if (!isTreeFile(file)) {
      this.logger.error('tree file damaged', { path, error: 'not a tree record' });
      throw new DamagedTreeFile(path, 'not a tree record');
    }
    return file;
  }
}

/** A tree file that exists but holds no tree record. */
class DamagedTreeFile extends Error {
  override readonly name = 'DamagedTreeFile';

  constructor(path: string, reason: string) {
    super(`tree file ${path} is damaged (${reason}); restore it from a backup`);
  }
}

function isTreeFile(value: unknown): value is TreeFile {
  if (!value || typeof value !== 'object') return false;
  const file = value as Partial<TreeFile>;
  return (
    typeof file.key === 'string' &&
    Array.isArray(file.mailboxes) &&
    Array.isArray(file.subscriptions) &&
    !!file.directories &&
    typeof file.directories === 'object'
  );
}

/** The names of the directories in `path`; none when `path` does not exist. */
async function subdirectories(path: string): Promise<string[]> {
  const entries = (await nullIfMissing(readdir(path, { withFileTypes: true }))) ?? [];
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** Files a folder directory holds before its first message (and a finished close leaves). */
const UNUSED_FOLDER_FILES = new Set([INDEX_FILE, SUMMARIES_FILE, CHECKED_FILE]);

/**
 * Whether a directory is a folder that never got a message and holds no subfolder: only the
 * files a new folder has, a header-only index, and an empty `#msgs/`. Any failure to look
 * (but ENOENT) rejects, since a directory that cannot be read might hold anything.
 */
async function isUnusedFolder(directory: string): Promise<boolean> {
  const entries = await nullIfMissing(readdir(directory, { withFileTypes: true }));
  if (entries === null) return false;
  for (const entry of entries) {
    if (entry.name === MESSAGES_DIRECTORY && entry.isDirectory()) {
      const messages = await nullIfMissing(readdir(join(directory, MESSAGES_DIRECTORY)));
      if (messages && messages.length > 0) return false;
    } else if (
      !entry.isFile() ||
      !(UNUSED_FOLDER_FILES.has(entry.name) || entry.name.endsWith(TEMPORARY_SUFFIX))
    ) {
      return false;
    }
  }
  const index = await nullIfMissing(readFile(join(directory, INDEX_FILE), 'utf8'));
  // A header line and nothing after it: no message was ever recorded.
  return index === null || index.indexOf('\n') === index.length - 1;
}
