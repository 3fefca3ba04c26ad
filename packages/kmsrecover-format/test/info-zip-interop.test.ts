import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { describeWithCommand } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { ZipArchive, writeBackup } from '../src/index.js';
import { makeDataDirectory, message, openStore, restoredBeside } from './store-fixture.js';

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

describeWithCommand('unzip', "the ZIP writer's entries as Info-ZIP and zipfile read them", () => {
  it('keeps names (UTF-8 too), modes, times and data of stored, deflated and streamed entries', async () => {
    const data = await makeDataDirectory();
    const large = join(data.root, 'large.bin');
    // Over the 4 MiB a worker reads whole: streamed through deflate, sizes in a data descriptor.
    const half = randomBytes(3 * 1024 * 1024);
    await writeFile(large, Buffer.concat([half, Buffer.alloc(3 * 1024 * 1024, 'a')]));
    await writeFile(join(data.root, 'users.cfg'), 'x'.repeat(10_000));
    await writeFile(join(data.store, 'lists', 'Liste für Müller.txt'), 'Grüße\n');
    await run('chmod', ['600', join(data.root, 'users.cfg')]);
    await run('cp', ['-p', large, join(data.store, 'lists', 'large.bin')]);
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: data.store },
      destination: data.backup,
      kind: 'F',
    });
    const part = result.parts[0]!;
    expect((await run('unzip', ['-t', part])).stdout).toMatch(/No errors detected/);
    const python = await run('python3', [
      '-c',
      [
        'import sys, zipfile',
        'z = zipfile.ZipFile(sys.argv[1])',
        'assert z.testzip() is None',
        'for i in z.infolist():',
        '    if i.filename.endswith(("users.cfg", "large.bin", "Müller.txt")):',
        '        print(i.filename, oct(i.external_attr >> 16), i.compress_type, i.file_size, i.flag_bits & 8, i.date_time[0])',
      ].join('\n'),
      part,
    ]);
    const year = new Date().getFullYear();
    expect(python.stdout.trim().split('\n').sort()).toEqual(
      [
        `@backup/store/lists/Liste für Müller.txt 0o100644 0 8 0 ${year}`,
        `@backup/store/lists/large.bin 0o100644 8 ${6 * 1024 * 1024} 8 ${year}`,
        `users.cfg 0o100600 8 10000 0 ${year}`,
      ].sort(),
    );
    const extracted = join(data.root, 'extracted');
    await run('unzip', ['-q', part, '-d', extracted]);
    expect(
      (await run('cmp', [large, join(extracted, '@backup/store/lists/large.bin')])).stdout,
    ).toBe('');
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
    const { original, restored } = await restoredBeside(
      join(data.root, 'handmade.zip'),
      data,
      'ann@example.com',
    );
    expect(restored).toEqual(original);
  });
});
