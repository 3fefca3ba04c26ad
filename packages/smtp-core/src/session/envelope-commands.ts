import type { Envelope, EnvelopeRecipient } from '../envelope.js';
import type { SmtpCommand } from '../protocol/command-parser.js';
import { HopCounter } from './hop-counter.js';
import { insufficientStorage } from './message-reception.js';
import type { SessionContext } from './session-context.js';

/** MAIL FROM: checks the sender's parameters against the session and starts a transaction. */
export async function mail(
  session: SessionContext,
  command: Extract<SmtpCommand, { verb: 'MAIL' }>,
): Promise<void> {
  if (session.clientName === null)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Send EHLO first'] });
  if (session.transaction)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Nested MAIL command'] });
  if (session.options.requireAuth && session.user === null) {
    return session.refuse({ code: 530, enhanced: '5.7.0', lines: ['Authentication required'] });
  }
  const { parameters } = command;
  if (!session.extended && Object.keys(parameters).length > 0) {
    return session.refuse({ code: 555, enhanced: '5.5.4', lines: ['Parameters need EHLO'] });
  }
  const { messageSize } = session.limits;
  if (parameters.size !== undefined && messageSize > 0 && parameters.size > messageSize) {
    return session.refuse({
      code: 552,
      enhanced: '5.3.4',
      lines: ['Message size exceeds fixed maximum message size'],
    });
  }
  const client = session.user ?? `ip:${session.connection.remoteAddress}`;
  if (parameters.size !== undefined && parameters.size > session.inFlight.available(client)) {
    // RFC 1870 6.1: too big for now, not for ever.
    return session.refuse(insufficientStorage());
  }
  if (command.nonAscii && !parameters.smtpUtf8) {
    // RFC 6531 3.5: 550 for the sender, 553 for a recipient.
    return session.refuse({
      code: 550,
      enhanced: '5.6.7',
      lines: ['Non-ASCII address needs SMTPUTF8'],
    });
  }
  if (parameters.requireTls && !session.secure) {
    return session.refuse({
      code: 530,
      enhanced: '5.7.10',
      lines: ['REQUIRETLS needs a TLS connection'],
    });
  }
  const envelope: Envelope = {
    from: command.address,
    recipients: [],
    ...(parameters.body ? { body: parameters.body } : {}),
    ...(parameters.smtpUtf8 ? { smtpUtf8: true } : {}),
    ...(parameters.ret ? { ret: parameters.ret } : {}),
    ...(parameters.envelopeId !== undefined ? { envelopeId: parameters.envelopeId } : {}),
    ...(parameters.requireTls ? { requireTls: true } : {}),
    ...(parameters.auth !== undefined && session.user !== null ? { auth: parameters.auth } : {}),
  };
  const decision = await session.ask(() =>
    session.hooks.onMailFrom?.(command.address, envelope, session.info),
  );
  if (decision && decision.code >= 400) return session.refuse(decision);
  session.transaction = {
    envelope,
    recipients: [],
    chunked: false,
    message: null,
    result: null,
    size: 0,
    refusal: null,
    hops: new HopCounter(),
    client,
    reserved: 0,
  };
  session.commandsWithoutMail = 0;
  session.reply(decision ?? { code: 250, enhanced: '2.1.0', lines: ['Ok'] });
}

/** RCPT TO: one more recipient, within the limit, if the application accepts it. */
export async function rcpt(
  session: SessionContext,
  command: Extract<SmtpCommand, { verb: 'RCPT' }>,
): Promise<void> {
  const transaction = session.transaction;
  if (!transaction)
    return session.refuse({ code: 503, enhanced: '5.5.1', lines: ['Need MAIL first'] });
  if (transaction.recipients.length >= session.limits.recipients) {
    return session.refuse({ code: 452, enhanced: '4.5.3', lines: ['Too many recipients'] });
  }
  if (command.nonAscii && !transaction.envelope.smtpUtf8) {
    return session.refuse({
      code: 553,
      enhanced: '5.6.7',
      lines: ['Non-ASCII address needs SMTPUTF8'],
    });
  }
  const recipient: EnvelopeRecipient = {
    address: command.address,
    ...(command.parameters.notify ? { notify: command.parameters.notify } : {}),
    ...(command.parameters.originalRecipient !== undefined
      ? { originalRecipient: command.parameters.originalRecipient }
      : {}),
  };
  const decision = await session.ask(() => session.hooks.onRcptTo?.(recipient, session.info));
  if (decision && decision.code >= 400) return session.refuse(decision);
  transaction.recipients.push(recipient);
  session.reply(decision ?? { code: 250, enhanced: '2.1.5', lines: ['Ok'] });
}
