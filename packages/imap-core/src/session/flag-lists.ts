import { hasRight } from '@mailyard/mailstore-interface';

/** The system flags a mailbox can hold, in the order FLAGS lists them. */
export const SYSTEM_FLAG_LIST = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** A parenthesized list of flags. Keywords are atoms by construction (the store checks them). */
export function flagList(flags: Iterable<string>): string {
  return `(${[...flags].join(' ')})`;
}

const FLAG_ORDER = new Map([...SYSTEM_FLAG_LIST, '\\Recent'].map((flag, i) => [flag, i]));

/**
 * A message's flags as FETCH FLAGS shows them, in Dovecot's order: the system flags as FLAGS
 * lists them, `\Recent`, then the keywords as the store keeps them.
 */
export function messageFlagList(flags: readonly string[]): string {
  const system = flags
    .filter((f) => FLAG_ORDER.has(f))
    .sort((a, b) => FLAG_ORDER.get(a)! - FLAG_ORDER.get(b)!);
  return flagList([...system, ...flags.filter((f) => !FLAG_ORDER.has(f))]);
}

/**
 * PERMANENTFLAGS (RFC 9051 7.1): the flags the user may change for good, by ACL right (RFC 4314
 * section 4: `s` for \Seen, `t` for \Deleted, `w` for the others and for new keywords, `\*`).
 */
export function permanentFlags(rights: string, keywords: Iterable<string>): string {
  const flags: string[] = [];
  const w = hasRight(rights, 'w');
  for (const flag of SYSTEM_FLAG_LIST) {
    const right = flag === '\\Seen' ? 's' : flag === '\\Deleted' ? 't' : 'w';
    if (hasRight(rights, right)) flags.push(flag);
  }
  if (w) flags.push(...keywords, '\\*');
  return flagList(flags);
}
