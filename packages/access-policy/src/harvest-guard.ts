import { BoundedKeyMap } from './bounded-key-map.js';
import { normalizeIpKey } from './ip-key.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';
import { TimestampRing } from './timestamp-ring.js';

export interface HarvestGuardOptions {
  /** Unknown recipients from one IP that block it; 0 turns the guard off. Default 10 (Kerio Fig 12.2). */
  maxUnknown?: number;
  /** How long a block lasts. Default one hour (Kerio: "blocked for an hour"). */
  blockMs?: number;
  /** How long an unknown recipient counts. Default `blockMs` (Kerio does not say). */
  windowMs?: number;
  clock?: PolicyClock;
  /** Distinct IPs remembered; beyond it the least recently counted is forgotten. Default 100,000. */
  maxTracked?: number;
}

export interface HarvestVerdict {
  blocked: boolean;
  /** True for exactly the unknown recipient that blocked the IP, so the caller logs it once. */
  justBlocked: boolean;
}

export const DEFAULT_MAX_UNKNOWN = 10;
export const DEFAULT_HARVEST_BLOCK_MS = 60 * 60_000;

interface HarvestEntry {
  readonly unknown: TimestampRing;
  blockedUntil: number | null;
}

/**
 * Directory harvest protection: an IP that names `maxUnknown` unknown recipients within
 * `windowMs` (the maxUnknown-th one blocks, as the lockout's fifth failure locks) is blocked for
 * `blockMs` from that moment; unknown recipients while blocked do not extend the block, and
 * after it the count starts from zero. Keys are IPs normalised by `parseIpAddress`, or the text
 * verbatim.
 */
export class HarvestGuard {
  readonly #maxUnknown: number;
  readonly #blockMs: number;
  readonly #windowMs: number;
  readonly #clock: PolicyClock;
  readonly #entries: BoundedKeyMap<HarvestEntry>;

  constructor(options: HarvestGuardOptions = {}) {
    this.#maxUnknown = countOption('maxUnknown', options.maxUnknown ?? DEFAULT_MAX_UNKNOWN, 0);
    this.#blockMs = durationOption('blockMs', options.blockMs ?? DEFAULT_HARVEST_BLOCK_MS);
    this.#windowMs = durationOption('windowMs', options.windowMs ?? this.#blockMs);
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#entries = new BoundedKeyMap(maxTracked, (entry, now) => {
      if (isBlocked(entry, now)) return false;
      entry.unknown.dropThrough(now - this.#windowMs);
      return entry.unknown.length === 0;
    });
  }

  /** How many IPs are tracked now (bounded by `maxTracked`). */
  get size(): number {
    return this.#entries.size;
  }

  /** Counts an unknown recipient; `justBlocked` is true once, when this one crossed the threshold. */
  recordUnknown(ip: string): HarvestVerdict {
    if (this.#maxUnknown === 0) return { blocked: false, justBlocked: false };
    const now = this.#clock.now();
    const key = normalizeIpKey(ip);
    const entry = this.#entries.get(key, now) ?? {
      unknown: new TimestampRing(this.#maxUnknown),
      blockedUntil: null,
    };
    if (isBlocked(entry, now)) {
      this.#entries.set(key, entry, now);
      return { blocked: true, justBlocked: false };
    }
    entry.blockedUntil = null;
    entry.unknown.dropThrough(now - this.#windowMs);
    entry.unknown.push(now);
    const justBlocked = entry.unknown.length >= this.#maxUnknown;
    if (justBlocked) {
      entry.blockedUntil = now + this.#blockMs;
      entry.unknown.clear();
    }
    this.#entries.set(key, entry, now);
    return { blocked: justBlocked, justBlocked };
  }

  isBlocked(ip: string): boolean {
    return this.blockedUntil(ip) !== null;
  }

  /** When the block on the IP ends (UTC milliseconds), or null when it is not blocked. */
  blockedUntil(ip: string): number | null {
    const now = this.#clock.now();
    const entry = this.#entries.get(normalizeIpKey(ip), now);
    return entry !== undefined && isBlocked(entry, now) ? entry.blockedUntil : null;
  }

  /** Lifts every block and forgets every count. */
  clear(): void {
    this.#entries.clear();
  }
}

function isBlocked(entry: HarvestEntry, now: number): boolean {
  return entry.blockedUntil !== null && entry.blockedUntil > now;
}
