export declare const dnsmasqPeer: {
  name: string;
  available: boolean;
  install: string;
};
export interface DnsServer {
  readonly address: string;
  stop(): Promise<void>;
}
/**
 * A real DNS server on loopback with a zone of our own: dnsmasq answers the given A and TXT records and
 * NXDOMAIN for anything else under the `local` zones (anything outside them is REFUSED: no
 * upstream). Resolves once dnsmasq says it has started, which it says after binding.
 */
export declare function startDnsmasq(
  records: Readonly<Record<string, string>>,
  localZones: readonly string[],
  txtRecords?: Readonly<Record<string, string>>,
): Promise<DnsServer>;
