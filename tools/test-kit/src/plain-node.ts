import { spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface NodeRun {
  /** The exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a script in a node process of its own, outside vitest, and resolves when it exits by
 * itself: what an application's process does when it ends is seen only there (vitest keeps the
 * event loop alive; a plain node ends when nothing holds it, exit code 13 if a top-level await
 * never settled). A TypeScript script runs through tsx, which adds no timer of its own.
 */
export function runPlainNode(
  script: string,
  options: { readonly cwd?: string; readonly args?: readonly string[] } = {},
): Promise<NodeRun> {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, script, ...(options.args ?? [])], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A server as `closeWithClientConnected` drives it: any of Mailyard's `create*Server`. */
export interface ClosableServer {
  listen(): Promise<readonly { readonly port: number }[]>;
  close(): Promise<void>;
}

/**
 * For a script run by {@link runPlainNode}: starts the server, connects a client that reads the
 * greeting and then idles, and awaits `server.close()` while it is connected. Resolves, once
 * the server has ended the connection, with everything the client was sent; a `close()` that
 * waits on a timer not holding the event loop never gets there (node exits with code 13).
 */
export async function closeWithClientConnected(server: ClosableServer): Promise<string> {
  const { port } = (await server.listen())[0]!;
  const client = connect(port, '127.0.0.1');
  let said = '';
  client.on('data', (chunk: Buffer) => (said += chunk.toString()));
  await new Promise((resolve) => client.once('data', resolve));
  await server.close();
  await new Promise((resolve) =>
    client.readableEnded ? resolve(null) : client.once('end', resolve),
  );
  return said;
}
