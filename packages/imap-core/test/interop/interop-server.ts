import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { type ImapServer, type ImapServerOptions, createImapServer } from '../../src/index.js';
import { directory } from '../session/harness.js';

/** Our server over the on-disk store, on 127.0.0.1 with ephemeral ports: what real clients talk to. */
export interface InteropServer {
  readonly server: ImapServer;
  readonly store: FsMailStore;
  readonly directory: string;
  /** Plain with STARTTLS. */
  readonly port: number;
  /** Implicit TLS. */
  readonly tlsPort: number;
  stop(): Promise<void>;
}

export async function startInteropServer(
  overrides: Partial<ImapServerOptions> = {},
): Promise<InteropServer> {
  const dir = mkdtempSync(join(tmpdir(), 'imap-interop-'));
  const store = new FsMailStore({ directory: join(dir, 'store') });
  const { key, cert } = selfSignedCertificate();
  const server = createImapServer({
    store,
    directory: await directory(),
    hostname: 'localhost',
    tls: { key, cert },
    listeners: [
      { name: 'imap', port: 0, tls: 'starttls' },
      { name: 'imaps', port: 0, tls: 'implicit' },
    ],
    ...overrides,
  });
  const [plain, secure] = await server.listen();
  return {
    server,
    store,
    directory: dir,
    port: plain!.port,
    tlsPort: secure!.port,
    async stop() {
      await server.close(200);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
