import { spawn } from 'node:child_process';

/**
 * Debian's sieve-connect with one action (`--upload`, `--activate`, `--list`...) against a
 * ManageSieve port, as `account` (STARTTLS, PLAIN); the password goes through file descriptor 3,
 * never on the command line. `cwd` is where it reads local scripts from.
 */
export function sieveConnect(
  server: { readonly port: number; readonly cwd: string },
  account: { readonly user: string; readonly password: string },
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sieve-connect',
      [
        ...['--server', '127.0.0.1', '--port', String(server.port)],
        ...['--user', account.user, '--authmech', 'PLAIN', '--passwordfd', '3'],
        '--notlsverify',
        '--noclearauth',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], cwd: server.cwd },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    (child.stdio[3] as NodeJS.WritableStream).end(`${account.password}\n`);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
