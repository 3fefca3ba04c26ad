import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryDirectory,
  MemoryMailStore,
  VerifiedLoginCache,
  XmlDirectory,
  directoryAccountPolicy,
  isMailStoreError,
} from '../src/index.js';

async function kerioLikeDirectory(options: ConstructorParameters<typeof MemoryDirectory>[0] = {}) {
  const directory = new MemoryDirectory(options);
  await directory.addDomain('example.com', { aliases: ['example.org'], retentionDays: 14 });
  await directory.addDomain('other.test');
  await directory.addUser('alice@example.com', { password: 'wonderland', fullName: 'Alice' });
  await directory.addUser('bob@example.com', { password: 'builder' });
  await directory.addUser('jwayne@example.com', { password: 'x' });
  await directory.addUser('info@example.com', { password: 'x' });
  await directory.addUser('carol@other.test', { password: 'x' });
  return directory;
}

describe('domains and logins', () => {
  it('makes the first domain primary and maps domain aliases to their domain', async () => {
    const directory = await kerioLikeDirectory();
    expect(await directory.primaryDomain()).toBe('example.com');
    expect(await directory.localDomain('EXAMPLE.ORG')).toBe('example.com');
    expect(await directory.localDomain('example.com.')).toBe('example.com');
    expect(await directory.localDomain('elsewhere.net')).toBeNull();
  });

  it('finds users case-insensitively, by full address or by name in the primary domain', async () => {
    const directory = await kerioLikeDirectory();
    expect((await directory.findUser('ALICE@Example.com'))?.id).toBe('alice@example.com');
    expect((await directory.findUser('alice'))?.id).toBe('alice@example.com');
    expect(await directory.findUser('carol')).toBeNull();
    expect((await directory.findUser('carol@other.test'))?.id).toBe('carol@other.test');
  });

  it('does not log in through a domain alias (Kerio: aliases are for delivery only)', async () => {
    const directory = await kerioLikeDirectory();
    expect(await directory.findUser('alice@example.org')).toBeNull();
    expect(await directory.verifyPassword('alice@example.org', 'wonderland')).toBeNull();
  });

  it('refuses duplicate domains and users, and users outside local domains', async () => {
    const directory = await kerioLikeDirectory();
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (isMailStoreError(e) ? e.code : 'other'),
      );
    expect(await code(directory.addDomain('example.com'))).toBe('already-exists');
    expect(await code(directory.addUser('alice@example.com'))).toBe('already-exists');
    expect(await code(directory.addUser('zed@elsewhere.net'))).toBe('invalid-argument');
    expect(await code(directory.addUser('zed@example.org'))).toBe('invalid-argument');
    // A user directory of their own would be the domain's directory, or its parent.
    expect(await code(directory.addUser('..@example.com'))).toBe('invalid-argument');
    expect(await code(directory.addUser('.@example.com'))).toBe('invalid-argument');
    expect(await code(directory.addUser('j.wayne.@example.com'))).toBe('ok');
    expect(await code(directory.addDomain('x.test', { retentionDays: 366 }))).toBe(
      'invalid-argument',
    );
  });
});

describe('credentials', () => {
  it('verifies passwords case-sensitively, only for enabled accounts', async () => {
    const directory = await kerioLikeDirectory();
    expect((await directory.verifyPassword('alice', 'wonderland'))?.id).toBe('alice@example.com');
    expect(await directory.verifyPassword('alice', 'Wonderland')).toBeNull();
    expect(await directory.verifyPassword('nobody', 'x')).toBeNull();
    await directory.updateUser('alice@example.com', { enabled: false });
    expect(await directory.verifyPassword('alice', 'wonderland')).toBeNull();
  });

  it('never keeps a password in the clear, and changes it on update', async () => {
    const directory = await kerioLikeDirectory();
    expect(JSON.stringify(directory.snapshot())).not.toContain('wonderland');
    await directory.updateUser('alice@example.com', { password: 'looking-glass' });
    expect(await directory.verifyPassword('alice', 'wonderland')).toBeNull();
    expect(await directory.verifyPassword('alice', 'looking-glass')).not.toBeNull();
  });

  it('remembers verified logins, bound to the password they were verified with', async () => {
    let now = 0;
    const cache = new VerifiedLoginCache({ ttlMs: 60_000, clock: { now: () => now } });
    const directory = await kerioLikeDirectory({ loginCache: cache });
    expect(await directory.verifyPassword('alice', 'Wonderland')).toBeNull();
    expect(cache.size).toBe(0);
    expect((await directory.verifyPassword('alice', 'wonderland'))?.id).toBe('alice@example.com');
    expect(cache.size).toBe(1);
    // A cached login does not let another password in, nor a disabled or re-passworded account.
    expect(await directory.verifyPassword('alice', 'Wonderland')).toBeNull();
    expect((await directory.verifyPassword('alice', 'wonderland'))?.id).toBe('alice@example.com');
    await directory.updateUser('alice@example.com', { enabled: false });
    expect(await directory.verifyPassword('alice', 'wonderland')).toBeNull();
    await directory.updateUser('alice@example.com', { enabled: true, password: 'looking-glass' });
    expect(await directory.verifyPassword('alice', 'wonderland')).toBeNull();
    expect(await directory.verifyPassword('alice', 'looking-glass')).not.toBeNull();
    expect(cache.has('alice@example.com', 'anything', 'looking-glass')).toBe(false);
    now += 60_000;
    expect(cache.size).toBe(1);
    expect(await directory.verifyPassword('alice', 'looking-glass')).not.toBeNull();
  });

  it('keeps a bounded number of verified logins for a bounded time', () => {
    let now = 0;
    const cache = new VerifiedLoginCache({ maxEntries: 2, ttlMs: 1000, clock: { now: () => now } });
    cache.remember('a', 'r', 'pa');
    cache.remember('b', 'r', 'pb');
    cache.remember('c', 'r', 'pc');
    expect(cache.size).toBe(2);
    expect(cache.has('a', 'r', 'pa')).toBe(false);
    expect(cache.has('b', 'r', 'pb')).toBe(true);
    expect(cache.has('b', 'r2', 'pb')).toBe(false);
    expect(cache.has('c', 'r', 'px')).toBe(false);
    now = 1000;
    expect(cache.has('c', 'r', 'pc')).toBe(false);
    expect(cache.size).toBe(1);
    cache.forget();
    expect(cache.size).toBe(0);
    expect(() => new VerifiedLoginCache({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('gives the plaintext password back only when kept reversibly with the server key', async () => {
    expect(await (await kerioLikeDirectory()).plaintextPassword('alice')).toBeNull();
    const key = randomBytes(32);
    const reversible = await kerioLikeDirectory({ reversibleKey: key });
    expect(await reversible.plaintextPassword('alice')).toBe('wonderland');
    expect(JSON.stringify(reversible.snapshot())).not.toContain('wonderland');
  });

  it('keeps SCRAM stored keys when given a way to derive them', async () => {
    const deriveScram = (password: string, hash: 'SHA-1' | 'SHA-256') => ({
      salt: Buffer.from(`salt-${hash}`),
      iterations: 4096,
      storedKey: Buffer.from(`stored-${password}`),
      serverKey: Buffer.from(`server-${password}`),
    });
    const directory = await kerioLikeDirectory({ deriveScram });
    const credentials = await directory.scramCredentials('alice', 'SHA-256');
    expect(Buffer.from(credentials!.storedKey).toString()).toBe('stored-wonderland');
    expect(credentials!.iterations).toBe(4096);
    expect(await (await kerioLikeDirectory()).scramCredentials('alice', 'SHA-1')).toBeNull();
  });
});

describe('recipient resolution (Kerio 12.3)', () => {
  it('delivers to a user, also through a domain alias, and says when an address is unknown', async () => {
    const directory = await kerioLikeDirectory();
    expect(await directory.resolveRecipient('Alice@example.org')).toMatchObject({
      local: true,
      mailboxes: ['alice@example.com'],
      unknown: false,
    });
    expect(await directory.resolveRecipient('nobody@example.com')).toMatchObject({
      local: true,
      unknown: true,
      mailboxes: [],
    });
  });

  it('passes remote addresses through as forwards', async () => {
    const directory = await kerioLikeDirectory();
    expect(await directory.resolveRecipient('someone@elsewhere.net')).toMatchObject({
      local: false,
      forwards: ['someone@elsewhere.net'],
    });
  });

  it('lets an alias shadow a user, and delivers to both targets of the same alias twice', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addAlias('example.com', 'jwayne', 'info@example.com');
    expect((await directory.resolveRecipient('jwayne@example.com')).mailboxes).toEqual([
      'info@example.com',
    ]);
    await directory.addAlias('example.com', 'jwayne', 'jwayne@example.com');
    expect([...(await directory.resolveRecipient('jwayne@example.com')).mailboxes].sort()).toEqual([
      'info@example.com',
      'jwayne@example.com',
    ]);
  });

  it('matches * and ? wildcards, and uses the catch-all only when nothing else matches', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addAlias('example.com', '*sms*', 'bob@example.com');
    await directory.addAlias('example.com', '?ime', 'alice@example.com');
    await directory.addAlias('example.com', '*', 'info@example.com');
    expect((await directory.resolveRecipient('my-sms-gw@example.com')).mailboxes).toEqual([
      'bob@example.com',
    ]);
    expect((await directory.resolveRecipient('time@example.com')).mailboxes).toEqual([
      'alice@example.com',
    ]);
    expect((await directory.resolveRecipient('lime2@example.com')).mailboxes).toEqual([
      'info@example.com',
    ]);
    expect((await directory.resolveRecipient('alice@example.com')).mailboxes).toEqual([
      'alice@example.com',
    ]);
  });

  it('follows alias chains and stops a loop at the last mailbox', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addAlias('example.com', 'sales', 'team');
    await directory.addAlias('example.com', 'team', 'bob@example.com');
    expect((await directory.resolveRecipient('sales@example.com')).mailboxes).toEqual([
      'bob@example.com',
    ]);
    await directory.addAlias('example.com', 'ping', 'pong@example.com');
    await directory.addAlias('example.com', 'pong', 'ping@example.com');
    const loop = await directory.resolveRecipient('ping@example.com');
    expect(loop.loops.length).toBeGreaterThan(0);
    expect(loop.mailboxes).toEqual([]);
  });

  it('delivers a loop through a user’s own name into that user’s mailbox', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addAlias('example.com', 'alice', 'helpdesk@example.com');
    await directory.addAlias('example.com', 'helpdesk', 'alice@example.com');
    expect((await directory.resolveRecipient('alice@example.com')).mailboxes).toEqual([
      'alice@example.com',
    ]);
  });

  it('expands groups to their members, each once', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addGroup('team@example.com', ['alice@example.com', 'bob@example.com']);
    await directory.addAlias('example.com', 'all', 'team@example.com');
    await directory.addAlias('example.com', 'all', 'alice@example.com');
    expect([...(await directory.resolveRecipient('all@example.com')).mailboxes].sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    expect(await directory.groupsOf('bob@example.com')).toEqual(['team@example.com']);
  });

  it('forwards with or without a local copy', async () => {
    const directory = await kerioLikeDirectory();
    await directory.updateUser('alice@example.com', {
      forwarding: { addresses: ['alice@elsewhere.net', 'bob@example.com'], keepCopy: false },
    });
    expect(await directory.resolveRecipient('alice@example.com')).toMatchObject({
      mailboxes: ['bob@example.com'],
      forwards: ['alice@elsewhere.net'],
    });
    await directory.updateUser('alice@example.com', {
      forwarding: { addresses: ['alice@elsewhere.net'], keepCopy: true },
    });
    expect(await directory.resolveRecipient('alice@example.com')).toMatchObject({
      mailboxes: ['alice@example.com'],
      forwards: ['alice@elsewhere.net'],
    });
  });

  it('delivers aliases to public folders', async () => {
    const directory = await kerioLikeDirectory();
    await directory.addAlias('example.com', 'info-desk', '#public/Info');
    expect((await directory.resolveRecipient('info-desk@example.com')).publicFolders).toEqual([
      { domain: 'example.com', folder: 'Info' },
    ]);
  });

  it('refuses alias names outside Kerio’s characters', async () => {
    const directory = await kerioLikeDirectory();
    const error = await directory
      .addAlias('example.com', 'bad name', 'alice@example.com')
      .catch((e: unknown) => e);
    expect(isMailStoreError(error, 'invalid-argument')).toBe(true);
  });
});

describe('XmlDirectory (users.cfg)', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'mailyard-users-cfg-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('writes every change to users.cfg in Kerio’s list/listitem/variable shape, and reads it back', async () => {
    const path = join(folder, 'users.cfg');
    const directory = await XmlDirectory.open(path);
    await directory.addDomain('example.com', { retentionDays: 30 });
    await directory.addUser('alice@example.com', {
      password: 'wonderland',
      quota: { storage: 10485760, messages: 5000 },
      forwarding: { addresses: ['a@b.test'], keepCopy: true },
    });
    await directory.addGroup('team@example.com', ['alice@example.com']);
    await directory.addAlias('example.com', 'sales', '#public/Sales');
    const xml = readFileSync(path, 'utf8');
    expect(xml).toMatch(/<list name="User">/);
    expect(xml).toMatch(/<variable name="Name">alice<\/variable>/);
    expect(xml).toMatch(/<variable name="QuotaStorage">10485760<\/variable>/);
    expect(xml).not.toContain('wonderland');

    const reopened = await XmlDirectory.open(path);
    expect(reopened.snapshot()).toEqual(directory.snapshot());
    expect(await reopened.verifyPassword('alice', 'wonderland')).not.toBeNull();
    expect((await reopened.resolveRecipient('sales@example.com')).publicFolders).toHaveLength(1);
  });

  it('reads a users.cfg written by hand', async () => {
    const path = join(folder, 'users.cfg');
    writeFileSync(
      path,
      `<?xml version="1.0" encoding="utf-8"?>
<config>
  <list name="Domain"><listitem><variable name="Name">Example.com</variable><variable name="Primary">1</variable></listitem></list>
  <list name="User"><listitem><variable name="Name">Dave</variable><variable name="Domain">example.com</variable><variable name="FullName">Dave &amp; Co</variable></listitem></list>
  <list name="Alias"><listitem><variable name="Domain">example.com</variable><variable name="Name">*</variable><variable name="Target">dave@example.com</variable></listitem></list>
</config>`,
    );
    const directory = await XmlDirectory.open(path);
    expect((await directory.findUser('dave'))?.fullName).toBe('Dave & Co');
    expect((await directory.resolveRecipient('anything@example.com')).mailboxes).toEqual([
      'dave@example.com',
    ]);
    // No password set: the account exists but cannot log in.
    expect(await directory.verifyPassword('dave', '')).toBeNull();
  });

  it('holds changes back with deferWrites until save(), writes them in one go, then each at once', async () => {
    const path = join(folder, 'users.cfg');
    writeFileSync(path, '<config></config>');
    const directory = await XmlDirectory.open(path, { deferWrites: true });
    expect(directory.hasUnsavedChanges).toBe(false);
    await directory.addDomain('example.com');
    await directory.addUser('alice@example.com', { password: 'wonderland' });
    // In force for the directory, not yet in the file.
    expect(await directory.verifyPassword('alice', 'wonderland')).not.toBeNull();
    expect(directory.hasUnsavedChanges).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('<config></config>');

    await directory.save();
    expect(directory.hasUnsavedChanges).toBe(false);
    expect((await XmlDirectory.open(path)).snapshot()).toEqual(directory.snapshot());
    await directory.addAlias('example.com', 'info', 'alice@example.com');
    expect((await XmlDirectory.open(path)).snapshot()).toEqual(directory.snapshot());
  });

  it('starts empty when users.cfg does not exist yet', async () => {
    const directory = await XmlDirectory.open(join(folder, 'missing', 'users.cfg'));
    expect(await directory.domains()).toEqual([]);
  });
});

describe('directoryAccountPolicy', () => {
  it('gives the store quotas, groups, public-folder rights (group or user) and retention', async () => {
    const directory = await kerioLikeDirectory();
    await directory.updateUser('alice@example.com', { quota: { storage: 0, messages: 2 } });
    await directory.addGroup('admins@example.com', ['bob@example.com'], {
      publicFolderAdmin: true,
    });
    const policy = directoryAccountPolicy(directory);
    expect(await policy.quota('alice@example.com')).toEqual({ storage: 0, messages: 2 });
    expect(await policy.groups('bob@example.com')).toEqual(['admins@example.com']);
    expect(await policy.isPublicFolderAdmin('bob@example.com')).toBe(true);
    expect(await policy.isPublicFolderAdmin('alice@example.com')).toBe(false);
    expect(await policy.retentionDays('alice@example.com')).toBe(14);
    expect(await policy.retentionDays('carol@other.test')).toBe(0);

    const store = new MemoryMailStore({ policy });
    const alice = store.access('alice@example.com');
    await alice.append('INBOX', [{ content: Buffer.from('a') }, { content: Buffer.from('b') }]);
    const error = await alice
      .append('INBOX', [{ content: Buffer.from('c') }])
      .catch((e: unknown) => e);
    expect(isMailStoreError(error, 'over-quota')).toBe(true);
  });
});
