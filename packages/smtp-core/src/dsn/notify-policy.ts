import type { EnvelopeRecipient } from '../envelope.js';

export type NotifyCondition = 'SUCCESS' | 'FAILURE' | 'DELAY';

/**
 * What a sender hears about when its RCPT had no NOTIFY= (RFC 3461 4.1 leaves it to the MTA:
 * FAILURE, or FAILURE and DELAY). Kerio's glossary: "Unless otherwise specified, users receive
 * only the error messages (deferred, failure)", so both.
 */
export const DEFAULT_NOTIFY: readonly NotifyCondition[] = ['FAILURE', 'DELAY'];

/**
 * Whether the sender gets a DSN about this recipient: never for the null sender (a bounce is
 * never bounced, RFC 5321 6.1, RFC 3461 6.2) nor for NOTIFY=NEVER; otherwise as NOTIFY says,
 * or the default.
 */
export function wantsNotification(
  sender: string,
  recipient: EnvelopeRecipient,
  condition: NotifyCondition,
  defaults: readonly NotifyCondition[] = DEFAULT_NOTIFY,
): boolean {
  if (sender === '') return false;
  if (recipient.notify === 'NEVER') return false;
  return (recipient.notify ?? defaults).includes(condition);
}
