// The vacation reply as RFC 5230 section 5 and RFC 3834 shape it: the finished message the host
// sends from the null sender to the envelope sender of the message it answers.
import { createHash } from 'node:crypto';
import { firstMessageId, formatRfc5322Date, isAscii, parseMessageIds } from '@mailyard/mime';
import libmime from 'libmime';
import type { SieveMessage } from '../interpreter/message.js';

export interface VacationReplyInput {
  /** The message answered. */
  readonly message: SieveMessage;
  /** The envelope sender answered: the reply's only recipient. */
  readonly sender: string;
  /** The reply's From field (an address, or a full mailbox with a display name). */
  readonly from: string;
  /** The To field: the original From when it is the envelope sender, else `<sender>`. */
  readonly to: string;
  readonly subject: string;
  readonly reason: string;
  /** The reason is a MIME entity, its own header first (RFC 5230 4.4). */
  readonly mime: boolean;
  readonly handle: string;
  readonly now: Date;
}

const encoder = new TextEncoder();

/** Lines end with CRLF, whatever the script wrote. */
function crlf(text: string): string {
  return text.replace(/\r?\n|\r/g, '\r\n');
}

/** A header value: encoded words when it is not ASCII, folded to 78 columns (RFC 2047, 5322). */
function headerField(name: string, value: string): string {
  const plain = value.replace(/[\r\n]+/g, ' ');
  const encoded = isAscii(encoder.encode(plain)) ? plain : libmime.encodeWords(plain, 'Q', 52);
  return libmime.foldLines(`${name}: ${encoded}`, 76).replace(/\r?\n/g, '\r\n');
}

/** The domain of an address, for the reply's Message-ID. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1).replace(/[>\s].*$/, '');
  return /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}

/** Base64 in lines of 76 characters (RFC 2045 6.8). */
function base64Lines(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * In-Reply-To and References (RFC 5230 5.7, RFC 5322 3.6.4): the original Message-ID, after the
 * original References (or its one In-Reply-To id when it has no References).
 */
function threading(message: SieveMessage): string[] {
  const id = firstMessageId(message.rawHeaderValues('message-id')[0] ?? '');
  if (id === null) return [];
  const references = parseMessageIds(message.rawHeaderValues('references').join(' '));
  const parents =
    references.length > 0
      ? references
      : parseMessageIds(message.rawHeaderValues('in-reply-to').join(' ')).slice(0, 1);
  return [`In-Reply-To: ${id}`, libmime.foldLines(`References: ${[...parents, id].join(' ')}`, 76)];
}

/** The reply's bytes. */
export function buildVacationReply(input: VacationReplyInput): Uint8Array {
  const unique = createHash('sha256')
    .update(
      [
        input.sender,
        input.from,
        input.handle,
        String(input.now.getTime()),
        input.message.size,
      ].join('\0'),
    )
    .update(input.message.rawHeaderValues('message-id').join(''))
    .digest('hex')
    .slice(0, 32);
  const head = [
    headerField('From', input.from),
    headerField('To', input.to),
    headerField('Subject', input.subject),
    `Date: ${formatRfc5322Date(input.now.getTime(), 0)}`,
    `Message-ID: <vacation.${unique}@${domainOf(input.from)}>`,
    ...threading(input.message),
    // RFC 3834 5.1: what marks the reply as automatic, so that other responders leave it alone.
    'Auto-Submitted: auto-replied (vacation)',
    // Not standard, but what older responders and Exchange look at before answering (as
    // Pigeonhole's replies carry them).
    'Precedence: bulk',
    'X-Auto-Response-Suppress: All',
    'MIME-Version: 1.0',
  ];
  let body: string;
  if (input.mime) {
    // The reason brings its own Content-* fields and body (RFC 5230 4.4).
    body = crlf(input.reason);
    if (!/\r\n\r\n/.test(body)) body += body.endsWith('\r\n') ? '\r\n' : '\r\n\r\n';
  } else {
    const text = crlf(input.reason);
    const ascii = isAscii(encoder.encode(text));
    head.push(
      `Content-Type: text/plain; charset=${ascii ? 'us-ascii' : 'utf-8'}`,
      `Content-Transfer-Encoding: ${ascii ? '7bit' : 'base64'}`,
    );
    body = `\r\n${ascii ? text : base64Lines(text)}`;
    if (!body.endsWith('\r\n')) body += '\r\n';
  }
  return encoder.encode(`${head.join('\r\n')}\r\n${body}`);
}

/**
 * The handle when the script gives none (RFC 5230 4.2): a digest of what makes the reply, so a
 * new text (or subject, or From) starts a new period while the same text answers a sender once.
 */
export function defaultHandle(
  reason: string,
  subject: string | null,
  from: string | null,
  mime: boolean,
): string {
  return createHash('sha256')
    .update([reason, subject ?? '', from ?? '', mime ? 'mime' : 'text'].join('\0'))
    .digest('hex')
    .slice(0, 32);
}
