/**
 * The SMTP envelope (RFC 5321 section 2.3.1) and its ESMTP extensions, as the server engine hands
 * it to the application, the queue keeps it, and the client engine sends it on.
 */
export interface Envelope {
  /** The reverse-path; `''` for the null sender `<>` of bounces. */
  readonly from: string;
  readonly recipients: readonly EnvelopeRecipient[];
  /** BODY= (RFC 6152, RFC 3030). */
  readonly body?: '7BIT' | '8BITMIME' | 'BINARYMIME';
  /** SMTPUTF8 was given (RFC 6531). */
  readonly smtpUtf8?: boolean;
  /** DSN RET= (RFC 3461): what a bounce returns. */
  readonly ret?: 'FULL' | 'HDRS';
  /** DSN ENVID= (RFC 3461), decoded from xtext. */
  readonly envelopeId?: string;
  /** REQUIRETLS (RFC 8689). */
  readonly requireTls?: boolean;
  /** The AUTH= parameter of MAIL (RFC 4954 section 5): the submitter, when trusted. */
  readonly auth?: string;
}

export interface EnvelopeRecipient {
  readonly address: string;
  /** DSN NOTIFY= (RFC 3461); undefined when not given (a bounce on failure, by default). */
  readonly notify?: readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[] | 'NEVER';
  /** DSN ORCPT= (RFC 3461): `addr-type;address`, decoded from xtext. */
  readonly originalRecipient?: string;
}

/** What became of one recipient in a delivery attempt. */
export interface RecipientResult {
  readonly recipient: string;
  /** delivered; deferred (try again later, a 4xx); failed (give up, a 5xx). */
  readonly status: 'delivered' | 'deferred' | 'failed';
  /** The SMTP reply code that decided it (or 250/451/550 when none was exchanged). */
  readonly code: number;
  /** The enhanced status code (RFC 3463), e.g. `5.1.1`. */
  readonly enhancedCode: string;
  /** Human-readable text, for logs and the DSN's Diagnostic-Code. */
  readonly diagnostic: string;
  /** The host that answered, when there was one (the DSN's Remote-MTA). */
  readonly remoteMta?: string;
}

/**
 * Something that delivers a message for some recipients: the remote SMTP client, a local
 * delivery into the store, an LMTP hop. The queue calls it; it never throws for a recipient's
 * failure, it reports it.
 */
export interface DeliveryAgent {
  deliver(
    envelope: Envelope,
    message: MessageSource,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult[]>;
}

/** Which attempt this is: agents that must not deliver twice (local delivery) key on `queueId`. */
export interface DeliveryAttempt {
  readonly queueId: string;
  /** 1 for the first attempt. */
  readonly number: number;
}

/** A stored message, readable as many times as a delivery needs. */
export interface MessageSource {
  readonly size: number;
  /** The whole message, streamed. */
  read(): AsyncIterable<Uint8Array>;
}
