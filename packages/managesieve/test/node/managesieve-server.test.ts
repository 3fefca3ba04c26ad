/** The Node transport: STARTTLS, idle timeout, shutdown, connection caps, on real sockets. */
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ManageSieveServer,
  type ManageSieveServerOptions,
  createManageSieveServer,
} from '../../src/node/managesieve-server.js';
import { MemorySieveScriptStore } from '../../src/store/memory-sieve-script-store.js';

const servers: ManageSieveServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(100);
});

const PLAIN = Buffer.from('\0alice@example.com\0wonderland').toString('base64');

async function start(options: Partial<ManageSieveServerOptions> = {}) {
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  const store = new MemorySieveScriptStore();
  const server = createManageSieveServer({
    store,
    directory,
    hostname: 'localhost',
    listeners: [{ name: 'sieve', port: 0 }],
    ...options,
  });
  servers.push(server);
  const bound = await server.listen();
  return { server, store, port: bound[0]!.port };
}

/** A raw client socket that collects what it receives. */
class RawClient {
  socket: Socket;
  received = '';
  closed: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.listen(this.socket);
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Waits until what was received matches, and returns it all (and forgets it). */
  async until(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.received)) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.socket.once('close', resolve);
      });
      if (this.socket.destroyed && !pattern.test(this.received)) {
        throw new Error(`closed; received ${JSON.stringify(this.received)}`);
      }
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** STARTTLS: the handshake over the same socket, then the capabilities again. */
  async startTls(): Promise<string> {
    this.send('STARTTLS');
    await this.until(/^OK .*\r\n/);
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    this.socket = secure;
    this.listen(secure);
    return this.until(/\r\nOK .*\r\n$/);
  }
}

describe('createManageSieveServer', () => {
  it('upgrades with STARTTLS, then offers PLAIN and keeps scripts', async () => {
    const { port, store } = await start({ tls: selfSignedCertificate() });
    const client = new RawClient(port);
    const greeting = await client.until(/\r\nOK .*\r\n$/);
    expect(greeting).toContain('"STARTTLS"\r\n');
    expect(greeting).not.toMatch(/"SASL" "[^"]*PLAIN/);
    const capabilities = await client.startTls();
    expect(capabilities).toMatch(/"SASL" "[^"]*PLAIN[^"]*"\r\n/);
    expect(capabilities).not.toContain('STARTTLS');
    client.send(`AUTHENTICATE "PLAIN" "${PLAIN}"`);
    expect(await client.until(/\r\n$/)).toBe('OK "Logged in"\r\n');
    client.send('PUTSCRIPT "main" {5+}\r\nkeep;');
    client.send('SETACTIVE "main"');
    client.send('LOGOUT');
    expect(await client.until(/Logout completed"\r\n$/)).toBe(
      'OK "Putscript completed"\r\nOK "Setactive completed"\r\nOK "Logout completed"\r\n',
    );
    await client.closed;
    expect(await store.getActive('alice@example.com')).toEqual({ name: 'main', content: 'keep;' });
  });

  it('ends an idle session with BYE', async () => {
    const { port } = await start({ idleTimeoutMs: 300 });
    const client = new RawClient(port);
    await client.until(/\r\nOK .*\r\n$/);
    await client.closed;
    expect(client.received).toBe('BYE "Disconnected for inactivity"\r\n');
  });

  it('tells idle sessions it is shutting down with BYE (TRYLATER)', async () => {
    const { server, port } = await start();
    const client = new RawClient(port);
    await client.until(/\r\nOK .*\r\n$/);
    await server.close(2000);
    servers.length = 0;
    await client.closed;
    expect(client.received).toBe('BYE (TRYLATER) "Server shutting down"\r\n');
  });

  it('refuses connections from one address beyond maxConnectionsPerIp with BYE (TRYLATER), 300 of them', async () => {
    const { server, port } = await start({ maxConnectionsPerIp: 3 });
    const clients = Array.from({ length: 300 }, () => new RawClient(port));
    const firsts = await Promise.all(clients.map((c) => c.until(/\r\n/)));
    const accepted = clients.filter((_, i) => !firsts[i]!.startsWith('BYE'));
    expect(accepted).toHaveLength(3);
    for (const [i, first] of firsts.entries())
      if (first.startsWith('BYE'))
        expect(first, `connection ${i}`).toBe(
          'BYE (TRYLATER) "Too many connections from your address"\r\n',
        );
    await Promise.all(clients.filter((c) => !accepted.includes(c)).map((c) => c.closed));
    expect(server.sessions.size).toBe(3);
    for (const c of accepted) c.send('LOGOUT');
    await Promise.all(accepted.map((c) => c.closed));
  }, 60_000);

  it('does not count the addresses connectionLimitsExempt names', async () => {
    const { port } = await start({
      maxConnectionsPerIp: 1,
      connectionLimitsExempt: (address) => address === '127.0.0.1',
    });
    const clients = [new RawClient(port), new RawClient(port), new RawClient(port)];
    for (const c of clients) expect(await c.until(/\r\nOK .*\r\n$/)).toContain('"VERSION" "1.0"');
    for (const c of clients) c.send('LOGOUT');
    await Promise.all(clients.map((c) => c.closed));
  });

  it('closes a connection to a STARTTLS listener that has no certificate', async () => {
    const { port } = await start({ listeners: [{ name: 'sieve', port: 0, tls: 'starttls' }] });
    const client = new RawClient(port);
    await client.closed;
    expect(client.received).toBe('');
  });
});
