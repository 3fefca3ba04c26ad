/**
 * Debian's SpamAssassin as the spam benches run it: a site configuration of our own (Debian's
 * plugin loading and local.cf, plus a Bayes database in a work directory and no auto-learning,
 * so it learns exactly what it is given), `sa-learn` of given message files or directories, and
 * `spamd -L` (network tests off) on a free loopback port, asked with `spamc`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@mailyard/test-kit';

const run = promisify(execFile);

/**
 * A site configuration under `work` whose Bayes database learned `spam` and `ham` (message files
 * or directories); returns its directory. `work` must be readable by nobody (spamd's user).
 */
export async function learnedSpamAssassinSite(
  work: string,
  spam: readonly string[],
  ham: readonly string[],
): Promise<string> {
  const site = join(work, 'sa-site');
  cpSync('/etc/spamassassin', site, { recursive: true });
  const bayesPath = join(work, 'sa-bayes', 'bayes');
  mkdirSync(join(work, 'sa-bayes'), { recursive: true, mode: 0o777 });
  writeFileSync(
    join(site, 'zz_bench.cf'),
    `use_bayes 1\nbayes_auto_learn 0\nbayes_path ${bayesPath}\nbayes_file_mode 0666\nlock_method flock\n`,
  );
  for (const [kind, paths] of [
    ['spam', spam],
    ['ham', ham],
  ] as const)
    await run('sa-learn', ['--siteconfigpath', site, '-L', `--${kind}`, ...paths], {
      maxBuffer: 1 << 26,
    });
  await run('chmod', ['-R', 'a+rwX', site, join(work, 'sa-bayes')]);
  chmodSync(work, 0o755);
  return site;
}

/** spamd over `site` with two children (as the benches rate two messages at a time). */
export async function startSpamd(site: string): Promise<{ port: number; spamd: ChildProcess }> {
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
  return { port, spamd };
}

/** spamc's answer for a message file: `-c` the score, `-y` the rules hit, `-R` the score and the report. */
export function spamc(port: number, file: string, ask: '-c' | '-y' | '-R'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('spamc', [ask, '-p', String(port), '-d', '127.0.0.1', '-s', '10000000'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(out.trim()));
    child.stdin.end(readFileSync(file));
  });
}

/**
 * The rules spamd fires (`spamc -y`, network tests and Bayes off, Debian's site configuration)
 * on each of `files`, written one a line to `answerOf(file)`: the rule diff benches' cache. The
 * site configuration is made in `siteParent` (readable by nobody, spamd's user).
 */
export async function cacheSpamdRules(
  siteParent: string,
  files: readonly string[],
  answerOf: (file: string) => string,
): Promise<void> {
  const site = join(siteParent, 'sa-site');
  cpSync('/etc/spamassassin', site, { recursive: true });
  writeFileSync(join(site, 'zz_no_bayes.cf'), 'use_bayes 0\nbayes_auto_learn 0\n');
  chmodSync(siteParent, 0o755);
  const { port, spamd } = await startSpamd(site);
  try {
    let next = 0;
    const client = async () => {
      while (next < files.length) {
        const file = files[next++]!;
        const answer = await spamc(port, file, '-y');
        writeFileSync(answerOf(file), (answer ? answer.split(',') : []).join('\n'));
        if (next % 250 === 0) console.error(`spamd: ${next}/${files.length}`);
      }
    };
    await Promise.all([client(), client()]);
  } finally {
    spamd.kill('SIGTERM');
  }
}
