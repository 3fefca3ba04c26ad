import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { afterEach, describe, expect, it } from 'vitest';
import { type ImapServer, createImapServer } from '../../src/index.js';
import { directory } from '../session/harness.js';
import { RawClient } from './raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function loggedIn(port: number, user: string, password: string): Promise<RawClient> {
  const client = await RawClient.connect(port);
  cleanups.push(() => client.close());
  await client.readUntil(/\r\n/);
  expect(await client.command(`a LOGIN ${user} ${password}`)).toMatch(/a OK/);
  return client;
}

describe("the server's in-flight literal budget", () => {
  it('is shared by every connection, and a client cut off mid-literal gives its share back', async () => {
    const server: ImapServer = createImapServer({
      store: new MemoryMailStore(),
      directory: await directory(),
      hostname: 'imap.example.com',
      allowPlaintextAuth: true,
      limits: { maxInFlightPerServer: 1_000_000, maxInFlightPerUser: 0 },
      listeners: [{ name: 'imap', port: 0, tls: 'none' }],
    });
    const port = (await server.listen())[0]!.port;
    cleanups.push(() => server.close(100));
    const alice = await loggedIn(port, 'alice@example.com', 'wonderland');
    const bob = await loggedIn(port, 'bob@example.com', 'builder');

    alice.send('b APPEND INBOX {800000}\r\n');
    await alice.readUntil(/\+ Ready for literal data\r\n/);
    alice.send(Buffer.alloc(100_000, 0x61));
    expect(await bob.command('c APPEND INBOX {300000}')).toBe(
      'c NO [LIMIT] Server busy receiving mail, try again later\r\n',
    );

    alice.close();
    await until(() => server.sessions.size === 1, "alice's session to end");
    bob.send('d APPEND INBOX {300000}\r\n');
    await bob.readUntil(/\+ Ready for literal data\r\n/);
    bob.send(Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), Buffer.alloc(300_000 - 14, 0x62)]));
    bob.send('\r\n');
    expect(await bob.readUntil(/d OK[^\r]*\r\n/)).toMatch(/^d OK \[APPENDUID /);
  });
});
