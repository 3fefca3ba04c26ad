import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The package directory: the program runs from its source, through tsx, as `npm run dev` does. */
export const PACKAGE_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every listener on a free port: tests run side by side with other servers on this machine. */
export const EPHEMERAL_PORTS = [
  '--smtp=0',
  '--smtps=0',
  '--submission=0',
  '--imap=0',
  '--imaps=0',
  '--pop3=0',
  '--pop3s=0',
  '--sieve=0',
];

const temporaryDirectories: string[] = [];
// Registered before the test file's own hooks, so it runs after them, once its servers stopped.
afterAll(() => {
  for (const directory of temporaryDirectories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

/** `<a new temporary directory>/data`; the directory goes when the test file is done. */
export function temporaryDataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-server-test-'));
  temporaryDirectories.push(directory);
  return join(directory, 'data');
}

export interface ServerProcess {
  readonly data: string;
  /** The server's process id (to look at its descriptors, or limit them with prlimit). */
  readonly pid: number;
  /** The ports from the `ready` line, by listener name. */
  readonly ports: Readonly<Record<string, number>>;
  /** Every line the program wrote to stdout (the contract: only `ready ...`). */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnProgram(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: PACKAGE_DIRECTORY,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/**
 * Starts `mailyard-server --data <data> <args>` and resolves once it said `ready`; rejects with
 * what it wrote to stderr when it exits first or takes longer than `timeoutMs`.
 */
export function startServer(
  data: string,
  args: readonly string[] = EPHEMERAL_PORTS,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const child = spawnProgram(['--data', data, ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line after ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready(.*)\n/m.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      const ports = Object.fromEntries(
        ready[1]!
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((pair) => {
            const [name, port] = pair.split('=');
            return [name!, Number(port)];
          }),
      );
      resolve({
        data,
        pid: child.pid!,
        ports,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before ready; stderr:\n${stderr}`));
    });
  });
}

/** Runs the program to its end (for the ways it must refuse to start). */
export function runProgram(args: readonly string[], timeoutMs = 30_000): Promise<ProgramResult> {
  const child = spawnProgram(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms; stdout:\n${stdout}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
