import { createHash } from 'node:crypto';
import type { MessageInput } from '../core/spam-test.js';
import { SaMessageView } from '../spamassassin/message-view.js';

/**
 * What makes two copies the same message, as SpamAssassin's Bayes tells them apart (Message.pm's
 * `generate_msgid`, which sa-learn records): its To and Date headers and its body, CRLF read as
 * LF. Neither the header above the body (it changes on every hop) nor the Message-ID take part:
 * copies may carry Message-IDs of their own (2 ham and 4 spam of the training sets came two or
 * three times with the same To, Date and body and another Message-ID each; sa-learn learned
 * each once). `view`: the message's view where the caller has one already.
 */
export function messageSignature(
  message: MessageInput,
  view = new SaMessageView(message.bytes, message.summary),
): string {
  const body = Buffer.from(message.bytes.subarray(message.summary.body.bodyStart));
  const bodyDigest = createHash('sha1')
    .update(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
    .digest('hex');
  return createHash('sha1')
    .update(`${view.header('To', null) ?? ''}\0${view.header('Date', null) ?? ''}\0`, 'latin1')
    .update(bodyDigest)
    .digest('hex');
}

/**
 * The signature of databases learned before (Message-ID and body): still looked up, so that a
 * message learned then can be moved to the other class or forgotten.
 */
export function legacyMessageSignature(message: MessageInput): string {
  const hash = createHash('sha256');
  hash.update(message.summary.messageId ?? '');
  hash.update('\0');
  hash.update(message.bytes.subarray(message.summary.body.bodyStart));
  return hash.digest('hex').slice(0, 40);
}
