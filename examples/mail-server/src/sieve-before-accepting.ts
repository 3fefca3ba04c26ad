import type { Logger } from '@mailyard/mailstore-interface';
import type {
  DeliveryQueue,
  Envelope,
  FilterRejection,
  SessionInfo,
  SmtpReply,
} from '@mailyard/smtp-core';

/**
 * A Sieve reject of a message's one recipient, before the 250 (RFC 5429 2.2.1; smtp-core's
 * `filterBeforeAccepting` ran the script on the spooled message, and the queue kept nothing):
 * the script's notifications (enotify) still go out through the queue, the log says who
 * refused what, and the client gets `550 5.7.1 <reason>`.
 */
export async function sieveRefusal(
  queue: DeliveryQueue,
  logger: Logger,
  rejection: FilterRejection,
  envelope: Envelope,
  session: SessionInfo,
): Promise<SmtpReply> {
  for (const outgoing of rejection.send) {
    await queue
      .enqueue(
        { from: outgoing.from, recipients: outgoing.to.map((address) => ({ address })) },
        (async function* () {
          yield outgoing.content;
        })(),
        { service: 'Sieve' },
      )
      .catch((error: unknown) => {
        // The refusal stands; the notification is lost, and the operator told.
        logger.error('could not queue a Sieve notification', { session: session.id, error });
      });
  }
  logger.info(
    `sieve: <${envelope.recipients[0]?.address ?? ''}> rejected a message from <${envelope.from}> at SMTP time`,
    { session: session.id },
  );
  return rejection.reply;
}
