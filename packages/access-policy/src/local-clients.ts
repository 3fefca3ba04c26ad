import type { IpGroupItem } from './ip-address-group.js';

/** The name Kerio gives its default group. */
export const LOCAL_CLIENTS_GROUP = 'Local clients';

const PRIVATE = 'Private address space for local networks';

/**
 * Kerio's default "Local clients" group, as the product ships it (10.0.0.0/8, 127.0.0.1,
 * 172.16.0.0/12, 192.168.0.0/16), plus ::1. Kerio's group is IPv4-only because the product
 * listened on IPv4 only; it lists 127.0.0.1 so that programs on the server itself are trusted.
 * A Node server listening on `::` sees those same programs as ::1 when they connect over IPv6
 * loopback (the default for `localhost` on many systems), so ::1 carries the same intent.
 * Nothing else is added: unique-local (fc00::/7) and link-local IPv6 ranges are not in Kerio's
 * list, and trusting them should be the administrator's choice.
 */
export const LOCAL_CLIENTS: readonly IpGroupItem[] = Object.freeze(
  (
    [
      { kind: 'network', address: '10.0.0.0', mask: '255.0.0.0', description: PRIVATE },
      { kind: 'host', address: '127.0.0.1', description: PRIVATE },
      { kind: 'network', address: '172.16.0.0', mask: '255.240.0.0', description: PRIVATE },
      { kind: 'network', address: '192.168.0.0', mask: '255.255.0.0', description: PRIVATE },
      { kind: 'host', address: '::1', description: 'IPv6 loopback (added by Mailyard)' },
    ] satisfies IpGroupItem[]
  ).map((item) => Object.freeze(item)),
);
