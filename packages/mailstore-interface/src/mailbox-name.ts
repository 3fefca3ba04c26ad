import { MailStoreError } from './errors.js';

/** The hierarchy delimiter of every mailbox name (modified UTF-7 exists only on the IMAP wire). */
export const DELIMITER = '/';

/** Prefix of other users' shared folders, as Kerio names them: `~bob@example.com/Shared`. */
export const OTHER_USERS_PREFIX = '~';

/** Prefix of public folders: `#public/Info`. */
export const PUBLIC_PREFIX = '#public';

/** The longest name component a store accepts, in characters. */
export const MAX_NAME_COMPONENT = 255;

/** The most levels a mailbox name may have. */
export const MAX_NAME_DEPTH = 64;

/** Where a mailbox lives, as named by a user. */
export type MailboxLocation =
  /** One of the user's own folders. */
  | { readonly namespace: 'personal'; readonly path: string }
  /** A folder of another user, shared with this one. */
  | { readonly namespace: 'other'; readonly owner: string; readonly path: string }
  /** A public folder. */
  | { readonly namespace: 'public'; readonly path: string };

/**
 * Reads a mailbox name as a user sees it (`INBOX/Work`, `~bob@example.com/Shared`,
 * `#public/Info`) into its namespace and path. `INBOX` is case-insensitive, also as the first
 * level of a longer name, and comes back as `INBOX`; every other level is case-sensitive.
 * Throws `invalid-name` for a name no store should accept: empty levels (`a//b`, a leading or
 * trailing `/`), `.` or `..` levels, control characters, IMAP wildcards (`*`, `%`), overlong
 * levels or too many of them. A name that passes cannot escape a store's directory.
 */
export function parseMailboxName(name: string): MailboxLocation {
  if (name.startsWith(OTHER_USERS_PREFIX)) {
    const slash = name.indexOf(DELIMITER);
    const owner = (slash < 0 ? name.slice(1) : name.slice(1, slash)).toLowerCase();
    if (!/^[^\s/@]+@[^\s/@]+$/.test(owner) || slash < 0) {
      throw new MailStoreError('invalid-name', `not a shared folder name: ${JSON.stringify(name)}`);
    }
    return { namespace: 'other', owner, path: checkPath(name.slice(slash + 1), name) };
  }
  if (name === PUBLIC_PREFIX || name.startsWith(PUBLIC_PREFIX + DELIMITER)) {
    return { namespace: 'public', path: checkPath(name.slice(PUBLIC_PREFIX.length + 1), name) };
  }
  return { namespace: 'personal', path: canonicalInbox(checkPath(name, name)) };
}

/** The name a user sees for a location: the inverse of {@link parseMailboxName}. */
export function formatMailboxName(location: MailboxLocation): string {
  switch (location.namespace) {
    case 'personal':
      return location.path;
    case 'other':
      return `${OTHER_USERS_PREFIX}${location.owner}${DELIMITER}${location.path}`;
    case 'public':
      return `${PUBLIC_PREFIX}${DELIMITER}${location.path}`;
  }
}

/** Whether a personal path is INBOX itself. */
export function isInbox(path: string): boolean {
  return path === 'INBOX';
}

/** The parent of a path, or null at the top level. */
export function parentPath(path: string): string | null {
  const slash = path.lastIndexOf(DELIMITER);
  return slash < 0 ? null : path.slice(0, slash);
}

/** Whether `path` is `ancestor` or lies below it. */
export function isSameOrBelow(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + DELIMITER);
}

function canonicalInbox(path: string): string {
  const first = path.split(DELIMITER, 1)[0]!;
  return first.toUpperCase() === 'INBOX' ? 'INBOX' + path.slice(first.length) : path;
}

function checkPath(path: string, name: string): string {
  const levels = path.split(DELIMITER);
  const bad = (why: string) =>
    new MailStoreError('invalid-name', `${why}: ${JSON.stringify(name)}`);
  if (levels.length > MAX_NAME_DEPTH) throw bad('too many levels');
  for (const level of levels) {
    if (level === '') throw bad('empty level');
    if (level === '.' || level === '..') throw bad('relative level');
    if (level.length > MAX_NAME_COMPONENT) throw bad('level too long');
    if (/[\x00-\x1f\x7f*%]/.test(level)) throw bad('control character or wildcard');
  }
  return path;
}
