import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterEach, expect, it } from 'vitest';
import { command, python } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  PACKAGE_DIRECTORY,
  type ServerProcess,
  runProgram,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const KMSRECOVER = join(
  PACKAGE_DIRECTORY,
  '..',
  '..',
  'packages',
  'kmsrecover-format',
  'dist',
  'main.js',
);
const users = {
  alice: { user: 'alice@example.test', password: 'alice-secret' },
  bob: { user: 'bob@example.test', password: 'bob-secret' },
};
const accountArgs = Object.values(users).flatMap((u) => ['--user', `${u.user}:${u.password}`]);

const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
});
async function start(data: string): Promise<ServerProcess> {
  const server = await startServer(data, [...EPHEMERAL_PORTS, ...accountArgs]);
  running.push(server);
  return server;
}

function kmsrecover(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [KMSRECOVER, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

let sent = 0;
/** Sends one message with swaks; resolves with its Message-ID once the server acknowledged it. */
async function send(server: ServerProcess, to: string): Promise<string | null> {
  const id = `<backup-${++sent}-${process.pid}@elsewhere.test>`;
  const result = await command('swaks', [
    '--server',
    `127.0.0.1:${server.ports.smtp}`,
    '--from',
    'carol@elsewhere.test',
    '--to',
    to,
    '--header',
    `Message-ID: ${id}`,
    '--header',
    `Subject: message ${sent}`,
  ]);
  return result.code === 0 ? id : null;
}

type StoreState = Record<
  string,
  { uidvalidity: number; messages: { uid: number; flags: string[]; messageId: string }[] }
>;
function imapState(
  server: ServerProcess,
  account: { user: string; password: string },
  setup = false,
) {
  return python<StoreState>('imap_store_state.py', [
    `--port=${server.ports.imaps}`,
    `--cafile=${join(server.data, 'sslcert', 'server.crt')}`,
    `--user=${account.user}`,
    `--password=${account.password}`,
    ...(setup ? ['--setup'] : []),
  ]);
}

/** Waits until the queue delivered everything it holds. */
async function queueEmpty(data: string): Promise<void> {
  const queue = join(data, 'store', 'queue');
  for (let i = 0; i < 200 && readdirSync(queue).some((name) => name.endsWith('.env')); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

describeWithCommand('swaks', 'backups of the running server, and kmsrecover', () => {
  it('backs up while mail arrives; after a wipe and kmsrecover every message acknowledged before is there once with its flags', async () => {
    const data = temporaryDataDirectory();
    let server = await start(data);
    for (let i = 0; i < 4; i++) {
      expect(await send(server, users.alice.user)).not.toBeNull();
      expect(await send(server, users.bob.user)).not.toBeNull();
    }
    await queueEmpty(data);
    await imapState(server, users.alice, true);
    await imapState(server, users.bob, true);

    // More mail arrives while the backup is taken.
    let stop = false;
    const during: Promise<unknown> = (async () => {
      while (!stop) await send(server, users.alice.user);
    })();
    const beforeBackup = {
      alice: await imapState(server, users.alice),
      bob: await imapState(server, users.bob),
    };
    const backup = await runProgram(['backup', '--data', data]);
    stop = true;
    await during;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const [part] = backup.stdout.trim().split('\n');
    expect(part).toMatch(/store\/backup\/C\d{8}T\d{6}Z\.zip$/);
    expect(existsSync(part!)).toBe(true);
    expect(readFileSync(join(data, 'logs', 'config.log'), 'utf8')).toMatch(
      /Admin - Store backup started/,
    );

    // kmsrecover refuses while the server runs.
    const refused = await kmsrecover(['-q', 'store/backup'], data);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/the store is in use by mailyard-server/);

    await server.stop('SIGTERM');
    running.splice(0);
    rmSync(join(data, 'store', 'mail'), { recursive: true });
    const restored = await kmsrecover(['-g', 'store/backup'], data);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);

    server = await start(data);
    for (const [name, account] of Object.entries(users)) {
      const after = await imapState(server, account);
      const before = beforeBackup[name as keyof typeof beforeBackup];
      for (const [folder, { messages }] of Object.entries(before)) {
        const ids = after[folder]!.messages.map((m) => m.messageId);
        for (const message of messages) {
          // Every message acknowledged before the backup began, exactly once, with its flags.
          expect(
            ids.filter((id) => id === message.messageId),
            `${name} ${folder} ${message.messageId}`,
          ).toHaveLength(1);
          expect(
            after[folder]!.messages.find((m) => m.messageId === message.messageId)!.flags,
          ).toEqual(message.flags);
        }
        expect(after[folder]!.uidvalidity).toBe(before[folder]!.uidvalidity);
      }
    }
  });

  it('restores one folder with -d -u -f -s into another directory, and backs up a stopped server', async () => {
    const data = temporaryDataDirectory();
    const server = await start(data);
    await send(server, users.alice.user);
    await send(server, users.alice.user);
    await queueEmpty(data);
    await imapState(server, users.alice, true);
    await server.stop('SIGTERM');
    running.splice(0);

    const backup = await runProgram([
      'backup',
      '--data',
      data,
      '--dest',
      join(data, '..', 'elsewhere'),
    ]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/elsewhere\/C\d{8}T\d{6}Z\.zip\n$/);
    const result = await kmsrecover(
      [
        '-d',
        'example.test',
        '-u',
        'alice',
        '-f',
        'Projects',
        '-s',
        join(data, '..', 'one-folder'),
        join(data, '..', 'elsewhere'),
      ],
      data,
    );
    expect(result.code).toBe(0);
    const folder = join(data, '..', 'one-folder', 'mail', 'example.test', 'alice', 'Projects');
    expect(readdirSync(join(folder, '#msgs'))).toEqual(['00000001.eml']);
    expect(existsSync(join(data, '..', 'one-folder', 'mail', 'example.test', 'bob'))).toBe(false);
  });

  it('refuses to start a second server on a store another one holds', async () => {
    const data = temporaryDataDirectory();
    await start(data);
    const second = await runProgram(['--data', data, ...EPHEMERAL_PORTS]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/the store is in use by mailyard-server \(process \d+/);
  });
});
