import { BlockList, type Socket, isIPv4, isIPv6 } from 'node:net';
import { parseProxyHeader } from './proxy-protocol.js';

/** A listener's PROXY protocol (HAProxy's v1 and v2): who may send the header, how long it may take. */
export interface ProxyProtocolOptions {
  /**
   * The load balancers' addresses: IPs (`10.0.0.5`, `fd00::5`) or subnets (`10.0.0.0/24`). A
   * connection from any other peer is closed unanswered: a header from it would let it claim
   * any client address, and a listener that expects headers has no plain clients.
   */
  readonly trustedProxies: readonly string[];
  /** Milliseconds to wait for the whole header; default {@link DEFAULT_PROXY_HEADER_TIMEOUT_MS}. */
  readonly headerTimeoutMs?: number;
}

/** The header must be in within 5 seconds of the connection: a balancer sends it at once. */
export const DEFAULT_PROXY_HEADER_TIMEOUT_MS = 5_000;

/** The client a PROXY header named; null when the socket's own peer is the client. */
export interface ProxiedClient {
  readonly address: string;
  readonly port: number;
}

/** Who may speak the PROXY protocol to a listener. */
export class TrustedProxies {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits, extra] = entry.trim().split('/');
      const family = isIPv4(address ?? '') ? 'ipv4' : isIPv6(address ?? '') ? 'ipv6' : null;
      const prefix = bits === undefined ? null : Number(bits);
      const max = family === 'ipv4' ? 32 : 128;
      if (
        !family ||
        extra !== undefined ||
        (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
      ) {
        throw new RangeError(`not an address or subnet of trusted proxies: ${entry}`);
      }
      if (prefix === null) this.list.addAddress(address!, family);
      else this.list.addSubnet(address!, prefix, family);
    }
  }

  has(address: string): boolean {
    if (isIPv4(address)) return this.list.check(address, 'ipv4');
    if (!isIPv6(address)) return false;
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? this.list.check(mapped, 'ipv4') : this.list.check(address, 'ipv6');
  }
}

/**
 * Reads the PROXY header off a new connection from a trusted proxy, then hands the socket on
 * with whatever followed the header put back in front of its data. Refuses (closes unanswered,
 * and says why) a peer that is not trusted, a header that is malformed, longer than the spec
 * allows (107 octets for v1, 536 for v2: `PROXY_V2_MAX`) or not complete in time, and a
 * connection that closes before its header is whole.
 */
export function readProxyHeader(
  socket: Socket,
  trusted: TrustedProxies,
  timeoutMs: number,
  serve: (client: ProxiedClient | null) => void,
  refused: (reason: string) => void,
): void {
  const refuse = (reason: string) => {
    cleanUp();
    socket.destroy();
    refused(reason);
  };
  if (!trusted.has(socket.remoteAddress ?? '')) {
    socket.destroy();
    refused(`PROXY header expected from a trusted proxy, not ${socket.remoteAddress ?? '?'}`);
    return;
  }
  let pending: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const header = parseProxyHeader(pending);
    if (header.status === 'more') return;
    if (header.status === 'invalid') return refuse(header.reason);
    cleanUp();
    serve(header.source);
    // What followed the header goes to the session's own listeners, now on (or waits in the
    // socket's buffer for a session that paused it).
    const rest = pending.subarray(header.length);
    if (rest.length > 0) socket.unshift(rest);
  };
  const onEnd = () => refuse('connection closed before the PROXY header was complete');
  const timer = setTimeout(() => refuse('PROXY header not complete in time'), timeoutMs);
  const cleanUp = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
}
