import { execFile } from 'node:child_process';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_LOCK_FILE, writeBackup } from '../src/index.js';
import {
  type DataDirectory,
  contentsOf,
  makeDataDirectory,
  message,
  openStore,
} from './store-fixture.js';

const bin = join(import.meta.dirname, '..', 'dist', 'main.js');

/** Runs the built command, as an operator would, from `cwd`. */
function kmsrecover(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function dataWithBackup(): Promise<
  DataDirectory & { ann: Awaited<ReturnType<typeof contentsOf>> }
> {
  const data = await makeDataDirectory();
  const store = openStore(data.store);
  const ann = store.access('ann@example.com');
  await ann.append('INBOX', [{ content: message('hello'), flags: ['\\Seen'] }]);
  await ann.append('Sent Items', [{ content: message('sent'), flags: ['\\Seen', '$Forwarded'] }]);
  await store.deliver('bob@example.com', { content: message('for bob') });
  const contents = await contentsOf(store, 'ann@example.com');
  await store.close();
  await writeBackup({
    sources: { configDirectory: data.root, storeDirectory: data.store },
    destination: data.backup,
    kind: 'F',
    clock: { now: () => Date.parse('2026-03-01T01:00:00Z') },
  });
  return { ...data, ann: contents };
}

describe('kmsrecover', () => {
  beforeAll(async () => {
    // The command runs the built program.
    await stat(join(import.meta.dirname, '..', 'dist', 'main.js'));
  });

  it('prints its help with -h and --help', async () => {
    for (const flag of ['-h', '--help']) {
      const result = await kmsrecover([flag], '/');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: kmsrecover \[options\] <directory>\|<file>/);
      for (const option of [
        '--domain',
        '--user',
        '--folder',
        '--store',
        '--cfgdir',
        '--mask',
        '--backup',
        '--noprogress',
        '--listing',
        '--quiet',
        '--verbose',
      ])
        expect(result.stdout).toContain(option);
    }
  });

  it('answers a wrong command line with exit code 2 and says why', async () => {
    const cases: [string[], RegExp][] = [
      [['-f', 'INBOX', 'x.zip'], /-f \(--folder\) needs -d/],
      [['-d', 'example.com', '-f', 'INBOX', 'x.zip'], /needs -d \(--domain\) and -u/],
      [['-u', 'ann', 'x.zip'], /-u \(--user\) needs -d/],
      [['-m', 'cfg,bogus', 'x.zip'], /unknown mask "bogus"/],
      [['--mask=', 'x.zip'], /no mask given/],
      [['--frobnicate', 'x.zip'], /Unknown option/],
      [[], /give one backup directory or file \(got 0\)/],
    ];
    for (const [args, why] of cases) {
      const result = await kmsrecover(args, '/');
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(why);
    }
  });

  it('restores the latest backup of a directory into the store mailserver.cfg names', async () => {
    const data = await dataWithBackup();
    await rm(join(data.store, 'mail'), { recursive: true });
    await writeFile(join(data.root, 'users.cfg'), 'changed');
    const result = await kmsrecover(['store/backup'], data.root);
    expect(result.stderr).toMatch(/restoring: \d+\/\d+ files/);
    expect(result.stdout).toMatch(/^restored \d+ files \(\d+ bytes\) from F20260301T010000Z\n$/);
    expect(result.code).toBe(0);
    expect(await readFile(join(data.root, 'users.cfg'), 'utf8')).toContain('ann');
    const store = openStore(data.store);
    expect(await contentsOf(store, 'ann@example.com')).toEqual(data.ann);
    await store.close();
    expect(await readdir(data.store)).not.toContain(STORE_LOCK_FILE);
  });

  it('lists with -l, and writes nothing', async () => {
    const data = await dataWithBackup();
    await rm(join(data.store, 'mail'), { recursive: true });
    const all = await kmsrecover(['-l', 'store/backup'], data.root);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toBe('# F20260301T010000Z');
    expect(all.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ {2}mailserver\.cfg$/m);
    expect(all.stdout).toContain('store/mail/example.com/bob/INBOX/#msgs/00000001.eml');
    const ann = await kmsrecover(
      ['-l', '-d', 'example.com', '-u', 'ann', 'store/backup'],
      data.root,
    );
    expect(ann.stdout).not.toContain('/bob/');
    expect(ann.stdout).not.toContain('mailserver.cfg');
    expect(ann.stdout).toContain('store/mail/example.com/ann/Sent Items/#msgs/00000001.eml');
    expect(await readdir(data.store)).toEqual(['backup', 'lists']);
  });

  it('restores one folder with -d -u -f -s into another directory', async () => {
    const data = await dataWithBackup();
    const result = await kmsrecover(
      [
        '-v',
        '-g',
        '-d',
        'example.com',
        '-u',
        'ann',
        '-f',
        'Sent Items',
        '-s',
        'elsewhere',
        join(data.backup, 'F20260301T010000Z.zip'),
      ],
      data.root,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('restored store mail/example.com/ann/Sent Items');
    const elsewhere = join(data.root, 'elsewhere');
    expect(await readdir(join(elsewhere, 'mail', 'example.com', 'ann'))).toEqual(['Sent Items']);
    expect(
      await readdir(join(elsewhere, 'mail', 'example.com', 'ann', 'Sent Items', '#msgs')),
    ).toEqual(['00000001.eml']);
    expect(
      await readFile(
        join(elsewhere, 'mail', 'example.com', 'ann', 'Sent Items', '#msgs', '00000001.eml'),
        'utf8',
      ),
    ).toContain('Subject: sent');
  });

  it("lists a folder restored with -f in the user's #tree.json, so that the store shows it again", async () => {
    const data = await makeDataDirectory();
    let store = openStore(data.store);
    const ann = store.access('ann@example.com');
    await ann.create('Work');
    await ann.create('Work/Sub');
    await ann.append('Work', [
      { content: message('work one'), flags: ['\\Seen'] },
      { content: message('work two'), flags: ['\\Flagged'] },
    ]);
    await ann.append('Work/Sub', [{ content: message('deeper') }]);
    await ann.append('INBOX', [{ content: message('stays') }]);
    const before = await contentsOf(store, 'ann@example.com');
    await store.close();
    await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
    });
    // The folder is deleted after the backup, and a message arrives in INBOX.
    store = openStore(data.store);
    await store.access('ann@example.com').delete('Work/Sub');
    await store.access('ann@example.com').delete('Work');
    await store.access('ann@example.com').append('INBOX', [{ content: message('later') }]);
    const withoutWork = await contentsOf(store, 'ann@example.com');
    expect(withoutWork.Work).toBeUndefined();
    await store.close();
    const result = await kmsrecover(
      ['-q', '-d', 'example.com', '-u', 'ann', '-f', 'Work', 'store/backup'],
      data.root,
    );
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    store = openStore(data.store);
    const after = await contentsOf(store, 'ann@example.com');
    await store.close();
    expect(after.Work).toEqual(before.Work);
    expect(after['Work/Sub']).toEqual(before['Work/Sub']);
    // The rest of the mailbox is as it was before the restore.
    expect(after.INBOX).toEqual(withoutWork.INBOX);
  });

  it('keeps the replaced directories as .BAK with -b, and restores only the masks given', async () => {
    const data = await dataWithBackup();
    await writeFile(join(data.root, 'users.cfg'), 'changed');
    await writeFile(join(data.store, 'lists', 'team.cfg'), 'changed');
    const result = await kmsrecover(['-q', '-b', '-m', 'cfg', 'store/backup'], data.root);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(data.root, 'users.cfg'), 'utf8')).toContain('ann');
    expect(await readFile(join(data.root, 'users.cfg.BAK'), 'utf8')).toBe('changed');
    expect(await readFile(join(data.store, 'lists', 'team.cfg'), 'utf8')).toBe('changed');
  });

  it('refuses to run while a server holds the store, and says so', async () => {
    const data = await dataWithBackup();
    // This test's own process stands for the running server.
    await writeFile(join(data.store, STORE_LOCK_FILE), `${process.pid} mailyard-server\n`);
    const result = await kmsrecover(['store/backup'], data.root);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /the store is in use by mailyard-server \(process \d+.*stop it first; kmsrecover runs only while the server is stopped/,
    );
    // A lock whose process is gone is stale: taken over.
    await writeFile(join(data.store, STORE_LOCK_FILE), '999999999 mailyard-server\n');
    expect((await kmsrecover(['-q', 'store/backup'], data.root)).code).toBe(0);
  });

  it('fails with exit code 1 on a missing or damaged backup', async () => {
    const data = await dataWithBackup();
    const missing = await kmsrecover(['no-such-backup'], data.root);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found: .*no-such-backup/);
    await writeFile(join(data.root, 'broken.zip'), 'not a zip');
    const broken = await kmsrecover(['broken.zip'], data.root);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.zip: .*truncated or damaged/);
  });
});

describe('the compression workers', () => {
  it('run in a process whose code is an ES module given with --input-type=module', async () => {
    const data = await makeDataDirectory();
    const dist = join(import.meta.dirname, '..', 'dist', 'index.js');
    const script = `import { writeBackup } from ${JSON.stringify(dist)};
const result = await writeBackup({ sources: { configDirectory: process.argv[1], storeDirectory: process.argv[1] + '/store' }, destination: process.argv[1] + '/out', kind: 'F' });
console.log(result.countFiles);`;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script, data.root],
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('5\n');
  });
});
