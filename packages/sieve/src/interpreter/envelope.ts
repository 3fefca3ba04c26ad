/**
 * The SMTP envelope of the message being filtered. Paths are given as SMTP has them, without the
 * angle brackets; the null reverse path `<>` is the empty string.
 */
export interface SieveEnvelope {
  /** MAIL FROM; '' for the null sender. */
  readonly from: string;
  /** RCPT TO of the recipient whose script runs. */
  readonly to: string;
  /** The original recipient (ORCPT), when known. */
  readonly originalRecipient?: string;
  /** The authenticated user who submitted the message, when known. */
  readonly auth?: string;
}
