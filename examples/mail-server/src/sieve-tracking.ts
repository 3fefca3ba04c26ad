import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Clock, writeFileAtomically } from '@mailyard/mailstore-interface';
import type { PostgresSieveTracking } from '@mailyard/mailstore-postgres';
import type { DuplicateAction, VacationTracking } from '@mailyard/sieve';

/** One record: a key (a vacation reply to a sender, or a message id seen), since and until when. */
interface TrackedEntry {
  readonly key: string;
  readonly at: number;
  readonly until: number;
}

export interface SieveTrackingOptions {
  /** The directory of a user's Sieve scripts: the tracking file lives beside them. */
  readonly userDirectory: (user: string) => string;
  readonly clock: Clock;
  /**
   * Records kept per user; past it the oldest is forgotten (a sender may get a reply early, a
   * duplicate pass as new, rather than the file growing without end). Default 10,000.
   */
  readonly maxEntries?: number;
}

/** What a run of the user's script asks (synchronously): the records loaded before it. */
export interface SieveTrackingView {
  /** vacation (RFC 5230 4.2): a reply with this handle went to this sender within the period. */
  vacationReplied(sender: string, handle: string, periodSeconds: number): boolean;
  /** duplicate (RFC 7352): this id was seen for this handle and its record has not expired. */
  duplicateSeen(id: string, handle: string): boolean;
}

/** What to record after a run: a vacation reply sent, or a duplicate id seen. */
export type SieveTrackingRecord =
  | { readonly kind: 'vacation'; readonly tracking: VacationTracking }
  | { readonly kind: 'duplicate'; readonly action: DuplicateAction };

/**
 * Where delivery keeps what the Sieve extensions remember: a file per user on disk
 * ({@link SieveTrackingStore}), or the database every server shares ({@link SharedSieveTracking}).
 */
export interface SieveTracking {
  /** The user's records, for a run of the user's script. */
  load(user: string): Promise<SieveTrackingView>;
  /**
   * Records what a run's actions say; resolves with, for each record, whether it was made. A
   * vacation record is a claim: when another delivery (on this server or another) recorded a
   * reply to the same sender within the period after this run loaded its view, the record is
   * not made and this run's reply must not go (RFC 5230 4.2: one reply per sender and period).
   */
  record(user: string, records: readonly SieveTrackingRecord[]): Promise<boolean[]>;
}

/** Where a user's records live, beside the scripts; not a `.sieve` file, so never a script. */
export const TRACKING_FILE = '.sieve-tracking.json';

const vacationKey = (sender: string, handle: string) => `vacation\0${sender}\0${handle}`;
/** Ids can be long (a Message-ID of 998 octets): a digest keeps the file small. */
const duplicateKey = (id: string, handle: string) =>
  `duplicate\0${createHash('sha256').update(`${handle}\0${id}`).digest('base64url')}`;

/** The records as a run asks about them, at `now`. */
function viewOf(entries: readonly TrackedEntry[], now: number): SieveTrackingView {
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  return {
    vacationReplied: (sender, handle, periodSeconds) =>
      repliedWithin(byKey.get(vacationKey(sender, handle)), periodSeconds * 1000, now),
    duplicateSeen: (id, handle) => {
      const entry = byKey.get(duplicateKey(id, handle));
      return entry !== undefined && entry.until > now;
    },
  };
}

/** A reply recorded at or before `now` and less than `periodMs` ago. */
function repliedWithin(entry: TrackedEntry | undefined, periodMs: number, now: number): boolean {
  return entry !== undefined && entry.at <= now && entry.at + periodMs > now;
}

/** What a run's records are written as, at `now`; vacation replies are exclusive claims. */
function entriesOf(
  records: readonly SieveTrackingRecord[],
  now: number,
): (TrackedEntry & { exclusive: boolean; periodMs: number })[] {
  return records.map((record) => {
    if (record.kind === 'vacation') {
      const { sender, handle, periodSeconds } = record.tracking;
      const periodMs = periodSeconds * 1000;
      const key = vacationKey(sender, handle);
      return { key, at: now, until: now + periodMs, exclusive: true, periodMs };
    }
    const { id, handle, periodSeconds } = record.action;
    const periodMs = periodSeconds * 1000;
    return {
      key: duplicateKey(id, handle),
      at: now,
      until: now + periodMs,
      exclusive: false,
      periodMs,
    };
  });
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * What the Sieve extensions remember between deliveries, on disk: vacation replies (RFC 5230
 * 4.2) and duplicate ids (RFC 7352), a file per user, replaced atomically and durably; expired
 * records are dropped whenever it is written. Only a missing file means "nothing recorded yet":
 * any other read error, or a file that is not ours, fails the delivery (it is deferred) rather
 * than answering everybody again.
 */
export class SieveTrackingStore implements SieveTracking {
  private readonly maxEntries: number;
  /** Writes of one user, one after the other, so that no record is lost. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly options: SieveTrackingOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  private file(user: string): string {
    return join(this.options.userDirectory(user), TRACKING_FILE);
  }

  private async read(user: string): Promise<TrackedEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file(user), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    const entries = (parsed as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) throw new Error(`${this.file(user)} is not a Sieve tracking file`);
    return entries as TrackedEntry[];
  }

  /** The user's records, for a run of the user's script. */
  async load(user: string): Promise<SieveTrackingView> {
    await this.writing.get(user);
    return viewOf(await this.read(user), this.options.clock.now());
  }

  /**
   * Records what a run's actions say, dropping expired records. Writes of one user are made
   * one after the other, each reading the file again: a vacation reply another delivery of this
   * server recorded meanwhile is seen, and this one's claim refused.
   */
  async record(user: string, records: readonly SieveTrackingRecord[]): Promise<boolean[]> {
    if (records.length === 0) return [];
    const previous = this.writing.get(user) ?? Promise.resolve();
    const next = previous.then(async () => {
      const now = this.options.clock.now();
      const current = await this.read(user);
      const byKey = new Map(current.map((entry) => [entry.key, entry]));
      const made = entriesOf(records, now).map(
        (entry) => !(entry.exclusive && repliedWithin(byKey.get(entry.key), entry.periodMs, now)),
      );
      const fresh = entriesOf(records, now)
        .filter((_, i) => made[i])
        .map(({ key, at, until }): TrackedEntry => ({ key, at, until }));
      const replaced = new Set(fresh.map((entry) => entry.key));
      const kept = current.filter((entry) => entry.until > now && !replaced.has(entry.key));
      const entries = [...kept, ...fresh].slice(-this.maxEntries);
      await mkdir(dirname(this.file(user)), { recursive: true });
      await writeFileAtomically(this.file(user), `${JSON.stringify({ entries })}\n`);
      return made;
    });
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.writing.set(user, settled);
    try {
      return await next;
    } finally {
      if (this.writing.get(user) === settled) this.writing.delete(user);
    }
  }
}

/**
 * The records in the database every server shares (`--store postgres://`): a sender answered
 * through one server is not answered again through another within the period, and of two
 * servers delivering to one user from one sender at once, one sends the reply.
 */
export class SharedSieveTracking implements SieveTracking {
  constructor(
    private readonly tracking: PostgresSieveTracking,
    private readonly clock: Clock,
  ) {}

  async load(user: string): Promise<SieveTrackingView> {
    const now = this.clock.now();
    return viewOf(await this.tracking.entries(user, now), now);
  }

  async record(user: string, records: readonly SieveTrackingRecord[]): Promise<boolean[]> {
    const now = this.clock.now();
    const claims = entriesOf(records, now).map(({ key, at, until, exclusive }) => ({
      key,
      at,
      until,
      exclusive,
    }));
    return this.tracking.record(user, claims, now);
  }
}
