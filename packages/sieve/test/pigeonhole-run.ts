// Pigeonhole's sieve-test in a directory of its own, with plugin settings, for the differential
// tests of batch A that need more than the core's (vacation executes the result; spamtest needs
// its header configured). As root, sieve-test drops to nobody, who must reach the files.
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandPeer } from '@mailyard/test-kit';

/** Pigeonhole's `sieve-test` (Debian `dovecot-sieve`), the differential tests' peer. */
export const SIEVE_TEST = commandPeer('sieve-test', 'dovecot-sieve');

export interface SieveTestRun {
  readonly script: string;
  readonly message: string;
  readonly from: string;
  readonly to: string;
  /** Lines of the `plugin { }` section (`sieve_extensions = +vacation-seconds`). */
  readonly plugin?: readonly string[];
}

/** A prepared directory; `run(extraArgs)` calls sieve-test there; `remove()` cleans up. */
export function sieveTestDirectory(input: SieveTestRun): {
  run(extra?: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  remove(): void;
} {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-sieve-test-'));
  const asRoot = process.getuid?.() === 0;
  const config = [
    `mail_location = maildir:${directory}/Maildir`,
    ...(asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
    'plugin {',
    ...(input.plugin ?? []).map((line) => `  ${line}`),
    '}',
    '',
  ];
  writeFileSync(join(directory, 'dovecot.conf'), config.join('\n'));
  writeFileSync(join(directory, 'script.sieve'), input.script);
  writeFileSync(join(directory, 'message.eml'), input.message);
  if (asRoot) {
    chownSync(directory, 65534, 65534);
    for (const file of readdirSync(directory)) chownSync(join(directory, file), 65534, 65534);
  }
  const args = [
    ...['-c', join(directory, 'dovecot.conf')],
    ...['-f', input.from === '' ? '<>' : input.from, '-r', input.to],
  ];
  const files = [join(directory, 'script.sieve'), join(directory, 'message.eml')];
  return {
    run: (extra = []) =>
      new Promise((resolve) => {
        execFile(
          'sieve-test',
          [...args, ...extra, ...files],
          { env: { ...process.env, HOME: directory } },
          (_error, stdout, stderr) => resolve({ stdout, stderr }),
        );
      }),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
