import { normalizeIpKey } from './ip-key.js';
import { countOption } from './limit-option.js';

export interface ConnectionTrackerOptions {
  /** Concurrent connections allowed from one IP; 0 means unlimited (still counted). */
  maxPerIp: number;
}

/**
 * Concurrent connections per IP (Kerio: "Max. concurrent SMTP connections from one IP"). An IP is
 * tracked only while it has an open connection, so memory is bounded by the open sockets, not by
 * the peers ever seen. Keys are IPs normalised by `parseIpAddress`, or the text verbatim.
 */
export class ConnectionTracker {
  readonly #maxPerIp: number;
  readonly #open = new Map<string, number>();
  #total = 0;

  constructor(options: ConnectionTrackerOptions) {
    this.#maxPerIp = countOption('maxPerIp', options.maxPerIp, 0);
  }

  /** How many IPs have open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Open connections over all IPs. */
  get total(): number {
    return this.#total;
  }

  /** Opens a slot; returns the release function (idempotent), or null when the IP is at the limit. */
  open(ip: string): (() => void) | null {
    const key = normalizeIpKey(ip);
    const count = this.#open.get(key) ?? 0;
    if (this.#maxPerIp !== 0 && count >= this.#maxPerIp) return null;
    this.#open.set(key, count + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const remaining = (this.#open.get(key) ?? 1) - 1;
      if (remaining === 0) this.#open.delete(key);
      else this.#open.set(key, remaining);
    };
  }

  count(ip: string): number {
    return this.#open.get(normalizeIpKey(ip)) ?? 0;
  }
}
