import { type AddressListEntry, parseAddressList } from './address.js';
import { envelopeAddressList } from './envelope-address.js';
import type { HeaderField } from './header-block.js';
import { isAscii, isValidUtf8, latin1String } from './charset.js';
import { decodeHeaderBytes, fieldValueBytes } from './header-value.js';
import type { ImapValue, ImapViewOptions } from './imap-value.js';

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
  /**
   * The fields whose octets are neither ASCII nor UTF-8 (a raw Latin-1 Subject, say), each
   * occurrence as its octets, one character per octet: IMAP shows them unchanged to a client
   * that did not enable UTF-8. Absent when there is none.
   */
  readonly octets?: Partial<Record<StringField | AddressField, readonly string[]>>;
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
  // Every occurrence's octets per field, and whether any of them is neither ASCII nor UTF-8.
  const occurrences = new Map<StringField | AddressField, { texts: string[]; raw: boolean }>();
  for (const field of fields) {
    const key = FIELDS.get(field.key);
    if (key === undefined) continue;
    const octets = fieldValueBytes(bytes, field);
    const value = decodeHeaderBytes(octets, charsetHint);
    const raw = !isAscii(octets) && !isValidUtf8(octets);
    const seen = occurrences.get(key);
    if (ADDRESS_FIELDS.has(key)) {
      addresses[key as AddressField].push(...parseAddressList(value));
      if (seen) {
        seen.texts.push(latin1String(octets));
        seen.raw ||= raw;
      } else occurrences.set(key, { texts: [latin1String(octets)], raw });
    } else {
      strings[key as StringField] = value;
      // The last occurrence is the one shown.
      occurrences.set(key, { texts: [latin1String(octets)], raw });
    }
  }
  const octets: Partial<Record<StringField | AddressField, string[]>> = {};
  for (const [key, { texts, raw }] of occurrences) if (raw) octets[key] = texts;
  return Object.keys(octets).length > 0
    ? { ...strings, ...addresses, octets }
    : { ...strings, ...addresses };
}

/** An envelope with nothing in it: the ENVELOPE of an empty encapsulated message. */
export const EMPTY_ENVELOPE: Envelope = readEnvelope(new Uint8Array(0), []);

/**
 * The ENVELOPE structure. Sender and Reply-To default to From when absent (RFC 9051 7.5.2); the
 * subject is shown "for humans" as Dovecot does (see {@link forHumans}). Fields whose octets are
 * neither ASCII nor UTF-8 are shown as those octets, unless the client enabled UTF-8.
 */
export function envelopeToImap(envelope: Envelope, options: ImapViewOptions = {}): ImapValue {
  const raw = options.utf8 ? undefined : envelope.octets;
  const text = (key: StringField, value: string | null): ImapValue => {
    const octets = raw?.[key]?.[0];
    return octets === undefined ? value : asOctets(octets);
  };
  const addresses = (key: AddressField): ImapValue => {
    const octets = raw?.[key];
    if (octets === undefined) return envelopeAddressList(envelope[key]);
    return octetStrings(envelopeAddressList(octets.flatMap((field) => parseAddressList(field))));
  };
  const orFrom = (key: 'sender' | 'replyTo') =>
    envelope[key].length > 0 ? addresses(key) : addresses('from');
  const subject = raw?.subject?.[0];
  return [
    text('date', envelope.date),
    subject !== undefined
      ? asOctets(forHumans(subject))
      : envelope.subject === null
        ? null
        : forHumans(envelope.subject),
    addresses('from'),
    orFrom('sender'),
    orFrom('replyTo'),
    addresses('to'),
    addresses('cc'),
    addresses('bcc'),
    text('inReplyTo', envelope.inReplyTo),
    text('messageId', envelope.messageId),
  ];
}

/** Octets kept one character each (Latin-1) as the octets themselves. */
function asOctets(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** A view built from octets-as-characters, with its non-ASCII strings turned back into octets. */
function octetStrings(value: ImapValue): ImapValue {
  if (typeof value === 'string') return /[^\x00-\x7f]/.test(value) ? asOctets(value) : value;
  if (Array.isArray(value)) return value.map(octetStrings);
  return value;
}

/** Dovecot's reading for humans: stray CR and LF go, runs of spaces and tabs become one space. */
function forHumans(text: string): string {
  return text
    .replace(/[\r\n]/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
