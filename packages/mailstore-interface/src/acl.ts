import { MailStoreError } from './errors.js';

/**
 * The rights of RFC 4314 section 2.1, in their canonical order:
 * l lookup · r read · s keep \Seen · w write other flags · i insert · p post · k create mailboxes
 * · x delete mailbox · t delete messages (\Deleted) · e expunge · a administer (change the ACL).
 */
export const ALL_RIGHTS = 'lrswipkxtea';

/** A set of rights, as a string of right letters in canonical order (`'lrs'`). */
export type Rights = string;

/** Identifiers every ACL understands besides user ids: RFC 4314's two, for everyone and for the logged-in. */
export const ANYONE = 'anyone';
export const AUTHUSER = 'authuser';

/** Group identifiers start with `$` (`$sales@example.com`), as Dovecot spells them. */
export const GROUP_PREFIX = '$';

/**
 * Kerio's sharing levels (Outlook Connector guide 5.1) as RFC 4314 rights. Reader reads; Editor
 * adds, edits and removes items; Admin can also manage subfolders and share the folder.
 */
export const ACL_PRESETS = {
  reader: 'lrs',
  editor: 'lrswipte',
  admin: ALL_RIGHTS,
} as const satisfies Record<string, Rights>;

export type AclPreset = keyof typeof ACL_PRESETS;

/** One entry of a mailbox's access control list. */
export interface AclEntry {
  /** A user id, `anyone`, `authuser`, or a `$group`. */
  readonly identifier: string;
  readonly rights: Rights;
}

/**
 * Reads a rights string as IMAP's SETACL sends it: letters in any order, the obsolete `c` and `d`
 * mapped as RFC 4314 section 2.1.1 says (c → k x, d → x t e). Throws `invalid-argument` for an
 * unknown letter.
 */
export function parseRights(text: string): Rights {
  const letters = new Set<string>();
  for (const letter of text) {
    if (letter === 'c') 'kx'.split('').forEach((r) => letters.add(r));
    else if (letter === 'd') 'xte'.split('').forEach((r) => letters.add(r));
    else if (ALL_RIGHTS.includes(letter)) letters.add(letter);
    else throw new MailStoreError('invalid-argument', `unknown right ${JSON.stringify(letter)}`);
  }
  return canonicalRights(letters);
}

/** Rights in canonical order. */
export function canonicalRights(letters: Iterable<string>): Rights {
  const set = new Set(letters);
  return [...ALL_RIGHTS].filter((r) => set.has(r)).join('');
}

export function unionRights(...sets: Rights[]): Rights {
  return canonicalRights(sets.join(''));
}

export function withoutRights(rights: Rights, removed: Rights): Rights {
  return canonicalRights([...rights].filter((r) => !removed.includes(r)));
}

export function hasRight(rights: Rights, right: string): boolean {
  return rights.includes(right);
}

/**
 * The rights an ACL grants a user: the union of the entries for the user, the user's groups,
 * `authuser` and `anyone` (RFC 4314 has no precedence between them; negative rights are not
 * supported).
 */
export function rightsFromAcl(
  acl: readonly AclEntry[],
  user: string,
  groups: readonly string[],
): Rights {
  const ids = new Set([
    user.toLowerCase(),
    ANYONE,
    AUTHUSER,
    ...groups.map((g) => GROUP_PREFIX + g.toLowerCase()),
  ]);
  return unionRights(
    ...acl.filter((entry) => ids.has(entry.identifier.toLowerCase())).map((e) => e.rights),
  );
}

/** Checks an ACL identifier: a user id, a `$group`, `anyone` or `authuser`; lower-cased. */
export function parseAclIdentifier(identifier: string): string {
  const id = identifier.toLowerCase();
  if (id === ANYONE || id === AUTHUSER) return id;
  if (/^\$?[^\s$@]+(@[^\s@]+)?$/.test(id)) return id;
  throw new MailStoreError(
    'invalid-argument',
    `not an ACL identifier: ${JSON.stringify(identifier)}`,
  );
}
