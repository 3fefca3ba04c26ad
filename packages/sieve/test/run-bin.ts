import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface BinResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mailyard-sieve-test` (the bin's source, through tsx) from the package's directory. */
export function runBin(args: readonly string[]): Promise<BinResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsx, CLI, ...args],
      { cwd: PACKAGE_DIR },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
