/**
 * Debian's spamd as the spam benchmarks run it: network tests off (-L), the given site
 * configuration, two children (as Mailyard's two worker threads), on a free loopback port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@mailyard/test-kit';

export interface RunningSpamd {
  readonly port: number;
  readonly process: ChildProcess;
}

/** Starts spamd over the site configuration `site` and resolves once it listens. */
export async function startSpamd(site: string): Promise<RunningSpamd> {
  const port = await freePort();
  const spamd = spawn(
    'spamd',
    [
      '-L',
      '--siteconfigpath',
      site,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '--max-children',
      '2',
      '--min-children',
      '2',
      '-x',
      '-u',
      'nobody',
      '-s',
      'stderr',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    spamd.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/server started on/.test(log)) resolve();
    });
    spamd.once('exit', (code) => reject(new Error(`spamd exited (${code}): ${log}`)));
  });
  return { port, process: spamd };
}
