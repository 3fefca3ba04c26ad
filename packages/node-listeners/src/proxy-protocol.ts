import { isIPv4, isIPv6 } from 'node:net';

/**
 * The PROXY protocol header (HAProxy's spec, v1 text and v2 binary) that a load balancer puts in
 * front of a connection to say who the real client is. Parsed incrementally: call with what has
 * arrived so far until the answer is not `more`.
 */
export type ProxyHeader =
  | { readonly status: 'more' }
  | { readonly status: 'invalid'; readonly reason: string }
  | {
      readonly status: 'done';
      /** Bytes of the header; whatever follows belongs to the protocol. */
      readonly length: number;
      /** The real client; null for `UNKNOWN` and `LOCAL` (health checks): use the socket's. */
      readonly source: { readonly address: string; readonly port: number } | null;
      readonly destination: { readonly address: string; readonly port: number } | null;
    };

const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');
const V1_MAX = 107;

export function parseProxyHeader(data: Uint8Array): ProxyHeader {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const v2Prefix = Math.min(bytes.length, V2_SIGNATURE.length);
  if (bytes.subarray(0, v2Prefix).equals(V2_SIGNATURE.subarray(0, v2Prefix))) {
    return bytes.length < V2_SIGNATURE.length ? { status: 'more' } : parseV2(bytes);
  }
  const v1Prefix = Math.min(bytes.length, 6);
  if (bytes.toString('latin1', 0, v1Prefix) !== 'PROXY '.slice(0, v1Prefix)) {
    return { status: 'invalid', reason: 'no PROXY header' };
  }
  return parseV1(bytes);
}

function parseV1(bytes: Buffer): ProxyHeader {
  const end = bytes.indexOf('\r\n');
  if (end < 0)
    return bytes.length >= V1_MAX
      ? { status: 'invalid', reason: 'PROXY v1 line too long' }
      : { status: 'more' };
  const fields = bytes.toString('latin1', 0, end).split(' ');
  if (fields[1] === 'UNKNOWN')
    return { status: 'done', length: end + 2, source: null, destination: null };
  const [, family, source, destination, sourcePort, destinationPort] = fields;
  const validAddress = family === 'TCP4' ? isIPv4 : family === 'TCP6' ? isIPv6 : null;
  const port = (text: string | undefined) =>
    text && /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : null;
  if (
    fields.length !== 6 ||
    !validAddress ||
    !validAddress(source!) ||
    !validAddress(destination!)
  ) {
    return { status: 'invalid', reason: 'malformed PROXY v1 line' };
  }
  const from = port(sourcePort);
  const to = port(destinationPort);
  if (from === null || to === null) return { status: 'invalid', reason: 'malformed PROXY v1 port' };
  return {
    status: 'done',
    length: end + 2,
    source: { address: source!, port: from },
    destination: { address: destination!, port: to },
  };
}

/**
 * The longest v2 header accepted: the fixed part and the largest address block (two IPv6
 * addresses and ports, 36 octets) with room for TLVs, which are read past. HAProxy's spec
 * asks a receiver to take at least 536 octets a header; a length field above this refuses the
 * connection instead of buffering up to 64 KiB from a peer that says what it likes.
 */
export const PROXY_V2_MAX = 536;

function parseV2(bytes: Buffer): ProxyHeader {
  if (bytes.length < 16) return { status: 'more' };
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) return { status: 'invalid', reason: 'unknown PROXY version' };
  const length = 16 + bytes.readUInt16BE(14);
  if (length > PROXY_V2_MAX) return { status: 'invalid', reason: 'PROXY v2 header too long' };
  if (bytes.length < length) return { status: 'more' };
  const command = versionCommand & 0x0f;
  const family = bytes[13]!;
  if (command === 0) return { status: 'done', length, source: null, destination: null }; // LOCAL
  if (command !== 1) return { status: 'invalid', reason: 'unknown PROXY v2 command' };
  // TCP or UDP over IPv4 (0x11, 0x12) and IPv6 (0x21, 0x22): the addresses must fit the
  // length the header gives; a shorter one is a broken or hostile header, not "no address".
  if (family === 0x11 || family === 0x12) {
    if (length < 16 + 12) return { status: 'invalid', reason: 'PROXY v2 length too short' };
    const address = (at: number) => [...bytes.subarray(at, at + 4)].join('.');
    return {
      status: 'done',
      length,
      source: { address: address(16), port: bytes.readUInt16BE(24) },
      destination: { address: address(20), port: bytes.readUInt16BE(26) },
    };
  }
  if (family === 0x21 || family === 0x22) {
    if (length < 16 + 36) return { status: 'invalid', reason: 'PROXY v2 length too short' };
    const address = (at: number) =>
      Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(at + 2 * i).toString(16)).join(':');
    return {
      status: 'done',
      length,
      source: { address: address(16), port: bytes.readUInt16BE(48) },
      destination: { address: address(32), port: bytes.readUInt16BE(50) },
    };
  }
  if (family === 0x00 || family === 0x31 || family === 0x32) {
    // UNSPEC or UNIX sockets: nothing to tell us; the socket's own addresses stand.
    return { status: 'done', length, source: null, destination: null };
  }
  return { status: 'invalid', reason: 'unknown PROXY v2 address family' };
}
