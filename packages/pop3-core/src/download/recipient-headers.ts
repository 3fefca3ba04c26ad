import { type Headers, parseAddressList } from '@mailyard/mime';

/**
 * The headers Kerio's sorting reads after the preferred one (Admin Guide 12.4): Resent-To and
 * Resent-Cc, then To and Cc. Each pair is one step: a message sent To one user and Cc another
 * goes to both.
 */
export const FALLBACK_HEADER_GROUPS: readonly (readonly string[])[] = [
  ['Resent-To', 'Resent-Cc'],
  ['To', 'Cc'],
];

/** The preferred headers Kerio lists; any other header name can be given too. */
export const PREFERRED_HEADERS = ['X-Envelope-To', 'Received', 'Delivered-To'] as const;

/** The `for <address>` clause of a Received field (RFC 5321 4.4). */
const RECEIVED_FOR = /\bfor\s+<?([^\s<>;"]+@[^\s<>;"]+?)>?(?=[\s;]|$)/gi;

/**
 * The addresses a header names, lower-cased, in order, each once. For Received, the address of
 * each field's `for` clause (the envelope recipient the relay recorded); for every other header
 * (X-Envelope-To, Delivered-To, To, a custom one), the mailboxes of its address list, groups
 * included.
 */
export function headerAddresses(headers: Headers, name: string): string[] {
  const found: string[] = [];
  const add = (address: string) => {
    const lower = address.toLowerCase();
    if (!found.includes(lower)) found.push(lower);
  };
  for (const value of headers.getAll(name)) {
    if (name.toLowerCase() === 'received') {
      for (const match of value.matchAll(RECEIVED_FOR)) add(match[1]!);
      continue;
    }
    for (const entry of parseAddressList(value)) {
      const mailboxes = entry.type === 'group' ? entry.members : [entry];
      for (const mailbox of mailboxes) {
        if (mailbox.domain && mailbox.localPart) add(`${mailbox.localPart}@${mailbox.domain}`);
      }
    }
  }
  return found;
}

/** The envelope sender a delivered message carries in Return-Path, or `''` (the null sender). */
export function returnPath(headers: Headers): string {
  const value = headers.get('Return-Path');
  if (value === undefined) return '';
  const angle = /<([^<>]*)>/.exec(value);
  const address = (angle ? angle[1]! : value).trim();
  return /^[^\s@]+@[^\s@]+$/.test(address) ? address : '';
}
