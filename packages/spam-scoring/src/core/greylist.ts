import { parseIpAddress } from '@mailyard/access-policy';
import type { SmtpRejectReply } from './spam-test.js';

/** Greylisting settings (postgrey's, which later Kerio versions follow). Off unless made. */
export interface GreylistOptions {
  /** How long a new triplet is deferred. Default 300 s. */
  readonly delayMs?: number;
  /** A retry later than this after the first attempt starts over. Default 2 days. */
  readonly retryWindowMs?: number;
  /** Records unused this long are forgotten. Default 35 days. */
  readonly maxAgeMs?: number;
  /** A client that passed this many times is let through at once from then on. Default 5; 0: never. */
  readonly autoWhitelistAfter?: number;
  /** Clients never greylisted (Kerio's exempt IP groups: `IpAddressGroups.matcher`). */
  readonly exempt?: (ip: string) => boolean;
  /** At most this many triplets and clients are remembered; the least recently used go first. Default 100,000. */
  readonly maxEntries?: number;
}

export interface GreylistDecision {
  readonly action: 'pass' | 'defer';
  readonly reason:
    | 'exempt'
    | 'whitelisted-client'
    | 'known'
    | 'new'
    | 'too-early'
    | 'retry-window-passed'
    | 'passed';
  /** For `defer`: the 4xx reply, telling when to try again. */
  readonly reply: SmtpRejectReply | null;
}

interface TripletRecord {
  first: number;
  last: number;
  passed: boolean;
}

/** The state, as plain data (what a store writes). */
export interface GreylistState {
  readonly triplets: readonly [string, TripletRecord][];
  readonly clients: readonly [string, { passes: number; last: number }][];
}

/**
 * Greylisting as a policy the SMTP engine consults at RCPT: a triplet (client network, sender,
 * recipient) seen for the first time is deferred with 451 4.7.1; the same triplet retried after
 * the delay (and within the retry window) passes, and is known from then on. Clients that passed
 * `autoWhitelistAfter` times skip it. IPv4 clients count by /24 and IPv6 by /64, as postgrey
 * does, since a sending farm retries from a neighbouring address. Pure: the time is an argument,
 * and the state is plain data a store keeps (`state()`, `GreylistPolicy.from`).
 */
export class GreylistPolicy {
  private readonly triplets = new Map<string, TripletRecord>();
  private readonly clients = new Map<string, { passes: number; last: number }>();
  private readonly delayMs: number;
  private readonly retryWindowMs: number;
  private readonly maxAgeMs: number;
  private readonly autoWhitelistAfter: number;
  private readonly maxEntries: number;

  constructor(private readonly options: GreylistOptions = {}) {
    this.delayMs = options.delayMs ?? 300_000;
    this.retryWindowMs = options.retryWindowMs ?? 2 * 86_400_000;
    this.maxAgeMs = options.maxAgeMs ?? 35 * 86_400_000;
    this.autoWhitelistAfter = options.autoWhitelistAfter ?? 5;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  static from(state: GreylistState, options: GreylistOptions = {}): GreylistPolicy {
    const policy = new GreylistPolicy(options);
    for (const [key, record] of state.triplets) policy.triplets.set(key, { ...record });
    for (const [key, client] of state.clients) policy.clients.set(key, { ...client });
    return policy;
  }

  /**
   * The keys a check reads and writes in `state()`: the triplet's and the client network's. A
   * store shared by several servers loads only these two records, runs `check` on a policy
   * made `from` them, and writes back what `state()` then holds under them.
   */
  static keysOf(
    clientIp: string,
    mailFrom: string,
    rcptTo: string,
  ): { readonly triplet: string; readonly client: string } {
    const client = networkOf(clientIp);
    return { triplet: `${client}\0${mailFrom.toLowerCase()}\0${rcptTo.toLowerCase()}`, client };
  }

  check(clientIp: string, mailFrom: string, rcptTo: string, now: number): GreylistDecision {
    if (this.options.exempt?.(clientIp)) return pass('exempt');
    const { triplet: key, client: network } = GreylistPolicy.keysOf(clientIp, mailFrom, rcptTo);
    const client = this.clients.get(network);
    if (
      client &&
      now - client.last <= this.maxAgeMs &&
      this.autoWhitelistAfter > 0 &&
      client.passes >= this.autoWhitelistAfter
    ) {
      touch(this.clients, network, { ...client, last: now });
      return pass('whitelisted-client');
    }
    const record = this.triplets.get(key);
    if (!record || now - record.last > this.maxAgeMs) {
      this.remember(this.triplets, key, { first: now, last: now, passed: false });
      return this.defer('new', this.delayMs);
    }
    if (record.passed) {
      touch(this.triplets, key, { ...record, last: now });
      return pass('known');
    }
    const waited = now - record.first;
    if (waited < this.delayMs) return this.defer('too-early', this.delayMs - waited);
    if (waited > this.retryWindowMs) {
      touch(this.triplets, key, { first: now, last: now, passed: false });
      return this.defer('retry-window-passed', this.delayMs);
    }
    touch(this.triplets, key, { ...record, last: now, passed: true });
    this.remember(this.clients, network, { passes: (client?.passes ?? 0) + 1, last: now });
    return pass('passed');
  }

  /** Forgets what has not been used for `maxAgeMs`. */
  prune(now: number): void {
    for (const [key, record] of this.triplets)
      if (now - record.last > this.maxAgeMs) this.triplets.delete(key);
    for (const [key, client] of this.clients)
      if (now - client.last > this.maxAgeMs) this.clients.delete(key);
  }

  state(): GreylistState {
    return {
      triplets: [...this.triplets].map(([k, v]) => [k, { ...v }]),
      clients: [...this.clients].map(([k, v]) => [k, { ...v }]),
    };
  }

  get size(): { triplets: number; clients: number } {
    return { triplets: this.triplets.size, clients: this.clients.size };
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    touch(map, key, value);
    // A Map iterates in insertion order and touch() re-inserts: the first key is the least recently used.
    while (map.size > this.maxEntries) map.delete(map.keys().next().value!);
  }

  private defer(reason: GreylistDecision['reason'], waitMs: number): GreylistDecision {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return {
      action: 'defer',
      reason,
      reply: {
        code: 451,
        enhanced: '4.7.1',
        text: `Greylisted, please try again in ${seconds} seconds`,
      },
    };
  }
}

function pass(reason: GreylistDecision['reason']): GreylistDecision {
  return { action: 'pass', reason, reply: null };
}

function touch<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
}

/** The client's network: /24 for IPv4, /64 for IPv6; the text itself if it is not an address. */
export function networkOf(ip: string): string {
  const address = parseIpAddress(ip);
  if (!address) return ip;
  if (address.family === 4) {
    const v = Number(address.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.0/24`;
  }
  return `${(address.value >> 64n).toString(16)}::/64`;
}
