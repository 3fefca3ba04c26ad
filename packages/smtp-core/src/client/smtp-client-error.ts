import type { SmtpReply } from '../protocol/smtp-reply.js';

/**
 * Why a conversation could not go on: the connection broke or timed out, the server's bytes were
 * not SMTP, TLS failed, a required step was refused, or the caller aborted. Recipient outcomes
 * are never errors (they are results); this is for the conversation itself.
 */
export type SmtpClientErrorKind =
  | 'connection'
  | 'timeout'
  | 'protocol'
  | 'tls'
  | 'auth'
  /** A reply the conversation cannot go on after (a refused greeting, EHLO and HELO both refused). */
  | 'refused'
  | 'aborted';

export class SmtpClientError extends Error {
  override readonly name = 'SmtpClientError';

  constructor(
    readonly kind: SmtpClientErrorKind,
    message: string,
    /** The server's reply, when one caused it. */
    readonly reply?: SmtpReply,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
