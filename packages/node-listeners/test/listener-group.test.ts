import { type Socket, connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ListenError, ListenerGroup } from '../src/index.js';

const connectTo = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

describe('ListenerGroup', () => {
  it('binds every listener, reports the ports, and hands connections over with their listener', async () => {
    const seen: string[] = [];
    const group = new ListenerGroup(
      [
        { name: 'smtp', port: 0 },
        { name: 'submission', port: 0 },
      ],
      (listener, socket) => {
        seen.push(listener.name);
        socket.end('hello\r\n');
      },
    );
    const bound = await group.listen();
    expect(bound.map((b) => b.name)).toEqual(['smtp', 'submission']);
    expect(new Set(bound.map((b) => b.port)).size).toBe(2);
    const client = await connectTo(bound[1]!.port);
    const text = await new Promise<string>((resolve) =>
      client.once('data', (d) => resolve(d.toString())),
    );
    expect(text).toBe('hello\r\n');
    expect(seen).toEqual(['submission']);
    await group.stop();
    await expect(connectTo(bound[0]!.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('undoes the listeners already bound when one port is busy', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as { port: number }).port;
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));

    const group = new ListenerGroup(
      [
        { name: 'first', port: freePort },
        { name: 'second', port: busyPort },
      ],
      (_listener, socket) => socket.destroy(),
    );
    await expect(group.listen()).rejects.toMatchObject({
      name: 'ListenError',
      listener: 'second',
      host: '127.0.0.1',
      port: busyPort,
      code: 'EADDRINUSE',
    });
    // The first port is free again: a restart after fixing the clash can take it.
    await expect(connectTo(freePort)).rejects.toThrow(/ECONNREFUSED/);
    await new Promise((resolve) => busy.close(resolve));
  });

  it('names the listener that failed, and its port, even when the port asked for was 0', async () => {
    // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): documentation only, an address of no machine.
    const group = new ListenerGroup([{ name: 'imap', port: 0, host: '203.0.113.77' }], (_l, s) =>
      s.destroy(),
    );
    const failure = await group.listen().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ListenError);
    expect(failure).toMatchObject({
      listener: 'imap',
      host: '203.0.113.77',
      port: 0,
      code: 'EADDRNOTAVAIL',
    });
  });

  it('refuses connections beyond maxConnections', async () => {
    const held: Socket[] = [];
    const group = new ListenerGroup(
      [{ name: 'imap', port: 0, maxConnections: 1 }],
      (_l, socket) => {
        held.push(socket);
      },
    );
    const port = (await group.listen())[0]!.port;
    const first = await connectTo(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await connectTo(port);
    const closed = await new Promise<boolean>((resolve) => {
      second.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    expect(closed).toBe(true);
    expect(held).toHaveLength(1);
    first.destroy();
    held.forEach((s) => s.destroy());
    await group.stop();
  });
});
