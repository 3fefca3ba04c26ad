import type { AddressListEntry, MailboxAddress } from './address.js';
import { isAtext } from './rfc5322-reader.js';

/**
 * Writes an address list back as a header field value (without folding): the inverse of
 * parseAddressList for every list it reads without defects. Names are written from `rawName`,
 * so encoded words stay encoded and UTF-8 stays UTF-8 (RFC 6532).
 */
export function formatAddressList(entries: readonly AddressListEntry[]): string {
  return entries
    .map((entry) =>
      entry.type === 'group'
        ? `${formatPhrase(entry.rawName)}:${entry.members.map(formatMailbox).join(', ')};`
        : formatMailbox(entry),
    )
    .join(', ');
}

/** One mailbox: `addr-spec`, or `phrase <addr-spec>` when it has a name or a route. */
export function formatMailbox(mailbox: MailboxAddress): string {
  const route = mailbox.route === null ? '' : `${mailbox.route}:`;
  if (mailbox.rawName === null && route === '') return mailbox.address;
  const name = mailbox.rawName === null ? '' : `${formatPhrase(mailbox.rawName)} `;
  return `${name}<${route}${mailbox.address}>`;
}

/** A local part as a dot-atom when it is one, else as a quoted string. */
export function formatLocalPart(localPart: string): string {
  return isDotAtom(localPart) ? localPart : quote(localPart);
}

/**
 * A display name as a phrase: atoms separated by single spaces are written as they are (encoded
 * words are atoms and must not be quoted, RFC 2047 section 5), anything else as a quoted string.
 */
function formatPhrase(name: string): string {
  return name !== '' && name.split(' ').every(isAtom) ? name : quote(name);
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function isAtom(word: string): boolean {
  if (word === '') return false;
  for (let i = 0; i < word.length; i++) if (!isAtext(word.charCodeAt(i))) return false;
  return true;
}

function isDotAtom(text: string): boolean {
  return text.split('.').every(isAtom);
}
