/**
 * Debian's sieve-connect (a Perl ManageSieve client nobody here wrote) drives the server on
 * loopback: STARTTLS, AUTHENTICATE PLAIN over TLS, then each of its actions.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { describeWithCommand, selfSignedCertificate } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ManageSieveServer,
  createManageSieveServer,
} from '../../src/node/managesieve-server.js';
import { FsSieveScriptStore } from '../../src/store/fs-sieve-script-store.js';

const SCRIPT =
  'require "fileinto";\nif header :contains "subject" "[list]" {\n  fileinto "Lists";\n}\n';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describeWithCommand('sieve-connect', 'sieve-connect against the ManageSieve server', () => {
  let server: ManageSieveServer;
  let store: FsSieveScriptStore;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sieve-connect-'));
    const directory = new MemoryDirectory();
    await directory.addDomain('example.com');
    await directory.addUser('alice@example.com', { password: 'wonderland' });
    store = new FsSieveScriptStore({ directory: join(dir, 'scripts') });
    server = createManageSieveServer({
      store,
      directory,
      hostname: 'localhost',
      tls: selfSignedCertificate(),
      // A stand-in checker: what it says must reach the client as RFC 5804 has it.
      checkScript: (script) =>
        script.includes('frobnicate')
          ? { ok: false, errors: ['line 1: unknown command "frobnicate"'] }
          : { ok: true, warnings: [] },
      sieveExtensions: ['fileinto'],
      listeners: [{ name: 'sieve', port: 0 }],
    });
    port = (await server.listen())[0]!.port;
  });

  afterAll(async () => {
    await server.close(1000);
    await rm(dir, { recursive: true, force: true });
  });

  /** sieve-connect with one action; the password goes through file descriptor 3. */
  function sieveConnect(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'sieve-connect',
        [
          '--server',
          '127.0.0.1',
          '--port',
          String(port),
          '--user',
          'alice@example.com',
          '--authmech',
          'PLAIN',
          '--passwordfd',
          '3',
          '--notlsverify',
          '--noclearauth',
          ...args,
        ],
        { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], cwd: dir },
      );
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      (child.stdio[3] as NodeJS.WritableStream).end('wonderland\n');
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('uploads, lists, activates, downloads, deactivates and deletes a script', async () => {
    await writeFile(join(dir, 'filter.sieve'), SCRIPT);
    const upload = await sieveConnect(
      '--upload',
      '--localsieve',
      'filter.sieve',
      '--remotesieve',
      'lists',
    );
    expect(upload, upload.stderr).toMatchObject({ code: 0 });
    expect(await store.get('alice@example.com', 'lists')).toBe(SCRIPT);

    const activate = await sieveConnect('--activate', '--remotesieve', 'lists');
    expect(activate, activate.stderr).toMatchObject({ code: 0 });
    expect((await store.getActive('alice@example.com'))?.name).toBe('lists');

    const list = await sieveConnect('--list');
    expect(list, list.stderr).toMatchObject({ code: 0 });
    // sieve-connect prints LISTSCRIPTS' lines as the server sent them.
    expect(list.stdout).toBe('"lists" ACTIVE\n');

    const download = await sieveConnect(
      '--download',
      '--remotesieve',
      'lists',
      '--localsieve',
      'copy.sieve',
    );
    expect(download, download.stderr).toMatchObject({ code: 0 });
    expect(await readFile(join(dir, 'copy.sieve'), 'utf8')).toBe(SCRIPT);

    const refused = await sieveConnect('--delete', '--remotesieve', 'lists');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The active script cannot be deleted');

    expect(await sieveConnect('--deactivate')).toMatchObject({ code: 0 });
    expect(await store.getActive('alice@example.com')).toBeNull();
    const deleted = await sieveConnect('--delete', '--remotesieve', 'lists');
    expect(deleted, deleted.stderr).toMatchObject({ code: 0 });
    expect((await store.list('alice@example.com')).scripts).toEqual([]);
  });

  it('shows the checker’s errors for a script it refuses, and stores nothing', async () => {
    await writeFile(join(dir, 'bad.sieve'), 'frobnicate;\n');
    const upload = await sieveConnect(
      '--upload',
      '--localsieve',
      'bad.sieve',
      '--remotesieve',
      'bad',
    );
    expect(upload.code).not.toBe(0);
    expect(upload.stderr).toContain('PUTSCRIPT(bad) failed: NO "line 1: unknown command');
    const check = await sieveConnect('--checkscript', '--localsieve', 'bad.sieve');
    expect(check.code).not.toBe(0);
    expect(check.stderr).toContain('unknown command');
    expect(await store.get('alice@example.com', 'bad')).toBeNull();
  });

  it('is refused a wrong password', async () => {
    const run = await new Promise<Run>((resolve) => {
      const child = spawn(
        'sieve-connect',
        [
          '--server',
          '127.0.0.1',
          '--port',
          String(port),
          '--user',
          'alice@example.com',
          '--authmech',
          'PLAIN',
          '--passwordfd',
          '3',
          '--notlsverify',
          '--list',
        ],
        { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      (child.stdio[3] as NodeJS.WritableStream).end('wrong\n');
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('Authentication failed');
  });
});
