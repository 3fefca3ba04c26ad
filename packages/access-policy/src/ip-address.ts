export type IpFamily = 4 | 6;

/** An IP address as a number: 32 bits for IPv4, 128 bits for IPv6. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** The longest textual IPv6 address: eight groups with an embedded dotted quad. */
const MAX_ADDRESS_LENGTH = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255'.length;

/** ::ffff:0:0/96, the IPv4-mapped block: a dual-stack socket reports IPv4 peers this way. */
export const IPV4_MAPPED_PREFIX = 0xffff_0000_0000n;
const IPV4_MAPPED_MASK = (1n << 128n) - (1n << 32n);

/**
 * Parses an IPv4 dotted quad or an IPv6 address in any RFC 4291 text form (compressed, with an
 * embedded dotted quad, any letter case). IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) come back
 * as IPv4, so that a peer counts once whichever socket family it arrived on. Zone ids (`fe80::1%eth0`),
 * brackets, whitespace and IPv4 octets with leading zeros (octal in some parsers) are rejected.
 * Returns null for anything that is not an address; never throws.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const address = parseIpAddressExact(text);
  if (address?.family === 6 && (address.value & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    return { family: 4, value: address.value - IPV4_MAPPED_PREFIX };
  }
  return address;
}

/**
 * Parses like `parseIpAddress` but keeps IPv4-mapped IPv6 addresses as IPv6: group items need
 * the family the administrator wrote (a `/96` prefix only makes sense for IPv6).
 */
export function parseIpAddressExact(text: string): IpAddress | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ADDRESS_LENGTH)
    return null;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { family: 4, value: BigInt(value) };
}

function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const headWords = parseGroups(headGroups, gap === -1);
  const tailWords = parseGroups(tailGroups, true);
  if (headWords === null || tailWords === null) return null;
  const written = headWords.length + tailWords.length;
  if (gap === -1 ? written !== 8 : written > 7) return null;
  const words = [...headWords, ...new Array<number>(8 - written).fill(0), ...tailWords];
  let value = 0n;
  for (const word of words) value = (value << 16n) | BigInt(word);
  return value;
}

/** 16-bit words of colon-separated groups; the last group may be a dotted quad (two words). */
function parseGroups(groups: readonly string[], mayEndWithIpv4: boolean): number[] | null {
  const words: number[] = [];
  for (const [index, group] of groups.entries()) {
    if (mayEndWithIpv4 && index === groups.length - 1 && group.includes('.')) {
      const ipv4 = parseIpv4(group);
      if (ipv4 === null) return null;
      words.push(Math.floor(ipv4 / 0x10000), ipv4 % 0x10000);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      words.push(parseInt(group, 16));
    }
  }
  return words;
}

/**
 * Formats an address: a dotted quad for IPv4, RFC 5952's canonical form for IPv6 (lower case,
 * no leading zeros, the longest run of two or more zero groups, leftmost on a tie, as `::`).
 * Throws a RangeError for a value outside the family's range (a programming error).
 */
export function formatIpAddress(address: IpAddress): string {
  const { family, value } = address;
  const bits = family === 4 ? 32n : 128n;
  if ((family !== 4 && family !== 6) || value < 0n || value >> bits !== 0n) {
    throw new RangeError(`not an IPv${String(family)} address value: ${String(value)}`);
  }
  if (family === 4) {
    const n = Number(value);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const words: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) words.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && words[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
