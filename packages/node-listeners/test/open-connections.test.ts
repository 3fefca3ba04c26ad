import { type Socket, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenConnections } from '../src/index.js';

// A loopback server whose accepted sockets are counted, and clients connected to it.
async function serverWithConnections(count: number) {
  const connections = new OpenConnections();
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    connections.add(socket);
    accepted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const clients: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    clients.push(client);
  }
  while (accepted.length < count)
    await new Promise((resolve) => server.once('connection', resolve));
  return { connections, server, clients, accepted };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('OpenConnections', () => {
  it('counts sockets until they close, and wakes allClosed when the last one goes', async () => {
    const { connections, server, clients } = await serverWithConnections(2);
    cleanup = () => server.close();
    expect(connections.size).toBe(2);
    const closed = connections.allClosed(60_000);
    clients[0]!.end();
    clients[1]!.end();
    await expect(closed).resolves.toBe(true);
    expect(connections.size).toBe(0);
  });

  it('answers false when the grace period passes first, and destroyAll ends the rest', async () => {
    const { connections, server, clients } = await serverWithConnections(1);
    cleanup = () => {
      clients[0]!.destroy();
      server.close();
    };
    await expect(connections.allClosed(10)).resolves.toBe(false);
    expect(connections.size).toBe(1);
    const closed = connections.allClosed(60_000);
    connections.destroyAll();
    await expect(closed).resolves.toBe(true);
  });

  it('answers true at once when nothing is open', async () => {
    await expect(new OpenConnections().allClosed(60_000)).resolves.toBe(true);
  });
});
