import { type Socket, connect as connectTcp } from 'node:net';
import { Duplex } from 'node:stream';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptedConnection,
  type ServedSession,
  type SessionServer,
  type SocketTransport,
  createSessionServer,
} from '../src/index.js';

/** Greets with the client it was told of and echoes lines upper-cased: enough to see TLS work. */
class EchoSession implements ServedSession {
  constructor(
    readonly connection: AcceptedConnection,
    private readonly transport: SocketTransport,
  ) {}
  start() {
    const { remoteAddress, remotePort, secure } = this.connection;
    this.transport.write(Buffer.from(`hello ${remoteAddress} ${remotePort} secure=${secure}\r\n`));
  }
  receive(bytes: Uint8Array) {
    this.transport.write(Buffer.from(Buffer.from(bytes).toString().toUpperCase()));
  }
  timeout() {
    this.transport.close();
  }
  shutdown() {
    this.transport.close();
  }
  disconnected() {}
}

const servers: SessionServer<EchoSession>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(100);
});

/** An implicit-TLS listener (IMAPS, POP3S, SMTPS alike) behind a trusted balancer on loopback. */
async function implicitTlsBehindProxy(trustedProxies = ['127.0.0.1']) {
  const refused: string[] = [];
  const server = createSessionServer({
    listeners: [
      {
        name: 'imaps',
        port: 0,
        tls: 'implicit' as const,
        proxyProtocol: { trustedProxies, headerTimeoutMs: 2_000 },
      },
    ],
    tls: selfSignedCertificate(),
    idleTimeoutMs: 10_000,
    maxConnectionsPerIp: 0,
    tooManyConnections: Buffer.from('busy\r\n'),
    protocol: 'echo',
    connect: (connection, transport) => new EchoSession(connection, transport),
    logger: {
      warn: (message: string, fields?: object) =>
        refused.push(`${message} ${JSON.stringify(fields)}`),
    } as never,
  });
  servers.push(server);
  const port = (await server.listen())[0]!.port;
  return { port, refused };
}

const V1_HEADER = 'PROXY TCP4 203.0.113.9 192.0.2.1 5555 993\r\n';
/** v2, PROXY, TCP over IPv4: 198.51.100.7 port 5555 to 192.0.2.1 port 995. */
const V2_HEADER = Buffer.concat([
  Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'),
  Buffer.from([0x21, 0x11, 0, 12, 198, 51, 100, 7, 192, 0, 2, 1, 0x15, 0xb3, 0x03, 0xe3]),
]);

/**
 * Writes the pieces one by one, a short pause between them so that the server most likely
 * reads them apart (what is asserted holds however they are read; the pause only makes the
 * split case the likely one, and the rest of the file covers the one-read case).
 */
async function writeApart(raw: Socket, pieces: readonly Buffer[]): Promise<void> {
  raw.setNoDelay(true);
  for (const piece of pieces) {
    await new Promise<void>((resolve) => raw.write(piece, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A connection the server closes without a word: resolves with what came back (nothing). */
async function closedUnanswered(port: number, bytes: Buffer): Promise<string> {
  const raw = connectTcp(port, '127.0.0.1');
  let received = '';
  raw.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  raw.on('error', () => {});
  raw.write(bytes);
  await new Promise<void>((resolve) => raw.once('close', () => resolve()));
  return received;
}

/**
 * A TLS client over a TCP connection whose first octets are the PROXY header. The TLS layer
 * writes into a Duplex of ours (so that its octets pass through JavaScript), and `send` decides
 * how the header and the TLS client's first flight (the ClientHello) go on the wire.
 */
async function tlsAfterHeader(
  port: number,
  send: (raw: Socket, clientHello: Buffer) => void,
): Promise<{ tls: TLSSocket; greeting: string }> {
  const raw = connectTcp(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  let first = true;
  const pipe: Duplex = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      if (first) {
        first = false;
        send(raw, chunk);
      } else raw.write(chunk);
      done();
    },
    read() {},
    final(done) {
      raw.end();
      done();
    },
  });
  raw.on('data', (chunk: Buffer) => pipe.push(chunk));
  raw.on('end', () => pipe.push(null));
  raw.on('error', (error) => pipe.destroy(error));
  raw.on('close', () => pipe.destroy());
  const tls = connectTls({ socket: pipe, rejectUnauthorized: false, servername: 'localhost' });
  const greeting = await new Promise<string>((resolve, reject) => {
    let text = '';
    tls.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\r\n')) resolve(text);
    });
    tls.once('error', reject);
    tls.once('close', () => reject(new Error(`closed after ${JSON.stringify(text)}`)));
  });
  return { tls, greeting };
}

function nextData(tls: TLSSocket): Promise<string> {
  return new Promise((resolve) => tls.once('data', (chunk: Buffer) => resolve(chunk.toString())));
}

describe('a PROXY header before implicit TLS', () => {
  it('serves TLS when the header and the ClientHello come in one packet', async () => {
    const { port } = await implicitTlsBehindProxy();
    const { tls, greeting } = await tlsAfterHeader(port, (raw, hello) =>
      raw.write(Buffer.concat([Buffer.from(V1_HEADER), hello])),
    );
    expect(greeting).toBe('hello 203.0.113.9 5555 secure=true\r\n');
    tls.write('ping\r\n');
    expect(await nextData(tls)).toBe('PING\r\n');
    tls.destroy();
  });

  it('serves TLS after a v2 header in the same packet as the ClientHello', async () => {
    const { port } = await implicitTlsBehindProxy();
    const { tls, greeting } = await tlsAfterHeader(port, (raw, hello) =>
      raw.write(Buffer.concat([V2_HEADER, hello])),
    );
    expect(greeting).toBe('hello 198.51.100.7 5555 secure=true\r\n');
    tls.destroy();
  });

  it('serves TLS when the header comes in pieces and the ClientHello is split after it', async () => {
    const { port } = await implicitTlsBehindProxy();
    const header = Buffer.from(V1_HEADER);
    const { tls, greeting } = await tlsAfterHeader(port, (raw, hello) => {
      void writeApart(raw, [
        header.subarray(0, 6),
        header.subarray(6, 20),
        Buffer.concat([header.subarray(20), hello.subarray(0, 5)]),
        hello.subarray(5),
      ]);
    });
    expect(greeting).toBe('hello 203.0.113.9 5555 secure=true\r\n');
    tls.write('split\r\n');
    expect(await nextData(tls)).toBe('SPLIT\r\n');
    tls.destroy();
  });

  it('refuses a trusted proxy that sends TLS where the header should be, and goes on serving', async () => {
    const { port, refused } = await implicitTlsBehindProxy();
    // A TLS client straight at the listener: its ClientHello is no PROXY header.
    const direct = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false });
    const failure = await new Promise<Error>((resolve) => direct.once('error', resolve));
    expect(failure.message).toMatch(/socket disconnected|ECONNRESET/);
    expect(refused.join('\n')).toMatch(/no PROXY header/);
    // The TLS record header alone, then nothing: refused as soon as it cannot be a header.
    expect(await closedUnanswered(port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))).toBe('');
    const { tls, greeting } = await tlsAfterHeader(port, (raw, hello) =>
      raw.write(Buffer.concat([Buffer.from(V1_HEADER), hello])),
    );
    expect(greeting).toMatch(/^hello 203\.0\.113\.9 /);
    tls.destroy();
  });

  it('refuses a header with its ClientHello from a peer that is not a trusted proxy', async () => {
    const { port, refused } = await implicitTlsBehindProxy(['10.0.0.5']);
    const attempt = tlsAfterHeader(port, (raw, hello) =>
      raw.write(Buffer.concat([Buffer.from(V1_HEADER), hello])),
    );
    await expect(attempt).rejects.toThrow(/socket disconnected|ECONNRESET|closed/);
    expect(refused.join('\n')).toMatch(/trusted proxy, not 127\.0\.0\.1/);
  });

  it('drops a connection whose header is followed by bytes that are not TLS, without a greeting', async () => {
    const { port } = await implicitTlsBehindProxy();
    const plain = Buffer.concat([Buffer.from(V1_HEADER), Buffer.from('a1 CAPABILITY\r\n')]);
    expect(await closedUnanswered(port, plain)).not.toMatch(/hello/);
  });
});
