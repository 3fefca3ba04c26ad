import type { Envelope, EnvelopeRecipient } from '../envelope.js';

/**
 * A user's own filter, run by local delivery for each user a message reaches: a Sieve script
 * (RFC 5228), Kerio's rules, anything that decides where one user's copy goes. The delivery
 * agent carries the decision out exactly once, through the queue's journal.
 */
export type MailboxFilter = (input: FilterInput) => Promise<FilterDecision>;

export interface FilterInput {
  /** The account (directory id) whose copy this is. */
  readonly user: string;
  /** The envelope recipients that led to this user (an alias, a group, the address itself). */
  readonly recipients: readonly string[];
  readonly envelope: Envelope;
  /** The message as it arrived (without the trace header delivery adds). */
  readonly content: Buffer;
}

/**
 * What a filter decided. A decision that stores nowhere, redirects nowhere and rejects nothing
 * is a discard. A filter that cannot decide (its script unreadable for an I/O error) throws: the
 * delivery is deferred and tried again, rather than guessed.
 */
export interface FilterDecision {
  /** Copies in the user's folders; `INBOX` is the keep. */
  readonly fileInto: readonly FiledCopy[];
  /**
   * Where the message goes on to, through the queue (RFC 5228 4.2): an address, or a
   * {@link Redirect} with DSN parameters or the filter's own copy of the message.
   */
  readonly redirect: readonly (string | Redirect)[];
  /**
   * Refuse the message with this text (RFC 5429): the recipient fails with 550 5.7.1, and the
   * sender gets a DSN carrying it. Only where the recipient reaches this user alone; as one
   * member of a group the copy is dropped (and logged) instead.
   */
  readonly reject?: string;
  /** New messages to send: vacation replies, notifications, error reports to the user. */
  readonly send: readonly OutgoingMessage[];
}

/**
 * A redirect with more than an address. With only `notify`, the address joins the queued
 * message's recipients, as a plain redirect does; with `ret` or `content` it needs an envelope or
 * bytes of its own, so the copy goes into the queue as a message of its own (through `submit`,
 * from the same envelope sender, with a trace field of its own so that a loop still ends).
 */
export interface Redirect {
  readonly address: string;
  /** DSN NOTIFY for this address (RFC 3461; Sieve's redirect-dsn `:notify`, RFC 6009). */
  readonly notify?: EnvelopeRecipient['notify'];
  /** DSN RET for the copy (RFC 3461; redirect-dsn's `:ret`). */
  readonly ret?: 'FULL' | 'HDRS';
  /** The copy's own bytes, when the filter changed the message (editheader, RFC 5293 7). */
  readonly content?: Buffer;
}

export interface FiledCopy {
  readonly mailbox: string;
  readonly flags?: readonly string[];
  /** Create the folder when it is missing (Sieve's `fileinto :create`, RFC 5490). */
  readonly create?: boolean;
  /**
   * This copy's own bytes, when the filter changed the message (Sieve's editheader, RFC 5293);
   * absent, the message as it arrived.
   */
  readonly content?: Buffer;
}

export interface OutgoingMessage {
  /** The envelope sender; `''` is the null sender `<>` that automatic replies use. */
  readonly from: string;
  readonly to: readonly string[];
  readonly content: Buffer;
  /** DSN NOTIFY for every recipient (RFC 3461): a redirect's. */
  readonly notify?: EnvelopeRecipient['notify'];
  /** DSN RET (RFC 3461): a redirect's. */
  readonly ret?: 'FULL' | 'HDRS';
}

/**
 * The journal entry of a user's decision: local delivery records it there before carrying it
 * out, and the SMTP server writes it with the queued message when it ran the filter already.
 */
export function filterJournalKey(user: string): string {
  return `filter:${user.toLowerCase()}`;
}

/** The decision as the journal keeps it (JSON, contents in base64), to carry it out once. */
export function encodeDecision(decision: FilterDecision): string {
  return JSON.stringify({
    ...decision,
    fileInto: decision.fileInto.map((copy) =>
      copy.content ? { ...copy, content: copy.content.toString('base64') } : copy,
    ),
    redirect: decision.redirect.map((to) =>
      typeof to !== 'string' && to.content ? { ...to, content: to.content.toString('base64') } : to,
    ),
    send: decision.send.map((message) => ({
      ...message,
      content: message.content.toString('base64'),
    })),
  });
}

export function decodeDecision(text: string): FilterDecision {
  const raw = JSON.parse(text) as Omit<FilterDecision, 'send' | 'fileInto' | 'redirect'> & {
    fileInto: (Omit<FiledCopy, 'content'> & { content?: string })[];
    redirect: (string | (Omit<Redirect, 'content'> & { content?: string }))[];
    send: (Omit<OutgoingMessage, 'content'> & { content: string })[];
  };
  return {
    ...raw,
    fileInto: raw.fileInto.map((copy) =>
      copy.content === undefined
        ? (copy as FiledCopy)
        : { ...copy, content: Buffer.from(copy.content, 'base64') },
    ),
    redirect: raw.redirect.map((to) =>
      typeof to === 'string' || to.content === undefined
        ? (to as string | Redirect)
        : { ...to, content: Buffer.from(to.content, 'base64') },
    ),
    send: raw.send.map((message) => ({
      ...message,
      content: Buffer.from(message.content, 'base64'),
    })),
  };
}
