import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TreeKey } from '@mailyard/mailstore-interface';

/**
 * Where things live on disk, in Kerio's layout (Admin Guide 30.1):
 *
 * ```
 * <store>/mail/<domain>/<user>/#tree.json          the user's folder list, subscriptions, ACLs
 * <store>/mail/<domain>/<user>/<folder>/index.fld  the folder index
 * <store>/mail/<domain>/<user>/<folder>/summaries.fld
 * <store>/mail/<domain>/<user>/<folder>/#msgs/<uid>.eml
 * <store>/mail/<domain>/<user>/<folder>/<subfolder>/...
 * <store>/mail/<domain>/#public/...                public folders of a domain
 * <store>/mail/#public/...                         server-wide public folders
 * ```
 *
 * Names starting with `#` and names ending in `.fld` are the store's own; folder names never
 * produce them (see {@link folderDirectoryName}).
 */
export const MAIL_DIRECTORY = 'mail';
export const TREE_FILE = '#tree.json';
export const MESSAGES_DIRECTORY = '#msgs';
export const INDEX_FILE = 'index.fld';
export const BAD_INDEX_FILE = 'index.bad';
export const SUMMARIES_FILE = 'summaries.fld';
/** The mtime of `#msgs/` when its files were last found to agree with the index. */
export const CHECKED_FILE = 'checked.fld';

/** The directory of a tree, relative to the store. */
export function treeDirectory(tree: TreeKey): string {
  if (tree === '#public') return join(MAIL_DIRECTORY, '#public');
  const at = tree.lastIndexOf('@');
  const domain = safeName(tree.slice(at + 1).toLowerCase());
  const owner = tree.startsWith('#public@') ? '#public' : safeName(tree.slice(0, at));
  return join(MAIL_DIRECTORY, domain, owner);
}

/** The file of a message in a folder directory. */
export function messageFile(folderDirectory: string, uid: number): string {
  return join(folderDirectory, MESSAGES_DIRECTORY, `${uid.toString(16).padStart(8, '0')}.eml`);
}

/** The UID a message file name stands for, or null for any other file. */
export function uidOfMessageFile(name: string): number | null {
  const match = /^([0-9a-f]{8,})\.eml$/.exec(name);
  return match ? parseInt(match[1]!, 16) : null;
}

const LONGEST_NAME = 160;

/**
 * The directory name for one level of a folder name: readable (Kerio keeps folder names as
 * directory names), but never one of the store's own names, never `.` or `..`, never a character
 * a common filesystem refuses, and short enough for any filesystem. The store remembers the name
 * it chose, so the mapping need not be reversible; `taken` holds the names already used by
 * siblings, compared case-insensitively so that `Work` and `work` cannot meet on a
 * case-insensitive filesystem.
 */
export function folderDirectoryName(level: string, taken: ReadonlySet<string>): string {
  const base = safeName(level);
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}~${n}`;
  return name;
}

function safeName(text: string): string {
  let name = text.replace(
    /[%\\/:*?"<>|\x00-\x1f\x7f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  if (/^[#.]/.test(name)) name = `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`;
  if (/\.(fld|bad|tmp|json)$/i.test(name)) name = name.replace(/\.([^.]*)$/, '%2e$1');
  if (Buffer.byteLength(name) > LONGEST_NAME) {
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
    let cut = name.slice(0, LONGEST_NAME / 2);
    while (Buffer.byteLength(cut) > LONGEST_NAME / 2) cut = cut.slice(0, -1);
    name = `${cut}~${digest}`;
  }
  return name;
}
