/** Our POP3 server on loopback over the on-disk store, for the real clients to talk to. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { deriveScramCredentials } from '@mailyard/sasl';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { createPop3Server } from '../../src/node/pop3-server.js';
import type { Pop3EngineOptions } from '../../src/session/pop3-engine.js';

export interface ServerFixture {
  readonly store: FsMailStore;
  readonly directory: MemoryDirectory;
  readonly ports: { pop3: number; pop3s: number; open: number };
  /** The self-signed certificate's PEM, in a file, for clients to trust. */
  readonly caFile: string;
  readonly work: string;
  readonly logins: string[];
  deliver(user: string, content: string | Buffer): Promise<void>;
  inbox(user: string): Promise<{ uid: number; flags: readonly string[]; content: Buffer }[]>;
  close(): Promise<void>;
}

/**
 * Three listeners: `pop3` (plain, STLS offered, no password before TLS), `pop3s` (implicit
 * TLS) and `open` (plain, passwords allowed in the clear, no TLS: for clients we cannot make
 * trust a self-signed certificate).
 */
export async function startServer(
  options: Partial<Pop3EngineOptions> = {},
): Promise<ServerFixture> {
  const work = mkdtempSync(join(tmpdir(), 'mailyard-pop3-'));
  const store = new FsMailStore({ directory: join(work, 'store') });
  const directory = new MemoryDirectory({
    deriveScram: deriveScramCredentials,
    reversibleKey: randomBytes(32),
  });
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  await directory.addUser('bob@example.com', { password: 'builder' });
  const certificate = selfSignedCertificate();
  const caFile = join(work, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  const logins: string[] = [];
  const server = createPop3Server({
    store,
    directory,
    hostname: 'localhost',
    tls: certificate,
    allowPlaintextAuth: (connection) => connection.listener === 'open',
    hooks: { onLogin: (user, session) => void logins.push(`${user} ${session.listener}`) },
    listeners: [
      { name: 'pop3', port: 0, tls: 'starttls' },
      { name: 'pop3s', port: 0, tls: 'implicit' },
      { name: 'open', port: 0, tls: 'none' },
    ],
    ...options,
  });
  const bound = await server.listen();
  const port = (name: string) => bound.find((b) => b.name === name)!.port;
  return {
    store,
    directory,
    ports: { pop3: port('pop3'), pop3s: port('pop3s'), open: port('open') },
    caFile,
    work,
    logins,
    async deliver(user, content) {
      await store.deliver(user, { content: Buffer.from(content) });
    },
    async inbox(user) {
      const box = await store.access(user).open('INBOX');
      try {
        const states = await box.messages();
        const out = [];
        for (const state of states) {
          const chunks: Uint8Array[] = [];
          for await (const chunk of box.read(state.uid)) chunks.push(chunk);
          out.push({ uid: state.uid, flags: state.flags, content: Buffer.concat(chunks) });
        }
        return out;
      } finally {
        box.close();
      }
    },
    async close() {
      await server.close(1000);
      await store.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Runs a program without blocking the event loop (our server is in this process). */
export function runPeer(
  command: string,
  args: readonly string[],
  options: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        timeout: options.timeout ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'latin1',
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && typeof error.code !== 'number' && !('killed' in error)) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A message the way SMTP delivers one: CRLF, a dot-led line to test stuffing. */
export function sampleMessage(n: number, extra = ''): string {
  return (
    `From: sender@remote.test\r\nTo: alice@example.com\r\nSubject: message ${n}\r\n` +
    `Message-ID: <${n}.${randomBytes(4).toString('hex')}@remote.test>\r\n\r\n` +
    `Line one of ${n}\r\n.a line that starts with a dot\r\n${extra}last line\r\n`
  );
}
