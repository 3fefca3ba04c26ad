/**
 * CPU of the spam rating, another revision's build against this worktree's, side by side:
 * `npm run bench:spam-ab -w @mailyard/bench -- --base <git rev> [--pairs N] [--threads]`.
 *
 * On a loaded machine one run after another swings more than the changes measured (the same
 * build gave 14.6 to 16.8 CPU seconds from one run to the next at load 4 to 6), so each pair
 * starts the base's run and the current run at the same moment: both see the same load, and the
 * ratio of their CPU seconds is what is reported, never the figures alone. The pairs alternate
 * which of the two is started first.
 *
 * The base revision's `@mailyard/spam-scoring` and the workspace packages it depends on (mime,
 * access-policy) are taken from git (`git archive`, no worktree and no checkout) into a
 * temporary directory, built there with their own tsup config (without type declarations), and
 * removed at the end. The base's run loads them through spam-ab-hooks.mjs (a resolve hook that
 * sends `@mailyard/<name>` to the base's build); its third-party dependencies and the bench
 * scripts themselves are this worktree's. The current run loads this worktree's `dist` (build it
 * first: `npx turbo run build`), with the same hook registered and idle.
 *
 * Each run is bench/spam-holdout.ts `--cpu --list` (one thread; 975 held-out training messages,
 * Bayes learned from the rest; the test sets are never read), or with `--threads`
 * bench/spam-holdout-threads.ts (two worker threads, as bench/spam.ts rates). Per pair it prints
 * the load (1-minute average at the start and at the end), each side's CPU seconds of the
 * rating, the ratio base / current (above 1: the current build uses less CPU), and whether the
 * two runs' listings (every message's score and Bayes band, or score) are byte-identical; then
 * the mean ratio. Exits 1 if any listing differs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const baseRev = option('--base');
const pairs = Number(option('--pairs') ?? 2);
const threads = process.argv.includes('--threads');
if (!baseRev || !Number.isInteger(pairs) || pairs < 1) {
  console.error('usage: spam-ab.ts --base <git rev> [--pairs N] [--threads]');
  process.exit(2);
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return result.stdout;
}

const git = (...args: string[]) => run('git', args, repoRoot);

/** spam-scoring and the workspace packages it needs, transitively, as the base declares them. */
function workspacePackages(rev: string): string[] {
  const found: string[] = [];
  const pending = ['spam-scoring'];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (found.includes(name)) continue;
    found.push(name);
    const manifest = JSON.parse(git('show', `${rev}:packages/${name}/package.json`)) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {}))
      if (dependency.startsWith('@mailyard/')) pending.push(dependency.slice('@mailyard/'.length));
  }
  return found;
}

/** The base's packages built in `dir`, resolving their dependencies through this worktree's. */
function buildBase(rev: string, dir: string): string[] {
  const names = workspacePackages(rev);
  const archive = join(dir, 'base.tar');
  git(
    'archive',
    '--format=tar',
    '-o',
    archive,
    rev,
    'tsup.shared.ts',
    'tsconfig.json',
    ...names.map((name) => `packages/${name}`),
  );
  run('tar', ['-xf', archive], dir);
  rmSync(archive);
  // Node resolves a dependency by walking up from the importing file: the base's packages find
  // this worktree's installed modules (root and per-package) through these links.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  for (const name of names) {
    const own = join(repoRoot, 'packages', name, 'node_modules');
    if (existsSync(own)) symlinkSync(own, join(dir, 'packages', name, 'node_modules'));
    run(join(repoRoot, 'node_modules', '.bin', 'tsup'), ['--no-dts'], join(dir, 'packages', name));
  }
  return names;
}

interface Side {
  readonly cpuSeconds: number;
  readonly listing: Buffer;
  readonly redirected: boolean;
}

const script = threads ? 'spam-holdout-threads.ts' : 'spam-holdout.ts';
const scriptArgs = threads ? [] : ['--cpu', '--list'];

/** One run of the holdout; `baseDir` empty for the current build (the hook then does nothing). */
function holdout(baseDir: string): Promise<Side> {
  const child = spawn(
    process.execPath,
    ['--import', './spam-ab-loader.mjs', '--import', 'tsx', script, ...scriptArgs],
    { cwd: benchDir, env: { ...process.env, MAILYARD_SPAM_AB_BASE: baseDir } },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const cpu = /in ([\d.]+) CPU seconds/.exec(stderr);
      if (code !== 0 || !cpu) {
        reject(new Error(`${script} (${baseDir ? 'base' : 'current'}) exited ${code}:\n${stderr}`));
        return;
      }
      resolve({
        cpuSeconds: Number(cpu[1]),
        listing: Buffer.concat(out),
        redirected: stderr.includes('spam-ab: @mailyard/spam-scoring from '),
      });
    });
  });
}

/** The first line where two listings part, to say what differs. */
function firstDifference(a: Buffer, b: Buffer): string {
  const left = a.toString('utf8').split('\n');
  const right = b.toString('utf8').split('\n');
  const at = left.findIndex((line, index) => line !== right[index]);
  const line = at >= 0 ? at : left.length;
  return `line ${line + 1}: base "${left[line] ?? ''}", current "${right[line] ?? ''}"`;
}

const dir = mkdtempSync(join(tmpdir(), 'mailyard-spam-ab-'));
const cleanUp = () => rmSync(dir, { recursive: true, force: true });
process.once('SIGINT', () => {
  cleanUp();
  process.exit(130);
});
let allIdentical = true;
try {
  const revision = git('rev-parse', '--short', `${baseRev}^{commit}`).trim();
  const built = buildBase(revision, dir);
  const head = git('rev-parse', '--short', 'HEAD').trim();
  const dirty = git('status', '--porcelain').trim() ? ' with uncommitted changes' : '';
  console.log(
    `${script}: base ${baseRev} (${revision}; built ${built.join(', ')}) against this worktree's build (HEAD ${head}${dirty}), ${pairs} pairs`,
  );
  const ratios: number[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const loadBefore = loadavg()[0]!;
    const baseFirst = pair % 2 === 1;
    const [base, current] = baseFirst
      ? await Promise.all([holdout(dir), holdout('')])
      : await Promise.all([holdout(''), holdout(dir)]).then(([c, b]) => [b, c] as const);
    const loadAfter = loadavg()[0]!;
    if (!base.redirected || current.redirected)
      throw new Error('the base run did not load the base build (or the current run did)');
    const identical = base.listing.equals(current.listing);
    allIdentical &&= identical;
    const ratio = base.cpuSeconds / current.cpuSeconds;
    ratios.push(ratio);
    console.log(
      `pair ${pair} (${baseFirst ? 'base' : 'current'} started first), load ${loadBefore.toFixed(2)} to ${loadAfter.toFixed(2)}: ` +
        `base ${base.cpuSeconds.toFixed(2)} / current ${current.cpuSeconds.toFixed(2)} CPU s = ${ratio.toFixed(3)}, ` +
        (identical
          ? 'listings byte-identical'
          : `listings DIFFER (${firstDifference(base.listing, current.listing)})`),
    );
  }
  const mean = ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length;
  console.log(
    `mean base / current: ${mean.toFixed(3)}; listings ${allIdentical ? 'byte-identical in every pair' : 'DIFFER'}`,
  );
} finally {
  cleanUp();
}
process.exit(allIdentical ? 0 : 1);
