/**
 * The DNS lookups mail needs, injected so that tests and applications choose the resolver (the
 * default, `nodeDnsResolver`, uses node:dns). Lookups of names that do not exist resolve to an
 * empty list; only failures to get an answer reject (a temporary condition for SMTP).
 */
export interface DnsResolver {
  /** MX records, as published (RFC 5321 5.1); a null MX (RFC 7505) is `{ exchange: '', priority: 0 }`. */
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  /** A and AAAA addresses of a host. */
  resolveAddresses(host: string): Promise<string[]>;
}
