import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptedConnection,
  type ServedSession,
  type SessionServer,
  type SocketTransport,
  createSessionServer,
  normalizeAddress,
} from '../src/index.js';

/** A line protocol of one rule: every line comes back upper-cased. */
class ShoutSession implements ServedSession {
  events: string[] = [];
  constructor(
    readonly connection: AcceptedConnection,
    private readonly transport: SocketTransport,
  ) {}
  start() {
    this.transport.write(Buffer.from(`hello ${this.connection.id}\r\n`));
  }
  receive(bytes: Uint8Array) {
    this.transport.write(Buffer.from(Buffer.from(bytes).toString().toUpperCase()));
  }
  timeout() {
    this.events.push('timeout');
    this.transport.write(Buffer.from('bye: idle\r\n'));
    this.transport.close();
  }
  shutdown() {
    this.transport.write(Buffer.from('bye: stopping\r\n'));
    this.transport.close();
  }
  disconnected() {
    this.events.push('disconnected');
  }
}

const servers: SessionServer<ShoutSession>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(100);
});

async function start(options: { idleTimeoutMs?: number; maxConnectionsPerIp?: number } = {}) {
  const server = createSessionServer({
    listeners: [{ name: 'shout', port: 0 }],
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 0,
    tooManyConnections: Buffer.from('busy\r\n'),
    protocol: 'shout',
    connect: (connection, transport) => new ShoutSession(connection, transport),
  });
  servers.push(server);
  const port = (await server.listen())[0]!.port;
  return { server, port };
}

function client(port: number): { socket: Socket; said: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, said: () => text, closed };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createSessionServer', () => {
  it('runs a session per connection, names it, and pumps bytes both ways', async () => {
    const { server, port } = await start();
    const c = client(port);
    await until(() => c.said().includes('\r\n'));
    const [session] = [...server.sessions];
    expect(session!.connection).toMatchObject({
      remoteAddress: '127.0.0.1',
      listener: 'shout',
      secure: false,
      tlsAvailable: false,
    });
    c.socket.write('psst\r\n');
    await until(() => c.said().endsWith('PSST\r\n'));
    c.socket.end();
    await c.closed;
    await until(() => server.sessions.size === 0);
    expect(session!.events).toEqual(['disconnected']);
  });

  it('refuses connections over the per-address cap with the protocol’s words', async () => {
    const { port } = await start({ maxConnectionsPerIp: 1 });
    const first = client(port);
    await until(() => first.said().startsWith('hello'));
    const second = client(port);
    await second.closed;
    expect(second.said()).toBe('busy\r\n');
    first.socket.destroy();
  });

  it('times idle sessions out, and close() settles with shutdown() said', async () => {
    const { server, port } = await start({ idleTimeoutMs: 200 });
    const idle = client(port);
    await idle.closed;
    expect(idle.said()).toMatch(/\r\nbye: idle\r\n$/);
    const busy = client(port);
    await until(() => busy.said().startsWith('hello'));
    await server.close(1000);
    servers.length = 0;
    await busy.closed;
    expect(busy.said()).toMatch(/\r\nbye: stopping\r\n$/);
  });

  it('reads IPv4 clients of a dual-stack socket as IPv4', () => {
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(normalizeAddress(undefined)).toBe('');
  });
});
