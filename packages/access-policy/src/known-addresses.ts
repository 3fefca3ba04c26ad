import { BoundedKeyMap } from './bounded-key-map.js';
import { normalizeIpKey } from './ip-key.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';

export interface KnownAddressesOptions {
  /** How long after a good login the address stays known to the account. Default 30 days. */
  knownForMs?: number;
  clock?: PolicyClock;
  /** Account and address pairs remembered; beyond it the least recent login is forgotten. */
  maxTracked?: number;
}

export const DEFAULT_KNOWN_FOR_MS = 30 * 24 * 60 * 60_000;

/**
 * The addresses each account logged in from recently: OWASP's "device cookie" idea, keyed by
 * IP, since a mail client has no cookie to show. An attacker cannot make an address known
 * without the password, so a throttle that lets known addresses pass can never be turned
 * against the owner's usual devices. Each good login restarts the address's time.
 */
export class KnownAddresses {
  readonly #knownForMs: number;
  readonly #clock: PolicyClock;
  readonly #logins: BoundedKeyMap<number>;

  constructor(options: KnownAddressesOptions = {}) {
    this.#knownForMs = durationOption('knownForMs', options.knownForMs ?? DEFAULT_KNOWN_FOR_MS);
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#logins = new BoundedKeyMap(maxTracked, (at, now) => now >= at + this.#knownForMs);
  }

  /** How many account and address pairs are remembered now. */
  get size(): number {
    return this.#logins.size;
  }

  record(account: string, ip: string): void {
    const now = this.#clock.now();
    this.#logins.set(pairKey(account, ip), now, now);
  }

  isKnown(account: string, ip: string): boolean {
    return this.#logins.get(pairKey(account, ip), this.#clock.now()) !== undefined;
  }
}

/** NUL separates the two: it is in neither an address nor a login name a directory accepts. */
function pairKey(account: string, ip: string): string {
  return `${account}\0${normalizeIpKey(ip)}`;
}
