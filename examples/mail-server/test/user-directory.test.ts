import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StartupError } from '../src/startup-error.js';
import { applyAccounts, openUserDirectory } from '../src/user-directory.js';

const root = mkdtempSync(join(tmpdir(), 'mailyard-users-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const usersCfg = () => join(root, `users-${counter++}.cfg`);
const none = { domains: [], users: [] };

describe('users.cfg', () => {
  it('gets example.test with alice and bob on a first run, their passwords shown once', async () => {
    const path = usersCfg();
    const directory = await openUserDirectory(path);
    const passwords = ['first-password', 'second-password'];
    const generated = await applyAccounts(directory, none, () => passwords.shift()!);
    expect(generated).toEqual([
      { address: 'alice@example.test', password: 'first-password' },
      { address: 'bob@example.test', password: 'second-password' },
    ]);
    await directory.save();
    // Persisted, and hashed: a new directory over the file knows them, the file does not show them.
    const reopened = await openUserDirectory(path);
    expect((await reopened.verifyPassword('alice@example.test', 'first-password'))?.id).toBe(
      'alice@example.test',
    );
    expect(await reopened.scramCredentials('bob@example.test', 'SHA-256')).not.toBeNull();
    expect(readFileSync(path, 'utf8')).not.toContain('first-password');
    expect(await applyAccounts(reopened, none)).toEqual([]); // not a first run any more
  });

  it('adds --domain and --user, and sets the password of a user who exists', async () => {
    const path = usersCfg();
    const directory = await openUserDirectory(path);
    await applyAccounts(directory, {
      domains: ['one.test', 'two.test'],
      users: [{ address: 'carol@two.test', password: 'old' }],
    });
    expect((await directory.domains()).map((d) => [d.name, d.primary])).toEqual([
      ['one.test', true],
      ['two.test', false],
    ]);
    expect(await directory.localDomain('example.test')).toBeNull(); // a domain was given
    await directory.save();
    const again = await openUserDirectory(path);
    await applyAccounts(again, {
      domains: ['one.test'], // already there: nothing happens
      users: [{ address: 'carol@two.test', password: 'new:er' }],
    });
    await again.save();
    const reopened = await openUserDirectory(path);
    expect(await reopened.verifyPassword('carol@two.test', 'old')).toBeNull();
    expect(await reopened.verifyPassword('carol@two.test', 'new:er')).not.toBeNull();
    expect(await reopened.domains()).toHaveLength(2);
  });

  it('lets a first-run --user choose the password of alice', async () => {
    const directory = await openUserDirectory(usersCfg());
    const generated = await applyAccounts(directory, {
      domains: [],
      users: [{ address: 'alice@example.test', password: 'mine' }],
    });
    expect(generated.map((account) => account.address)).toEqual(['bob@example.test']);
    expect(await directory.verifyPassword('alice', 'mine')).not.toBeNull();
  });

  it('refuses a user outside the local domains, or with a name Kerio does not allow', async () => {
    const directory = await openUserDirectory(usersCfg());
    await expect(
      applyAccounts(directory, { domains: [], users: [{ address: 'x@else.test', password: 'p' }] }),
    ).rejects.toThrow(
      new StartupError(
        '--user x@else.test: else.test is not a local domain (add it with --domain else.test)',
      ),
    );
    await expect(
      applyAccounts(directory, {
        domains: [],
        users: [{ address: 'm+x@example.test', password: 'p' }],
      }),
    ).rejects.toThrow(/^--user m\+x@example\.test: login names are letters, digits/);
    for (const login of ['.', '..']) {
      await expect(
        applyAccounts(directory, {
          domains: [],
          users: [{ address: `${login}@example.test`, password: 'p' }],
        }),
      ).rejects.toThrow(
        new StartupError(
          `--user ${login}@example.test: a login name cannot be "." or "..": ${login}@example.test`,
        ),
      );
    }
  });

  it('writes nothing until saved, then all of it in one write, then every change at once', async () => {
    const path = usersCfg();
    const directory = await openUserDirectory(path);
    await applyAccounts(directory, {
      domains: ['one.test'],
      users: [{ address: 'carol@one.test', password: 'secret' }],
    });
    expect(directory.hasUnsavedChanges).toBe(true);
    expect(existsSync(path)).toBe(false);
    await directory.save();
    expect(directory.hasUnsavedChanges).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain('<variable name="Name">carol</variable>');
    await directory.addAlias('one.test', 'info', 'carol@one.test');
    expect(readFileSync(path, 'utf8')).toContain('<variable name="Name">info</variable>');
  });

  it('keeps nothing of a first run whose --user it refuses: no example.test without its passwords', async () => {
    const path = usersCfg();
    const directory = await openUserDirectory(path);
    await expect(
      applyAccounts(directory, {
        domains: [],
        users: [{ address: 'carol@nowhere.test', password: 'pw' }],
      }),
    ).rejects.toThrow(/nowhere\.test is not a local domain/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a users.cfg it cannot read, and leaves it as it was', async () => {
    const path = usersCfg();
    writeFileSync(path, '<config><list name="User"><listitem></list></config>');
    await expect(openUserDirectory(path)).rejects.toThrow(
      /users-\d+\.cfg: line 1: Expected closing tag 'listitem'/,
    );
    expect(readFileSync(path, 'utf8')).toBe('<config><list name="User"><listitem></list></config>');
  });
});
