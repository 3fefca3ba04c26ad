import { formatIpAddress, parseIpAddress } from './ip-address.js';

/**
 * The key per-IP counters use: the normalised address when the text parses (so `::ffff:1.2.3.4`,
 * `1.2.3.4`, `2001:DB8::1` and `2001:db8:0::1` each count as one peer), the text verbatim
 * otherwise (a caller may key by anything, e.g. a Unix socket path or `ip|user`).
 */
export function normalizeIpKey(text: string): string {
  const address = parseIpAddress(text);
  return address === null ? text : formatIpAddress(address);
}
