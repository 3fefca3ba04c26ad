import { Resolver } from 'node:dns/promises';
import type { DnsBlacklist } from '../core/dns-blacklist.js';
import type { DnsLookup } from '../engine/dns-blacklist-tests.js';

export interface NodeDnsLookupOptions {
  /** The servers to ask (`ip` or `ip:port`); default: the system's. */
  readonly servers?: readonly string[];
  /** How long one try may take. Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Tries per lookup. Default 2. */
  readonly tries?: number;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

/** A DnsLookup over Node's resolver (c-ares): NXDOMAIN and NODATA are [], the rest rejects. */
export function nodeDnsLookup(options: NodeDnsLookupOptions = {}): DnsLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (options.servers) resolver.setServers([...options.servers]);
  return {
    async lookupA(name) {
      try {
        return await resolver.resolve4(name);
      } catch (error) {
        if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    },
  };
}

/**
 * `lookupFor` for dnsBlacklistTests: one resolver for the lists asked the usual way, and one
 * per list that is asked directly, at its own servers.
 */
export function nodeDnsLookups(
  options: NodeDnsLookupOptions = {},
): (list: DnsBlacklist) => DnsLookup {
  const shared = nodeDnsLookup(options);
  const direct = new Map<DnsBlacklist, DnsLookup>();
  return (list) => {
    if (!list.askDirectly || list.askDirectly.length === 0) return shared;
    let lookup = direct.get(list);
    if (!lookup)
      direct.set(list, (lookup = nodeDnsLookup({ ...options, servers: list.askDirectly })));
    return lookup;
  };
}
