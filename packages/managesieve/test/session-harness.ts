/** Drives a ManageSieve session with bytes over an in-memory store and directory, no sockets. */
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { deriveScramCredentials } from '@mailyard/sasl';
import { LineSessionDriver } from '@mailyard/test-kit';
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

/** Drives a session, as its transport: records what it writes, can hold writes back. */
export class TestClient
  extends LineSessionDriver<ManageSieveSession>
  implements ManageSieveTransport
{
  readonly session: ManageSieveSession;

  constructor(engine: ManageSieveEngine, connection: Partial<ManageSieveConnection> = {}) {
    super('utf8');
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

  /** Logs in as alice with PLAIN. */
  async login(login = 'alice@example.com', password = 'wonderland'): Promise<string> {
    await this.start();
    return this.send(plainLogin(login, password));
  }
}
