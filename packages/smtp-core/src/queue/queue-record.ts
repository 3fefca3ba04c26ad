import type { Envelope, EnvelopeRecipient, JournalEntry } from '../envelope.js';

/**
 * The `.env` file of a queued message: JSON, one object, rewritten whole (temp file, fsync,
 * rename, directory fsync) at every change, so that after a crash it is either the old or the
 * new version. The format is described in docs/smtp.md, section "Queue format".
 */
export interface QueueRecord {
  readonly format: 'mailyard-queue';
  readonly version: 1;
  readonly queueId: string;
  /** When the message was queued, UTC milliseconds (Kerio's "Created"). */
  readonly created: number;
  /** Octets of the .eml (Kerio's Size: the message without the envelope). */
  readonly size: number;
  readonly meta: QueueMeta;
  /** The envelope without its recipients (they are below, with their state). */
  readonly envelope: Omit<Envelope, 'recipients'>;
  recipients: RecipientRecord[];
  /** Attempts made so far. */
  attempts: number;
  /** The delivery agents' notes (see DeliveryJournal), by target. */
  journal: Record<string, JournalEntry>;
}

/** Who handed the message over, as the Mail log's Recv line tells. */
export interface QueueMeta {
  readonly service: string;
  readonly user?: string | null;
  readonly senderHost?: string;
  readonly ssl?: boolean;
  /** For a DSN: what it reports. */
  readonly report?: string;
  /** For a mailing list's message: what it answers. */
  readonly answer?: string;
}

export type RecipientState = 'pending' | 'delivered' | 'failed';

export interface RecipientRecord {
  readonly address: string;
  readonly notify?: EnvelopeRecipient['notify'];
  readonly originalRecipient?: string;
  state: RecipientState;
  attempts: number;
  /** When it is due next (UTC ms); 0 as soon as possible; null in Offline mode. */
  nextTry: number | null;
  lastAttempt: number | null;
  code: number | null;
  status: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  /** The delay warning was sent (or was not wanted): at most one per recipient. */
  warned: boolean;
  /** A DSN to send for this recipient and not yet queued (written with the state change). */
  dsn: 'failed' | 'delayed' | 'delivered' | null;
  /** The recipient this one was forwarded from, when it came from a forward. */
  forwardedFrom?: string;
}

/** Reads a `.env`; null when it is not one (a foreign or damaged file). */
export function parseQueueRecord(text: string): QueueRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const record = value as Partial<QueueRecord>;
  if (record.format !== 'mailyard-queue' || record.version !== 1) return null;
  if (typeof record.queueId !== 'string' || typeof record.created !== 'number') return null;
  if (
    typeof record.size !== 'number' ||
    !record.envelope ||
    typeof record.envelope.from !== 'string'
  )
    return null;
  if (!Array.isArray(record.recipients) || !record.meta || typeof record.meta.service !== 'string')
    return null;
  for (const recipient of record.recipients) {
    if (!recipient || typeof recipient.address !== 'string') return null;
    if (!['pending', 'delivered', 'failed'].includes(recipient.state)) return null;
  }
  return {
    ...(record as QueueRecord),
    attempts: typeof record.attempts === 'number' ? record.attempts : 0,
    journal: record.journal && typeof record.journal === 'object' ? record.journal : {},
  };
}

export function formatQueueRecord(record: QueueRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export function newRecipientRecord(
  recipient: EnvelopeRecipient,
  nextTry: number | null,
): RecipientRecord {
  return {
    address: recipient.address,
    ...(recipient.notify !== undefined ? { notify: recipient.notify } : {}),
    ...(recipient.originalRecipient !== undefined
      ? { originalRecipient: recipient.originalRecipient }
      : {}),
    state: 'pending',
    attempts: 0,
    nextTry,
    lastAttempt: null,
    code: null,
    status: null,
    diagnostic: null,
    remoteMta: null,
    warned: false,
    dsn: null,
  };
}

export function envelopeRecipient(record: RecipientRecord): EnvelopeRecipient {
  return {
    address: record.address,
    ...(record.notify !== undefined ? { notify: record.notify } : {}),
    ...(record.originalRecipient !== undefined
      ? { originalRecipient: record.originalRecipient }
      : {}),
  };
}
