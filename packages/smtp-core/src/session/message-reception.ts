import type { Envelope } from '../envelope.js';
import type { InputEvent } from '../protocol/input-decoder.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import { MessageAbortedError, MessageStream } from './message-stream.js';
import { receivedHeader, receivedProtocol } from './received-header.js';
import type { SessionContext, Transaction } from './session-context.js';

/** DATA (RFC 5321 4.1.1.4): the message text follows, up to `<CRLF>.<CRLF>`. */
export function data(session: SessionContext): void {
  const transaction = session.transaction;
  if (!transaction)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] });
  if (transaction.recipients.length === 0) return session.refuse(noRecipients(session));
  if (transaction.chunked || transaction.envelope.body === 'BINARYMIME') {
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Use BDAT for this message'] });
  }
  beginMessage(session, transaction);
  session.state = 'data';
  session.decoder.startData();
  session.reply({ code: 354, lines: ['End data with <CR><LF>.<CR><LF>'] });
}

/** BDAT (RFC 3030): a chunk of `size` octets follows, the last one if `last`. */
export function bdat(session: SessionContext, size: number, last: boolean): void {
  const transaction = session.transaction;
  // The chunk's bytes come whatever we answer (RFC 3030 4.2): read them, then refuse.
  const refusal: SmtpReply | null = !transaction
    ? { code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] }
    : transaction.recipients.length === 0
      ? noRecipients(session)
      : null;
  if (transaction && refusal) session.abandonTransaction();
  if (transaction && !refusal) {
    if (!transaction.message) beginMessage(session, transaction);
    transaction.chunked = true;
    // Too big a chunk fails the message, which under LMTP is answered per recipient.
    if (size > session.limits.chunkSize && !transaction.refusal)
      failMessage(session, transaction, { code: 552, enhanced: '5.3.4', lines: ['Chunk too big'] });
  }
  session.chunk = { last, refusal };
  session.state = 'chunk';
  session.decoder.startChunk(size);
}

/** Message text (of DATA or of a BDAT chunk), counted against the limits and passed on. */
export function messageBytes(session: SessionContext, chunk: Uint8Array): void {
  const transaction = session.transaction;
  if (!transaction?.message || transaction.refusal) return;
  transaction.size += chunk.length;
  transaction.hops.push(chunk);
  const { messageSize } = session.limits;
  if (messageSize > 0 && transaction.size > messageSize) {
    return failMessage(session, transaction, {
      code: 552,
      enhanced: '5.3.4',
      lines: ['Message size exceeds fixed maximum message size'],
    });
  }
  if (!session.inFlight.reserve(transaction.client, chunk.length)) {
    return failMessage(session, transaction, insufficientStorage());
  }
  transaction.reserved += chunk.length;
  transaction.message.push(chunk);
  if (transaction.message.full) {
    session.holds.hold('message');
    transaction.message.onDrain(() => session.holds.release('message'));
  }
}

/** The end of DATA: refuses smuggling attempts and over-long lines, else completes. */
export async function dataEnd(
  session: SessionContext,
  event: Extract<InputEvent, { type: 'data-end' }>,
): Promise<void> {
  session.state = 'ready';
  const transaction = session.transaction;
  if (!transaction?.message) return;
  const bareLineEndings = event.bareLineFeed || event.bareCarriageReturn;
  if (!transaction.refusal && bareLineEndings && !session.options.acceptBareLineEndings) {
    // Postfix's code for the same refusal (smtpd_forbid_bare_newline = reject).
    transaction.refusal = {
      code: 550,
      enhanced: '5.5.2',
      lines: ['Message contains bare CR or LF (SMTP smuggling defence)'],
    };
  } else if (!transaction.refusal && event.longLines > 0) {
    // A reply the end of data may have (RFC 5321 4.3.2), about the content (RFC 3463 X.6.0).
    transaction.refusal = {
      code: 554,
      enhanced: '5.6.0',
      lines: [`Message has lines over ${session.limits.textLine} octets`],
    };
  }
  await completeMessage(session, transaction);
}

/** The end of a BDAT chunk: answered at once, or, for the last, once the message is stored. */
export async function chunkEnd(session: SessionContext): Promise<void> {
  session.state = 'ready';
  const { last, refusal } = session.chunk;
  if (refusal) return session.refuse(refusal);
  const transaction = session.transaction;
  if (!transaction) return;
  if (!last) {
    if (transaction.refusal) return session.refuse(takeRefusal(session, transaction));
    return session.reply({
      code: 250,
      enhanced: '2.0.0',
      lines: [`${transaction.size} octets received`],
    });
  }
  await completeMessage(session, transaction);
}

/** Postfix's words for the same condition; RFC 3463 X.3.1: "mail system full". */
export function insufficientStorage(): SmtpReply {
  return { code: 452, enhanced: '4.3.1', lines: ['Insufficient system storage'] };
}

/** DATA or BDAT with no accepted recipient: SMTP may say 503 or 554 (RFC 5321 3.3), LMTP must
 *  say 503 (RFC 2033 4.2). */
function noRecipients(session: SessionContext): SmtpReply {
  return session.options.lmtp
    ? { code: 503, enhanced: '5.5.1', lines: ['No valid recipients'] }
    : { code: 554, enhanced: '5.5.1', lines: ['No valid recipients'] };
}

function takeRefusal(session: SessionContext, transaction: Transaction): SmtpReply {
  const refusal = transaction.refusal!;
  session.abandonTransaction();
  return refusal;
}

/** The message will be refused once its data is in; the application's stream ends now. */
function failMessage(session: SessionContext, transaction: Transaction, refusal: SmtpReply): void {
  transaction.refusal = refusal;
  transaction.message?.abort(new MessageAbortedError(refusal.lines[0] ?? 'message refused'));
  session.releaseInFlight(transaction);
}

/** Opens the message stream the application reads, starting with our Received header. */
function beginMessage(session: SessionContext, transaction: Transaction): void {
  const message = new MessageStream(session.limits.messageWindow);
  transaction.message = message;
  const envelope = session.currentEnvelope(transaction);
  message.push(Buffer.from(receivedFor(session, envelope), 'utf8'));
  const onMessage = session.hooks.onMessage;
  transaction.result = onMessage
    ? onMessage.call(session.hooks, envelope, message, session.info)
    : (async () => {
        for await (const _ of message); // nobody wants it: read it to its end anyway
      })();
  // A refused or abandoned message makes the hook reject; that is expected, not a failure.
  transaction.result.catch(() => undefined);
}

/** Ends the message stream, waits for the application to store it, and answers. */
async function completeMessage(session: SessionContext, transaction: Transaction): Promise<void> {
  const maxHops = session.limits.receivedHeaders;
  if (!transaction.refusal && maxHops > 0 && transaction.hops.hops > maxHops) {
    transaction.refusal = {
      code: 554,
      enhanced: '5.4.6',
      lines: [`Too many hops (${transaction.hops.hops} Received headers): mail loop?`],
    };
  }
  if (transaction.refusal) {
    const refusal = takeRefusal(session, transaction);
    // RFC 2033 4.2: after the data, LMTP answers once per accepted recipient, refusals too.
    if (session.options.lmtp)
      for (let i = 1; i < transaction.recipients.length; i++) session.reply(refusal);
    return session.refuse(refusal);
  }
  transaction.message!.end();
  let outcome: SmtpReply | SmtpReply[] | void;
  try {
    outcome = await transaction.result!;
  } catch (error) {
    session.logger.error('message hook failed', { session: session.id, error: String(error) });
    outcome = { code: 451, enhanced: '4.3.0', lines: ['Local error in processing'] };
  }
  const recipients = transaction.recipients.length;
  session.releaseInFlight(transaction);
  session.transaction = null;
  const fallback: SmtpReply = {
    code: 250,
    enhanced: '2.0.0',
    lines: [`Ok: queued as ${session.id}`],
  };
  if (session.options.lmtp) {
    // RFC 2033 4.2: one reply per accepted recipient, in order.
    const replies = Array.isArray(outcome)
      ? outcome
      : Array.from({ length: recipients }, () => outcome ?? fallback);
    for (let i = 0; i < recipients; i++) session.reply(replies[i] ?? fallback);
    return;
  }
  const reply = Array.isArray(outcome) ? (outcome[0] ?? fallback) : (outcome ?? fallback);
  if (reply.code >= 400) return session.refuse(reply);
  session.reply(reply);
}

/** Our Received header for the message (RFC 5321 4.4), as the session knows the client. */
function receivedFor(session: SessionContext, envelope: Envelope): string {
  const options = session.options.received ?? {};
  return receivedHeader({
    clientName: session.clientName ?? 'unknown',
    clientAddress: session.connection.remoteAddress,
    hostname: session.hostname,
    protocol: receivedProtocol({
      extended: session.extended,
      lmtp: session.options.lmtp ?? false,
      tls: session.secure,
      authenticated: session.user !== null,
    }),
    id: session.id,
    ...(envelope.recipients.length === 1 ? { recipient: envelope.recipients[0]!.address } : {}),
    time: session.clock.now(),
    ...(options.offsetMinutes !== undefined ? { offsetMinutes: options.offsetMinutes } : {}),
    hideAddress: options.hideAddress?.(session.info) ?? false,
    ...(options.product ? { product: options.product } : {}),
  });
}
