import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenerGroup, type ProxiedClient, TrustedProxies } from '../src/index.js';

const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');

/** A v2 header: version 2, the command, the family, and an address block of the given length. */
function v2(command: number, family: number, block: Buffer, length = block.length): Buffer {
  const fixed = Buffer.from([0x20 | command, family, length >> 8, length & 0xff]);
  return Buffer.concat([V2_SIGNATURE, fixed, block]);
}

const TCP4_BLOCK = Buffer.from([198, 51, 100, 7, 192, 0, 2, 1, 0x15, 0xb3, 0x00, 0x8f]);

/**
 * A listener that expects PROXY headers from the given proxies and, per connection, writes
 * back the client it was handed and every octet that reached it after the header.
 */
async function proxyListener(trustedProxies: readonly string[], headerTimeoutMs = 2_000) {
  const served: (ProxiedClient | null)[] = [];
  const refused: string[] = [];
  const group = new ListenerGroup(
    [{ name: 'imap', port: 0, proxyProtocol: { trustedProxies, headerTimeoutMs } }],
    (_listener, socket, client) => {
      served.push(client);
      socket.write(`client ${client ? `${client.address} ${client.port}` : 'none'}\r\n`);
      socket.on('data', (chunk) => socket.write(chunk));
    },
    (_listener, error) => refused.push(error.message),
  );
  const [bound] = await group.listen();
  groups.push(group);
  return { port: bound!.port, served, refused };
}

const groups: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(groups.splice(0).map((group) => group.stop()));
});

/** A raw client: what it sends, everything it gets, and whether the server closed on it. */
async function client(port: number) {
  const socket: Socket = await new Promise((resolve, reject) => {
    const opened = connect(port, '127.0.0.1', () => resolve(opened));
    opened.once('error', reject);
  });
  let received = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  return {
    socket,
    closed,
    received: () => received,
    /** Resolves once what came in matches. */
    async waitFor(pattern: RegExp): Promise<string> {
      while (!pattern.test(received)) {
        await new Promise<void>((resolve, reject) => {
          socket.once('data', () => resolve());
          socket.once('close', () =>
            pattern.test(received)
              ? resolve()
              : reject(new Error(`closed with ${JSON.stringify(received)}`)),
          );
        });
      }
      return received;
    },
  };
}

describe('PROXY protocol on a listener', () => {
  it('hands the session the client a v1 header names, with what followed the header in the same packet', async () => {
    const { port, served } = await proxyListener(['127.0.0.1']);
    const c = await client(port);
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 5555 143\r\na1 CAPABILITY\r\n');
    expect(await c.waitFor(/CAPABILITY\r\n$/)).toBe('client 203.0.113.9 5555\r\na1 CAPABILITY\r\n');
    expect(served).toEqual([{ address: '203.0.113.9', port: 5555 }]);
    c.socket.destroy();
  });

  it('reads a v2 header arriving an octet at a time (IPv4 and IPv6), and LOCAL as no client', async () => {
    const { port } = await proxyListener(['127.0.0.0/8']);
    const one = await client(port);
    for (const octet of v2(1, 0x11, TCP4_BLOCK)) one.socket.write(Buffer.from([octet]));
    expect(await one.waitFor(/\r\n/)).toBe('client 198.51.100.7 5555\r\n');
    one.socket.destroy();

    const six = Buffer.alloc(36);
    six.writeUInt16BE(0x2001, 0);
    six.writeUInt16BE(0x0db8, 2);
    six.writeUInt16BE(0x0009, 14);
    six.writeUInt16BE(0x2001, 16);
    six.writeUInt16BE(4444, 32);
    six.writeUInt16BE(143, 34);
    const ipv6 = await client(port);
    ipv6.socket.write(v2(1, 0x21, six));
    expect(await ipv6.waitFor(/\r\n/)).toBe('client 2001:db8:0:0:0:0:0:9 4444\r\n');
    ipv6.socket.destroy();

    const local = await client(port);
    local.socket.write(v2(0, 0x00, Buffer.alloc(0)));
    expect(await local.waitFor(/\r\n/)).toBe('client none\r\n');
    local.socket.destroy();
  });

  it('closes on a peer that is not a trusted proxy, whatever it sends', async () => {
    const { port, served, refused } = await proxyListener(['10.0.0.1', 'fd00::/8']);
    const c = await client(port);
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 5555 143\r\n');
    await c.closed;
    expect(c.received()).toBe('');
    expect(served).toEqual([]);
    expect(refused).toEqual([
      'connection refused: PROXY header expected from a trusted proxy, not 127.0.0.1',
    ]);
  });

  it.each([
    ['an overlong v1 line', Buffer.from(`PROXY TCP4 ${'1'.repeat(200)}`), /too long/],
    ['a v1 line that is no header', Buffer.from('a1 LOGIN user pass\r\n'), /no PROXY header/],
    [
      'a v1 line with a bad address',
      Buffer.from('PROXY TCP4 300.1.1.1 192.0.2.1 1 2\r\n'),
      /malformed/,
    ],
    ['a v1 line with a bad port', Buffer.from('PROXY TCP4 1.1.1.1 192.0.2.1 1 99999\r\n'), /port/],
    [
      'a v2 header whose length is shorter than its addresses',
      v2(1, 0x11, TCP4_BLOCK.subarray(0, 4)),
      /length too short/,
    ],
    ['a v2 IPv6 header with an IPv4 length', v2(1, 0x21, TCP4_BLOCK), /length too short/],
    ['a v2 header announcing 65,535 octets', v2(1, 0x11, TCP4_BLOCK, 0xffff), /too long/],
    [
      'a v2 header of an unknown family',
      v2(1, 0x41, TCP4_BLOCK),
      /unknown PROXY v2 address family/,
    ],
    [
      'a v2 header of an unknown version',
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x31, 0x11, 0, 12]), TCP4_BLOCK]),
      /unknown PROXY version/,
    ],
  ])('closes on %s, before any session', async (_name, header, reason) => {
    const { port, served, refused } = await proxyListener(['127.0.0.1']);
    const c = await client(port);
    c.socket.write(header);
    await c.closed;
    expect(c.received()).toBe('');
    expect(served).toEqual([]);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(reason);
  });

  it('closes on a header cut short: by the peer closing, or by silence past the timeout', async () => {
    const { port, served, refused } = await proxyListener(['127.0.0.1'], 200);
    const ended = await client(port);
    ended.socket.end('PROXY TCP4 203.0.113.9 ');
    await ended.closed;
    const silent = await client(port);
    silent.socket.write(v2(1, 0x11, TCP4_BLOCK).subarray(0, 20));
    await silent.closed;
    expect(served).toEqual([]);
    expect(refused.sort()).toEqual([
      'connection refused: PROXY header not complete in time',
      'connection refused: connection closed before the PROXY header was complete',
    ]);
  });

  it('refuses a configuration that names no address', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(RangeError);
    expect(() => new TrustedProxies(['lb.example.com'])).toThrow(RangeError);
    expect(new TrustedProxies(['10.0.0.0/8']).has('::ffff:10.1.2.3')).toBe(true);
    expect(new TrustedProxies(['10.0.0.0/8']).has('11.0.0.1')).toBe(false);
  });
});
