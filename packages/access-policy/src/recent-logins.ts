import { BoundedKeyMap } from './bounded-key-map.js';
import { normalizeIpKey } from './ip-key.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';

export interface RecentLoginsOptions {
  /** How long after a login the IP counts as that user's. Default 30 minutes (Kerio Fig 12.2). */
  windowMs?: number;
  clock?: PolicyClock;
  /** Distinct IPs remembered; beyond it the least recent login is forgotten. Default 100,000. */
  maxTracked?: number;
}

export const DEFAULT_RECENT_LOGIN_WINDOW_MS = 30 * 60_000;

interface Login {
  readonly user: string;
  readonly at: number;
}

/**
 * POP3 before SMTP: a successful POP3 login from an IP lets that IP relay through SMTP for a
 * while. The window runs from the latest login (each login restarts it) and is end-exclusive:
 * a login at t counts while now < t + windowMs. Keys are IPs normalised by `parseIpAddress`, or
 * the text verbatim.
 */
export class RecentLogins {
  readonly #windowMs: number;
  readonly #clock: PolicyClock;
  readonly #logins: BoundedKeyMap<Login>;

  constructor(options: RecentLoginsOptions = {}) {
    this.#windowMs = durationOption('windowMs', options.windowMs ?? DEFAULT_RECENT_LOGIN_WINDOW_MS);
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#logins = new BoundedKeyMap(maxTracked, (login, now) => now >= login.at + this.#windowMs);
  }

  /** How many IPs are tracked now (bounded by `maxTracked`). */
  get size(): number {
    return this.#logins.size;
  }

  record(ip: string, user: string): void {
    const now = this.#clock.now();
    this.#logins.set(normalizeIpKey(ip), { user, at: now }, now);
  }

  /** The user who logged in from this IP within the window, or null. */
  recent(ip: string): string | null {
    return this.#logins.get(normalizeIpKey(ip), this.#clock.now())?.user ?? null;
  }
}
