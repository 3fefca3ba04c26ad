import type { AddressListEntry, MailboxAddress } from './address.js';
import type { ImapValue } from './imap-value.js';

/**
 * An address list as an ENVELOPE field (RFC 9051 section 7.5.2): NIL when empty, else a list of
 * `(name adl mailbox host)`. A group opens with `(NIL NIL "group name" NIL)` and closes with
 * `(NIL NIL NIL NIL)`. Where a mailbox was read from broken syntax, the placeholders are
 * Dovecot's, so a client sees the same ENVELOPE from both servers.
 */
export function envelopeAddressList(entries: readonly AddressListEntry[]): ImapValue {
  if (entries.length === 0) return null;
  const list: ImapValue[] = [];
  for (const entry of entries) {
    if (entry.type === 'mailbox') {
      list.push(envelopeAddress(entry));
      continue;
    }
    list.push([null, null, entry.rawName, null]);
    for (const member of entry.members) list.push(envelopeAddress(member));
    list.push([null, null, null, null]);
  }
  return list;
}

function envelopeAddress(mailbox: MailboxAddress): ImapValue {
  const defects = mailbox.defects ?? [];
  return [
    mailbox.rawName,
    defects.includes('invalid-route') ? 'INVALID_ROUTE' : mailbox.route,
    defects.includes('missing-local-part') ? 'MISSING_MAILBOX' : mailbox.localPart,
    defects.includes('bad-angle-addr') ? 'SYNTAX_ERROR' : (mailbox.domain ?? 'MISSING_DOMAIN'),
  ];
}
