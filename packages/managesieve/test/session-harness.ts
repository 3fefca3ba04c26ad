/** Drives a ManageSieve session with bytes over an in-memory store and directory, no sockets. */
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { deriveScramCredentials } from '@mailyard/sasl';
import {
  ManageSieveEngine,
  type ManageSieveEngineOptions,
} from '../src/session/managesieve-engine.js';
import type {
  ManageSieveConnection,
  ManageSieveSession,
  ManageSieveTransport,
} from '../src/session/managesieve-session.js';
import { MemorySieveScriptStore } from '../src/store/memory-sieve-script-store.js';

export const HOSTNAME = 'sieve.example.com';

export async function engine(options: Partial<ManageSieveEngineOptions> = {}) {
  const directory = new MemoryDirectory({ deriveScram: deriveScramCredentials });
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  await directory.addUser('bob@example.com', { password: 'builder' });
  await directory.addUser('carol@example.com', { password: 'x', enabled: false });
  const store = new MemorySieveScriptStore();
  const e = new ManageSieveEngine({
    store,
    directory,
    hostname: HOSTNAME,
    allowPlaintextAuth: true,
    ...options,
  });
  return { directory, store, engine: e };
}

/** `AUTHENTICATE "PLAIN" "<base64>"` for a login and password. */
export function plainLogin(login: string, password: string): string {
  return `AUTHENTICATE "PLAIN" "${Buffer.from(`\0${login}\0${password}`).toString('base64')}"\r\n`;
}

/** A transport that records what the session writes and can hold writes back (backpressure). */
export class TestClient implements ManageSieveTransport {
  readonly session: ManageSieveSession;
  private output: Buffer[] = [];
  closed = false;
  paused = false;
  tlsStarted = 0;
  writesBeforeFull = Infinity;
  private drainWaiters: (() => void)[] = [];
  writes = 0;

  constructor(engine: ManageSieveEngine, connection: Partial<ManageSieveConnection> = {}) {
    this.session = engine.connect(
      {
        id: 'test-1',
        remoteAddress: '192.0.2.7',
        remotePort: 40000,
        localAddress: '127.0.0.1',
        localPort: 4190,
        listener: 'sieve',
        secure: false,
        tlsAvailable: false,
        ...connection,
      },
      this,
    );
  }

  write(bytes: Uint8Array): boolean {
    this.output.push(Buffer.from(bytes));
    this.writes++;
    return this.writes < this.writesBeforeFull;
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  release(): void {
    this.writesBeforeFull = Infinity;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  async startTls(): Promise<void> {
    this.tlsStarted++;
  }

  close(): void {
    this.closed = true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async start(): Promise<string> {
    this.session.start();
    await this.session.idle();
    return this.take();
  }

  async send(text: string | Buffer): Promise<string> {
    this.session.receive(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    await this.session.idle();
    return this.take();
  }

  /** Logs in as alice with PLAIN. */
  async login(login = 'alice@example.com', password = 'wonderland'): Promise<string> {
    await this.start();
    return this.send(plainLogin(login, password));
  }

  take(): string {
    const text = Buffer.concat(this.output).toString('utf8');
    this.output = [];
    return text;
  }
}
