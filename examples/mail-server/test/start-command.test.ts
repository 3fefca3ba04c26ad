import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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
      /^turbo run build --filter=@mailyard\/example-mail-server\.\.\.[^&]* && mailyard-server$/,
    );
    const own = JSON.parse(readFileSync(join(PACKAGE_DIRECTORY, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(own.bin).toEqual({ 'mailyard-server': './bin/mailyard-server.js' });
  });

  it('builds, starts, says ready, and stops on SIGTERM', async () => {
    await run('npx', ['tsup'], { cwd: PACKAGE_DIRECTORY, timeout: 60_000 });
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
      /^ready smtp=\d+ smtps=\d+ submission=\d+ imap=\d+ imaps=\d+ pop3=\d+ pop3s=\d+\n$/,
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
