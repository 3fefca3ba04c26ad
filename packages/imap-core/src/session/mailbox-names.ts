import {
  DELIMITER,
  type MailboxInfo,
  OTHER_USERS_PREFIX,
  PUBLIC_PREFIX,
} from '@mailyard/mailstore-interface';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../protocol/modified-utf7.js';

/** The IMAP hierarchy delimiter: the store's. */
export const IMAP_DELIMITER = DELIMITER;

/**
 * The namespaces (RFC 2342) of Kerio's naming: personal folders at the top, other users' shared
 * folders under `~user@domain/`, public folders under `#public/`.
 */
export const NAMESPACES = {
  personal: '',
  other: OTHER_USERS_PREFIX,
  public: `${PUBLIC_PREFIX}${DELIMITER}`,
} as const;

/**
 * A mailbox name as the client sent it, as the store names it: modified UTF-7 undone unless the
 * session speaks UTF-8 (IMAP4rev2, UTF8=ACCEPT). Null when it is not valid modified UTF-7.
 */
export function nameFromWire(wire: string, utf8: boolean): string | null {
  if (utf8) return wire;
  return decodeModifiedUtf7(wire);
}

/** A store name as the client is to see it. */
export function nameToWire(name: string, utf8: boolean): string {
  return utf8 ? name : encodeModifiedUtf7(name);
}

/**
 * Whether the session shows a mailbox at all: mail folders always; calendar, contact, task and
 * note folders only with Kerio's IMAPFullListing.
 */
export function isListed(info: Pick<MailboxInfo, 'folderType'>, fullListing: boolean): boolean {
  return fullListing || info.folderType === 'mail';
}

/**
 * A LIST pattern (reference and mailbox argument already joined) as a matcher: `*` matches
 * anything, `%` anything but the delimiter (RFC 9051 6.3.9). INBOX, as a first level, matches
 * case-insensitively, as the name itself is case-insensitive.
 */
export function listMatcher(pattern: string): (name: string) => boolean {
  let source = '^';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '%') source += '[^/]*';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const exact = new RegExp(`${source}$`, 's');
  const inboxPattern = /^inbox(?=$|\/)/i.test(pattern)
    ? new RegExp(`${'^INBOX' + source.slice(6)}$`, 's')
    : null;
  return (name) => exact.test(name) || (inboxPattern !== null && inboxPattern.test(name));
}

/** Joins LIST's reference and mailbox arguments (RFC 3501 6.3.8: the reference is a prefix). */
export function joinReference(reference: string, pattern: string): string {
  return reference + pattern;
}

/** The namespace root a name lies in, for `LIST ref ""` (RFC 9051 6.3.9). */
export function namespaceRoot(reference: string): string {
  if (reference.startsWith(NAMESPACES.public) || reference === PUBLIC_PREFIX)
    return NAMESPACES.public;
  if (reference.startsWith(NAMESPACES.other)) {
    const slash = reference.indexOf(DELIMITER);
    return slash < 0 ? reference : reference.slice(0, slash + 1);
  }
  return '';
}

/** The parents of a name (`a/b/c` → `a`, `a/b`). */
export function parentsOf(name: string): string[] {
  const levels = name.split(DELIMITER);
  const parents: string[] = [];
  for (let i = 1; i < levels.length; i++) parents.push(levels.slice(0, i).join(DELIMITER));
  return parents;
}

/** Whether two store names name the same mailbox: INBOX, as a first level, in any case. */
export function sameMailbox(a: string, b: string): boolean {
  return a === b || canonicalInbox(a) === canonicalInbox(b);
}

/** A personal name with its INBOX level in canonical case. */
export function canonicalInbox(name: string): string {
  return /^inbox(?=$|\/)/i.test(name) ? `INBOX${name.slice(5)}` : name;
}
