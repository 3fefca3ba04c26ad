import type { Relay } from './received-relays.js';

/**
 * The relay half of a `welcomelist_from_rcvd` line, as WLBLEval's `_check_welcomelist_rcvd`
 * reads it: `[192.0.2.1]` the relay's address exactly, `[192.0.2]` a classful prefix of it,
 * `[192.0.2.0/24]`, `[192.0.2.0]/24` or `[2001:db8::/32]` a network holding it, and anything
 * else a domain the relay's reverse DNS name is or ends in (`.example.com`).
 */
export function relayIsListed(listed: string, relay: Relay): boolean {
  const bracketed = /^\[(.*)\](\/\d{1,3})?$/s.exec(listed);
  if (!bracketed) return rdnsIsUnder(relay.rdns, listed);
  const ip = relay.ip.replace(/^IPv6:/i, '');
  if (ip === '') return false;
  const network = bracketed[1]! + (bracketed[2] ?? '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(network)) return network === ip;
  // A classful network: the octets written, then a dot.
  if (/^[\d.]+$/.test(network)) return ip.startsWith(network.replace(/\.*$/, '.'));
  return networkContains(network, ip);
}

/** The reverse DNS name is the domain or a name under it (case aside). */
function rdnsIsUnder(rdns: string, domain: string): boolean {
  const name = rdns.toLowerCase();
  if (name === domain) return true;
  return name.endsWith(domain) && name.charAt(name.length - domain.length - 1) === '.';
}

/** An address in `ADDRESS[/LENGTH]` form holds `ip` (both of one family), as NetAddr::IP. */
function networkContains(network: string, ip: string): boolean {
  const slash = network.indexOf('/');
  const base = parseIp(slash < 0 ? network : network.slice(0, slash));
  const address = parseIp(ip);
  if (!base || !address || base.bits !== address.bits) return false;
  const lengthText = slash < 0 ? String(base.bits) : network.slice(slash + 1);
  const length = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || length > base.bits) return false;
  const hostBits = BigInt(base.bits - length);
  return base.value >> hostBits === address.value >> hostBits;
}

interface ParsedIp {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

function parseIp(text: string): ParsedIp | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { bits: 128, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { bits: 32, value };
}

function parseIpv4(text: string): bigint | null {
  const octets = text.split('.');
  if (octets.length !== 4) return null;
  let value = 0n;
  for (const octet of octets) {
    if (!/^\d{1,3}$/.test(octet) || Number(octet) > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const split = (half: string) => (half === '' ? [] : half.split(':'));
  let tail = split(halves[1] ?? '');
  let head = split(halves[0]!);
  // An IPv4 address as the last 32 bits (::ffff:192.0.2.1).
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === null) return null;
    const words = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (halves.length === 2) tail = [...tail.slice(0, -1), ...words];
    else head = [...head.slice(0, -1), ...words];
  }
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else groups = head;
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}
