import { MailStoreError } from './errors.js';

/**
 * The flags IMAP defines (RFC 9051 section 2.3.2) that a store keeps. `\Recent` is not among
 * them: it is a property of a session, not of a message (see `OpenMailbox.claimRecent`).
 */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

const SYSTEM_BY_LOWER: ReadonlyMap<string, SystemFlag> = new Map(
  SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]),
);

/** Atom characters only (RFC 9051 `atom`), so that any keyword can be sent back as it was given. */
const KEYWORD = /^[^\x00-\x20\x7f()"{%*\\\]]+$/;

/** The longest keyword a store accepts. */
export const MAX_KEYWORD_LENGTH = 250;

/**
 * The stored spelling of a flag: system flags in their canonical case (`\seen` → `\Seen`),
 * keywords as given. Throws `invalid-argument` for anything else (`\Recent`, `\Foo`, `a b`).
 */
export function normalizeFlag(flag: string): string {
  if (flag.startsWith('\\')) {
    const system = SYSTEM_BY_LOWER.get(flag.toLowerCase());
    if (system) return system;
  } else if (flag.length <= MAX_KEYWORD_LENGTH && KEYWORD.test(flag)) {
    return flag;
  }
  throw new MailStoreError('invalid-argument', `not a storable flag: ${JSON.stringify(flag)}`);
}

/**
 * A flag set as a store keeps it: normalised, without duplicates (flags compare
 * case-insensitively, the first spelling wins), system flags first in their fixed order.
 */
export function normalizeFlags(flags: Iterable<string>): string[] {
  const seen = new Set<string>();
  const system: string[] = [];
  const keywords: string[] = [];
  for (const flag of flags) {
    const normal = normalizeFlag(flag);
    const key = normal.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    (normal.startsWith('\\') ? system : keywords).push(normal);
  }
  system.sort(
    (a, b) => SYSTEM_FLAGS.indexOf(a as SystemFlag) - SYSTEM_FLAGS.indexOf(b as SystemFlag),
  );
  return [...system, ...keywords];
}

/** Whether a flag set holds a flag, compared case-insensitively. */
export function hasFlag(flags: readonly string[], flag: string): boolean {
  const key = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === key);
}

/** How a flag update combines with the flags a message has (IMAP STORE FLAGS, +FLAGS, -FLAGS). */
export type FlagOperation = 'replace' | 'add' | 'remove';

/** The flags after applying `operation` with `flags` to `current`; both already normalised. */
export function applyFlagOperation(
  current: readonly string[],
  operation: FlagOperation,
  flags: readonly string[],
): string[] {
  if (operation === 'replace') return normalizeFlags(flags);
  if (operation === 'add') return normalizeFlags([...current, ...flags]);
  const removed = new Set(flags.map((f) => f.toLowerCase()));
  return current.filter((f) => !removed.has(f.toLowerCase()));
}

/** Whether two normalised flag sets hold the same flags. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => keys.has(f.toLowerCase()));
}
