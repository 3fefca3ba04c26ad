import type { SessionInfo, SmtpReply } from '@mailyard/smtp-core';
import type { Caught, ContentScreen } from './content-screen.js';
import type { RatingOutcome, SpamFilter } from './spam-filter.js';

export interface MessageScreeningOptions {
  readonly spam: SpamFilter;
  readonly screen: ContentScreen;
  /**
   * Bytes of a message held in memory to rate and scan it whole. Above, the message is rated
   * on what was held (its header; content tests skip such messages anyway, Kerio 13.4) and the
   * rest streams to the queue as it comes; the antivirus counts it as unscannable.
   */
  readonly window: number;
}

export type Screened =
  /** Answer the client with this (a refusal, or 250 for a discarded message). */
  | {
      readonly kind: 'answer';
      readonly reply: SmtpReply;
      /** A message the spam filter discarded, for the quarantine copy and the bounce. */
      readonly discarded?: Extract<RatingOutcome, { kind: 'discard' }>;
      /** Whether `discarded.original` is the whole message, or only the start that was held. */
      readonly whole?: boolean;
      /** What the antivirus or the attachment filter caught, for the notices. */
      readonly caught?: Caught;
    }
  /** Queue this: the start as the filters rewrote it, then the rest as it arrives. */
  | {
      readonly kind: 'queue';
      readonly message: AsyncIterable<Uint8Array>;
      readonly caught?: Caught;
    };

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The spam filter, the antivirus and the attachment filter over a message as SMTP hands it in:
 * the start of the message is held back (up to `window` bytes), since the headers the filters
 * write go on top and depend on all of it; everything after streams through, so a large
 * message is spooled to the queue as it comes and never held whole in memory.
 */
export async function screenMessage(
  options: MessageScreeningOptions,
  envelope: { readonly from: string; readonly recipients: readonly string[] },
  received: AsyncIterable<Uint8Array>,
  session: SessionInfo,
): Promise<Screened> {
  const iterator = received[Symbol.asyncIterator]();
  // A client whose content is not rated (and no antivirus or attachment filter): the header is
  // all the filters need
  // (its own fields written, a sender's removed), and the rest streams at once.
  const headerOnly = !options.spam.ratesContent(session) && !options.screen.readsWholeMessage;
  const held: Uint8Array[] = [];
  let size = 0;
  let whole = false;
  let start = Buffer.alloc(0);
  while (size <= options.window) {
    const next = await iterator.next();
    if (next.done) {
      whole = true;
      break;
    }
    held.push(next.value);
    size += next.value.length;
    if (headerOnly) {
      start = Buffer.concat(held);
      held.splice(0, held.length, start);
      if (start.indexOf(HEADER_END) >= 0) break;
    }
  }
  start = Buffer.concat(held);
  // The client sends the rest whatever is decided; it is read (and dropped) before the answer.
  const drain = async () => {
    if (!whole) for (let next = await iterator.next(); !next.done; next = await iterator.next());
  };
  const rating = await options.spam.rate(envelope, start, session);
  if (rating.kind === 'refuse') {
    await drain();
    return { kind: 'answer', reply: rating.reply };
  }
  if (rating.kind === 'discard') {
    await drain();
    return {
      kind: 'answer',
      reply: { code: 250, enhanced: '2.0.0', lines: ['Ok: message discarded by the spam filter'] },
      discarded: rating,
      whole,
    };
  }
  const screened = whole
    ? await options.screen.screen(envelope, rating.bytes)
    : headerOnly
      ? { kind: 'deliver' as const, bytes: rating.bytes }
      : await options.screen.screenOversized(envelope, rating.bytes, options.window);
  if (screened.kind !== 'deliver') {
    await drain();
    return {
      kind: 'answer',
      reply:
        screened.kind === 'refuse'
          ? screened.reply
          : { code: 250, enhanced: '2.0.0', lines: ['Ok: message discarded by the antivirus'] },
      ...(screened.caught ? { caught: screened.caught } : {}),
    };
  }
  return {
    kind: 'queue',
    ...(screened.caught ? { caught: screened.caught } : {}),
    message: (async function* () {
      yield screened.bytes;
      if (whole) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        yield next.value;
    })(),
  };
}
