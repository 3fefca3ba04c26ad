import { DEFAULT_NOTIFY, type NotifyCondition, wantsNotification } from '../dsn/notify-policy.js';
import type { MailLog } from '../log/mail-log.js';
import { type QueueRecord, type RecipientRecord, envelopeRecipient } from './queue-record.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface TimeLimitOptions {
  /** Kerio's "Send the sender a warning if not delivered after": default 45 minutes; 0: never. */
  readonly warnAfter?: number;
  /** Kerio's "Bounce the message if not delivered in": default 5 days. */
  readonly bounceAfter?: number;
  /** What senders hear about when they gave no NOTIFY; default failures and delays (Kerio). */
  readonly defaultNotify?: readonly NotifyCondition[];
}

/**
 * Kerio's time limits on queued mail, counted from the message's arrival: one delay warning
 * after `warnAfter`, a bounce after `bounceAfter`. Not for mail through a relay server (Kerio
 * leaves those to the relay): `applies` says which recipients they concern.
 */
export class TimeLimits {
  readonly warnAfter: number;
  readonly bounceAfter: number;
  private readonly notify: readonly NotifyCondition[];

  constructor(
    options: TimeLimitOptions,
    private readonly mailLog: MailLog,
    private readonly applies: (recipient: RecipientRecord) => boolean,
  ) {
    this.warnAfter = options.warnAfter ?? 45 * MINUTE;
    this.bounceAfter = options.bounceAfter ?? 5 * DAY;
    this.notify = options.defaultNotify ?? DEFAULT_NOTIFY;
  }

  /** Past the bounce time: no more attempts, the time limits fail it. */
  expired(record: QueueRecord, r: RecipientRecord, now: number): boolean {
    return this.applies(r) && now >= this.retryUntil(record);
  }

  /** When a message stops being retried (a delay DSN's Will-Retry-Until). */
  retryUntil(record: QueueRecord): number {
    return record.created + this.bounceAfter;
  }

  /** Whether a warning or the bounce is due for this recipient now. */
  due(record: QueueRecord, r: RecipientRecord, now: number): boolean {
    if (!this.applies(r)) return false;
    if (now >= this.retryUntil(record)) return true;
    return !r.warned && this.warnAfter > 0 && now >= record.created + this.warnAfter;
  }

  /** The next time a limit falls due for a pending recipient: +Infinity when none will. */
  nextDeadline(record: QueueRecord, r: RecipientRecord): number {
    if (!this.applies(r)) return Number.POSITIVE_INFINITY;
    const bounce = this.retryUntil(record);
    return !r.warned && this.warnAfter > 0
      ? Math.min(record.created + this.warnAfter, bounce)
      : bounce;
  }

  /**
   * Applies the limits to the pending recipients: past the bounce time they fail (with a DSN
   * when wanted), past the warning time they get one delay warning. Returns whether anything
   * changed.
   */
  enforce(record: QueueRecord, now: number): boolean {
    let changed = false;
    for (const r of record.recipients) {
      if (r.state !== 'pending' || !this.applies(r)) continue;
      if (now >= this.retryUntil(record)) {
        r.state = 'failed';
        r.diagnostic = r.diagnostic
          ? `${r.diagnostic} (delivery time expired)`
          : '554 5.4.7 delivery time expired';
        r.status = '5.4.7';
        r.dsn = wantsNotification(
          record.envelope.from,
          envelopeRecipient(r),
          'FAILURE',
          this.notify,
        )
          ? 'failed'
          : null;
        this.mailLog.write({
          kind: 'sent',
          time: now,
          queueId: record.queueId,
          recipient: r.address,
          result: 'failed',
          status: '5.4.7',
        });
        changed = true;
      } else if (!r.warned && this.warnAfter > 0 && now >= record.created + this.warnAfter) {
        r.warned = true;
        if (wantsNotification(record.envelope.from, envelopeRecipient(r), 'DELAY', this.notify))
          r.dsn = 'delayed';
        changed = true;
      }
    }
    return changed;
  }
}
