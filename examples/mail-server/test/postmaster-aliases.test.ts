import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePostmasters } from '../src/postmaster-aliases.js';
import { applyAccounts, openUserDirectory } from '../src/user-directory.js';

const root = mkdtempSync(join(tmpdir(), 'mailyard-postmaster-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const usersCfg = () => join(root, `users-${counter++}.cfg`);

describe('postmaster in every local domain (RFC 5321 4.5.1)', () => {
  it("is the first run's administrator, alice, written to users.cfg as Kerio's alias", async () => {
    const path = usersCfg();
    const directory = await openUserDirectory(path);
    await applyAccounts(directory, { domains: [], users: [] });
    expect(await ensurePostmasters(directory)).toEqual([
      'users.cfg: postmaster@example.test goes to alice@example.test (edit its alias to change that)',
    ]);
    await directory.save();
    const reopened = await openUserDirectory(path);
    expect((await reopened.resolveRecipient('PostMaster@example.test')).mailboxes).toEqual([
      'alice@example.test',
    ]);
    // Once there, it stays as the administrator made it.
    expect(await ensurePostmasters(reopened)).toEqual([]);
  });

  it('leaves alone a domain whose postmaster already leads somewhere, and says which lead nowhere', async () => {
    const directory = await openUserDirectory(usersCfg());
    await applyAccounts(directory, {
      domains: ['one.test', 'two.test', 'empty.test'],
      users: [
        { address: 'carol@one.test', password: 'p' },
        { address: 'dave@two.test', password: 'p' },
        { address: 'erin@two.test', password: 'p' },
      ],
    });
    await directory.addAlias('one.test', '*', 'carol@one.test'); // a catch-all takes postmaster too
    await directory.addAlias('two.test', 'postmaster', 'erin@two.test');
    expect(await ensurePostmasters(directory)).toEqual([
      'users.cfg: postmaster@empty.test leads to no mailbox, and empty.test has no user to take it: RCPT TO:<postmaster@empty.test> is refused until an alias or a user does',
    ]);
    expect((await directory.resolveRecipient('postmaster@two.test')).mailboxes).toEqual([
      'erin@two.test',
    ]);
  });
});
