import { randomUUID } from 'node:crypto';
import type { Logger } from '@mailyard/mailstore-interface';
import { formatRfc5322Date, parseHeaders } from '@mailyard/mime';
import type { DeliveryQueue, Envelope } from '@mailyard/smtp-core';
import type { Caught } from './content-screen.js';
import type { AntivirusConfig } from './server-config.js';

export interface ContentNoticesOptions {
  readonly queue: DeliveryQueue;
  readonly config: AntivirusConfig;
  readonly hostname: string;
  readonly logger: Logger;
}

/**
 * Kerio's notices when the antivirus or the attachment filter caught something (14.4, 14.5):
 * the original message to one administrator address, the filtered one (what was delivered) to
 * another, and a warning to the sender. All go through the queue from `<>`, so that nothing
 * answers them and none can loop. A notice that cannot be queued is logged: the message's own
 * fate is decided already.
 */
export async function sendContentNotices(
  options: ContentNoticesOptions,
  envelope: Envelope,
  caught: Caught,
  outcome: 'delivered' | 'refused' | 'discarded',
  sessionId: string,
): Promise<void> {
  const { config } = options;
  const send = async (to: string, content: Uint8Array, what: string) =>
    options.queue
      .enqueue(
        {
          from: '',
          recipients: [{ address: to }],
          ...(content.some((byte) => byte >= 0x80) ? { body: '8BITMIME' as const } : {}),
        },
        oneChunk(content),
        { service: 'Antivirus' },
      )
      .catch((error: unknown) =>
        options.logger.error(`could not queue ${what}`, { session: sessionId, error }),
      );
  if (config.forwardOriginal)
    await send(config.forwardOriginal, caught.original, 'the original for the administrator');
  if (config.forwardFiltered && caught.filtered)
    await send(config.forwardFiltered, caught.filtered, 'the filtered copy for the administrator');
  // A refused message's sender hears it from the SMTP reply; the null sender has no mailbox.
  if (config.warnSender && outcome !== 'refused' && envelope.from !== '')
    await send(
      envelope.from,
      senderWarning({
        hostname: options.hostname,
        sender: envelope.from,
        recipients: envelope.recipients.map((recipient) => recipient.address),
        original: caught.original,
        found: caught.found,
        delivered: outcome === 'delivered',
        date: Date.now(),
      }),
      "the sender's warning",
    );
}

/** The warning to the sender, in plain text (Kerio: "the attachment was not delivered"). */
export function senderWarning(input: {
  readonly hostname: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly original: Uint8Array;
  readonly found: readonly string[];
  readonly delivered: boolean;
  readonly date: number;
}): Uint8Array {
  const headers = parseHeaders(input.original);
  const subject = oneLine(headers.get('subject') ?? '');
  const messageId = oneLine(headers.get('message-id') ?? '');
  const body = [
    `This is the mail system at ${input.hostname}.`,
    '',
    `Your message to ${input.recipients.map((to) => `<${oneLine(to)}>`).join(', ')}`,
    ...(subject ? [`with the subject "${subject}"`] : []),
    ...(messageId ? [`(Message-ID ${messageId})`] : []),
    'was checked for viruses and forbidden attachments. The server found:',
    '',
    ...input.found.map((item) => `  - ${oneLine(item)}`),
    '',
    input.delivered
      ? 'The message was delivered without them: each was replaced by a notice.'
      : 'The message was not delivered.',
    '',
  ].join('\r\n');
  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${oneLine(input.sender)}>`,
    `Subject: Warning: ${input.delivered ? 'parts of your message were removed' : 'your message was not delivered'}`,
    `Date: ${formatRfc5322Date(input.date, -new Date(input.date).getTimezoneOffset())}`,
    `Message-ID: <${randomUUID()}@${input.hostname}>`,
    // RFC 3834: an automatic message, which responders and lists leave alone.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ].join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}
