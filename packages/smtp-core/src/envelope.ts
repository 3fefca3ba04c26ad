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
  /** Fires when the queue stops: an agent ends its connections and defers what is left. */
  readonly signal?: AbortSignal;
  /**
   * The queue's durable notes for this message, for agents that must deliver exactly once
   * across crashes (local delivery); absent outside a queue.
   */
  readonly journal?: DeliveryJournal;
}

/**
 * What the queue keeps, durably, for the agents of one message, across attempts and restarts.
 * Targets are the agent's own names (a mailbox, a forward); every method resolves only once
 * the note is on disk.
 */
export interface DeliveryJournal {
  /** What an earlier step (of this attempt, an earlier one, or one a crash cut short) recorded. */
  get(target: string): JournalEntry | undefined;
  /** The message is about to go to `target`; `note` is what will tell later whether it got there. */
  intend(target: string, note: JournalNote): Promise<void>;
  /** `target` has the message. */
  done(target: string): Promise<void>;
  /**
   * New recipients for this message (a forward to outside addresses), recorded in the same write
   * as `target` being done, so that a crash neither loses nor doubles them.
   */
  addRecipients(target: string, recipients: readonly EnvelopeRecipient[]): Promise<void>;
}

export type JournalNote = Readonly<Record<string, string | number | boolean | null>>;

export type JournalEntry =
  { readonly state: 'intended'; readonly note: JournalNote } | { readonly state: 'done' };

/** A stored message, readable as many times as a delivery needs. */
export interface MessageSource {
  readonly size: number;
  /** The whole message, streamed. */
  read(): AsyncIterable<Uint8Array>;
}
