import type { DnsResolver } from '../../src/dns-resolver.js';

/** A DNS of the test's making: names not listed do not exist; `fail` lists names whose lookup errs. */
export function fakeResolver(zone: {
  mx?: Record<string, { exchange: string; priority: number }[]>;
  addresses?: Record<string, string[]>;
  fail?: string[];
}): DnsResolver & { queries: string[] } {
  const queries: string[] = [];
  const failing = (name: string) => {
    if (zone.fail?.includes(name))
      throw Object.assign(new Error(`query ${name} timed out`), { code: 'ETIMEOUT' });
  };
  return {
    queries,
    async resolveMx(domain) {
      queries.push(`MX ${domain}`);
      failing(domain);
      return zone.mx?.[domain] ?? [];
    },
    async resolveAddresses(host) {
      queries.push(`A ${host}`);
      failing(host);
      return zone.addresses?.[host] ?? [];
    },
  };
}
