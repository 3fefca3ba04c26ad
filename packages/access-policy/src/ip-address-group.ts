import { IPV4_MAPPED_PREFIX, parseIpAddress, parseIpAddressExact } from './ip-address.js';
import type { IpAddress, IpFamily } from './ip-address.js';
import { IpGroupError } from './ip-group-error.js';
import { IpIntervalSet } from './ip-interval-set.js';
import type { IpInterval } from './ip-interval-set.js';

interface ItemCommon {
  /** Disabled items are validated but match nothing (Kerio's per-item check box). Default true. */
  enabled?: boolean;
  description?: string;
}

/** One entry of a Kerio IP address group (Configuration → Definitions → IP Address Groups). */
export type IpGroupItem =
  | ({ kind: 'host'; address: string } & ItemCommon)
  | ({ kind: 'range'; from: string; to: string } & ItemCommon)
  | ({
      kind: 'network';
      address: string;
      /** A prefix length (24, "24", "/24") or a contiguous mask ("255.255.255.0", "ffff:ffff::"). */
      mask: string | number;
    } & ItemCommon)
  | ({ kind: 'group'; name: string } & ItemCommon);

const ALL_BITS: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
const FAMILY_BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const IPV4_MAPPED_HIGH = IPV4_MAPPED_PREFIX + ALL_BITS[4];

const never = (): boolean => false;

/**
 * Kerio's named IP address groups, compiled once into interval sets. A group may include other
 * groups by name; each group's set is the union of the enabled items of every group reachable
 * from it, so cycles (A includes B includes A) are cut rather than followed forever. Group names
 * are case-sensitive. Invalid items, and references to groups that do not exist, throw
 * `IpGroupError` at construction, including disabled ones, so that enabling an item later can
 * never break a running configuration.
 */
export class IpAddressGroups {
  readonly #sets = new Map<string, IpIntervalSet>();
  readonly #matchers = new Map<string, (address: string) => boolean>();

  constructor(groups: Readonly<Record<string, readonly IpGroupItem[]>>) {
    const direct = new Map<string, { intervals: IpInterval[]; includes: string[] }>();
    for (const [name, items] of Object.entries(groups)) {
      direct.set(name, compileItems(name, items, groups));
    }
    for (const name of direct.keys()) {
      const intervals: IpInterval[] = [];
      const seen = new Set<string>([name]);
      const pending = [name];
      for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
        const compiled = direct.get(next);
        if (compiled === undefined) continue;
        intervals.push(...compiled.intervals);
        for (const included of compiled.includes) {
          if (!seen.has(included)) {
            seen.add(included);
            pending.push(included);
          }
        }
      }
      this.#sets.set(name, new IpIntervalSet(intervals));
    }
  }

  /** The names of the defined groups. */
  get names(): string[] {
    return [...this.#sets.keys()];
  }

  has(name: string): boolean {
    return this.#sets.has(name);
  }

  /** Whether the address (text) is in the group; false for unknown groups or non-addresses. */
  contains(group: string, address: string): boolean {
    const set = this.#sets.get(group);
    if (set === undefined) return false;
    const parsed = parseIpAddress(address);
    return parsed !== null && set.contains(parsed);
  }

  /** Like `contains`, for an address already parsed. */
  containsAddress(group: string, address: IpAddress): boolean {
    return this.#sets.get(group)?.contains(address) ?? false;
  }

  /**
   * A predicate for one group, precompiled (the hot path: every SMTP connection). For an unknown
   * group it matches nothing, like `contains`; check `has` when validating configuration.
   */
  matcher(group: string): (address: string) => boolean {
    const cached = this.#matchers.get(group);
    if (cached !== undefined) return cached;
    const set = this.#sets.get(group);
    if (set === undefined) return never;
    const matcher = (address: string): boolean => {
      const parsed = parseIpAddress(address);
      return parsed !== null && set.contains(parsed);
    };
    this.#matchers.set(group, matcher);
    return matcher;
  }
}

function compileItems(
  group: string,
  items: readonly IpGroupItem[],
  groups: Readonly<Record<string, readonly IpGroupItem[]>>,
): { intervals: IpInterval[]; includes: string[] } {
  if (!Array.isArray(items)) {
    throw new TypeError(`IP address group "${group}" must be a list of items`);
  }
  const intervals: IpInterval[] = [];
  const includes: string[] = [];
  for (const [index, item] of items.entries()) {
    const fail = (reason: string): never => {
      throw new IpGroupError(group, index, item, reason);
    };
    if (typeof item !== 'object' || item === null) {
      throw new IpGroupError(group, index, item, 'not an item');
    }
    if (item.enabled !== undefined && typeof item.enabled !== 'boolean') {
      fail('enabled must be true or false');
    }
    let compiled: IpInterval | null = null;
    switch (item.kind) {
      case 'host': {
        const address = parseAddressField(item.address, 'address', fail, parseIpAddress);
        compiled = { family: address.family, low: address.value, high: address.value };
        break;
      }
      case 'range': {
        const from = parseAddressField(item.from, 'from', fail, parseIpAddressExact);
        const to = parseAddressField(item.to, 'to', fail, parseIpAddressExact);
        if (from.family !== to.family) fail('from and to are of different address families');
        if (from.value > to.value) fail('from is above to');
        compiled = { family: from.family, low: from.value, high: to.value };
        break;
      }
      case 'network': {
        const address = parseAddressField(item.address, 'address', fail, parseIpAddressExact);
        const prefix = parsePrefix(item.mask, address.family, fail);
        const hostBits = BigInt(FAMILY_BITS[address.family] - prefix);
        // Host bits set in the address are ignored (10.1.2.3/8 is 10.0.0.0/8), as routers do.
        const low = (address.value >> hostBits) << hostBits;
        compiled = { family: address.family, low, high: low + (1n << hostBits) - 1n };
        break;
      }
      case 'group': {
        if (typeof item.name !== 'string' || !Object.hasOwn(groups, item.name)) {
          fail('no such group');
        }
        if (item.enabled !== false) includes.push(item.name);
        break;
      }
      default:
        fail('kind must be host, range, network or group');
    }
    if (compiled !== null && item.enabled !== false) {
      intervals.push(compiled);
      const mapped = ipv4MappedPart(compiled);
      if (mapped !== null) intervals.push(mapped);
    }
  }
  return { intervals, includes };
}

function parseAddressField(
  value: unknown,
  field: string,
  fail: (reason: string) => never,
  parse: (text: string) => IpAddress | null,
): IpAddress {
  const address = typeof value === 'string' ? parse(value) : null;
  return address ?? fail(`${field} is not an IP address`);
}

/**
 * Addresses arrive normalised (IPv4-mapped IPv6 becomes IPv4), so an IPv6 item that covers part
 * of ::ffff:0:0/96 must also cover the IPv4 addresses that part maps.
 */
function ipv4MappedPart(interval: IpInterval): IpInterval | null {
  if (interval.family !== 6) return null;
  const low = interval.low > IPV4_MAPPED_PREFIX ? interval.low : IPV4_MAPPED_PREFIX;
  const high = interval.high < IPV4_MAPPED_HIGH ? interval.high : IPV4_MAPPED_HIGH;
  if (low > high) return null;
  return { family: 4, low: low - IPV4_MAPPED_PREFIX, high: high - IPV4_MAPPED_PREFIX };
}

function parsePrefix(mask: unknown, family: IpFamily, fail: (reason: string) => never): number {
  const bits = FAMILY_BITS[family];
  if (typeof mask === 'number' || (typeof mask === 'string' && /^\/?[0-9]{1,3}$/.test(mask))) {
    const prefix = typeof mask === 'number' ? mask : Number(mask.replace('/', ''));
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      fail(`mask must be a prefix length from 0 to ${String(bits)}`);
    }
    return prefix;
  }
  if (typeof mask !== 'string') return fail('mask must be a prefix length or a mask');
  const parsed = parseIpAddressExact(mask);
  if (parsed === null) return fail('mask is neither a prefix length nor an address mask');
  if (parsed.family !== family) fail('mask is of a different address family than the address');
  // A mask is valid only as ones followed by zeros: its complement plus one is a power of two.
  const inverted = ALL_BITS[family] ^ parsed.value;
  if ((inverted & (inverted + 1n)) !== 0n) fail('mask is not contiguous');
  let hostBits = 0;
  while (inverted >> BigInt(hostBits) !== 0n) hostBits++;
  return bits - hostBits;
}
