import type { Directory, Logger } from '@mailyard/mailstore-interface';
import {
  type DeliveryQueue,
  type EnqueueOptions,
  type Envelope,
  type MailboxFilter,
  type SessionInfo,
  type SmtpReply,
  filterBeforeAccepting,
} from '@mailyard/smtp-core';

export interface SieveBeforeAcceptingOptions {
  readonly directory: Directory;
  readonly queue: DeliveryQueue;
  /** The users' Sieve filter, the one local delivery runs. */
  readonly filter: MailboxFilter;
  readonly logger: Logger;
}

/** What the SMTP listener queues once the filter let the message through. */
export interface Accepted extends EnqueueOptions {
  readonly message: AsyncIterable<Uint8Array>;
}

/**
 * The recipient's Sieve script run before the SMTP server answers the data, when the message has
 * one recipient and it is one local user: a `reject` is `550 5.7.1 reason` and nothing is stored
 * (RFC 5429 2.2.1); any other decision goes into the queue with the message, and local delivery
 * carries it out without running the script again (vacation and duplicate tracking count the
 * message once). Messages for several recipients are filtered at delivery, a reject there
 * becoming a DSN. A reject's notifications (enotify) are still queued.
 */
export async function sieveBeforeAccepting(
  options: SieveBeforeAcceptingOptions,
  envelope: Envelope,
  message: AsyncIterable<Uint8Array>,
  session: SessionInfo,
): Promise<Accepted | SmtpReply> {
  const verdict = await filterBeforeAccepting(
    { directory: options.directory, filter: options.filter },
    envelope,
    message,
  );
  if (verdict.verdict === 'queue') return verdict;
  for (const outgoing of verdict.send) {
    await options.queue
      .enqueue(
        { from: outgoing.from, recipients: outgoing.to.map((address) => ({ address })) },
        (async function* () {
          yield outgoing.content;
        })(),
        { service: 'Sieve' },
      )
      .catch((error: unknown) => {
        // The refusal stands; the notification is lost, and the operator told.
        options.logger.error('could not queue a Sieve notification', {
          session: session.id,
          error,
        });
      });
  }
  options.logger.info(
    `sieve: ${envelope.recipients[0]?.address ?? ''} rejected a message from <${envelope.from}> at SMTP time`,
    { session: session.id },
  );
  return verdict.reply;
}
