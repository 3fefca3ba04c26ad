// The mailto notification method (RFC 5436): the URI read into recipients and header fields,
// Kerio's macros expanded in the text (rules.md 1.7), and the notification message built. Pure
// functions: the clock and the names come from the caller.
import { formatRfc5322Date, parseAddressList, partText, type MimePart } from '@mailyard/mime';
import { isPlainAddress } from '../interpreter/address.js';
import { foldFieldValue } from '../interpreter/header-edit.js';
import type { SieveMessage } from '../interpreter/message.js';

export interface MailtoUri {
  /** Envelope recipients: the URI's addresses, then its `to`, `cc` and `bcc` fields. */
  readonly recipients: readonly string[];
  /** The `To` of the notification (path and `to`). */
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string | undefined;
  readonly body: string | undefined;
}

function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function addressList(text: string): string[] | undefined {
  if (text === '') return [];
  const addresses = text.split(',').map((item) => item.trim());
  return addresses.every(isPlainAddress) ? addresses : undefined;
}

/**
 * Reads a mailto URI (RFC 6068). Returns an error message for a URI that is not valid or names
 * no recipient. Header fields other than to, cc, bcc, subject and body are ignored: RFC 5436
 * section 2.2 makes a script unable to set From, Auto-Submitted, Received and the like.
 */
export function parseMailto(uri: string): MailtoUri | string {
  if (!/^mailto:/i.test(uri)) return `'${uri}' is not a mailto URI`;
  const rest = uri.slice('mailto:'.length);
  const question = rest.indexOf('?');
  const path = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);
  const decodedPath = percentDecode(path);
  const to = decodedPath === undefined ? undefined : addressList(decodedPath);
  if (to === undefined) return `invalid recipient in mailto URI '${uri}'`;
  const cc: string[] = [];
  const bcc: string[] = [];
  let subject: string | undefined;
  let body: string | undefined;
  for (const pair of query === '' ? [] : query.split('&')) {
    const equals = pair.indexOf('=');
    const name = percentDecode(equals < 0 ? pair : pair.slice(0, equals))?.toLowerCase();
    const value = percentDecode(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined) return `invalid %-escape in mailto URI '${uri}'`;
    if (name === 'to' || name === 'cc' || name === 'bcc') {
      const list = addressList(value);
      if (list === undefined) return `invalid ${name} address in mailto URI '${uri}'`;
      (name === 'to' ? to : name === 'cc' ? cc : bcc).push(...list);
    } else if (name === 'subject') subject = value;
    else if (name === 'body') body = value;
  }
  const recipients = [...new Set([...to, ...cc, ...bcc].map((address) => address.toLowerCase()))];
  if (recipients.length === 0) return `mailto URI '${uri}' names no recipient`;
  return { recipients, to, cc, subject, body };
}

/** The first text part of a message (text/plain preferred), decoded, for `$text$`. */
export function messageText(message: SieveMessage): string {
  let first: MimePart | undefined;
  let plain: MimePart | undefined;
  const visit = (part: MimePart, depth: number): void => {
    if (plain || depth > 32) return;
    if (part.parts) {
      for (const child of part.parts) visit(child, depth + 1);
      return;
    }
    if (part.contentType.type.toLowerCase() !== 'text') return;
    if (part.disposition?.type.toLowerCase() === 'attachment') return;
    first ??= part;
    if (part.contentType.subtype.toLowerCase() === 'plain') plain = part;
  };
  visit(message.summary.body, 0);
  const part = plain ?? first;
  return part ? partText(message.bytes, part).replace(/\s+/g, ' ').trim() : '';
}

/**
 * Kerio's macros (rules.md 1.7): `$from$` (the From address), `$from-name$` (its display name),
 * `$subject$`, `$text$` (the first 128 characters of the message text) and `$text[N]$` (at most N,
 * never more than `maxText`). Anything else stays as written.
 */
export function expandMacros(text: string, message: SieveMessage, maxText: number): string {
  if (!text.includes('$')) return text;
  let sender: { address: string; name: string } | undefined;
  const from = () => {
    if (!sender) {
      const entry = parseAddressList(message.rawHeaderValues('from')[0] ?? '').find(
        (item) => item.type === 'mailbox',
      );
      sender =
        entry && entry.type === 'mailbox'
          ? {
              address:
                entry.domain === null ? entry.localPart : `${entry.localPart}@${entry.domain}`,
              name: entry.name ?? '',
            }
          : { address: '', name: '' };
    }
    return sender;
  };
  let body: string | undefined;
  return text.replace(
    /\$(from|from-name|subject|text)(?:\[(\d{1,9})\])?\$/gi,
    (whole, name: string, count?: string) => {
      switch (name.toLowerCase()) {
        case 'from':
          return count === undefined ? from().address : whole;
        case 'from-name':
          return count === undefined ? from().name : whole;
        case 'subject':
          return count === undefined ? (message.headerValues('subject')[0] ?? '') : whole;
        default: {
          body ??= messageText(message);
          const limit = Math.min(count === undefined ? 128 : Number(count), maxText);
          return Array.from(body).slice(0, limit).join('');
        }
      }
    },
  );
}

export interface NotificationParts {
  readonly uri: MailtoUri;
  /** The From of the notification: `:from`, or the user's address. */
  readonly from: string;
  /** The user whose script sent it (the owner-email of Auto-Submitted). */
  readonly owner: string;
  readonly subject: string;
  readonly body: string;
  readonly importance: 1 | 2 | 3;
  readonly date: Date;
  readonly messageId: string;
}

const IMPORTANCE = { 1: 'high', 2: 'normal', 3: 'low' } as const;

/** The notification message (RFC 5436 section 2.7): plain UTF-8 text, `Auto-Submitted: auto-notified`. */
export function buildNotification(parts: NotificationParts): Uint8Array {
  const field = (name: string, value: string) => `${name}: ${foldFieldValue(name, value)}`;
  const lines = [
    field('From', parts.from),
    ...(parts.uri.to.length > 0 ? [field('To', parts.uri.to.join(', '))] : []),
    ...(parts.uri.cc.length > 0 ? [field('Cc', parts.uri.cc.join(', '))] : []),
    field('Subject', parts.subject),
    `Date: ${formatRfc5322Date(parts.date.getTime(), 0)}`,
    `Message-ID: ${parts.messageId}`,
    `Auto-Submitted: auto-notified; owner-email="${parts.owner.replace(/["\\\r\n]/g, '')}"`,
    ...(parts.importance === 2
      ? []
      : [
          `Importance: ${IMPORTANCE[parts.importance]}`,
          `X-Priority: ${parts.importance === 1 ? '1 (Highest)' : '5 (Lowest)'}`,
        ]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...parts.body.split(/\r\n|\r|\n/).flatMap(wrapLine),
    '',
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}

/** A body line cut into pieces SMTP carries (RFC 5321 4.5.3.1.6: 998 octets at most). */
function wrapLine(line: string): string[] {
  const characters = Array.from(line);
  if (characters.length <= 200) return [line];
  const out: string[] = [];
  for (let i = 0; i < characters.length; i += 200) out.push(characters.slice(i, i + 200).join(''));
  return out;
}
