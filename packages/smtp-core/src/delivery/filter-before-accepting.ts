import type { Directory } from '@mailyard/mailstore-interface';
import type { Envelope, JournalEntry, MessageSource } from '../envelope.js';
import type { SmtpReply } from '../protocol/smtp-reply.js';
import type { EnqueueOptions } from '../queue/queue-options.js';
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
  /**
   * Octets up to which the filter runs before the 250 (it reads the message into memory); a
   * bigger message is filtered at delivery instead, where a reject becomes a DSN. Default
   * {@link DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE}; 0: no limit.
   */
  readonly maxSize?: number;
  /**
   * Octets of messages the filter may hold in memory at once, over every message this function
   * handles; a message that would pass it is filtered at delivery instead (nothing waits).
   * Default {@link DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY}; 0: no limit.
   */
  readonly memoryBudget?: number;
}

/** What a message's envelope is filtered with before the 250: the options for `enqueue`. */
export type FilterBeforeAccepting = (envelope: Envelope) => Promise<EnqueueOptions>;

/** 16 MiB: mail bigger than this is rarely what a script refuses, and is filtered at delivery. */
export const DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE = 16 * 1024 * 1024;

/** 64 MiB, as local delivery's own memory budget. */
export const DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY = 64 * 1024 * 1024;

/**
 * What `enqueue` rejects with when the filter refused the message (RFC 5429 2.2.1): answer
 * `reply` (`550 5.7.1` and the reason); nothing was queued. `send` is what the filter still
 * sends (a notification, say), for the queue.
 */
export class FilterRejection extends Error {
  override readonly name = 'FilterRejection';
  constructor(
    readonly reply: SmtpReply,
    readonly send: readonly OutgoingMessage[],
  ) {
    super(reply.lines.join(' '));
  }
}

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
 * delivery, as before.
 *
 * Returns, per envelope, the options to pass to `DeliveryQueue.enqueue`: the message is spooled
 * to disk as it comes, as always; once it is all there, `prepare` runs the filter on it. A reject makes
 * `enqueue` reject with a {@link FilterRejection} and queue nothing; any other decision is
 * queued as the entry's journal note, which local delivery carries out instead of running the
 * filter a second time (vacation and duplicate tracking count the message once). `{}` when the
 * envelope is not one for this.
 */
export function filterBeforeAccepting(
  options: FilterBeforeAcceptingOptions,
): FilterBeforeAccepting {
  const maxSize = options.maxSize ?? DEFAULT_FILTER_BEFORE_ACCEPTING_SIZE;
  const budget = options.memoryBudget ?? DEFAULT_FILTER_BEFORE_ACCEPTING_MEMORY;
  let held = 0;

  return async (envelope) => {
    const user = await singleMailbox(options.directory, envelope);
    if (user === null) return {};
    const address = envelope.recipients[0]!.address;
    return {
      prepare: async (message: MessageSource) => {
        if (maxSize > 0 && message.size > maxSize) return undefined;
        if (budget > 0 && held + message.size > budget) return undefined;
        held += message.size;
        let decision;
        try {
          const content = await readAll(message);
          decision = await options.filter({ user, recipients: [address], envelope, content });
        } catch {
          // A filter that cannot decide now (an unreadable script) is asked again at delivery,
          // which defers until it can: the message is not refused for the server's own trouble.
          return undefined;
        } finally {
          held -= message.size;
        }
        if (decision.reject !== undefined) {
          const lines = replyLines(decision.reject, envelope);
          throw new FilterRejection({ code: 550, enhanced: '5.7.1', lines }, decision.send);
        }
        const entry: JournalEntry = {
          state: 'intended',
          note: { decision: encodeDecision(decision) },
        };
        return { [filterJournalKey(user)]: entry };
      },
    };
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
  return kept.some((line) => line !== '') ? kept : ['Message rejected'];
}

async function readAll(message: MessageSource): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of message.read()) chunks.push(chunk);
  return Buffer.concat(chunks);
}
