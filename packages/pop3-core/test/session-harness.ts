/** Drives a POP3 session with bytes over an in-memory store and directory, no sockets. */
import { randomBytes } from 'node:crypto';
import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';
import { deriveScramCredentials } from '@mailyard/sasl';
import { LineSessionDriver } from '@mailyard/test-kit';
import { Pop3Engine, type Pop3EngineOptions } from '../src/session/pop3-engine.js';
import type { Pop3Connection, Pop3Session, Pop3Transport } from '../src/session/pop3-session.js';

export const HOSTNAME = 'pop.example.com';

export async function fixtures(passwords: 'reversible' | 'hashed' = 'reversible') {
  const directory = new MemoryDirectory({
    deriveScram: deriveScramCredentials,
    ...(passwords === 'reversible' ? { reversibleKey: randomBytes(32) } : {}),
  });
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  await directory.addUser('bob@example.com', { password: 'builder' });
  await directory.addUser('carol@example.com', { password: 'x', enabled: false });
  const store = new MemoryMailStore();
  return { directory, store };
}

export type EngineSetup = Awaited<ReturnType<typeof fixtures>> & { engine: Pop3Engine };

export async function engine(
  options: Partial<Pop3EngineOptions> = {},
  passwords: 'reversible' | 'hashed' = 'reversible',
): Promise<EngineSetup> {
  const { directory, store } = await fixtures(passwords);
  const e = new Pop3Engine({
    store,
    directory,
    hostname: HOSTNAME,
    allowPlaintextAuth: true,
    random: () => 'r4nd0m',
    clock: { now: () => 1_700_000_000_000 },
    ...options,
  });
  return { directory, store, engine: e };
}

/** Drives a session, as its transport: records what it writes, can hold writes back. */
export class TestClient extends LineSessionDriver<Pop3Session> implements Pop3Transport {
  readonly session: Pop3Session;

  constructor(engine: Pop3Engine, connection: Partial<Pop3Connection> = {}) {
    super('latin1');
    this.session = engine.connect(
      {
        id: 'test-1',
        remoteAddress: '192.0.2.7',
        remotePort: 40000,
        localAddress: '127.0.0.1',
        localPort: 110,
        listener: 'pop3',
        secure: false,
        tlsAvailable: false,
        ...connection,
      },
      this,
    );
  }

  /** Sends a command line (CRLF added). */
  command(line: string): Promise<string> {
    return this.send(`${line}\r\n`);
  }

  async login(user = 'alice', password = 'wonderland'): Promise<string> {
    await this.command(`USER ${user}`);
    return this.command(`PASS ${password}`);
  }
}

export async function connected(
  setup: EngineSetup,
  connection: Partial<Pop3Connection> = {},
): Promise<TestClient> {
  const client = new TestClient(setup.engine, connection);
  await client.start();
  return client;
}

export const message = (subject: string, body = 'Hello\r\n') =>
  Buffer.from(`From: x@example.net\r\nTo: alice@example.com\r\nSubject: ${subject}\r\n\r\n${body}`);
