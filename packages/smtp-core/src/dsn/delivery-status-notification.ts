import { createHash } from 'node:crypto';
import { formatRfc5322Date } from '@mailyard/mime';
import type { Envelope, EnvelopeRecipient } from '../envelope.js';

/** RFC 3464 2.3.3: what happened to a recipient. */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipient {
  readonly recipient: EnvelopeRecipient;
  readonly action: DsnAction;
  /** The enhanced status code (RFC 3463), e.g. `5.1.1`. */
  readonly status: string;
  /** The host that answered (Remote-MTA). */
  readonly remoteMta?: string;
  /** The reply that decided it, `550 5.1.1 ...` (Diagnostic-Code, type smtp). */
  readonly diagnostic?: string;
  /** UTC milliseconds. */
  readonly lastAttempt?: number;
  /** For `delayed`: when the queue gives up (Will-Retry-Until). */
  readonly willRetryUntil?: number;
}

export interface DsnInput {
  /** Our host name (Reporting-MTA, and the DSN's From domain). */
  readonly reportingMta: string;
  /** The envelope of the message reported on: its sender gets the DSN, its ENVID and RET count. */
  readonly envelope: Envelope;
  /** The recipients reported on, all with the same kind of news. */
  readonly recipients: readonly DsnRecipient[];
  /** When the message arrived (Arrival-Date), UTC milliseconds. */
  readonly arrivalDate: number;
  /** Now, UTC milliseconds (the DSN's Date). */
  readonly date: number;
  /** The server's offset from UTC in minutes, for the dates. */
  readonly utcOffset?: number;
  /** The Message-ID, without angle brackets; unique per DSN. */
  readonly messageId: string;
  /** The message reported on (read once; only its header is used when headers are returned). */
  readonly original: Uint8Array;
  /**
   * What to return (RFC 3461 4.3): the whole message or its header. RET= decides when given;
   * otherwise this (default `headers`, as Kerio returns "its header including DSN").
   */
  readonly returnContent?: 'full' | 'headers';
  /** Larger messages come back as their header only; default 1 MiB. */
  readonly maxReturnSize?: number;
  /** The DSN's From; default `MAILER-DAEMON@<reportingMta>`. */
  readonly postmaster?: string;
}

export interface Dsn {
  /** From `<>` (never a bounce of a bounce), to the original sender, with the body type it needs. */
  readonly envelope: Envelope;
  readonly content: Uint8Array;
}

const SUBJECTS: Record<DsnAction, string> = {
  failed: 'Undelivered Mail Returned to Sender',
  delayed: 'Delayed Mail (still being retried)',
  delivered: 'Successful Mail Delivery Report',
  relayed: 'Mail Relayed Without Delivery Report',
  expanded: 'Mail Delivered to an Expanded List',
};

/**
 * A delivery status notification (RFC 3464): `multipart/report; report-type=delivery-status`
 * with a part for people, the `message/delivery-status` part (per-message fields, then a block
 * per recipient), and the message or its header. When an address or the message needs UTF-8
 * (SMTPUTF8, RFC 6533), the report is `message/global-delivery-status` and the returned parts
 * are `message/global` or `message/global-headers`.
 */
export function buildDsn(input: DsnInput): Dsn {
  const { envelope } = input;
  const addresses = [envelope.from, ...input.recipients.map((r) => r.recipient.address)];
  const global =
    envelope.smtpUtf8 === true ||
    addresses.some(nonAscii) ||
    input.recipients.some((r) => nonAscii(r.recipient.originalRecipient ?? ''));
  const date = (time: number) => formatRfc5322Date(time, input.utcOffset ?? 0);
  const action = input.recipients[0]?.action ?? 'failed';

  const perMessage = [
    `Reporting-MTA: dns; ${input.reportingMta}`,
    ...(envelope.envelopeId !== undefined
      ? [`Original-Envelope-Id: ${fieldText(envelope.envelopeId, global)}`]
      : []),
    `Arrival-Date: ${date(input.arrivalDate)}`,
  ];
  const perRecipient = input.recipients.map((r) =>
    [
      ...(r.recipient.originalRecipient
        ? [`Original-Recipient: ${typedAddress(r.recipient.originalRecipient, global)}`]
        : []),
      `Final-Recipient: ${addressField(r.recipient.address, global)}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
      ...(r.remoteMta ? [`Remote-MTA: dns; ${fieldText(r.remoteMta, global)}`] : []),
      ...(r.diagnostic ? [`Diagnostic-Code: smtp; ${fieldText(r.diagnostic, global)}`] : []),
      ...(r.lastAttempt !== undefined ? [`Last-Attempt-Date: ${date(r.lastAttempt)}`] : []),
      ...(r.willRetryUntil !== undefined ? [`Will-Retry-Until: ${date(r.willRetryUntil)}`] : []),
    ].join('\r\n'),
  );
  const report = `${perMessage.join('\r\n')}\r\n\r\n${perRecipient.join('\r\n\r\n')}\r\n`;

  const original = Buffer.from(input.original);
  const header = headerOf(original);
  const wanted =
    action === 'delayed' || action === 'delivered' || action === 'relayed' || action === 'expanded'
      ? 'headers'
      : envelope.ret === 'FULL'
        ? 'full'
        : envelope.ret === 'HDRS'
          ? 'headers'
          : (input.returnContent ?? 'headers');
  const full =
    wanted === 'full' &&
    envelope.body !== 'BINARYMIME' &&
    original.length <= (input.maxReturnSize ?? 1024 * 1024);
  const returned = full ? withFinalLineEnd(original) : header;

  const human = humanText(input, action, wanted === 'full' && !full);
  const boundary = `=_mailyard_${createHash('sha256').update(original).update(report).digest('hex').slice(0, 32)}`;
  const postmaster = input.postmaster ?? `MAILER-DAEMON@${input.reportingMta}`;
  const head = [
    `From: Mail Delivery System <${postmaster}>`,
    `To: <${envelope.from}>`,
    `Subject: ${SUBJECTS[action]}`,
    `Date: ${date(input.date)}`,
    `Message-ID: <${input.messageId}>`,
    // RFC 3834: an automatic reply, so that responders and lists leave it alone.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
  ].join('\r\n');
  const parts = [
    `${head}\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n`,
    `--${boundary}\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Transfer-Encoding: ${nonAscii(human) ? '8bit' : '7bit'}\r\n\r\n${human}\r\n`,
    `--${boundary}\r\nContent-Description: Delivery report\r\n` +
      `Content-Type: message/${global ? 'global-delivery-status' : 'delivery-status'}\r\n\r\n${report}\r\n`,
    `--${boundary}\r\nContent-Description: ${full ? 'Undelivered Message' : 'Message Headers'}\r\n` +
      `Content-Type: ${full ? (global ? 'message/global' : 'message/rfc822') : global ? 'message/global-headers' : 'text/rfc822-headers'}\r\n\r\n`,
  ];
  const content = Buffer.concat([
    Buffer.from(parts.join(''), 'utf8'),
    returned,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  ]);
  const eightBit = content.some((byte) => byte >= 0x80);
  return {
    envelope: {
      from: '',
      recipients: [{ address: envelope.from, notify: 'NEVER' }],
      ...(eightBit ? { body: '8BITMIME' } : {}),
      ...(global ? { smtpUtf8: true } : {}),
    },
    content,
  };
}

function humanText(input: DsnInput, action: DsnAction, tooBig: boolean): string {
  const lines = input.recipients.map(
    (r) => `<${r.recipient.address}>${r.diagnostic ? `: ${oneLine(r.diagnostic)}` : ''}`,
  );
  const intro: Record<DsnAction, string> = {
    failed: `This is the mail system at ${input.reportingMta}.\r\n\r\nYour message could not be delivered to the following recipients. This is a permanent error; the message will not be tried again.`,
    delayed: `This is the mail system at ${input.reportingMta}.\r\n\r\nYour message has not been delivered yet to the following recipients. The mail system keeps trying; no action is needed on your part.`,
    delivered: `This is the mail system at ${input.reportingMta}.\r\n\r\nYour message was delivered to the following recipients.`,
    relayed: `This is the mail system at ${input.reportingMta}.\r\n\r\nYour message was passed on to a system that does not send delivery reports, for the following recipients.`,
    expanded: `This is the mail system at ${input.reportingMta}.\r\n\r\nYour message was delivered to the following lists or aliases, which passed it on.`,
  };
  const until = input.recipients.find((r) => r.willRetryUntil !== undefined)?.willRetryUntil;
  const retry =
    action === 'delayed' && until !== undefined
      ? `\r\n\r\nIt will be tried until ${formatRfc5322Date(until, input.utcOffset ?? 0)}.`
      : '';
  const note = tooBig ? '\r\n\r\nThe message was too large to return; its header follows.' : '';
  return `${intro[action]}\r\n\r\n${lines.join('\r\n')}${retry}${note}`;
}

/** The header block, blank line included; the whole message when it has no body. */
function headerOf(message: Buffer): Buffer {
  for (let i = 0; i < message.length; i++) {
    if (message[i] !== 0x0a) continue;
    if (message[i + 1] === 0x0a) return message.subarray(0, i + 2);
    if (message[i + 1] === 0x0d && message[i + 2] === 0x0a) return message.subarray(0, i + 3);
  }
  return withFinalLineEnd(message);
}

function withFinalLineEnd(message: Buffer): Buffer {
  return message.length === 0 || message[message.length - 1] === 0x0a
    ? message
    : Buffer.concat([message, Buffer.from('\r\n')]);
}

/** `rfc822; addr`, or `utf-8; addr` for an address only a global report can carry (RFC 6533). */
function addressField(address: string, global: boolean): string {
  if (nonAscii(address))
    return global ? `utf-8; ${oneLine(address)}` : `rfc822; ${asciiOnly(address)}`;
  return `rfc822; ${oneLine(address)}`;
}

/** ORCPT's `type;address`, as given. */
function typedAddress(value: string, global: boolean): string {
  const [type, ...rest] = value.split(';');
  const address = rest.join(';').trim();
  if (!address) return addressField(value, global);
  return `${oneLine(type!.trim())}; ${fieldText(address, global)}`;
}

/** Header text on one line, ASCII unless the report is global, at most 900 octets. */
function fieldText(text: string, global: boolean): string {
  const line = oneLine(text);
  return (global ? line : asciiOnly(line)).slice(0, 900);
}

function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function nonAscii(text: string): boolean {
  return /[^\x00-\x7f]/.test(text);
}
