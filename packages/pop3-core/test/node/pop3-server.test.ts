/** The Node transport: idle timeout, shutdown, connection caps, and backpressure on real sockets. */
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { MemoryDirectory, MemoryMailStore, type MailStore } from '@mailyard/mailstore-interface';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Pop3Server,
  type Pop3ServerOptions,
  createPop3Server,
} from '../../src/node/pop3-server.js';

const servers: Pop3Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(100);
});

async function start(
  options: Partial<Pop3ServerOptions> = {},
  store: MailStore = new MemoryMailStore(),
) {
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  const server = createPop3Server({
    store,
    directory,
    hostname: 'localhost',
    allowPlaintextAuth: true,
    listeners: [{ name: 'pop3', port: 0 }],
    ...options,
  });
  servers.push(server);
  const bound = await server.listen();
  return { server, store, port: bound[0]!.port, ports: bound.map((b) => b.port) };
}

/** Resolves once `condition` holds, looking again after each turn of the event loop. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw client socket that collects what it receives. */
class RawClient {
  readonly socket: Socket;
  received = '';
  receivedBytes = 0;
  /** Keep only the end of what arrives (for big transfers). */
  tailOnly = false;
  closed: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number, tls = false) {
    this.socket = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (text: string) => {
      this.received += text;
      if (this.tailOnly) this.received = this.received.slice(-64);
      this.receivedBytes += text.length;
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  /** Waits until what was received matches, and returns it (then forgets it). */
  async until(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.received)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}: ${this.received.slice(-300)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async login(): Promise<void> {
    await this.until(/^\+OK.*\r\n/);
    this.send('USER alice');
    this.send('PASS wonderland');
    await this.until(/Logged in.*\r\n/);
  }
}

describe('createPop3Server', () => {
  it('closes an idle session without UPDATE and without a word (RFC 1939 3)', async () => {
    // Longer than a password check (scrypt, in the thread pool) takes on a busy machine: the
    // timer runs from the client's last word, and PASS is answered only after the check.
    const { port, store } = await start({ idleTimeoutMs: 1_500 });
    await store.deliver('alice@example.com', { content: Buffer.from('Subject: a\r\n\r\nx\r\n') });
    const client = new RawClient(port);
    await client.login();
    client.send('DELE 1');
    await client.until(/deleted\r\n/);
    await client.closed;
    expect(client.received).toBe('');
    const inbox = await store.access('alice@example.com').open('INBOX');
    expect(await inbox.messages()).toHaveLength(1);
  });

  it('tells idle sessions it is shutting down, and deletes nothing of theirs', async () => {
    const { server, port, store } = await start();
    await store.deliver('alice@example.com', { content: Buffer.from('Subject: a\r\n\r\nx\r\n') });
    const client = new RawClient(port);
    await client.login();
    client.send('DELE 1');
    await client.until(/deleted\r\n/);
    await server.close(2000);
    servers.length = 0;
    await client.closed;
    expect(client.received).toBe('-ERR [SYS/TEMP] Server shutting down\r\n');
    const inbox = await store.access('alice@example.com').open('INBOX');
    expect(await inbox.messages()).toHaveLength(1);
  });

  it('refuses connections beyond maxConnections', async () => {
    const { port } = await start({ listeners: [{ name: 'pop3', port: 0, maxConnections: 1 }] });
    const first = new RawClient(port);
    await first.until(/^\+OK/);
    const second = new RawClient(port);
    await second.closed;
    expect(second.received).toBe('');
    first.send('QUIT');
    await first.closed;
  });

  it('refuses connections from one address beyond maxConnectionsPerIp with -ERR [SYS/TEMP], 300 of them', async () => {
    const { server, port } = await start({ maxConnectionsPerIp: 3 });
    const clients = Array.from({ length: 300 }, () => new RawClient(port));
    const greetings = await Promise.all(clients.map((c) => c.until(/\r\n/)));
    const accepted = clients.filter((_, i) => greetings[i]!.startsWith('+OK'));
    const refused = clients.filter((_, i) => !greetings[i]!.startsWith('+OK'));
    expect(accepted).toHaveLength(3);
    for (const [i, greeting] of greetings.entries())
      if (!greeting.startsWith('+OK'))
        expect(greeting, `connection ${i}`).toBe(
          '-ERR [SYS/TEMP] Too many connections from your address\r\n',
        );
    // The refused are closed by the server, and hold nothing.
    await Promise.all(refused.map((c) => c.closed));
    expect(server.sessions.size).toBe(3);
    // A connection that ends makes room for the next.
    accepted[0]!.send('QUIT');
    await accepted[0]!.closed;
    await until(() => server.sessions.size === 2); // the server has seen it go too
    const next = new RawClient(port);
    expect(await next.until(/\r\n/)).toMatch(/^\+OK /);
    for (const c of [...accepted.slice(1), next]) c.send('QUIT');
    await Promise.all([...accepted.slice(1), next].map((c) => c.closed));
  }, 60_000);

  it('counts pop3 and pop3s together, and refuses in TLS on the implicit-TLS port', async () => {
    const { ports } = await start({
      maxConnectionsPerIp: 1,
      tls: selfSignedCertificate(),
      listeners: [
        { name: 'pop3', port: 0, tls: 'starttls' },
        { name: 'pop3s', port: 0, tls: 'implicit' },
      ],
    });
    const plain = new RawClient(ports[0]!);
    expect(await plain.until(/\r\n/)).toMatch(/^\+OK /);
    const secure = tlsConnect({ port: ports[1]!, host: '127.0.0.1', rejectUnauthorized: false });
    let received = '';
    secure.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await new Promise((resolve) => secure.on('close', resolve));
    expect(received).toBe('-ERR [SYS/TEMP] Too many connections from your address\r\n');
    plain.send('QUIT');
    await plain.closed;
  });

  it('does not count the addresses maxConnectionsPerIp exempts', async () => {
    const { port } = await start({
      maxConnectionsPerIp: 1,
      connectionLimitsExempt: (address) => address === '127.0.0.1',
    });
    const clients = [new RawClient(port), new RawClient(port), new RawClient(port)];
    for (const c of clients) expect(await c.until(/\r\n/)).toMatch(/^\+OK /);
    for (const c of clients) c.send('QUIT');
    await Promise.all(clients.map((c) => c.closed));
  });

  it('caps connections per address at 20 by default', async () => {
    const { port } = await start();
    const clients = Array.from({ length: 21 }, () => new RawClient(port));
    const greetings = await Promise.all(clients.map((c) => c.until(/\r\n/)));
    expect(greetings.filter((g) => g.startsWith('+OK'))).toHaveLength(20);
    expect(greetings.filter((g) => g.startsWith('-ERR [SYS/TEMP]'))).toHaveLength(1);
    for (const c of clients) c.socket.destroy();
  });

  it('refuses a TLS listener without a certificate instead of speaking in the clear', async () => {
    const { port } = await start({ listeners: [{ name: 'pop3s', port: 0, tls: 'implicit' }] });
    const client = new RawClient(port);
    await client.closed;
    expect(client.received).toBe('');
  });

  it.each(['plain', 'implicit TLS'] as const)(
    'reads a big message from the store only as fast as the client takes it (%s)',
    async (transport) => {
      const store = new MemoryMailStore();
      const line = `${'y'.repeat(78)}\r\n`;
      const size = 50 * 1024 * 1024;
      const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`);
      await store.deliver('alice@example.com', { content: big });
      let readFromStore = 0;
      const access = store.access.bind(store);
      store.access = (user) => {
        const a = access(user);
        return new Proxy(a, {
          get(target, key) {
            if (key !== 'open') return Reflect.get(target, key);
            return async (name: string) => {
              const box = await target.open(name);
              const read = box.read.bind(box);
              box.read = async function* (uid, range) {
                // Hand the message out in 64 KiB pieces, as a file store does.
                for await (const chunk of read(uid, range)) {
                  for (let i = 0; i < chunk.length; i += 65536) {
                    const piece = chunk.subarray(i, i + 65536);
                    readFromStore += piece.length;
                    yield piece;
                  }
                }
              };
              return box;
            };
          },
        });
      };
      const tls = transport === 'implicit TLS';
      const { port } = await start(
        tls
          ? {
              tls: selfSignedCertificate(),
              listeners: [{ name: 'pop3s', port: 0, tls: 'implicit' }],
            }
          : {},
        store,
      );
      const client = new RawClient(port, tls);
      await client.login();
      readFromStore = 0; // the login read the message once to count its size
      client.socket.pause();
      client.tailOnly = true;
      client.send('RETR 1');
      await new Promise((r) => setTimeout(r, 500));
      // Socket buffers hold a few MB at most; the session waits for the client instead of the store.
      expect(readFromStore).toBeGreaterThan(0);
      expect(readFromStore).toBeLessThan(16 * 1024 * 1024);
      client.socket.resume();
      await client.until(/\r\n\.\r\n$/, 60_000);
      expect(readFromStore).toBe(big.length);
      expect(client.receivedBytes).toBeGreaterThan(big.length);
      client.send('QUIT');
      await client.closed;
    },
    60_000,
  );
});
