import { hasRight } from '@mailyard/mailstore-interface';

/** The system flags a mailbox can hold, in the order FLAGS lists them. */
export const SYSTEM_FLAG_LIST = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/** A parenthesized list of flags. Keywords are atoms by construction (the store checks them). */
export function flagList(flags: Iterable<string>): string {
  return `(${[...flags].join(' ')})`;
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
