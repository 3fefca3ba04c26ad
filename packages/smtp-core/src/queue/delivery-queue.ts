import {
  type Clock,
  type Logger,
  nullIfMissing,
  silentLogger,
  systemClock,
} from '@mailyard/mailstore-interface';
import { buildDsn, type DsnAction } from '../dsn/delivery-status-notification.js';
import { DEFAULT_NOTIFY, wantsNotification } from '../dsn/notify-policy.js';
import type {
  DeliveryJournal,
  Envelope,
  EnvelopeRecipient,
  JournalEntry,
  RecipientResult,
} from '../envelope.js';
import { type MailLog, silentMailLog } from '../log/mail-log.js';
import { QueueError } from './queue-files.js';
import {
  type QueueMeta,
  type QueueRecord,
  type RecipientRecord,
  envelopeRecipient,
  newRecipientRecord,
} from './queue-record.js';
import {
  type DeliveryQueueOptions,
  type EnqueueOptions,
  type QueueHold,
  type QueueListItem,
  type QueueTimers,
  type RemoveCriteria,
  realTimers,
} from './queue-options.js';
import { FileQueueStorage, type QueueStorage } from './queue-storage.js';
import { TimeLimits } from './time-limits.js';

const MINUTE = 60_000;

interface Entry {
  readonly record: QueueRecord;
  /** Serialises the writes of this entry's .env. */
  lock: Promise<unknown>;
  running: boolean;
  removed: boolean;
  /** Attempts asked for by runQueue, tryNow or release, waiting for the entry's next attempt. */
  requests: { select: (r: RecipientRecord) => boolean; done: () => void }[];
}

/**
 * The durable delivery queue, in Kerio's layout (`<QueueID>.eml` + `<QueueID>.env`): every
 * message is on disk before `enqueue` resolves, every attempt's outcome before the next, and the
 * delivery agent gets a journal to make local delivery exactly once across crashes. Retries at a
 * fixed interval, a delay warning and a bounce after set times (not for mail through a relay),
 * DSNs per NOTIFY, at most N deliveries at once, Online and Offline modes, mail held for ETRN,
 * and the queue view's operations.
 */
export class DeliveryQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly timers: QueueTimers;
  private readonly logger: Logger;
  private readonly mailLog: MailLog;
  private readonly limits: TimeLimits;
  private readonly controllers = new Set<AbortController>();
  private readonly idleWaiters: (() => void)[] = [];
  private modeValue: 'online' | 'offline';
  private timer: unknown = null;
  private active = 0;
  private stopping = false;
  private dsnCounter = 0;
  private pumping = false;
  /** Work started in the background (time limits), which idle() and stop() wait for. */
  private readonly background = new Set<Promise<unknown>>();
  /**
   * How the agent routes each address (held? through a relay?), asked when an address enters the
   * queue and again on runQueue, tryNow and release, so that the queue's own decisions stay
   * synchronous while the agent may need its directory to answer.
   */
  private readonly routing = new Map<string, { hold: QueueHold | null; relay: boolean }>();
  /** How many recipients of queued messages have each address: routing answers go with the last. */
  private readonly addressUses = new Map<string, number>();

  /** The timer that asks the storage for entries other servers left (`QueueStorage.adopt`). */
  private adoptTimer: unknown = null;

  private constructor(
    private readonly options: DeliveryQueueOptions,
    private readonly files: QueueStorage,
  ) {
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? realTimers;
    this.logger = options.logger ?? silentLogger;
    this.mailLog = options.mailLog ?? silentMailLog;
    this.modeValue = options.mode ?? 'online';
    this.limits = new TimeLimits(options, this.mailLog, (r) => this.timeLimitsApply(r));
  }

  /**
   * Opens the queue: clears what a crash left half-written, loads every complete entry, sends
   * the DSNs a crash kept from going out, and (Online) resumes delivery.
   */
  static async open(options: DeliveryQueueOptions): Promise<DeliveryQueue> {
    const clock = options.clock ?? systemClock;
    const storage =
      options.storage ??
      (options.directory !== undefined
        ? new FileQueueStorage(options.directory, () => clock.now())
        : null);
    if (!storage) throw new TypeError('a DeliveryQueue needs a directory or a storage');
    const logger = options.logger ?? silentLogger;
    const records = await storage.recover((problem) => logger.warn(`queue recovery: ${problem}`));
    const queue = new DeliveryQueue(options, storage);
    await queue.take(records);
    queue.pump();
    queue.watchOrphans();
    return queue;
  }

  /**
   * Makes entries this queue delivers from now on (recovered at open, or adopted from a server
   * that stopped): their routing learnt, the DSNs they owe sent, the finished ones removed.
   */
  private async take(records: readonly QueueRecord[]): Promise<void> {
    const taken: Entry[] = [];
    for (const record of records) {
      if (this.entries.has(record.queueId)) continue;
      const entry = this.newEntry(record);
      this.entries.set(record.queueId, entry);
      this.countAddresses(record.recipients, 1);
      taken.push(entry);
    }
    await this.learnRouting(pendingAddresses(taken));
    for (const entry of taken) {
      // One entry whose DSN cannot go out now must not keep the whole queue from opening.
      await this.settle(entry).catch((error: unknown) =>
        this.logger.error(`queue: ${describe(error)}`, { queueId: entry.record.queueId }),
      );
    }
  }

  /** Asks a shared storage, now and then, for the entries of servers that stopped. */
  private watchOrphans(): void {
    const { files } = this;
    if (!files.adopt || this.stopping) return;
    const every = Math.max(100, files.adoptEveryMs ?? 10_000);
    this.adoptTimer = this.timers.setTimeout(() => {
      this.adoptTimer = null;
      if (this.stopping) return;
      const work: Promise<void> = files.adopt!()
        .then(async (records) => {
          if (records.length === 0 || this.stopping) return;
          this.logger.info(`queue: took over ${records.length} messages of a stopped server`);
          await this.take(records);
          this.pump();
        })
        .catch((error: unknown) => this.logger.warn(`queue: orphans: ${describe(error)}`))
        .finally(() => {
          this.background.delete(work);
          this.watchOrphans();
          this.wakeIdle();
        });
      this.background.add(work);
    }, every);
  }

  get mode(): 'online' | 'offline' {
    return this.modeValue;
  }

  /** Switches between Online and Offline (Kerio 12.6); Online starts delivering what is due. */
  setMode(mode: 'online' | 'offline'): void {
    this.modeValue = mode;
    this.pump();
  }

  /** At least a second: a zero interval would retry in a tight loop. */
  private get retryInterval(): number {
    return Math.max(1000, this.options.retryInterval ?? 30 * MINUTE);
  }

  /**
   * Queues a message. Resolves with its Queue-ID once both files are durable (the SMTP server
   * says 250 then); rejects with a {@link QueueError} (and keeps nothing) when the message
   * cannot be taken.
   */
  async enqueue(
    envelope: Envelope,
    message: AsyncIterable<Uint8Array>,
    meta: QueueMeta,
    options: EnqueueOptions = {},
  ): Promise<{ queueId: string }> {
    if (this.stopping) throw new QueueError('stopped', 'the queue is stopping');
    if (envelope.recipients.length === 0) throw new QueueError('no-recipients', 'no recipients');
    const queueId = await this.files
      .nextId((id) => this.entries.has(id))
      .catch((error: unknown) => {
        throw new QueueError('io', `could not reserve a Queue-ID: ${describe(error)}`, {
          cause: error,
        });
      });
    const size = await this.files.writeMessage(queueId, message, this.options.maxMessageSize ?? 0);
    let prepared: Readonly<Record<string, JournalEntry>> | undefined;
    if (options.prepare) {
      try {
        prepared = await options.prepare(this.files.source(queueId, size));
      } catch (error) {
        await this.files.remove(queueId).catch(() => undefined);
        throw error;
      }
    }
    const created = this.clock.now();
    const { recipients, ...rest } = envelope;
    const record: QueueRecord = {
      format: 'mailyard-queue',
      version: 1,
      queueId,
      created,
      size,
      meta: cleanMeta(meta),
      envelope: rest,
      recipients: recipients.map((r) => newRecipientRecord(r, null)),
      attempts: 0,
      journal: { ...options.journal, ...prepared },
    };
    try {
      await this.files.writeRecord(record);
    } catch (error) {
      await this.files.remove(queueId).catch(() => undefined);
      throw new QueueError('io', `could not queue the message: ${describe(error)}`, {
        cause: error,
      });
    }
    const entry = this.newEntry(record);
    await this.learnRouting(pendingAddresses([entry]));
    this.entries.set(queueId, entry);
    this.countAddresses(record.recipients, 1);
    this.mailLog.write({
      kind: 'recv',
      time: created,
      queueId,
      service: meta.service,
      from: envelope.from,
      to: recipients.map((r) => r.address),
      size,
      ...(meta.user !== undefined ? { user: meta.user } : {}),
      ...(meta.senderHost ? { senderHost: meta.senderHost } : {}),
      ...(meta.ssl !== undefined ? { ssl: meta.ssl } : {}),
      ...(meta.report ? { report: meta.report } : {}),
      ...(meta.answer ? { answer: meta.answer } : {}),
    });
    this.pump();
    return { queueId };
  }

  /** The queue view: every message, oldest first. */
  list(): QueueListItem[] {
    return [...this.entries.values()]
      .filter((entry) => !entry.removed)
      .sort(
        (a, b) =>
          a.record.created - b.record.created || (a.record.queueId < b.record.queueId ? -1 : 1),
      )
      .map((entry) => this.item(entry));
  }

  /** Count and volume, as the queue view's header shows them. */
  stats(): { messages: number; volume: number } {
    const items = this.list();
    return { messages: items.length, volume: items.reduce((sum, item) => sum + item.size, 0) };
  }

  /**
   * Removes messages without delivering or bouncing them (Kerio's Remove: selected, all, or by
   * criteria). A message in delivery goes once its attempt ends. Returns how many.
   */
  async remove(criteria: RemoveCriteria): Promise<number> {
    const conditions = [
      criteria.ids,
      criteria.from,
      criteria.to,
      criteria.createdBefore,
      criteria.where,
    ];
    if (!criteria.all && conditions.every((c) => c === undefined)) return 0;
    const ids = criteria.ids ? new Set(criteria.ids) : null;
    const matches = this.list().filter(
      (item) =>
        (!ids || ids.has(item.id)) &&
        (criteria.from === undefined || item.from.toLowerCase() === criteria.from.toLowerCase()) &&
        (criteria.to === undefined ||
          item.to.some((to) => to.toLowerCase() === criteria.to!.toLowerCase())) &&
        (criteria.createdBefore === undefined || item.created < criteria.createdBefore) &&
        (!criteria.where || criteria.where(item)),
    );
    for (const item of matches) {
      const entry = this.entries.get(item.id);
      if (!entry) continue;
      entry.removed = true;
      for (const request of entry.requests.splice(0)) request.done();
      if (!entry.running) await this.withLock(entry, () => this.drop(entry));
    }
    return matches.length;
  }

  /** Kerio's "Try to send now": these messages, now, held for the scheduler or not (not for ETRN). */
  async tryNow(ids: readonly string[]): Promise<void> {
    const entries = ids.flatMap((id) => this.entries.get(id) ?? []);
    await this.learnRouting(pendingAddresses(entries));
    return this.request(entries, (r) => this.holdOf(r) !== 'etrn');
  }

  /** Kerio's "Run queue" (and the scheduler's "send queue"): everything not held for ETRN, now. */
  async runQueue(): Promise<void> {
    await this.learnRouting(pendingAddresses([...this.entries.values()]));
    this.enforceTimeLimits();
    return this.request([...this.entries.values()], (r) => this.holdOf(r) !== 'etrn');
  }

  /**
   * ETRN (RFC 1985) released mail for `node`: `domain`, or `@domain` for the domain and its
   * subdomains. Resolves as soon as it knows how many messages wait (the server answers 250 or
   * 251 with it); `done` resolves when their attempt ended. `#queue` names are not supported.
   */
  async release(node: string): Promise<{ messages: number; done: Promise<void> }> {
    const name = node.replace(/^@/, '').toLowerCase();
    if (!name || name.startsWith('#')) return { messages: 0, done: Promise.resolve() };
    await this.learnRouting(pendingAddresses([...this.entries.values()]));
    const subdomains = node.startsWith('@');
    const matches = (r: RecipientRecord) => {
      if (this.holdOf(r) !== 'etrn') return false;
      const domain = domainOf(r.address).toLowerCase();
      return domain === name || (subdomains && domain.endsWith(`.${name}`));
    };
    const entries = [...this.entries.values()].filter((entry) =>
      entry.record.recipients.some((r) => r.state === 'pending' && matches(r)),
    );
    return { messages: entries.length, done: this.request(entries, matches) };
  }

  /** Resolves when nothing is being delivered and nothing is due right now (for tests and shutdowns). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.background.size > 0) await Promise.all(this.background);
      const now = this.clock.now();
      const busy =
        this.active > 0 ||
        this.background.size > 0 ||
        [...this.entries.values()].some(
          (e) =>
            e.requests.length > 0 ||
            (this.modeValue === 'online' && !this.stopping && this.due(e, now)),
        );
      if (!busy) return;
      const waiting = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // Due work nobody started (the clock moved past a timer that has not fired yet): start it.
      if (this.active === 0 && this.background.size === 0) this.pump();
      await waiting;
    }
  }

  /**
   * Stops: no new messages and no new attempts; attempts in progress get `graceMs` to finish,
   * then their connections are aborted (what they had not delivered stays queued).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.adoptTimer !== null) this.timers.clearTimeout(this.adoptTimer);
    this.adoptTimer = null;
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const handle = this.timers.setTimeout(resolve, graceMs);
        const check = () => {
          if (this.active === 0) {
            this.timers.clearTimeout(handle);
            resolve();
          } else this.idleWaiters.push(check);
        };
        check();
      });
    }
    for (const controller of this.controllers) controller.abort();
    while (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.background);
    await Promise.all([...this.entries.values()].map((entry) => entry.lock));
    for (const entry of this.entries.values())
      for (const request of entry.requests.splice(0)) request.done();
  }

  // ---------------------------------------------------------------------------------------------

  private newEntry(record: QueueRecord): Entry {
    return { record, lock: Promise.resolve(), running: false, removed: false, requests: [] };
  }

  private item(entry: Entry): QueueListItem {
    const { record } = entry;
    const pending = record.recipients.filter((r) => r.state === 'pending');
    const tries = pending.filter((r) => this.holdOf(r) === null).map((r) => r.nextTry);
    const nextTry =
      tries.length === 0 || tries.includes(null) ? null : Math.min(...(tries as number[]));
    const last = [...pending].reverse().find((r) => r.diagnostic);
    return {
      id: record.queueId,
      created: record.created,
      nextTry,
      size: record.size,
      from: record.envelope.from,
      to: record.recipients.map((r) => r.address),
      status: last?.diagnostic ? statusText(last) : '',
      service: record.meta.service,
      recipients: record.recipients.map((r) => ({
        address: r.address,
        state: r.state,
        attempts: r.attempts,
        nextTry: r.nextTry,
        status: r.status,
        diagnostic: r.diagnostic,
        hold: r.state === 'pending' ? this.holdOf(r) : null,
      })),
    };
  }

  private holdOf(recipient: RecipientRecord): QueueHold | null {
    return this.routing.get(recipient.address.toLowerCase())?.hold ?? null;
  }

  private timeLimitsApply(recipient: RecipientRecord): boolean {
    return !this.routing.get(recipient.address.toLowerCase())?.relay;
  }

  /** Asks the agent how it routes these addresses (see {@link routing}). */
  private async learnRouting(addresses: Iterable<string>): Promise<void> {
    const { agent } = this.options;
    if (!agent.holdFor && !agent.viaRelay) return;
    for (const address of new Set(addresses)) {
      let hold: QueueHold | null = null;
      let relay = false;
      try {
        hold = (await agent.holdFor?.(address)) ?? null;
        relay = (await agent.viaRelay?.(address)) ?? false;
      } catch (error) {
        this.logger.warn(`queue: routing of ${address} unknown: ${describe(error)}`);
      }
      this.routing.set(address.toLowerCase(), { hold, relay });
    }
  }

  /** Whether an entry has a recipient due for an automatic attempt. */
  private due(entry: Entry, now: number): boolean {
    if (entry.removed) return false;
    return entry.record.recipients.some(
      (r) =>
        r.state === 'pending' &&
        this.holdOf(r) === null &&
        (r.nextTry === null || r.nextTry <= now) &&
        !this.limits.expired(entry.record, r, now),
    );
  }

  private request(
    entries: readonly Entry[],
    select: (r: RecipientRecord) => boolean,
  ): Promise<void> {
    const waits = entries
      .filter((entry) => !entry.removed && !this.stopping)
      .map((entry) => new Promise<void>((done) => entry.requests.push({ select, done })));
    this.pump();
    return Promise.all(waits).then(() => undefined);
  }

  /** Starts what may start now, and sets the timer for what comes next. */
  private pump(): void {
    if (this.stopping || this.pumping) return this.wakeIdle();
    this.pumping = true;
    try {
      if (this.timer !== null) this.timers.clearTimeout(this.timer);
      this.timer = null;
      const now = this.clock.now();
      const online = this.modeValue === 'online';
      if (online) this.enforceTimeLimits();
      const concurrency = Math.max(1, this.options.concurrency ?? 32);
      const candidates = [...this.entries.values()]
        .filter(
          (e) =>
            !e.running && !e.removed && (e.requests.length > 0 || (online && this.due(e, now))),
        )
        .sort(
          (a, b) => b.requests.length - a.requests.length || a.record.created - b.record.created,
        );
      for (const entry of candidates) {
        if (this.active >= concurrency) break;
        void this.attempt(entry, now);
      }
      if (online) this.schedule(now);
    } finally {
      this.pumping = false;
    }
    this.wakeIdle();
  }

  /** The timer for the next retry, delay warning or bounce. */
  private schedule(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      if (entry.removed) continue;
      for (const r of entry.record.recipients) {
        if (r.state !== 'pending') continue;
        if (!entry.running && this.holdOf(r) === null) next = Math.min(next, r.nextTry ?? now);
        next = Math.min(next, this.limits.nextDeadline(entry.record, r));
      }
    }
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(0, next - now), 2 ** 31 - 1);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delay);
  }

  /** Delay warnings and bounces that are due for entries not in delivery (held mail, Offline). */
  private enforceTimeLimits(): void {
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      if (entry.running || entry.removed) continue;
      if (
        !entry.record.recipients.some(
          (r) => r.state === 'pending' && this.limits.due(entry.record, r, now),
        )
      )
        continue;
      const work: Promise<void> = this.withLock(entry, async () => {
        if (entry.removed || entry.running) return;
        if (!this.limits.enforce(entry.record, this.clock.now())) return;
        await this.files.writeRecord(entry.record);
      })
        .then(() => this.settle(entry))
        .catch((error: unknown) =>
          this.logger.error(`queue: ${describe(error)}`, { queueId: entry.record.queueId }),
        )
        .finally(() => {
          this.background.delete(work);
          this.wakeIdle();
        });
      this.background.add(work);
    }
  }

  private async attempt(entry: Entry, now: number): Promise<void> {
    entry.running = true;
    this.active++;
    const requests = entry.requests.splice(0);
    const controller = new AbortController();
    this.controllers.add(controller);
    const { record } = entry;
    try {
      const chosen = record.recipients.filter(
        (r) =>
          r.state === 'pending' &&
          !this.limits.expired(record, r, now) &&
          ((this.modeValue === 'online' &&
            this.holdOf(r) === null &&
            (r.nextTry === null || r.nextTry <= now)) ||
            requests.some((request) => request.select(r))),
      );
      if (chosen.length > 0) {
        const number = record.attempts + 1;
        const envelope: Envelope = {
          ...record.envelope,
          recipients: chosen.map(envelopeRecipient),
        };
        let results: RecipientResult[] = [];
        try {
          results = await this.options.agent.deliver(
            envelope,
            this.files.source(record.queueId, record.size),
            {
              queueId: record.queueId,
              number,
              signal: controller.signal,
              journal: this.journal(entry),
            },
          );
        } catch (error) {
          this.logger.error(`queue: delivery agent failed: ${describe(error)}`, {
            queueId: record.queueId,
          });
        }
        await this.withLock(entry, async () => {
          const time = this.clock.now();
          record.attempts = number;
          const notify = this.options.defaultNotify ?? DEFAULT_NOTIFY;
          for (const r of chosen) {
            const result =
              results.find((candidate) => candidate.recipient === r.address) ??
              ({
                recipient: r.address,
                status: 'deferred',
                code: 451,
                enhancedCode: '4.3.0',
                diagnostic: '451 4.3.0 delivery was not completed',
              } satisfies RecipientResult);
            r.attempts++;
            r.lastAttempt = time;
            r.code = result.code;
            r.status = result.enhancedCode;
            r.diagnostic = result.diagnostic;
            r.remoteMta = result.remoteMta ?? null;
            const recipient = envelopeRecipient(r);
            if (result.status === 'delivered') {
              r.state = 'delivered';
              if (wantsNotification(record.envelope.from, recipient, 'SUCCESS', notify))
                r.dsn = 'delivered';
            } else if (result.status === 'failed') {
              r.state = 'failed';
              if (wantsNotification(record.envelope.from, recipient, 'FAILURE', notify))
                r.dsn = 'failed';
            } else {
              r.nextTry = this.modeValue === 'online' ? time + this.retryInterval : null;
            }
            this.mailLog.write({
              kind: 'sent',
              time,
              queueId: record.queueId,
              recipient: r.address,
              result: result.status === 'delivered' ? 'delivered' : 'failed',
              status: result.enhancedCode,
            });
          }
          this.limits.enforce(record, time);
          if (!entry.removed) await this.files.writeRecord(record);
        });
      }
      await this.settle(entry);
    } catch (error) {
      this.logger.error(`queue: ${describe(error)}`, { queueId: record.queueId });
    } finally {
      this.controllers.delete(controller);
      entry.running = false;
      this.active--;
      for (const request of requests) request.done();
      if (entry.removed) await this.withLock(entry, () => this.drop(entry)).catch(() => undefined);
      this.pump();
    }
  }

  /** The journal the agents of one entry write to; each note is on disk before it resolves. */
  private journal(entry: Entry): DeliveryJournal {
    const { record } = entry;
    const write = (change: () => void) =>
      this.withLock(entry, async () => {
        change();
        if (!entry.removed) await this.files.writeRecord(record);
      });
    return {
      get: (target) => record.journal[target],
      intend: (target, note) => write(() => (record.journal[target] = { state: 'intended', note })),
      done: (target) => write(() => (record.journal[target] = { state: 'done' })),
      addRecipients: async (target, recipients: readonly EnvelopeRecipient[]) => {
        await this.learnRouting(recipients.map((r) => r.address));
        await write(() => {
          if (record.journal[target]?.state === 'done') return;
          for (const recipient of recipients) {
            if (
              record.recipients.some(
                (r) => r.address.toLowerCase() === recipient.address.toLowerCase(),
              )
            )
              continue;
            record.recipients.push({
              ...newRecipientRecord(recipient, null),
              forwardedFrom: target,
            });
            this.countAddresses([recipient], 1);
          }
          record.journal[target] = { state: 'done' };
        });
      },
    };
  }

  /**
   * Sends the DSNs an entry owes (each queued durably before its flag is cleared), and removes
   * the entry once every recipient is delivered or failed.
   */
  private async settle(entry: Entry): Promise<void> {
    await this.withLock(entry, async () => {
      if (entry.removed) return;
      const { record } = entry;
      const owed = record.recipients.filter((r) => r.dsn !== null);
      for (const action of ['failed', 'delayed', 'delivered'] as const) {
        const group = owed.filter((r) => r.dsn === action);
        if (group.length === 0) continue;
        await this.sendDsn(record, action, group);
        for (const r of group) r.dsn = null;
        await this.files.writeRecord(record);
      }
      if (record.recipients.every((r) => r.state !== 'pending')) await this.drop(entry);
    });
  }

  private async sendDsn(
    record: QueueRecord,
    action: DsnAction,
    recipients: RecipientRecord[],
  ): Promise<void> {
    if (record.envelope.from === '') return;
    const maxReturnSize = this.options.maxReturnSize ?? 1024 * 1024;
    // A message that is gone is returned as nothing; one that cannot be read now fails the
    // DSN, which stays owed in the .env and goes out whole on a later settle.
    const original =
      (await nullIfMissing(
        record.size <= maxReturnSize
          ? this.files.readMessage(record.queueId)
          : this.files.readMessage(record.queueId, 256 * 1024),
      )) ?? Buffer.alloc(0);
    const now = this.clock.now();
    const dsn = buildDsn({
      reportingMta: this.options.hostname,
      envelope: { ...record.envelope, recipients: recipients.map(envelopeRecipient) },
      recipients: recipients.map((r) => ({
        recipient: envelopeRecipient(r),
        action,
        status:
          r.status ?? (action === 'delivered' ? '2.0.0' : action === 'delayed' ? '4.0.0' : '5.0.0'),
        ...(r.remoteMta ? { remoteMta: r.remoteMta } : {}),
        ...(r.diagnostic ? { diagnostic: r.diagnostic } : {}),
        ...(r.lastAttempt !== null ? { lastAttempt: r.lastAttempt } : {}),
        ...(action === 'delayed' ? { willRetryUntil: this.limits.retryUntil(record) } : {}),
      })),
      arrivalDate: record.created,
      date: now,
      ...(this.options.utcOffset !== undefined ? { utcOffset: this.options.utcOffset } : {}),
      messageId: `${record.queueId}.${now.toString(36)}.${++this.dsnCounter}@${this.options.hostname}`,
      original: record.size <= maxReturnSize ? original : headerOnly(original),
      returnContent:
        record.size <= maxReturnSize ? (this.options.returnContent ?? 'headers') : 'headers',
      maxReturnSize,
    });
    await this.enqueue(dsn.envelope, oneChunk(dsn.content), { service: 'DSN', report: action });
  }

  /** Forgets an entry: files first, then memory. The caller holds the entry's lock. */
  private async drop(entry: Entry): Promise<void> {
    if (!this.entries.has(entry.record.queueId)) return;
    await this.files.remove(entry.record.queueId);
    this.entries.delete(entry.record.queueId);
    entry.removed = true;
    this.countAddresses(entry.record.recipients, -1);
  }

  /** Keeps the routing answers of addresses still queued, and only those (bounded memory). */
  private countAddresses(recipients: readonly { address: string }[], change: 1 | -1): void {
    for (const { address } of recipients) {
      const key = address.toLowerCase();
      const uses = (this.addressUses.get(key) ?? 0) + change;
      if (uses > 0) this.addressUses.set(key, uses);
      else {
        this.addressUses.delete(key);
        this.routing.delete(key);
      }
    }
  }

  private withLock<T>(entry: Entry, work: () => Promise<T>): Promise<T> {
    const run = entry.lock.then(work, work);
    entry.lock = run.catch((error: unknown) => this.forgetIfTaken(entry, error));
    return run;
  }

  /**
   * A shared storage says another server took the entry over (this one was thought stopped):
   * it is that server's to deliver now, so this queue drops it from memory and touches it no more.
   */
  private forgetIfTaken(entry: Entry, error: unknown): void {
    if (!(error instanceof QueueError) || error.code !== 'taken') return;
    if (this.entries.get(entry.record.queueId) !== entry) return;
    this.logger.warn(`queue: another server took this message over`, {
      queueId: entry.record.queueId,
    });
    this.entries.delete(entry.record.queueId);
    entry.removed = true;
    this.countAddresses(entry.record.recipients, -1);
  }

  private wakeIdle(): void {
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }
}

function pendingAddresses(entries: readonly Entry[]): string[] {
  return entries.flatMap((e) =>
    e.record.recipients.filter((r) => r.state === 'pending').map((r) => r.address),
  );
}

function cleanMeta(meta: QueueMeta): QueueMeta {
  return {
    service: meta.service,
    ...(meta.user !== undefined ? { user: meta.user } : {}),
    ...(meta.senderHost !== undefined ? { senderHost: meta.senderHost } : {}),
    ...(meta.ssl !== undefined ? { ssl: meta.ssl } : {}),
    ...(meta.report !== undefined ? { report: meta.report } : {}),
    ...(meta.answer !== undefined ? { answer: meta.answer } : {}),
  };
}

function statusText(r: RecipientRecord): string {
  const text = r.diagnostic ?? '';
  // "451 4.4.1 Cannot connect..." shows as Kerio's "4.4.1 Cannot connect to remote host".
  return text.replace(/^\d{3} (?=\d\.\d{1,3}\.\d{1,3} )/, '');
}

function headerOnly(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  return end >= 0 ? message.subarray(0, end + 4) : message;
}

async function* oneChunk(content: Uint8Array): AsyncIterable<Uint8Array> {
  yield content;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
