import { isIP } from 'node:net';
import { domainToAscii } from '@mailyard/mime';
import type { DnsResolver } from '../dns-resolver.js';

/** One host to try, in order: its name (for TLS and Remote-MTA) and, when known, its addresses. */
export interface DeliveryHost {
  readonly name: string;
  /** Already known (IP literals, implicit MX); otherwise looked up when the host's turn comes. */
  readonly addresses?: readonly string[];
  readonly preference: number;
}

export type HostsLookup =
  | { readonly kind: 'hosts'; readonly hosts: readonly DeliveryHost[] }
  /** Mail to the domain can never be delivered: a null MX, no such domain. */
  | {
      readonly kind: 'failed';
      readonly code: number;
      readonly enhancedCode: string;
      readonly diagnostic: string;
    }
  /** DNS did not answer: try again later. */
  | {
      readonly kind: 'deferred';
      readonly code: number;
      readonly enhancedCode: string;
      readonly diagnostic: string;
    };

/**
 * Where mail for a domain goes (RFC 5321 section 5.1): its MX hosts, lowest preference first
 * and in random order among equal preferences (the injected `random`, so tests can fix it); the
 * domain itself when it has no MX but has addresses (the implicit MX); nowhere when it publishes
 * a null MX (RFC 7505, failed at once with 5.1.10) or does not exist (5.1.2). An address
 * literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`) is its own host.
 */
export async function lookupDeliveryHosts(
  domain: string,
  resolver: DnsResolver,
  random: () => number,
  options: { readonly ownNames?: readonly string[] } = {},
): Promise<HostsLookup> {
  const literal = addressLiteral(domain);
  if (literal !== undefined) {
    return literal
      ? { kind: 'hosts', hosts: [{ name: literal, addresses: [literal], preference: 0 }] }
      : failed(501, '5.1.3', `bad address literal ${domain}`);
  }
  const name = asciiDomain(domain);
  if (!name) return failed(501, '5.1.2', `bad domain ${domain}`);
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver.resolveMx(name);
  } catch (error) {
    return deferred(`MX lookup for ${name} failed: ${describe(error)}`);
  }
  const real = records.filter((record) => record.exchange !== '' && record.exchange !== '.');
  if (records.length > 0 && real.length === 0) {
    return failed(556, '5.1.10', `${name} does not accept mail (null MX, RFC 7505)`);
  }
  if (real.length === 0) {
    // RFC 5321 5.1: no MX records, so the domain itself is the host, if it has an address.
    let addresses: string[];
    try {
      addresses = await resolver.resolveAddresses(name);
    } catch (error) {
      return deferred(`address lookup for ${name} failed: ${describe(error)}`);
    }
    if (addresses.length === 0) return failed(550, '5.1.2', `no such domain: ${name}`);
    return { kind: 'hosts', hosts: [{ name, addresses, preference: 0 }] };
  }
  const sorted = shuffleEqualPreferences(
    real.map((record) => ({
      name: record.exchange.replace(/\.$/, '').toLowerCase(),
      preference: record.priority,
    })),
    random,
  );
  // RFC 5321 5.1: when we are one of the MX hosts, only more preferred hosts may be used.
  const own = new Set((options.ownNames ?? []).map((n) => n.toLowerCase()));
  const self = sorted.find((host) => own.has(host.name));
  const hosts = self ? sorted.filter((host) => host.preference < self.preference) : sorted;
  if (hosts.length === 0) {
    return failed(554, '5.4.6', `mail for ${name} loops back to ourselves (we are its best MX)`);
  }
  return { kind: 'hosts', hosts };
}

/** Lowest preference first; equal preferences in an order drawn with `random` (Fisher–Yates). */
function shuffleEqualPreferences(hosts: DeliveryHost[], random: () => number): DeliveryHost[] {
  const byPreference = new Map<number, DeliveryHost[]>();
  for (const host of hosts) {
    const group = byPreference.get(host.preference) ?? [];
    if (!group.some((known) => known.name === host.name)) group.push(host);
    byPreference.set(host.preference, group);
  }
  const out: DeliveryHost[] = [];
  for (const preference of [...byPreference.keys()].sort((a, b) => a - b)) {
    const group = byPreference.get(preference)!;
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.min(i, Math.floor(random() * (i + 1)));
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    out.push(...group);
  }
  return out;
}

/**
 * The address of an address literal, `''` for a malformed one, or undefined when the domain is
 * a name (RFC 5321 4.1.3).
 */
export function addressLiteral(domain: string): string | undefined {
  if (!domain.startsWith('[')) return undefined;
  const inner = /^\[(.*)\]$/.exec(domain)?.[1] ?? '';
  const ipv6 = /^IPv6:(.*)$/i.exec(inner)?.[1];
  if (ipv6 !== undefined) return isIP(ipv6) === 6 ? ipv6 : '';
  return isIP(inner) === 4 ? inner : '';
}

/** The domain as DNS knows it: A-labels, lower case, no trailing dot; '' when it is not a name. */
export function asciiDomain(domain: string): string {
  const trimmed = domain.replace(/\.$/, '').toLowerCase();
  let ascii: string;
  try {
    ascii = domainToAscii(trimmed).toLowerCase();
  } catch {
    return '';
  }
  return /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/.test(
    ascii,
  )
    ? ascii
    : '';
}

function failed(code: number, enhancedCode: string, diagnostic: string): HostsLookup {
  return {
    kind: 'failed',
    code,
    enhancedCode,
    diagnostic: `${code} ${enhancedCode} ${diagnostic}`,
  };
}

function deferred(diagnostic: string): HostsLookup {
  return {
    kind: 'deferred',
    code: 451,
    enhancedCode: '4.4.3',
    diagnostic: `451 4.4.3 ${diagnostic}`,
  };
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error)
    return String((error as { code: unknown }).code);
  return error instanceof Error ? error.message : String(error);
}
