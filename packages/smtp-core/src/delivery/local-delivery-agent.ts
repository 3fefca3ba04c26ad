import {
  type Clock,
  type Directory,
  type Logger,
  type MailStore,
  type RecipientResolution,
  isMailStoreError,
  silentLogger,
  systemClock,
} from '@mailyard/mailstore-interface';
import { formatRfc5322Date, parseHeaders } from '@mailyard/mime';
import type {
  DeliveryAgent,
  DeliveryAttempt,
  DeliveryJournal,
  Envelope,
  EnvelopeRecipient,
  JournalEntry,
  JournalNote,
  MessageSource,
  RecipientResult,
} from '../envelope.js';
import { resolveLocalRecipient } from './local-recipients.js';
import {
  type FilterDecision,
  type MailboxFilter,
  type OutgoingMessage,
  type Redirect,
  decodeDecision,
  encodeDecision,
  filterJournalKey,
} from './mailbox-filter.js';
import { MemoryGate } from './memory-gate.js';

export interface LocalDeliveryOptions {
  readonly store: MailStore;
  readonly directory: Directory;
  /** Our host name, in the trace header written at delivery. */
  readonly hostname: string;
  readonly clock?: Clock;
  /** The server's offset from UTC in minutes, for the trace header's date. */
  readonly utcOffset?: number;
  /** Kerio's advanced option "Insert X-Envelope-To header into locally delivered mail"; default off. */
  readonly insertEnvelopeTo?: boolean;
  /** Write `Return-Path:` with the envelope sender, as final delivery does (RFC 5321 4.4); default on. */
  readonly returnPath?: boolean;
  /**
   * A full mailbox: `defer` (the default: 452/4.2.2, retried until the bounce time, since the
   * user may make room, and Kerio refuses "any new messages" only while the quota is reached) or
   * `fail` at once (552/5.2.2).
   */
  readonly overQuota?: 'defer' | 'fail';
  /**
   * Where forwards to outside addresses go when the agent runs without a queue journal (the
   * queue's journal adds them to the message's own recipients instead, exactly once).
   */
  readonly forward?: (envelope: Envelope, message: MessageSource) => Promise<void>;
  /**
   * Octets of messages the agent holds in memory at once (the store takes a message as one
   * buffer; a delivery holds about twice its message at its peak). Deliveries beyond it wait
   * their turn; a message bigger than all of it is delivered alone. Default 64 MiB; 0: no limit.
   */
  readonly memoryBudget?: number;
  /**
   * Each user's own filter (a Sieve script, say), asked once per user a message reaches, before
   * anything is stored for that user; its decision is recorded in the journal and carried out
   * exactly once. Public folders are not filtered. Default: none (everything to the INBOX).
   */
  readonly filter?: MailboxFilter;
  /**
   * Sends the new messages a filter makes (replies, notifications): into the queue. Without it
   * they are dropped, and logged.
   */
  readonly submit?: (message: OutgoingMessage) => Promise<void>;
  readonly logger?: Logger;
}

/** Eight deliveries of 8 MB messages at once, or one of a message as big as that. */
export const DEFAULT_DELIVERY_MEMORY = 64 * 1024 * 1024;

/** One place a message goes: a user's folder or a public folder. */
interface Target {
  readonly key: string;
  /** Whom the store is asked as: the user, or, for a public folder, a name in its domain. */
  readonly user: string;
  readonly mailbox: string;
  readonly recipients: string[];
  /** Flags the stored copy gets (a filter's `fileinto :flags`). */
  readonly flags?: readonly string[];
  /** Create the folder when it is missing (a filter's `fileinto :create`). */
  readonly create?: boolean;
}

type TargetOutcome =
  /** Done; `rejected` when the user's filter refused the message, with its text. */
  | { readonly ok: true; readonly rejected?: string }
  | { readonly ok: false; readonly result: Omit<RecipientResult, 'recipient'> };

/** How far back into a mailbox the exactly-once check looks at each message: its first lines. */
const TRACE_WINDOW = 8 * 1024;

/**
 * The local delivery agent: puts messages for local recipients into the store. Each address is
 * resolved through the Directory (aliases, groups, catch-all, forwarding); the message goes once
 * to every mailbox and public folder the recipients lead to, with a trace header naming the
 * Queue-ID; forwards to outside addresses go back to the queue as new recipients of the same
 * message; unknown addresses fail with 5.1.1.
 *
 * Exactly once, across crashes: before a mailbox gets the message, the queue's journal records
 * the mailbox's UIDVALIDITY and UIDNEXT; after, that it is done. When an attempt finds a
 * mailbox "intended" but not "done" (a crash came between the store's write and the journal's),
 * it looks at the messages from that UIDNEXT on for its Queue-ID in their first Received field,
 * and delivers only if none has it.
 */
export function localDeliveryAgent(options: LocalDeliveryOptions): DeliveryAgent {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const memory = new MemoryGate(options.memoryBudget ?? DEFAULT_DELIVERY_MEMORY);

  return {
    async deliver(envelope, message, attempt) {
      const journal = attempt.journal ?? memoryJournal();
      const results = new Map<string, RecipientResult>();
      const targets = new Map<string, Target>();
      const targetsOf = new Map<string, string[]>();
      const forwards = new Map<string, string[]>();

      for (const recipient of envelope.recipients) {
        const address = recipient.address;
        let resolution: RecipientResolution;
        try {
          resolution = await resolveLocalRecipient(options.directory, address);
        } catch (error) {
          results.set(
            address,
            result(address, 451, '4.3.0', `directory unavailable: ${describe(error)}`),
          );
          continue;
        }
        if (!resolution.local) {
          results.set(
            address,
            result(address, 550, '5.1.2', `${address} is not in a local domain`),
          );
          continue;
        }
        if (resolution.unknown) {
          results.set(address, result(address, 550, '5.1.1', `<${address}>: no such user here`));
          continue;
        }
        const keys: string[] = [];
        for (const user of resolution.mailboxes) {
          keys.push(addTarget(targets, `mailbox:${user.toLowerCase()}`, user, 'INBOX', address));
        }
        for (const { domain, folder } of resolution.publicFolders) {
          const name = `#public/${folder}`;
          keys.push(
            addTarget(
              targets,
              `public:${domain.toLowerCase()}:${folder}`,
              `postmaster@${domain}`,
              name,
              address,
            ),
          );
        }
        targetsOf.set(address, keys);
        if (resolution.forwards.length > 0) forwards.set(address, [...resolution.forwards]);
      }

      let content: Buffer | null = null;
      let releaseMemory: (() => void) | null = null;
      const outcomes = new Map<string, TargetOutcome>();
      try {
        for (const target of targets.values()) {
          if (!content) {
            releaseMemory = await memory.acquire(message.size);
            content = await readAll(message);
          }
          const filtered = options.filter !== undefined && target.key.startsWith('mailbox:');
          outcomes.set(
            target.key,
            filtered
              ? await deliverFiltered(target, envelope, content, attempt, journal)
              : await deliverOnce(target, envelope, content, attempt, journal),
          );
        }
      } finally {
        releaseMemory?.();
      }

      for (const recipient of envelope.recipients) {
        const address = recipient.address;
        if (results.has(address)) continue;
        const own = (targetsOf.get(address) ?? []).map((key) => outcomes.get(key)!);
        const failures = own.filter((o): o is Extract<TargetOutcome, { ok: false }> => !o.ok);
        const deferred = failures.find((f) => f.result.status === 'deferred');
        const failed = failures.find((f) => f.result.status === 'failed');
        // A temporary trouble anywhere means trying again; the journal keeps the rest from doubling.
        const problem = deferred ?? failed;
        if (problem) {
          results.set(address, { ...problem.result, recipient: address });
          continue;
        }
        if (own.length > 1 && own.some((o) => o.ok && o.rejected !== undefined)) {
          logger.info(
            `local delivery: a member of ${address} rejected the message; its copy is dropped`,
          );
        }
        const rejected = own.length === 1 && own[0]!.ok ? own[0]!.rejected : undefined;
        if (rejected !== undefined) {
          results.set(address, result(address, 550, '5.7.1', oneLine(rejected)));
          continue;
        }
        const outside = forwards.get(address);
        if (outside) {
          const handed = await handForwards(
            recipient,
            outside,
            envelope,
            message,
            journal,
            attempt,
          );
          if (handed) {
            results.set(address, handed);
            continue;
          }
        }
        const where =
          own.length === 1 ? 'delivered to the mailbox' : `delivered to ${own.length} mailboxes`;
        results.set(
          address,
          result(
            address,
            250,
            outside ? '2.1.5' : '2.0.0',
            outside && own.length === 0 ? 'forwarded' : where,
          ),
        );
      }
      return envelope.recipients.map((r) => results.get(r.address)!);
    },
  };

  /**
   * A user's copy as the user's filter decides: the decision is asked once and kept in the
   * journal (`filter:<user>`), so that a retry after a crash carries out the same decision
   * (vacation tracking and the like have already counted this message) rather than asking again.
   * Each copy, redirect and new message then has a journal step of its own.
   */
  async function deliverFiltered(
    target: Target,
    envelope: Envelope,
    content: Buffer,
    attempt: DeliveryAttempt,
    journal: DeliveryJournal,
  ): Promise<TargetOutcome> {
    const key = filterJournalKey(target.user);
    const known = journal.get(key);
    if (known?.state === 'done') return { ok: true };
    let decision: FilterDecision;
    try {
      if (known?.state === 'intended' && typeof known.note.decision === 'string') {
        decision = decodeDecision(known.note.decision);
      } else {
        decision = await options.filter!({
          user: target.user,
          recipients: target.recipients,
          envelope,
          content,
        });
        await journal.intend(key, { decision: encodeDecision(decision) });
      }
    } catch (error) {
      logger.error(`local delivery: the filter of ${target.user} failed: ${describe(error)}`);
      return {
        ok: false,
        result: strip(result('', 451, '4.3.0', `the filter of ${target.user} is unavailable`)),
      };
    }
    for (const copy of decision.fileInto) {
      const inbox = copy.mailbox.toUpperCase() === 'INBOX';
      const into: Target = {
        ...target,
        key: inbox ? target.key : `${target.key}:${copy.mailbox}`,
        mailbox: inbox ? 'INBOX' : copy.mailbox,
        ...(copy.flags && copy.flags.length > 0 ? { flags: copy.flags } : {}),
        ...(copy.create ? { create: true } : {}),
      };
      // The filter's own copy when it changed the message (editheader), else the message.
      const copyContent = copy.content ?? content;
      let outcome = await deliverOnce(into, envelope, copyContent, attempt, journal);
      if (!outcome.ok && !inbox && outcome.result.status === 'failed') {
        // A folder that does not take the message (missing, no right to insert) keeps it in the
        // INBOX instead, as RFC 5228 2.10.6 and Kerio do, and says why in the log.
        logger.warn(
          `local delivery: ${target.user}'s filter files into ${copy.mailbox}, which ` +
            `does not take it (${outcome.result.diagnostic}); kept in the INBOX`,
        );
        outcome = await deliverOnce(
          { ...into, key: target.key, mailbox: 'INBOX' },
          envelope,
          copyContent,
          attempt,
          journal,
        );
      }
      if (!outcome.ok) return outcome;
    }
    const redirects = decision.redirect.map((to) =>
      typeof to === 'string' ? { address: to } : to,
    );
    const onward = redirects.filter((to) => !needsOwnMessage(to));
    if (onward.length > 0) {
      const handed = await redirectOnce(target, onward, envelope, content, journal, attempt);
      if (handed) return { ok: false, result: strip(handed) };
    }
    for (const [index, to] of redirects.entries()) {
      if (!needsOwnMessage(to)) continue;
      const step = `${key}:redirect:${index}`;
      if (journal.get(step)?.state === 'done') continue;
      try {
        if (!options.submit) throw new Error('redirecting a copy of its own needs the queue');
        // A trace field of its own: the copy is a new queue entry, and a loop of redirects
        // between users must still end on the hop count (RFC 5321 6.3).
        await options.submit({
          from: envelope.from,
          to: [to.address],
          content: Buffer.concat([
            redirectTrace(to.address, attempt.queueId),
            to.content ?? content,
          ]),
          ...(to.notify !== undefined ? { notify: to.notify } : {}),
          ...(to.ret !== undefined ? { ret: to.ret } : {}),
        });
        await journal.done(step);
      } catch (error) {
        logger.error(
          `local delivery: redirecting ${target.user}'s copy failed: ${describe(error)}`,
        );
        return { ok: false, result: strip(result('', 451, '4.3.0', 'could not queue a redirect')) };
      }
    }
    for (const [index, message] of decision.send.entries()) {
      const step = `${key}:send:${index}`;
      if (journal.get(step)?.state === 'done') continue;
      try {
        if (options.submit) await options.submit(message);
        else
          logger.warn(`local delivery: no way to send ${target.user}'s filter's message; dropped`);
        await journal.done(step);
      } catch (error) {
        logger.error(
          `local delivery: sending ${target.user}'s filter's message failed: ${describe(error)}`,
        );
        return { ok: false, result: strip(result('', 451, '4.3.0', 'could not queue a reply')) };
      }
    }
    await journal.done(key);
    if (decision.reject !== undefined && target.recipients.length > 0)
      return { ok: true, rejected: decision.reject };
    return { ok: true };
  }

  /** A filter's redirects go into the queue entry's recipients (or to `forward`), once. */
  async function redirectOnce(
    target: Target,
    redirects: readonly Redirect[],
    envelope: Envelope,
    content: Buffer,
    journal: DeliveryJournal,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult | null> {
    const key = `redirect:${target.user.toLowerCase()}`;
    if (journal.get(key)?.state === 'done') return null;
    const onward = redirects.map(({ address, notify }) => ({
      address,
      ...(notify !== undefined ? { notify } : {}),
    }));
    try {
      if (attempt.journal) {
        await journal.addRecipients(key, onward);
        return null;
      }
      if (!options.forward) return result(target.user, 451, '4.3.0', 'redirecting needs the queue');
      await options.forward({ ...envelope, recipients: onward }, bufferSource(content));
      await journal.done(key);
      return null;
    } catch (error) {
      logger.error(`local delivery: redirecting ${target.user}'s copy failed: ${describe(error)}`);
      return result(target.user, 451, '4.3.0', `redirecting failed: ${describe(error)}`);
    }
  }

  async function deliverOnce(
    target: Target,
    envelope: Envelope,
    content: Buffer,
    attempt: DeliveryAttempt,
    journal: DeliveryJournal,
  ): Promise<TargetOutcome> {
    try {
      const known: JournalEntry | undefined = journal.get(target.key);
      if (known?.state === 'done') return { ok: true };
      if (
        known?.state === 'intended' &&
        (await alreadyThere(target, known.note, attempt.queueId))
      ) {
        await journal.done(target.key);
        return { ok: true };
      }
      const access = options.store.access(target.user);
      if (target.create) {
        await access.create(target.mailbox).catch((error: unknown) => {
          if (!isMailStoreError(error, 'already-exists')) throw error;
        });
      }
      let note: JournalNote;
      try {
        // The message lands at this UIDNEXT or after it, even when another delivery to the
        // mailbox runs meanwhile: a store never gives a UID below a UIDNEXT it reported, not even
        // after a failed append (docs/mailstore.md, "UIDs").
        const status = await access.status(target.mailbox);
        note = { uidValidity: status.uidValidity, uidNext: status.uidNext };
      } catch (error) {
        if (!isMailStoreError(error, 'not-found') && !isMailStoreError(error, 'permission-denied'))
          throw error;
        // Unreadable for us (a public folder without rights): a crash here means one more copy.
        note = { uidValidity: null, uidNext: null };
      }
      await journal.intend(target.key, note);
      await options.store.deliver(target.user, {
        content: Buffer.concat([trace(target, envelope, attempt.queueId), content]),
        ...(target.mailbox === 'INBOX' ? {} : { mailbox: target.mailbox }),
        ...(target.flags ? { flags: target.flags } : {}),
      });
      await journal.done(target.key);
      return { ok: true };
    } catch (error) {
      return { ok: false, result: storeFailure(error, target) };
    }
  }

  /** The Received field on top of a redirected copy that goes as a queue entry of its own. */
  function redirectTrace(address: string, queueId: string): Buffer {
    const date = formatRfc5322Date(clock.now(), options.utcOffset ?? 0);
    return Buffer.from(
      `Received: by ${options.hostname} (Mailyard) id ${queueId}\r\n\tfor <${oneLine(address)}>;\r\n\t${date}\r\n`,
      'utf8',
    );
  }

  /** Whether a message of this queue entry is in the mailbox from the journal's UIDNEXT on. */
  async function alreadyThere(
    target: Target,
    note: JournalNote,
    queueId: string,
  ): Promise<boolean> {
    if (typeof note.uidNext !== 'number') return false;
    const box = await options.store.access(target.user).open(target.mailbox, { readOnly: true });
    try {
      if (box.uidValidity !== note.uidValidity) return false;
      for (const { uid } of await box.messages()) {
        if (uid < note.uidNext) continue;
        const chunks: Uint8Array[] = [];
        for await (const chunk of box.read(uid, { start: 0, end: TRACE_WINDOW }))
          chunks.push(chunk);
        const received = parseHeaders(Buffer.concat(chunks)).get('received') ?? '';
        if (new RegExp(`(^|\\s)id ${queueId.replace(/[^0-9a-z-]/gi, '')}(\\s|;|$)`).test(received))
          return true;
      }
      return false;
    } finally {
      box.close();
    }
  }

  /** The header written on top of the message: Return-Path, X-Envelope-To, our Received. */
  function trace(target: Target, envelope: Envelope, queueId: string): Buffer {
    const lines: string[] = [];
    if (options.returnPath !== false) lines.push(`Return-Path: <${oneLine(envelope.from)}>`);
    if (options.insertEnvelopeTo)
      lines.push(`X-Envelope-To: ${target.recipients.map(oneLine).join(', ')}`);
    const forClause =
      target.recipients.length === 1 ? `\r\n\tfor <${oneLine(target.recipients[0]!)}>` : '';
    const date = formatRfc5322Date(clock.now(), options.utcOffset ?? 0);
    lines.push(
      `Received: by ${options.hostname} (Mailyard) id ${queueId}${forClause};\r\n\t${date}`,
    );
    return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
  }

  /** Hands forwards to outside addresses on: into the queue entry's recipients, or to `forward`. */
  async function handForwards(
    recipient: EnvelopeRecipient,
    addresses: readonly string[],
    envelope: Envelope,
    message: MessageSource,
    journal: DeliveryJournal,
    attempt: DeliveryAttempt,
  ): Promise<RecipientResult | null> {
    // RFC 3461 4.2: the forwarded copies keep the original recipient and its NOTIFY.
    const onward = addresses.map((address) => ({
      address,
      ...(recipient.notify !== undefined ? { notify: recipient.notify } : {}),
      originalRecipient: recipient.originalRecipient ?? `rfc822;${recipient.address}`,
    }));
    const key = `forward:${recipient.address.toLowerCase()}`;
    try {
      if (attempt.journal) {
        await journal.addRecipients(key, onward);
        return null;
      }
      if (journal.get(key)?.state === 'done') return null;
      if (!options.forward) {
        return result(recipient.address, 451, '4.3.0', 'forwarding needs the queue');
      }
      await options.forward({ ...envelope, recipients: onward }, message);
      await journal.done(key);
      return null;
    } catch (error) {
      logger.error(`local delivery: forwarding ${recipient.address} failed: ${describe(error)}`);
      return result(recipient.address, 451, '4.3.0', `forwarding failed: ${describe(error)}`);
    }
  }

  function storeFailure(error: unknown, target: Target): Omit<RecipientResult, 'recipient'> {
    const where =
      target.mailbox === 'INBOX'
        ? target.user
        : `${target.mailbox} of ${target.user.split('@')[1]}`;
    if (isMailStoreError(error, 'over-quota')) {
      return options.overQuota === 'fail'
        ? strip(result('', 552, '5.2.2', `mailbox ${where} is full`))
        : strip(result('', 452, '4.2.2', `mailbox ${where} is full`));
    }
    if (isMailStoreError(error, 'too-big')) {
      return strip(result('', 552, '5.2.3', `message too big for mailbox ${where}`));
    }
    if (isMailStoreError(error, 'not-found') || isMailStoreError(error, 'not-allowed')) {
      return strip(result('', 550, '5.2.1', `mailbox ${where} does not take mail`));
    }
    logger.error(`local delivery to ${where} failed: ${describe(error)}`);
    return strip(result('', 451, '4.3.0', `mailbox ${where} unavailable: ${describe(error)}`));
  }
}

/** A redirect that cannot join the queued message's recipients: its own RET, or its own bytes. */
function needsOwnMessage(to: Redirect): boolean {
  return to.ret !== undefined || to.content !== undefined;
}

function addTarget(
  targets: Map<string, Target>,
  key: string,
  user: string,
  mailbox: string,
  recipient: string,
): string {
  const known = targets.get(key);
  if (known) {
    if (!known.recipients.includes(recipient)) known.recipients.push(recipient);
  } else {
    targets.set(key, { key, user, mailbox, recipients: [recipient] });
  }
  return key;
}

function result(
  recipient: string,
  code: number,
  enhancedCode: string,
  text: string,
): RecipientResult {
  const status = code < 400 ? 'delivered' : code < 500 ? 'deferred' : 'failed';
  return { recipient, status, code, enhancedCode, diagnostic: `${code} ${enhancedCode} ${text}` };
}

function strip(full: RecipientResult): Omit<RecipientResult, 'recipient'> {
  const { recipient: _recipient, ...rest } = full;
  return rest;
}

/** The message in one buffer, read into its known size (no second copy), however it is chunked. */
async function readAll(message: MessageSource): Promise<Buffer> {
  let buffer = Buffer.allocUnsafe(
    Number.isSafeInteger(message.size) ? Math.max(0, message.size) : 0,
  );
  let length = 0;
  for await (const chunk of message.read()) {
    if (length + chunk.length > buffer.length) {
      // Bigger than said: grow, as a Buffer.concat would have.
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  }
  return buffer.subarray(0, length);
}

function bufferSource(content: Buffer): MessageSource {
  return {
    size: content.length,
    async *read() {
      yield content;
    },
  };
}

/** A journal that lives as long as one call: for use outside a queue (no crash safety). */
function memoryJournal(): DeliveryJournal {
  const entries = new Map<string, JournalEntry>();
  return {
    get: (target) => entries.get(target),
    intend: async (target, note) => void entries.set(target, { state: 'intended', note }),
    done: async (target) => void entries.set(target, { state: 'done' }),
    addRecipients: async (target) => void entries.set(target, { state: 'done' }),
  };
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
