/**
 * Backup and restore of a Kerio-layout store, ours against Info-ZIP (`zip -r -6` and `unzip`),
 * same machine, same run, same directory: throughput (MB of message files a second), archive
 * size and peak RSS of each side's process (GNU time's "maximum resident set size").
 *
 * The store is written once: N messages from the SpamAssassin public corpus (real mail, cycled,
 * each with a fresh Message-ID so that no two files are equal) as `.eml` files of mailstore-fs's
 * layout, spread over 100 users. Ours runs in a child process of plain node on the built
 * package (`npm run build` first), so that its peak RSS is its own.
 *
 * Usage: npm run bench:backup [-- --messages N] [--data DIR]
 *
 * `--data DIR` keeps the generated store in DIR (made there if DIR does not exist yet, reused as
 * it is if it does), so that runs after the first skip writing it; the archives and restores
 * are made in a temporary directory and removed either way.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadSpamAssassinCorpus } from './corpus.js';

const run = promisify(execFile);
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const MESSAGES = option('messages', 100_000);
const USERS = 100;
const MB = 1024 * 1024;
const dataAt = process.argv.indexOf('--data');
const KEPT_DATA = dataAt > 0 ? process.argv[dataAt + 1]! : null;

/** Our side, in a child process: `node --input-type=module -e <this>`, from this directory. */
const OURS = `
import { join } from 'node:path';
import { restoreBackup, writeBackup } from '@mailyard/kmsrecover-format';
const [command, from, to] = process.argv.slice(1);
if (command === 'backup')
  await writeBackup({ sources: { configDirectory: from, storeDirectory: join(from, 'store') }, destination: to, kind: 'F' });
else
  await restoreBackup({ source: from, configDirectory: to, storeDirectory: join(to, 'store') });
`;
const ours = (...args: string[]) =>
  timed(process.execPath, ['--input-type=module', '-e', OURS, ...args], import.meta.dirname);

/** Runs a program under GNU time; resolves with its wall seconds and peak RSS in MB. */
async function timed(program: string, args: string[], cwd?: string) {
  const start = process.hrtime.bigint();
  const { stderr, stdout } = await run('/usr/bin/time', ['-f', 'MAXRSS %M', program, ...args], {
    cwd,
    maxBuffer: 64 * MB,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rss = Number(/MAXRSS (\d+)/.exec(stderr)![1]) / 1024;
  return { seconds, rss, stdout };
}

function directorySize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    total += entry.isDirectory() ? directorySize(child) : statSync(child).size;
  }
  return total;
}

/** The store: N messages over the users' INBOXes, as mailstore-fs lays them out. */
function writeStore(data: string): void {
  const corpus = loadSpamAssassinCorpus();
  for (let user = 0; user < USERS; user++) {
    const folder = join(data, 'store', 'mail', 'example.com', `user${user}`, 'INBOX');
    mkdirSync(join(folder, '#msgs'), { recursive: true });
    writeFileSync(join(folder, 'index.fld'), 'MAILYARD-INDEX 1 1 #00000000\n');
  }
  for (let n = 0; n < MESSAGES; n++) {
    const user = n % USERS;
    const uid = Math.floor(n / USERS) + 1;
    const file = join(
      data,
      'store',
      'mail',
      'example.com',
      `user${user}`,
      'INBOX',
      '#msgs',
      `${uid.toString(16).padStart(8, '0')}.eml`,
    );
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(`Message-ID: <${n}@bench>\r\n`), corpus[n % corpus.length]!]),
    );
  }
  writeFileSync(join(data, 'mailserver.cfg'), '<config></config>\n');
}

const work = mkdtempSync(join(tmpdir(), 'mailyard-bench-backup-'));
try {
  const data = KEPT_DATA ?? join(work, 'data');
  if (!KEPT_DATA || !existsSync(data)) writeStore(data);
  const bytes = directorySize(join(data, 'store'));
  console.log(
    `node ${process.version}; ${MESSAGES} messages, ${(bytes / MB).toFixed(0)} MB of files, ${USERS} users\n`,
  );

  // Flush what the writes left dirty, so that neither side pays for the other's writeback.
  await run('sync');
  const oursBackup = await ours('backup', data, join(work, 'ours'));
  const oursParts = readdirSync(join(work, 'ours')).map((name) => join(work, 'ours', name));
  const oursSize = oursParts.reduce((sum, part) => sum + statSync(part).size, 0);
  await run('sync');
  const zipBackup = await timed('zip', ['-q', '-r', '-6', join(work, 'zip.zip'), '.'], data);
  const zipSize = statSync(join(work, 'zip.zip')).size;
  await run('sync');
  const oursRestore = await ours('restore', join(work, 'ours'), join(work, 'ours-restored'));
  await run('sync');
  const unzipRestore = await timed('unzip', [
    '-q',
    join(work, 'zip.zip'),
    '-d',
    join(work, 'zip-restored'),
  ]);

  const row = (name: string, result: { seconds: number; rss: number }, size?: number) =>
    console.log(
      `${name.padEnd(26)}${(bytes / MB / result.seconds).toFixed(1).padStart(8)} MB/s${result.seconds.toFixed(1).padStart(8)} s${size === undefined ? ''.padStart(12) : `${(size / MB).toFixed(0).padStart(8)} MB`}${result.rss.toFixed(0).padStart(8)} MB RSS`,
    );
  console.log(
    `${''.padEnd(26)}${'throughput'.padStart(13)}${'time'.padStart(10)}${'archive'.padStart(11)}${'peak'.padStart(9)}`,
  );
  row(`ours backup (${oursParts.length} part(s))`, oursBackup, oursSize);
  row('zip -r -6', zipBackup, zipSize);
  row('ours restore', oursRestore);
  row('unzip', unzipRestore);
  console.log(
    `\nbackup: ${(zipBackup.seconds / oursBackup.seconds).toFixed(2)}x zip's throughput, archive ${((oursSize / zipSize) * 100).toFixed(1)}% of zip's; restore: ${(unzipRestore.seconds / oursRestore.seconds).toFixed(2)}x unzip's`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
