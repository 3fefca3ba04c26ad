import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ImapCounters,
  type ImapServer,
  type ImapServerOptions,
  createImapServer,
} from '../../src/index.js';
import { ALICE, directory, message } from '../session/harness.js';
import { RawClient } from './raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Partial<ImapServerOptions> = {}) {
  const { key, cert } = selfSignedCertificate();
  const server: ImapServer = createImapServer({
    store: new MemoryMailStore(),
    directory: await directory(),
    hostname: 'imap.example.com',
    tls: { key, cert },
    listeners: [
      { name: 'imap', port: 0, tls: 'starttls' },
      { name: 'imaps', port: 0, tls: 'implicit' },
    ],
    ...overrides,
  });
  const ports = await server.listen();
  cleanups.push(() => server.close(100));
  return { server, plain: ports[0]!.port, secure: ports[1]?.port ?? 0 };
}

describe('createImapServer', () => {
  it('serves plain connections with STARTTLS, refusing LOGIN before it', async () => {
    const { plain } = await start();
    const client = await RawClient.connect(plain);
    cleanups.push(() => client.close());
    const greeting = await client.readUntil(/\r\n/);
    expect(greeting).toMatch(/^\* OK \[CAPABILITY [^\]]* STARTTLS LOGINDISABLED/);
    expect(await client.command('a LOGIN alice wonderland')).toContain('a NO [PRIVACYREQUIRED]');
    expect(await client.command('b STARTTLS')).toBe('b OK Begin TLS negotiation now\r\n');
    await client.startTls();
    expect(await client.command('c CAPABILITY')).toContain('AUTH=PLAIN');
    expect(await client.command('d LOGIN alice wonderland')).toMatch(/^d OK \[CAPABILITY/);
    expect(await client.command('e LOGOUT')).toContain('* BYE');
  });

  it('serves implicit TLS, offering SCRAM-SHA-256-PLUS with channel binding', async () => {
    const { secure } = await start();
    const client = await RawClient.connect(secure, true);
    cleanups.push(() => client.close());
    const greeting = await client.readUntil(/\r\n/);
    expect(greeting).toContain('AUTH=SCRAM-SHA-256-PLUS');
    expect(greeting).not.toContain('STARTTLS');
    expect(await client.command('a LOGIN alice wonderland')).toMatch(/^a OK/);
  });

  it('speaks DEFLATE in both directions after COMPRESS (RFC 4978)', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('compressed') });
    const { secure } = await start({ store });
    const client = await RawClient.connect(secure, true);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    expect(await client.command('b COMPRESS DEFLATE')).toBe('b OK DEFLATE active\r\n');
    client.startCompression();
    expect(await client.command('c SELECT INBOX')).toContain('* 1 EXISTS');
    expect(await client.command('d FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]')).toContain(
      'Subject: compressed',
    );
    expect(await client.command('e COMPRESS DEFLATE')).toContain('e NO [COMPRESSIONACTIVE]');
  });

  it('logs an idle client out with BYE when its timer runs out', async () => {
    const { plain } = await start({ timeouts: { unauthenticated: 200, authenticated: 400 } });
    const client = await RawClient.connect(plain);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    expect(await client.readUntil(/\* BYE Autologout/, 2000)).toContain(
      '* BYE Autologout; idle for too long',
    );
  });

  it('gives a client that pipelined LOGIN with IDLE the authenticated timer, not the login one', async () => {
    const { plain, secure } = await start({
      allowPlaintextAuth: true,
      // Long enough for LOGIN's password check (scrypt, in the thread pool) on a busy machine;
      // the IDLE below outlasts it.
      timeouts: { unauthenticated: 1_000, authenticated: 60_000 },
    });
    for (const [port, tls] of [
      [plain, false],
      [secure, true],
    ] as const) {
      const client = await RawClient.connect(port, tls);
      cleanups.push(() => client.close());
      await client.readUntil(/\r\n/);
      // One chunk, received while not yet logged in: nothing more arrives to re-arm the timer.
      client.send('a LOGIN alice wonderland\r\nb SELECT INBOX\r\nc IDLE\r\n');
      await client.readUntil(/\+ idling\r\n/);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      client.send('DONE\r\n');
      const after = await client.readUntil(/c OK[^\r]*\r\n/);
      expect(after).not.toContain('BYE');
    }
  });

  it('counts connections, logins, bytes and messages sent (Kerio IMAP counters)', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('counted') });
    const counters = new ImapCounters();
    const { secure } = await start({ store, counters });
    const client = await RawClient.connect(secure, true);
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    await client.command('b SELECT INBOX');
    await client.command('c FETCH 1 BODY[]');
    expect(counters.snapshot()).toMatchObject({
      connections: 1,
      connectionsCurrent: 1,
      logins: 1,
      messagesSent: 1,
    });
    expect(counters.bytesSent).toBeGreaterThan(message('counted').length);
    client.close();
    for (let i = 0; i < 100 && counters.connectionsCurrent > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(counters.connectionsCurrent).toBe(0);
  });

  it('says BYE to everyone on close', async () => {
    const { server, plain } = await start();
    const client = await RawClient.connect(plain);
    await client.readUntil(/\r\n/);
    await server.close(500);
    expect(await client.readUntil(/\* BYE/, 2000)).toContain(
      '* BYE [UNAVAILABLE] Server shutting down',
    );
  });

  it('does not buffer a large body for a client that does not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imap-backpressure-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new FsMailStore({ directory: dir });
    const size = 48 * 1024 * 1024;
    await store.deliver(ALICE, {
      content: Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(size, 0x61)]),
    });
    const counters = new ImapCounters();
    const { secure } = await start({ store, counters });
    const client = await RawClient.connect(secure, true);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    await client.command('b SELECT INBOX');
    // From here on the client counts octets instead of keeping them, and stops reading for a while.
    const socket = client.raw;
    socket.removeAllListeners('data');
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.pause();
    const sentBefore = counters.bytesSent;
    client.send('c FETCH 1 BODY.PEEK[]\r\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The session only reads from the store what the socket could take: kernel buffers, no more.
    expect(counters.bytesSent - sentBefore).toBeLessThan(16 * 1024 * 1024);
    socket.resume();
    while (received < size) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counters.bytesSent - sentBefore).toBeGreaterThan(size);
  }, 60_000);
});
