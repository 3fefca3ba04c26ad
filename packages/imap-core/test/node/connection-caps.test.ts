import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_LIMITS, createImapServer } from '../../src/index.js';
import { directory } from '../session/harness.js';
import { RawClient } from './raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(exempt?: (ip: string) => boolean) {
  const server = createImapServer({
    store: new MemoryMailStore(),
    directory: await directory(),
    hostname: 'imap.example.com',
    listeners: [{ name: 'imap', port: 0, tls: 'none' }],
    ...(exempt ? { connectionLimitsExempt: exempt } : {}),
  });
  const port = (await server.listen())[0]!.port;
  cleanups.push(() => server.close(100));
  return port;
}

async function greetings(port: number, count: number) {
  const clients = await Promise.all(Array.from({ length: count }, () => RawClient.connect(port)));
  for (const client of clients) cleanups.push(() => client.close());
  return { clients, lines: await Promise.all(clients.map((c) => c.readUntil(/\r\n/))) };
}

describe('connection caps over real sockets', () => {
  it('greets only maxUnauthenticatedPerIp of 300 connections from one address; BYE and close the rest', async () => {
    const port = await start();
    const { clients, lines } = await greetings(port, 300);
    const greeted = lines.filter((line) => line.startsWith('* OK [CAPABILITY '));
    const refused = lines.filter(
      (line) => line === '* BYE [UNAVAILABLE] Too many connections from your address\r\n',
    );
    expect(greeted).toHaveLength(DEFAULT_SESSION_LIMITS.maxUnauthenticatedPerIp);
    expect(refused).toHaveLength(300 - greeted.length);
    const refusedClients = clients.filter((_, i) => lines[i]!.startsWith('* BYE'));
    for (const client of refusedClients) {
      const deadline = Date.now() + 10_000;
      while (!client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(client.closed).toBe(true);
    }
  }, 60_000);

  it('lets an exempt address open as many as it likes', async () => {
    const port = await start((ip) => ip === '127.0.0.1');
    const { lines } = await greetings(port, 50);
    expect(lines.every((line) => line.startsWith('* OK [CAPABILITY '))).toBe(true);
  }, 60_000);
});
