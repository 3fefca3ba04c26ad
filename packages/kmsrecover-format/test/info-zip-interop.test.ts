import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { describeWithCommand } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { ZipArchive, restoreBackup, writeBackup } from '../src/index.js';
import { contentsOf, makeDataDirectory, message, openStore } from './store-fixture.js';

const run = promisify(execFile);

async function storeWithMail() {
  const data = await makeDataDirectory();
  const store = openStore(data.store);
  const ann = store.access('ann@example.com');
  await ann.create('Work');
  await ann.append('INBOX', [
    { content: message('one'), flags: ['\\Seen'] },
    { content: message('two') },
  ]);
  await ann.append('Work', [{ content: message('three', randomBytes(20_000).toString('base64')) }]);
  await store.close();
  return data;
}

describeWithCommand('unzip', "archives open in Info-ZIP's unzip and Python's zipfile", () => {
  it('passes unzip -t and zipfile.testzip, every part of a split backup too', async () => {
    const data = await storeWithMail();
    for (let i = 0; i < 8; i++)
      await writeFile(join(data.store, 'lists', `list${i}.bin`), randomBytes(20_000));
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
      splitSize: 64 * 1024,
    });
    expect(result.parts.length).toBeGreaterThan(1);
    for (const part of result.parts) {
      expect((await run('unzip', ['-t', part])).stdout).toMatch(/No errors detected/);
      const archive = await ZipArchive.open(part);
      const count = archive.entries.length;
      archive.close();
      const python = await run('python3', [
        '-c',
        'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(z.testzip())\nprint(len(z.namelist()))',
        part,
      ]);
      expect(python.stdout).toBe(`None\n${count}\n`);
    }
    // unzip extracts the layout Kerio documents.
    const extracted = join(data.root, 'extracted');
    await run('unzip', ['-q', result.parts[0]!, '-d', extracted]);
    expect((await run('ls', ['-A', extracted])).stdout.split('\n')).toEqual(
      expect.arrayContaining(['.version.txt', '@backup', 'mailserver.cfg', 'users.cfg']),
    );
  });
});

describeWithCommand('zip', 'archives Info-ZIP makes', () => {
  it('restores an archive made with zip -r from a Kerio-layout directory', async () => {
    const data = await storeWithMail();
    const layout = join(data.root, 'layout');
    await run('mkdir', ['-p', join(layout, '@backup', 'store')]);
    await run('cp', ['-r', join(data.store, 'mail'), join(layout, '@backup', 'store', 'mail')]);
    await run('cp', [join(data.root, 'users.cfg'), join(layout, 'users.cfg')]);
    await run('zip', ['-q', '-r', '-6', join(data.root, 'handmade.zip'), '.'], { cwd: layout });
    const target = await makeDataDirectory();
    await restoreBackup({
      source: join(data.root, 'handmade.zip'),
      configDirectory: target.root,
      storeDirectory: target.store,
    });
    const original = openStore(data.store);
    const copy = openStore(target.store);
    expect(await contentsOf(copy, 'ann@example.com')).toEqual(
      await contentsOf(original, 'ann@example.com'),
    );
    await original.close();
    await copy.close();
  });
});
