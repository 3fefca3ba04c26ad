import { Resolver } from 'node:dns/promises';
import type { DnsResolver } from '../dns-resolver.js';

export interface NodeDnsResolverOptions {
  /** Name servers (`1.2.3.4`, `[::1]:53`); default the system's. */
  readonly servers?: readonly string[];
  /** Milliseconds per query attempt; default node's (about 5 s). */
  readonly timeout?: number;
  /** Attempts per name server; default 4 (node's). */
  readonly tries?: number;
}

/** Answers that mean "no such records": an empty list, not a failure. */
const NO_DATA = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

/**
 * The default {@link DnsResolver}: node:dns, with "no such name" and "no records of that type"
 * as empty answers and everything else (timeouts, SERVFAIL, refused) as a rejection, which the
 * queue treats as temporary. A null MX (RFC 7505, exchange `.`) comes out as `exchange: ''`.
 */
export function nodeDnsResolver(options: NodeDnsResolverOptions = {}): DnsResolver {
  const resolver = new Resolver({
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.tries !== undefined ? { tries: options.tries } : {}),
  });
  if (options.servers) resolver.setServers([...options.servers]);
  const empty = <T>(error: unknown): T[] => {
    if (NO_DATA.has((error as { code?: string }).code ?? '')) return [];
    throw error;
  };
  return {
    async resolveMx(domain) {
      const records = await resolver
        .resolveMx(domain)
        .catch(empty<{ exchange: string; priority: number }>);
      return records.map((record) => ({
        exchange: record.exchange === '.' ? '' : record.exchange.replace(/\.$/, ''),
        priority: record.priority,
      }));
    },
    async resolveAddresses(host) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const addresses: string[] = [];
      const failures: unknown[] = [];
      for (const result of [v4, v6]) {
        if (result.status === 'fulfilled') addresses.push(...result.value);
        else if (!NO_DATA.has((result.reason as { code?: string }).code ?? ''))
          failures.push(result.reason);
      }
      // One family failing while the other answered is still an answer.
      if (addresses.length === 0 && failures.length > 0) throw failures[0];
      return addresses;
    },
  };
}
