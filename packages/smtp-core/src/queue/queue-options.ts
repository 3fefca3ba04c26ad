import type { Clock, Logger } from '@mailyard/mailstore-interface';
import type { NotifyCondition } from '../dsn/notify-policy.js';
import type { DeliveryAgent, JournalEntry, MessageSource } from '../envelope.js';
import type { MailLog } from '../log/mail-log.js';
import type { RecipientRecord } from './queue-record.js';
import type { QueueStorage } from './queue-storage.js';

/** Timers, injected so that tests drive the queue with a fake clock. */
export interface QueueTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, not holding the process open. */
export const realTimers: QueueTimers = {
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type QueueHold = 'scheduler' | 'etrn';

/** What a queue needs from the agent that delivers for it; the routing questions are optional. */
export interface QueueDeliveryAgent extends DeliveryAgent {
  /** Mail through a relay server: the queue's warning and bounce times do not apply (Kerio 12.5). */
  viaRelay?(recipient: string): boolean | Promise<boolean>;
  /** Mail held for the scheduler (`runQueue()`) or for an ETRN (`release()`), or null. */
  holdFor?(recipient: string): QueueHold | null | Promise<QueueHold | null>;
}

export interface DeliveryQueueOptions {
  /** The queue directory (Kerio's `store/queue`); created if missing. Ignored with `storage`. */
  readonly directory?: string;
  /**
   * Where the queue keeps its entries instead of `directory`: a storage shared by several
   * servers (a database), whose entries each server delivers exactly once between them.
   */
  readonly storage?: QueueStorage;
  readonly agent: QueueDeliveryAgent;
  /** Our host name: the DSNs' Reporting-MTA and From domain. */
  readonly hostname: string;
  readonly clock?: Clock;
  readonly timers?: QueueTimers;
  /**
   * `online` (the default) delivers as soon as a message is queued and retries on its own;
   * `offline` delivers only when `runQueue()` is called (Kerio's scheduler), or on `tryNow()` and
   * `release()`.
   */
  readonly mode?: 'online' | 'offline';
  /** Kerio's "Delivery retry interval": default 30 minutes. */
  readonly retryInterval?: number;
  /** Kerio's "Send the sender a warning if not delivered after": default 45 minutes (Kerio's figure); 0 for never. */
  readonly warnAfter?: number;
  /** Kerio's "Bounce the message if not delivered in": default 5 days. */
  readonly bounceAfter?: number;
  /** Kerio's "Maximum number of delivery threads": messages in delivery at once, default 32. */
  readonly concurrency?: number;
  /** Octets a queued message may have; 0 (the default) for no limit beyond the server's. */
  readonly maxMessageSize?: number;
  /** What senders hear about when they gave no NOTIFY; default failures and delays (Kerio). */
  readonly defaultNotify?: readonly NotifyCondition[];
  /** What a failure DSN returns without RET=: default `headers` (Kerio returns "its header"). */
  readonly returnContent?: 'full' | 'headers';
  /** Messages larger than this come back as their header only; default 1 MiB. */
  readonly maxReturnSize?: number;
  /** The server's offset from UTC in minutes, for the dates in DSNs. */
  readonly utcOffset?: number;
  readonly mailLog?: MailLog;
  readonly logger?: Logger;
}

/** What `enqueue` may be given beside the message. */
export interface EnqueueOptions {
  /**
   * Journal entries the message starts with, written in the same file as its envelope: a step
   * already decided before the message was accepted (a filter run at SMTP time, whose decision
   * local delivery then carries out instead of asking the filter again).
   */
  readonly journal?: Readonly<Record<string, JournalEntry>>;
  /**
   * Called once the message is on disk and before it is queued (so before `enqueue` resolves and
   * the client hears 250): may read the message, and returns journal entries to start with
   * (beside `journal`). If it throws, nothing is queued (the message file is removed) and
   * `enqueue` rejects with what it threw. A crash meanwhile leaves an unacknowledged message
   * file, which opening the queue clears away.
   */
  readonly prepare?: (
    message: MessageSource,
  ) => Promise<Readonly<Record<string, JournalEntry>> | undefined>;
}

/** A queued message as the queue view shows it (Kerio 23.1: ID, Created, Next Try, Size, From, To, Status). */
export interface QueueListItem {
  readonly id: string;
  readonly created: number;
  /** The earliest next try of its pending recipients; null for ASAP (or, when all are held, null). */
  readonly nextTry: number | null;
  readonly size: number;
  /** `''` for a DSN the queue generated (Kerio: "Empty From = DSN"). */
  readonly from: string;
  readonly to: readonly string[];
  /** The last status of a pending recipient (`4.4.1 Cannot connect to remote host`), or `''`. */
  readonly status: string;
  readonly service: string;
  readonly recipients: readonly {
    readonly address: string;
    readonly state: RecipientRecord['state'];
    readonly attempts: number;
    readonly nextTry: number | null;
    readonly status: string | null;
    readonly diagnostic: string | null;
    readonly hold: 'scheduler' | 'etrn' | null;
  }[];
}

/** Which messages `remove` takes (all the given conditions must hold). */
export interface RemoveCriteria {
  readonly ids?: readonly string[];
  /** Sender, case-insensitive, exactly (`''` for DSNs). */
  readonly from?: string;
  /** Any recipient, case-insensitive, exactly. */
  readonly to?: string;
  /** Queued before this time (UTC ms). */
  readonly createdBefore?: number;
  readonly where?: (item: QueueListItem) => boolean;
  /** Every message; needed when no other condition is given. */
  readonly all?: boolean;
}
