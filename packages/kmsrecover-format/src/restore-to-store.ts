import {
  type FolderType,
  type Logger,
  type MailStore,
  RETAINED_PATH,
  type SpecialUse,
  silentLogger,
} from '@mailyard/mailstore-interface';
import { INDEX_FILE, MESSAGES_DIRECTORY, TREE_FILE, readIndexText } from '@mailyard/mailstore-fs';
import { STORE_PREFIX } from './archive-layout.js';
import { BackupSet } from './backup-reader.js';
import { RestoreError, type RestoreSelection, resolveSource } from './restore-backup.js';
import type { ArchiveLimits } from './zip-archive.js';

export interface StoreRestoreOptions extends Omit<RestoreSelection, 'masks'> {
  /** A backup directory or file, as for {@link restoreBackup}. */
  readonly source: string;
  /** Any MailStore: the mailboxes are created and the messages appended through the contract. */
  readonly store: MailStore;
  readonly limits?: ArchiveLimits;
  readonly logger?: Logger;
  readonly onProgress?: (progress: { messages: number }) => void;
}

export interface StoreRestoreResult {
  readonly backups: readonly string[];
  readonly mailboxes: number;
  readonly messages: number;
  /** Messages that got their UID from the backup (the others got the target's next UID). */
  readonly uidsKept: number;
  /** Mailboxes whose UIDVALIDITY is the backup's (the others kept the target's own). */
  readonly uidValiditiesKept: number;
}

/** The part of mailstore-fs's `#tree.json` a restore reads. */
interface TreeFile {
  readonly key: string;
  readonly mailboxes: readonly {
    readonly id: string;
    readonly path: string;
    readonly uidValidity: number;
    readonly folderType?: FolderType;
    readonly specialUse?: SpecialUse | null;
  }[];
  readonly directories: Readonly<Record<string, string>>;
}

/**
 * Restores the user mailboxes of a backup into any {@link MailStore}, through the contract: each
 * folder is created where it is missing (with the backup's UIDVALIDITY, folder type and
 * special use), and each message appended with its flags, INTERNALDATE and UID
 * (`AppendInput.uid`). Into an empty store, UIDs are kept, and UIDVALIDITY for every folder the
 * restore creates; folders the target made on its own (INBOX and the standard folders, created
 * with the user's tree) keep the target's UIDVALIDITY, and into a folder that already has
 * messages, messages get new UIDs above its own. Messages are read one at a time: memory holds
 * one message (the contract's `append` takes a message whole). Public folders and the queue
 * are not restored this way, and a warning says so: the contract makes public folders only on
 * behalf of a user with public-folder administrator rights, in the tree the target's own scope
 * (per domain or global) gives that user, and the queue is the server's spool, no part of a
 * MailStore. {@link restoreBackup} restores both into the Kerio layout.
 */
export async function restoreIntoStore(options: StoreRestoreOptions): Promise<StoreRestoreResult> {
  const logger = options.logger ?? silentLogger;
  if (options.user !== undefined && options.domain === undefined)
    throw new RestoreError('-u (user) needs -d (domain)');
  if (options.folder !== undefined && options.user === undefined)
    throw new RestoreError('-f (folder) needs -d (domain) and -u (user)');
  const selection = await resolveSource(options.source);
  const set = await BackupSet.open(selection, options.limits);
  let mailboxes = 0;
  let messages = 0;
  let uidsKept = 0;
  let uidValiditiesKept = 0;
  try {
    const trees = [...set.files.keys()].filter(
      (name) => name.startsWith(`${STORE_PREFIX}mail/`) && name.endsWith(`/${TREE_FILE}`),
    );
    for (const treeName of trees.sort()) {
      const treeDirectory = treeName.slice(0, -TREE_FILE.length - 1);
      const tree = await readTree(set, treeName);
      if (tree.key.startsWith('#')) {
        // Public folders: the contract creates them only on behalf of a user with public-folder
        // administrator rights, into the tree the target's scope (per domain or global, from
        // its configuration) gives that user, which need not be the backup's.
        if (options.user === undefined && wantedDomain(tree.key, options.domain))
          logger.warn(
            `kmsrecover: public folders ${tree.key} are not restored into a MailStore; restoreBackup restores them into the Kerio layout`,
          );
        continue;
      }
      const [local, domain] = splitAddress(tree.key);
      if (options.domain !== undefined && domain !== options.domain.toLowerCase()) continue;
      if (options.user !== undefined) {
        const wanted = options.user.includes('@')
          ? options.user.slice(0, options.user.lastIndexOf('@'))
          : options.user;
        if (local !== wanted.toLowerCase()) continue;
      }
      const access = options.store.access(tree.key);
      const existing = new Map((await access.list()).map((mailbox) => [mailbox.name, mailbox]));
      const chosen = tree.mailboxes
        .filter((mailbox) => mailbox.path !== RETAINED_PATH)
        .filter(
          (mailbox) =>
            options.folder === undefined ||
            mailbox.path === options.folder ||
            mailbox.path.startsWith(`${options.folder}/`),
        )
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      if (options.folder !== undefined && chosen.length === 0)
        throw new RestoreError(`the backup of ${tree.key} has no folder "${options.folder}"`);
      for (const mailbox of chosen) {
        if (!existing.has(mailbox.path)) {
          await access.create(mailbox.path, {
            uidValidity: mailbox.uidValidity,
            ...(mailbox.folderType ? { folderType: mailbox.folderType } : {}),
            ...(mailbox.specialUse ? { specialUse: mailbox.specialUse } : {}),
          });
        }
        if ((await access.status(mailbox.path)).uidValidity === mailbox.uidValidity)
          uidValiditiesKept++;
        mailboxes++;
        const directory = tree.directories[mailbox.id];
        if (directory === undefined) continue;
        const folder = `${treeDirectory}/${directory}`;
        const indexEntry = set.files.get(`${folder}/${INDEX_FILE}`);
        if (!indexEntry) continue;
        const reading = readIndexText(
          (await indexEntry.archive.read(indexEntry.entry)).toString('utf8'),
        );
        const snapshot = reading.ok ? reading.snapshot : reading.partial;
        if (!reading.ok)
          logger.warn(
            `kmsrecover: ${folder}/${INDEX_FILE} is damaged (${reading.reason}); restoring what it lists`,
          );
        if (!snapshot) continue;
        for (const entry of snapshot.entries) {
          const file = set.files.get(
            `${folder}/${MESSAGES_DIRECTORY}/${entry.uid.toString(16).padStart(8, '0')}.eml`,
          );
          if (!file) {
            logger.warn(
              `kmsrecover: ${tree.key} ${mailbox.path}: message ${entry.uid} is listed but not in the backup`,
            );
            continue;
          }
          const content = await file.archive.read(file.entry);
          const [result] = await access.append(mailbox.path, [
            {
              content,
              flags: entry.flags,
              internalDate: entry.internalDate,
              ...(entry.internalDateZone !== undefined
                ? { internalDateZone: entry.internalDateZone }
                : {}),
              uid: entry.uid,
            },
          ]);
          messages++;
          if (result!.uid === entry.uid) uidsKept++;
          options.onProgress?.({ messages });
        }
      }
    }
    // The queue is the server's spool, not part of the MailStore contract.
    if (
      options.domain === undefined &&
      [...set.files.keys()].some((name) => name.startsWith(`${STORE_PREFIX}queue/`))
    )
      logger.warn(
        'kmsrecover: the queue is not restored into a MailStore (it is no part of one); restoreBackup restores it into the Kerio layout',
      );
    return {
      backups: [selection.base.id, ...(selection.differential ? [selection.differential.id] : [])],
      mailboxes,
      messages,
      uidsKept,
      uidValiditiesKept,
    };
  } finally {
    set.close();
  }
}

async function readTree(set: BackupSet, name: string): Promise<TreeFile> {
  const entry = set.files.get(name)!;
  let file: Partial<TreeFile>;
  try {
    file = JSON.parse(
      (await entry.archive.read(entry.entry)).toString('utf8'),
    ) as Partial<TreeFile>;
  } catch (error) {
    throw new RestoreError(`${name} in the backup is not a tree file`, { cause: error });
  }
  if (
    typeof file.key !== 'string' ||
    !Array.isArray(file.mailboxes) ||
    typeof file.directories !== 'object' ||
    file.directories === null
  )
    throw new RestoreError(`${name} in the backup is not a tree file`);
  for (const directory of Object.values(file.directories))
    if (
      typeof directory !== 'string' ||
      directory.split('/').some((level) => level === '..' || level === '' || level === '.')
    )
      throw new RestoreError(`${name} in the backup names a folder directory outside its tree`);
  return file as TreeFile;
}

/** Whether a public tree (`#public@domain`, or `#public` for all) is of the domain asked for. */
function wantedDomain(key: string, domain: string | undefined): boolean {
  return domain === undefined || key === '#public' || key === `#public@${domain.toLowerCase()}`;
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return [address.slice(0, at).toLowerCase(), address.slice(at + 1).toLowerCase()];
}
