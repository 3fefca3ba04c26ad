import { type AddressListEntry, parseAddressList } from './address.js';
import { envelopeAddressList } from './envelope-address.js';
import type { HeaderField } from './header-block.js';
import { fieldValue } from './header-value.js';
import type { ImapValue } from './imap-value.js';

/**
 * The fields of a message header that IMAP's ENVELOPE reports (RFC 9051 section 7.5.2), as
 * written: strings are unfolded but not decoded (encoded words stay), addresses are parsed.
 */
export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly AddressListEntry[];
  readonly sender: readonly AddressListEntry[];
  readonly replyTo: readonly AddressListEntry[];
  readonly to: readonly AddressListEntry[];
  readonly cc: readonly AddressListEntry[];
  readonly bcc: readonly AddressListEntry[];
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

type StringField = 'date' | 'subject' | 'inReplyTo' | 'messageId';
type AddressField = 'from' | 'sender' | 'replyTo' | 'to' | 'cc' | 'bcc';

const FIELDS: ReadonlyMap<string, StringField | AddressField> = new Map([
  ['date', 'date'],
  ['subject', 'subject'],
  ['in-reply-to', 'inReplyTo'],
  ['message-id', 'messageId'],
  ['from', 'from'],
  ['sender', 'sender'],
  ['reply-to', 'replyTo'],
  ['to', 'to'],
  ['cc', 'cc'],
  ['bcc', 'bcc'],
]);

const ADDRESS_FIELDS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'replyTo',
  'to',
  'cc',
  'bcc',
]);

/**
 * Reads the envelope from a header's fields. Where a field is repeated, Dovecot's reading is
 * kept: the last string field wins, and address fields add up.
 */
export function readEnvelope(
  bytes: Uint8Array,
  fields: readonly HeaderField[],
  charsetHint?: string | null,
): Envelope {
  const strings: Record<StringField, string | null> = {
    date: null,
    subject: null,
    inReplyTo: null,
    messageId: null,
  };
  const addresses: Record<AddressField, AddressListEntry[]> = {
    from: [],
    sender: [],
    replyTo: [],
    to: [],
    cc: [],
    bcc: [],
  };
  for (const field of fields) {
    const key = FIELDS.get(field.key);
    if (key === undefined) continue;
    const value = fieldValue(bytes, field, charsetHint);
    if (ADDRESS_FIELDS.has(key)) addresses[key as AddressField].push(...parseAddressList(value));
    else strings[key as StringField] = value;
  }
  return { ...strings, ...addresses };
}

/** An envelope with nothing in it: the ENVELOPE of an empty encapsulated message. */
export const EMPTY_ENVELOPE: Envelope = readEnvelope(new Uint8Array(0), []);

/**
 * The ENVELOPE structure. Sender and Reply-To default to From when absent (RFC 9051 7.5.2); the
 * subject is shown "for humans" as Dovecot does (see {@link forHumans}).
 */
export function envelopeToImap(envelope: Envelope): ImapValue {
  const orFrom = (list: readonly AddressListEntry[]) => (list.length > 0 ? list : envelope.from);
  return [
    envelope.date,
    envelope.subject === null ? null : forHumans(envelope.subject),
    envelopeAddressList(envelope.from),
    envelopeAddressList(orFrom(envelope.sender)),
    envelopeAddressList(orFrom(envelope.replyTo)),
    envelopeAddressList(envelope.to),
    envelopeAddressList(envelope.cc),
    envelopeAddressList(envelope.bcc),
    envelope.inReplyTo,
    envelope.messageId,
  ];
}

/** Dovecot's reading for humans: stray CR and LF go, runs of spaces and tabs become one space. */
function forHumans(text: string): string {
  return text
    .replace(/[\r\n]/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
