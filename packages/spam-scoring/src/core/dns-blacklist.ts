import { parseIpAddress } from '@mailyard/access-policy';

/** A DNS blacklist as Kerio's dialog has it (13.2). */
export interface DnsBlacklist {
  /** The name logs and headers show: `SpamHaus SBL-XBL`. */
  readonly name: string;
  /** The DNS suffix: `zen.spamhaus.org`. */
  readonly suffix: string;
  /** `ip`: the client's address is looked up (DNSBL); `domain`: the sender's domain (RHSBL). */
  readonly kind: 'ip' | 'domain';
  /** Block at SMTP level, or add a score (0: log only, Kerio's way to try a list out). */
  readonly action: { readonly kind: 'block' } | { readonly kind: 'score'; readonly score: number };
  /**
   * "Ask the blacklist DNS server directly (necessary for paid blacklists)": the lookups go to
   * these servers (`ip` or `ip:port`), not to the resolver the system uses.
   */
  readonly askDirectly?: readonly string[] | null;
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
}

/**
 * Kerio's list set (Figs 13.3/13.4), as data. Off by default: the figure does not show which are
 * on, several of these lists have closed or changed their terms since, and free lists should not
 * block (Kerio 13.7); an administrator turns on what they have the right to use.
 */
export const KERIO_DNS_BLACKLISTS: readonly DnsBlacklist[] = Object.freeze([
  {
    name: 'SORBS DNSBL',
    suffix: 'dnsbl.sorbs.net',
    kind: 'ip',
    action: { kind: 'block' },
    enabled: false,
  },
  {
    name: 'SORBS RHSBL',
    suffix: 'rhsbl.sorbs.net',
    kind: 'domain',
    action: { kind: 'block' },
    enabled: false,
  },
  {
    name: 'SpamCop',
    suffix: 'bl.spamcop.net',
    kind: 'ip',
    action: { kind: 'block' },
    enabled: false,
  },
  {
    name: 'SpamHaus SBL-XBL',
    suffix: 'zen.spamhaus.org',
    kind: 'ip',
    action: { kind: 'block' },
    enabled: false,
  },
  {
    name: 'WPBL - Weighted Private Block List',
    suffix: 'db.wpbl.info',
    kind: 'ip',
    action: { kind: 'score', score: 1.4 },
    enabled: false,
  },
] satisfies DnsBlacklist[]);

/**
 * The name to look up for an IP address: the octets reversed (IPv4) or the 32 nibbles reversed
 * (IPv6), then the suffix. A v4-mapped IPv6 address is looked up as IPv4. null when the text is
 * not an address.
 */
export function dnsblQueryName(ip: string, suffix: string): string | null {
  const address = parseIpAddress(ip);
  if (!address) return null;
  if (address.family === 4) {
    const v = Number(address.value);
    return `${v & 255}.${(v >>> 8) & 255}.${(v >>> 16) & 255}.${v >>> 24}.${suffix}`;
  }
  const nibbles = address.value.toString(16).padStart(32, '0').split('').reverse();
  return `${nibbles.join('.')}.${suffix}`;
}

/** The name to look up for a domain (RHSBL); null when it cannot be a DNS name. */
export function rhsblQueryName(domain: string, suffix: string): string | null {
  const name = `${domain.toLowerCase().replace(/\.$/, '')}.${suffix}`;
  if (name.length > 253 || !/^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]+$/.test(name))
    return null;
  return name;
}

/**
 * Whether an answer lists the name: an address in 127.0.0.0/8, except 127.255.255.0/24, which
 * lists use for errors ("query refused", "rate limited": Spamhaus) and which must not block mail.
 */
export function isListing(answers: readonly string[]): boolean {
  return answers.some((a) => a.startsWith('127.') && !a.startsWith('127.255.255.'));
}
