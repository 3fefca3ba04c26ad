/**
 * Real peers for the client's interop tests: Postfix's smtp-sink (Debian package postfix). Tests
 * skip when a peer is missing, unless MAILYARD_REQUIRE_PEERS=1, where they must fail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Peer, commandPeer, freePort } from '@mailyard/test-kit';

export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const SMTP_SINK_PEER: Peer = {
  name: `Postfix's smtp-sink (${SMTP_SINK})`,
  available: existsSync(SMTP_SINK),
  install: 'apt-get install postfix',
};

export const OPENSSL: Peer = commandPeer('openssl');

export interface SmtpSink {
  readonly port: number;
  /** The transactions smtp-sink dumped (its -d format: its own X- headers, then the message). */
  dumps(): string[];
  stop(): Promise<void>;
}

/** Starts smtp-sink on 127.0.0.1 with a dump directory and the given extra options. */
export async function startSmtpSink(options: readonly string[] = []): Promise<SmtpSink> {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-sink-'));
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const child: ChildProcess = spawn(
    SMTP_SINK,
    [...user, ...options, '-d', `${directory}/%M.`, `127.0.0.1:${port}`, '50'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited: ${stderr}`);
    if (await accepts(port)) break;
    if (i > 100) throw new Error(`smtp-sink did not listen: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    dumps: () =>
      readdirSync(directory)
        .sort()
        .map((name) => readFileSync(join(directory, name), 'latin1')),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
