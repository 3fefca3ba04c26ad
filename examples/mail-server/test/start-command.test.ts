import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EPHEMERAL_PORTS,
  PACKAGE_DIRECTORY,
  temporaryDataDirectory,
} from './harness/server-process.js';

const run = promisify(execFile);
const ROOT = join(PACKAGE_DIRECTORY, '..', '..');

/**
 * The README's start command is `npm ci && npm start`: the root's `start` builds this package
 * (and what it depends on) and runs its `mailyard-server` command. CI runs it as written, under
 * scripts/run-until-ready.mjs; this test does the same with the built program, on free ports.
 */
describe('the start command', () => {
  it('is the root package.json start script: build, then mailyard-server', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    expect(root.scripts?.start).toMatch(
      /^turbo run build --filter=@mailyard\/example-mail-server\.\.\.[^&]* && exec mailyard-server$/,
    );
    const own = JSON.parse(readFileSync(join(PACKAGE_DIRECTORY, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(own.bin).toEqual({ 'mailyard-server': './bin/mailyard-server.js' });
  });

  it('starts from its build, says ready, and stops on SIGTERM', async () => {
    const data = temporaryDataDirectory();
    const { stdout, stderr } = await run(
      process.execPath,
      [
        'scripts/run-until-ready.mjs',
        '--timeout',
        '60',
        '--',
        process.execPath,
        'bin/mailyard-server.js',
        '--data',
        data,
        ...EPHEMERAL_PORTS,
      ],
      { cwd: PACKAGE_DIRECTORY, timeout: 90_000 },
    );
    expect(stdout).toMatch(
      /^ready smtp=\d+ smtps=\d+ submission=\d+ imap=\d+ imaps=\d+ pop3=\d+ pop3s=\d+ sieve=\d+\n$/,
    );
    expect(stderr).toContain('mailyard-server: SIGTERM: stopping');
    expect(stderr).toContain('mailyard-server: stopped');
    expect(stderr).toContain('run-until-ready: ready, then stopped (0)');
  });

  it('is reported as failed when the command does not get to ready', async () => {
    const failed = run(
      process.execPath,
      ['scripts/run-until-ready.mjs', '--', process.execPath, 'bin/mailyard-server.js', '--smtp=x'],
      { cwd: PACKAGE_DIRECTORY, timeout: 60_000 },
    );
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('run-until-ready: the command ended (1) before it was ready'),
    });
  });
});

/** `npm start` run from the repository's root as a user runs it: its own process group, a job. */
interface NpmStart {
  readonly npm: ChildProcess;
  readonly ports: readonly number[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const groups: number[] = [];
afterEach(() => {
  // Whatever is left of a failed test's group (the server npm left behind, on the old script).
  for (const group of groups.splice(0)) {
    if (groupAlive(group)) process.kill(-group, 'SIGKILL');
  }
});

function startWithNpm(): Promise<NpmStart> {
  const npm = spawn(
    'npm',
    ['start', '--', '--data', temporaryDataDirectory(), ...EPHEMERAL_PORTS],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  groups.push(npm.pid!);
  let stdout = '';
  let stderr = '';
  npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    npm.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready (.*)\n/m.exec(stdout);
      if (ready) {
        const ports = ready[1]!.split(' ').map((pair) => Number(pair.split('=')[1]));
        resolve({ npm, ports, stderr: () => stderr, exited });
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`npm start ended (${code}) before ready:\n${stdout}\n${stderr}`)),
    );
  });
}

/**
 * Whether the group is gone, waiting for it up to the server's own shutdown bound: npm waits
 * for the server it passed the signal to, but on a busy machine a process that has exited can
 * still be there for a moment, until it is reaped.
 */
async function groupGone(group: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(group)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Whether any process of the group is still there (signal 0 only asks). */
function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start, stopped the ways users stop it', () => {
  it('stops the server when npm alone gets SIGTERM, as from a supervisor, freeing every port', async () => {
    const started = await startWithNpm();
    process.kill(started.npm.pid!, 'SIGTERM');
    await started.exited;
    // npm waits for what it started: once it is gone, nothing of the group may remain.
    expect(await groupGone(started.npm.pid!)).toBe(true);
    for (const port of started.ports) expect(await portFree(port)).toBe(true);
    expect(started.stderr()).toContain('mailyard-server: SIGTERM: stopping');
    expect(started.stderr()).toContain('mailyard-server: stopped');
  });

  it('stops gracefully on Ctrl-C, which signals the whole group: npm passes it on too', async () => {
    const started = await startWithNpm();
    process.kill(-started.npm.pid!, 'SIGINT');
    await started.exited;
    expect(await groupGone(started.npm.pid!)).toBe(true);
    for (const port of started.ports) expect(await portFree(port)).toBe(true);
    expect(started.stderr()).toContain('mailyard-server: SIGINT: stopping');
    expect(started.stderr()).toContain('mailyard-server: stopped');
    expect(started.stderr()).not.toContain('again');
  });
});
