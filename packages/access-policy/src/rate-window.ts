import { BoundedKeyMap } from './bounded-key-map.js';
import { normalizeIpKey } from './ip-key.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';
import { TimestampRing } from './timestamp-ring.js';

export interface RateWindowOptions {
  /** Events allowed per key within the window; 0 means unlimited (nothing is tracked). */
  limit: number;
  /** The rolling window; Kerio's "messages per hour" is 3,600,000. */
  windowMs: number;
  clock?: PolicyClock;
  /** Distinct keys remembered; beyond it the least recently counted is forgotten. Default 100,000. */
  maxTracked?: number;
}

/**
 * A rolling-window rate limit per key (Kerio: "Max. messages per hour from one IP", always the
 * last hour). Each key keeps the times of at most `limit` events, so memory is at most
 * maxTracked × limit timestamps. An event at t counts while now < t + windowMs: at exactly
 * t + windowMs its slot is free again. Keys are IPs normalised by `parseIpAddress`, or the text
 * verbatim.
 */
export class RateWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: PolicyClock;
  readonly #events: BoundedKeyMap<TimestampRing>;

  constructor(options: RateWindowOptions) {
    this.#limit = countOption('limit', options.limit, 0);
    this.#windowMs = durationOption('windowMs', options.windowMs);
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#events = new BoundedKeyMap(maxTracked, (events, now) => {
      events.dropThrough(now - this.#windowMs);
      return events.length === 0;
    });
  }

  /** How many keys are tracked now (bounded by `maxTracked`). */
  get size(): number {
    return this.#events.size;
  }

  /** Counts one event for the key if under the limit; false when the limit is reached (nothing counted). */
  tryTake(key: string): boolean {
    if (this.#limit === 0) return true;
    const now = this.#clock.now();
    const normalized = normalizeIpKey(key);
    const events = this.#events.get(normalized, now) ?? new TimestampRing(this.#limit);
    if (events.length >= this.#limit) return false;
    events.push(now);
    this.#events.set(normalized, events, now);
    return true;
  }

  /** Events counted for the key within the window (always 0 when unlimited). */
  count(key: string): number {
    return this.#events.get(normalizeIpKey(key), this.#clock.now())?.length ?? 0;
  }

  /** When the key may take again (UTC milliseconds): now if it is under the limit. */
  nextAllowedAt(key: string): number {
    const now = this.#clock.now();
    const events = this.#events.get(normalizeIpKey(key), now);
    if (events === undefined || events.length < this.#limit) return now;
    return (events.oldest ?? now - this.#windowMs) + this.#windowMs;
  }
}
