/**
 * Where each part of a server's data goes in a backup (Admin Guide 15.3), and back:
 *
 * ```
 * .version.txt                     first entry of every part
 * mailserver.cfg, users.cfg        the configuration                      (mask cfg)
 * @backup/license/...              license.key                             (mask license)
 * @backup/sslca/..., @backup/sslcert/...  certificates                     (masks sslca, sslcert)
 * @backup/store/mail/<domain>/<user>/...  mailboxes                        (mask mail)
 * @backup/store/mail/<domain>/#public/..., @backup/store/mail/#public/...  (mask public)
 * @backup/store/lists/...          mailing lists                           (mask lists)
 * @backup/store/spamassassin/...   the SpamAssassin database               (mask spamassassin)
 * @backup/store/queue/...          mail accepted and not yet delivered     (no mask: full restores)
 * @backup/store/archive/...        archive folders (spec section 4)        (no mask: full restores)
 * .deleted.txt                     a differential's deletions
 * .summary.txt                     last entry of the last part
 * ```
 */
export const BACKUP_ROOT = '@backup';
export const STORE_PREFIX = `${BACKUP_ROOT}/store/`;
export const CONFIG_FILES = ['mailserver.cfg', 'users.cfg'] as const;
export const CONFIG_DIRECTORIES = ['license', 'sslca', 'sslcert'] as const;
/** The directories of a store that a backup takes; the rest (backup/, logs/, locks) it leaves. */
export const STORE_DIRECTORIES = ['mail', 'lists', 'spamassassin', 'queue', 'archive'] as const;

/** Kerio's `-m` values. */
export const MASKS = [
  'cfg',
  'mail',
  'lists',
  'spamassassin',
  'license',
  'sslca',
  'sslcert',
  'public',
] as const;
export type Mask = (typeof MASKS)[number];
/** What an entry is, for masks: a mask, or a part only a restore without masks brings back. */
export type EntryCategory = Mask | 'queue' | 'archive';

/** Where an entry of the archive goes: the configuration directory or the store, and the path there. */
export interface EntryPlace {
  readonly category: EntryCategory;
  readonly root: 'config' | 'store';
  /** Relative to its root, `/`-separated. */
  readonly path: string;
}

/** The place of an archive entry, or null for the backup's own text entries and anything unknown. */
export function placeOfEntry(name: string): EntryPlace | null {
  if ((CONFIG_FILES as readonly string[]).includes(name))
    return { category: 'cfg', root: 'config', path: name };
  for (const directory of CONFIG_DIRECTORIES) {
    const prefix = `${BACKUP_ROOT}/${directory}/`;
    if (name.startsWith(prefix) && name.length > prefix.length)
      return { category: directory, root: 'config', path: name.slice(BACKUP_ROOT.length + 1) };
  }
  if (!name.startsWith(STORE_PREFIX)) return null;
  const path = name.slice(STORE_PREFIX.length);
  const [top, first, second] = path.split('/');
  switch (top) {
    case 'mail':
      // A domain's public folders sit beside its users; mailstore-fs escapes a user or domain
      // name that starts with `#`, so only public trees have such a directory.
      return {
        category: first === '#public' || second === '#public' ? 'public' : 'mail',
        root: 'store',
        path,
      };
    case 'lists':
    case 'spamassassin':
    case 'queue':
    case 'archive':
      return path.length > top.length + 1 ? { category: top, root: 'store', path } : null;
    default:
      return null;
  }
}

/** The archive name of a file of the configuration directory or the store. */
export function entryNameOf(root: 'config' | 'store', path: string): string {
  if (root === 'store') return `${STORE_PREFIX}${path}`;
  return (CONFIG_FILES as readonly string[]).includes(path) ? path : `${BACKUP_ROOT}/${path}`;
}

/** Parses `-m`'s comma list; throws on an unknown value. */
export function parseMasks(list: string): Mask[] {
  const masks = list
    .split(',')
    .map((mask) => mask.trim().toLowerCase())
    .filter((mask) => mask !== '');
  for (const mask of masks)
    if (!(MASKS as readonly string[]).includes(mask))
      throw new RangeError(`unknown mask "${mask}" (the masks are ${MASKS.join(', ')})`);
  if (masks.length === 0) throw new RangeError(`no mask given (the masks are ${MASKS.join(', ')})`);
  return [...new Set(masks)] as Mask[];
}

/**
 * Why an entry name may not be written anywhere, or null when it may: a name that is absolute
 * (`/etc`, `C:`), climbs out (`..`), has empty or `.` levels, a backslash (a separator on
 * Windows), a NUL or another control character.
 */
export function unsafeEntryName(name: string): string | null {
  if (name === '') return 'an empty name';
  if (name.length > 4096) return 'a name over 4096 characters';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'a control character in the name';
  if (name.includes('\\')) return 'a backslash in the name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'a drive letter';
  const levels = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  if (levels.includes('..')) return 'a ".." level';
  if (levels.some((level) => level === '' || level === '.')) return 'an empty or "." level';
  return null;
}
