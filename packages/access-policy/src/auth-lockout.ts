import { BoundedKeyMap } from './bounded-key-map.js';
import { normalizeIpKey } from './ip-key.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';
import { TimestampRing } from './timestamp-ring.js';

export interface LockoutOptions {
  /** Failed logins from one IP that lock it; 0 turns the lockout off. Default 5 (Kerio Fig 12.20). */
  maxFailures?: number;
  /** How long a lock lasts, and how long a failure counts. Default 20 minutes (Kerio Fig 12.20). */
  unlockAfterMs?: number;
  clock?: PolicyClock;
  /** Distinct IPs remembered; beyond it the least recently failed is forgotten. Default 100,000. */
  maxTracked?: number;
}

export interface LockoutVerdict {
  locked: boolean;
  /** True for exactly the failure that locked the IP, so the caller logs the lock once. */
  justLocked: boolean;
  /** Failures counting towards the lock now (maxFailures while locked). */
  failures: number;
}

export const DEFAULT_MAX_FAILURES = 5;
export const DEFAULT_UNLOCK_AFTER_MS = 20 * 60_000;

interface LockoutEntry {
  readonly failures: TimestampRing;
  lockedUntil: number | null;
}

/**
 * Kerio's account lockout: failed logins from one IP address lock that IP out of every service
 * for a while; "Unlock all accounts now" is `unlockAll`.
 *
 * Decisions: a failure counts for `unlockAfterMs` and then ages out, so a user's occasional
 * typos never add up to a lock; only `maxFailures` failures within that time lock. A lock lasts
 * `unlockAfterMs` from the locking failure; failures while locked neither count nor extend it.
 * A success clears the count but does not lift a lock (engines check `isLocked` before they
 * verify a credential). Keys are IPs normalised by `parseIpAddress`, or the text verbatim.
 */
export class AuthLockout {
  readonly #maxFailures: number;
  readonly #unlockAfterMs: number;
  readonly #clock: PolicyClock;
  readonly #entries: BoundedKeyMap<LockoutEntry>;

  constructor(options: LockoutOptions = {}) {
    this.#maxFailures = countOption('maxFailures', options.maxFailures ?? DEFAULT_MAX_FAILURES, 0);
    this.#unlockAfterMs = durationOption(
      'unlockAfterMs',
      options.unlockAfterMs ?? DEFAULT_UNLOCK_AFTER_MS,
    );
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#entries = new BoundedKeyMap(maxTracked, (entry, now) => this.#isIdle(entry, now));
  }

  /** How many IPs are tracked now (bounded by `maxTracked`). */
  get size(): number {
    return this.#entries.size;
  }

  isLocked(ip: string): boolean {
    return this.lockedUntil(ip) !== null;
  }

  /** When the lock on the IP ends (UTC milliseconds), or null when it is not locked. */
  lockedUntil(ip: string): number | null {
    const now = this.#clock.now();
    const entry = this.#entries.get(normalizeIpKey(ip), now);
    const until = entry?.lockedUntil ?? null;
    return until !== null && until > now ? until : null;
  }

  /** Milliseconds the lock on the IP still lasts; 0 when it is not locked. */
  lockedForMs(ip: string): number {
    const now = this.#clock.now();
    const until = this.lockedUntil(ip);
    return until === null ? 0 : until - now;
  }

  /** Failures from the IP that count now. */
  failures(ip: string): number {
    const now = this.#clock.now();
    const entry = this.#entries.get(normalizeIpKey(ip), now);
    if (entry === undefined) return 0;
    if (isLocked(entry, now)) return this.#maxFailures;
    entry.failures.dropThrough(now - this.#unlockAfterMs);
    return entry.failures.length;
  }

  recordFailure(ip: string): LockoutVerdict {
    if (this.#maxFailures === 0) return { locked: false, justLocked: false, failures: 0 };
    const now = this.#clock.now();
    const key = normalizeIpKey(ip);
    const entry = this.#entries.get(key, now) ?? {
      failures: new TimestampRing(this.#maxFailures),
      lockedUntil: null,
    };
    if (isLocked(entry, now)) {
      this.#entries.set(key, entry, now);
      return { locked: true, justLocked: false, failures: this.#maxFailures };
    }
    entry.lockedUntil = null;
    entry.failures.dropThrough(now - this.#unlockAfterMs);
    entry.failures.push(now);
    const failures = entry.failures.length;
    const justLocked = failures >= this.#maxFailures;
    if (justLocked) {
      entry.lockedUntil = now + this.#unlockAfterMs;
      entry.failures.clear();
    }
    this.#entries.set(key, entry, now);
    return { locked: justLocked, justLocked, failures };
  }

  /** A good login: the IP's failures stop counting (an active lock stays). */
  recordSuccess(ip: string): void {
    const now = this.#clock.now();
    const key = normalizeIpKey(ip);
    const entry = this.#entries.get(key, now);
    // A lock already cleared the failures that caused it; there is nothing else to forget.
    if (entry !== undefined && !isLocked(entry, now)) this.#entries.delete(key);
  }

  /** Lifts the lock on one IP and forgets its failures. */
  unlock(ip: string): void {
    this.#entries.delete(normalizeIpKey(ip));
  }

  /** Kerio's "Unlock all accounts now": every lock lifted, every count forgotten. */
  unlockAll(): void {
    this.#entries.clear();
  }

  #isIdle(entry: LockoutEntry, now: number): boolean {
    if (isLocked(entry, now)) return false;
    entry.failures.dropThrough(now - this.#unlockAfterMs);
    return entry.failures.length === 0;
  }
}

function isLocked(entry: LockoutEntry, now: number): boolean {
  return entry.lockedUntil !== null && entry.lockedUntil > now;
}
