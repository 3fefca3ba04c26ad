import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIRECTORY, temporaryDataDirectory } from './harness/server-process.js';
import { applyAccounts, openUserDirectory } from '../src/user-directory.js';

const run = promisify(execFile);
// tsx's loader by its location: the example runs in a directory that has no node_modules.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const guide = readFileSync(
  join(PACKAGE_DIRECTORY, '..', '..', 'docs', 'getting-started.md'),
  'utf8',
);
const exampleFile = join(PACKAGE_DIRECTORY, 'test', '.getting-started-example.ts');
afterAll(() => rmSync(exampleFile, { force: true }));

describe('docs/getting-started.md', () => {
  it("edits users.cfg as its TypeScript example says, and the server's directory reads it", async () => {
    const example = /```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(example).toBeDefined();
    // The example runs where `npm start` runs, next to `data/`; a first run has made users.cfg.
    const data = temporaryDataDirectory();
    mkdirSync(data, { recursive: true });
    const firstRun = await openUserDirectory(join(data, 'users.cfg'));
    await applyAccounts(firstRun, { domains: [], users: [] });
    await firstRun.save();
    writeFileSync(exampleFile, example!);
    await run(process.execPath, ['--import', tsx, exampleFile], {
      cwd: dirname(data),
      timeout: 30_000,
    });
    const directory = await openUserDirectory(join(data, 'users.cfg'));
    expect((await directory.resolveRecipient('info@example.test')).mailboxes).toEqual([
      'alice@example.test',
    ]);
    expect((await directory.resolveRecipient('anyone@example.test')).mailboxes).toEqual([
      'bob@example.test',
    ]);
    expect([...(await directory.resolveRecipient('team@example.test')).mailboxes].sort()).toEqual([
      'alice@example.test',
      'bob@example.test',
    ]);
    expect((await directory.findUser('bob@example.test'))?.quota).toEqual({
      storage: 20 * 1024 * 1024,
      messages: 0,
    });
  });
});
