import type { Directory } from '@mailyard/mailstore-interface';
import type { Envelope, JournalEntry } from '../envelope.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import { resolveLocalRecipient } from './local-recipients.js';
import {
  type MailboxFilter,
  type OutgoingMessage,
  encodeDecision,
  filterJournalKey,
} from './mailbox-filter.js';

export interface FilterBeforeAcceptingOptions {
  readonly directory: Directory;
  /** The same filter local delivery runs. */
  readonly filter: MailboxFilter;
}

/** What the SMTP server does with a message whose one recipient's filter ran before the 250. */
export type AcceptanceVerdict =
  /**
   * Queue the message. With `journal`, the filter decided: the decision local delivery carries
   * out instead of running the filter a second time. Without, nothing was decided here (several
   * recipients, not one local mailbox, or the filter could not run): local delivery asks.
   */
  | {
      readonly verdict: 'queue';
      readonly message: AsyncIterable<Uint8Array>;
      readonly journal?: Readonly<Record<string, JournalEntry>>;
    }
  /**
   * The filter rejected it (RFC 5429 2.2.1): answer `reply` and store nothing; `send` is what the
   * filter still sends (a notification, say), for the queue.
   */
  | {
      readonly verdict: 'reject';
      readonly reply: SmtpReply;
      readonly send: readonly OutgoingMessage[];
    };

/** SMTP reply lines stay well inside RFC 5321 4.5.3.1.5's 512 octets, code included. */
const MAX_REPLY_LINE = 400;
/** A longer reason is cut to this many reply lines. */
const MAX_REPLY_LINES = 16;

/**
 * Runs the filter of a message's one recipient before the SMTP server answers the data, so that
 * a Sieve `reject` refuses the message in the SMTP dialogue (`550 5.7.1 reason`) rather than
 * sending a DSN after accepting it (RFC 5429 2.2.1, as Dovecot's LMTP does per recipient). Only
 * when the envelope has exactly one recipient that leads to exactly one local mailbox: with more,
 * the others must still get the message, so the rejecting user's refusal becomes a DSN at
 * delivery, as before. Reads the message into memory for the filter only in that case; the
 * session's message size limit bounds it.
 */
export async function filterBeforeAccepting(
  options: FilterBeforeAcceptingOptions,
  envelope: Envelope,
  message: AsyncIterable<Uint8Array>,
): Promise<AcceptanceVerdict> {
  const user = await singleMailbox(options.directory, envelope);
  if (user === null) return { verdict: 'queue', message };
  const chunks: Uint8Array[] = [];
  for await (const chunk of message) chunks.push(chunk);
  const content = Buffer.concat(chunks);
  const buffered = oneChunk(content);
  const address = envelope.recipients[0]!.address;
  let decision;
  try {
    decision = await options.filter({ user, recipients: [address], envelope, content });
  } catch {
    // A filter that cannot decide now (an unreadable script) is asked again at delivery, which
    // defers until it can: the message is not refused for the server's own trouble.
    return { verdict: 'queue', message: buffered };
  }
  if (decision.reject !== undefined) {
    return {
      verdict: 'reject',
      reply: { code: 550, enhanced: '5.7.1', lines: replyLines(decision.reject, envelope) },
      send: decision.send,
    };
  }
  return {
    verdict: 'queue',
    message: buffered,
    journal: {
      [filterJournalKey(user)]: { state: 'intended', note: { decision: encodeDecision(decision) } },
    },
  };
}

/** The one local user an envelope's one recipient leads to (no other mailbox, no public folder). */
async function singleMailbox(directory: Directory, envelope: Envelope): Promise<string | null> {
  if (envelope.recipients.length !== 1) return null;
  try {
    const resolution = await resolveLocalRecipient(directory, envelope.recipients[0]!.address);
    if (!resolution.local || resolution.unknown) return null;
    if (resolution.mailboxes.length !== 1 || resolution.publicFolders.length > 0) return null;
    return resolution.mailboxes[0]!;
  } catch {
    // The directory's trouble is local delivery's to report (it defers).
    return null;
  }
}

/**
 * The reason as reply text: one line per line of it, cut to fit, and US-ASCII unless the client
 * used SMTPUTF8 (RFC 6531 3.7.4 allows UTF-8 replies only then); other characters become `?`.
 */
function replyLines(reason: string, envelope: Envelope): string[] {
  const lines = reason
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/[\x00-\x1f\x7f]/g, ' ').trimEnd())
    .map((line) => (envelope.smtpUtf8 ? line : line.replace(/[^\x20-\x7e]/gu, '?')))
    .map((line) => [...line].slice(0, MAX_REPLY_LINE).join(''));
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const kept = lines.slice(0, MAX_REPLY_LINES);
  return kept.length > 0 && kept.some((line) => line !== '') ? kept : ['Message rejected'];
}

function oneChunk(content: Buffer): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      yield content;
    },
  };
}
