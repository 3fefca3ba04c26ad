import { MemoryMailStore, type MailAccess } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SESSION_LIMITS,
  type ImapServer,
  type ImapSession,
  createImapServer,
} from '../../src/index.js';
import { directory } from '../session/harness.js';
import { RawClient } from './raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store whose LIST waits until the test lets it go: a session busy with one command. */
class GatedStore extends MemoryMailStore {
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  override access(user: string): MailAccess {
    const access = super.access(user);
    return new Proxy(access, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target) as unknown;
        if (property === 'list') {
          return async () => {
            await this.gate;
            return target.list();
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/** What a session was handed: the most it held unread, and octets given to it while paused. */
function watch(session: ImapSession) {
  const seen = { maxBuffered: 0, receivedWhilePaused: 0 };
  const receive = session.receive.bind(session);
  session.receive = (bytes: Uint8Array) => {
    if (session.inputPaused) seen.receivedWhilePaused += bytes.length;
    receive(bytes);
    seen.maxBuffered = Math.max(seen.maxBuffered, session.bufferedInput);
  };
  return seen;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function start(): Promise<{ server: ImapServer; store: GatedStore; ports: number[] }> {
  const { key, cert } = selfSignedCertificate();
  const store = new GatedStore();
  const server = createImapServer({
    store,
    directory: await directory(),
    hostname: 'imap.example.com',
    allowPlaintextAuth: true,
    tls: { key, cert },
    listeners: [
      { name: 'imap', port: 0, tls: 'none' },
      { name: 'imaps', port: 0, tls: 'implicit' },
    ],
  });
  const ports = (await server.listen()).map((entry) => entry.port);
  cleanups.push(() => server.close(100));
  return { server, store, ports };
}

const highWater = DEFAULT_SESSION_LIMITS.inputHighWater;
/** What one chunk from the socket, the TLS layer or the inflater adds at most past the mark. */
const CHUNK = 64 * 1024;

describe('input backpressure between the socket and the session', () => {
  it.each([
    ['plain', false],
    ['implicit TLS', true],
  ])(
    'stops inflating a COMPRESS=DEFLATE bomb (%s) while the session has unread input',
    async (_, tls) => {
      const { server, store, ports } = await start();
      const client = await RawClient.connect(ports[tls ? 1 : 0]!, tls);
      cleanups.push(() => client.close());
      await client.readUntil(/\r\n/);
      await client.command('a LOGIN alice wonderland');
      await client.command('b COMPRESS DEFLATE');
      client.startCompression();
      const seen = watch([...server.sessions][0]!);
      // The session is busy with LIST while 32 MB of line (32 KB of deflate) arrive behind it.
      store.hold();
      client.send('c LIST "" *\r\n');
      const bomb = 32 * 1024 * 1024;
      await client.sendCompressedAtOnce(
        Buffer.concat([Buffer.from('d '), Buffer.alloc(bomb, 0x78), Buffer.from('\r\ne NOOP\r\n')]),
      );
      await until(() => seen.maxBuffered > highWater, 'the session to stop reading');
      store.release();
      const rest = await client.readUntil(/e OK NOOP completed\r\n/, 30_000);
      expect(rest).toContain('d BAD [TOOBIG] Line too long\r\n');
      // Nothing was inflated for the session while it had asked for no more.
      expect(seen.receivedWhilePaused).toBe(0);
      expect(seen.maxBuffered).toBeLessThanOrEqual(highWater + CHUNK);
    },
    60_000,
  );

  it('stops reading TLS records while the session has unread input', async () => {
    const { server, store, ports } = await start();
    const client = await RawClient.connect(ports[1]!, true);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    const seen = watch([...server.sessions][0]!);
    store.hold();
    client.send('c LIST "" *\r\n');
    client.send(Buffer.concat([Buffer.from('d '), Buffer.alloc(8 * 1024 * 1024, 0x78)]));
    client.send('\r\ne NOOP\r\n');
    await until(() => seen.maxBuffered > highWater, 'the session to stop reading');
    store.release();
    await client.readUntil(/e OK NOOP completed\r\n/, 30_000);
    expect(seen.receivedWhilePaused).toBe(0);
    expect(seen.maxBuffered).toBeLessThanOrEqual(highWater + CHUNK);
  }, 60_000);
});
