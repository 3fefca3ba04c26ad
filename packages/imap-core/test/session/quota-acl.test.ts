import {
  type AccountPolicy,
  MemoryMailStore,
  OPEN_ACCOUNT_POLICY,
  type QuotaLimits,
} from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, TestClient, message } from './harness.js';

describe('QUOTA (RFC 9208)', () => {
  it('reports the user’s root with STORAGE in KiB and MESSAGE, only the limited resources', async () => {
    const limits = new Map<string, QuotaLimits>([
      [ALICE, { storage: 10 * 1024 * 1024, messages: 5000 }],
    ]);
    const policy: AccountPolicy = {
      ...OPEN_ACCOUNT_POLICY,
      quota: (user) => limits.get(user) ?? { storage: 0, messages: 0 },
    };
    const store = new MemoryMailStore({ policy });
    const text = Buffer.concat([message('big'), Buffer.alloc(4096, 0x61)]);
    await store.deliver(ALICE, { content: text });
    const client = await TestClient.loggedIn({
      store,
      setQuota: async (user, _root, set) => {
        limits.set(user, { storage: set.storage ?? 0, messages: set.messages ?? 0 });
      },
    });
    expect(await client.command('A003 GETQUOTAROOT INBOX')).toBe(
      `* QUOTAROOT INBOX "alice@example.com"\r\n* QUOTA "alice@example.com" (STORAGE ${Math.floor(text.length / 1024)} 10240 MESSAGE 1 5000)\r\nA003 OK Getquotaroot completed\r\n`,
    );
    expect(await client.command('b GETQUOTA "alice@example.com"')).toContain(
      'MESSAGE 1 5000)\r\nb OK',
    );
    expect(await client.command('c GETQUOTA "bob@example.com"')).toBe(
      'c NO [NONEXISTENT] No such quota root\r\n',
    );
    expect(await client.command('d CAPABILITY')).toContain(' QUOTASET');
    expect(await client.command('e SETQUOTA "alice@example.com" (STORAGE 512)')).toBe(
      '* QUOTA "alice@example.com" (STORAGE 4 512)\r\ne OK Setquota completed\r\n',
    );
    expect(await client.command('f SETQUOTA "alice@example.com" (FOO 1)')).toBe(
      'f NO [LIMIT] Unsupported resource FOO\r\n',
    );
  });

  it('refuses SETQUOTA without a setter, and has no root for others’ mailboxes', async () => {
    const store = new MemoryMailStore();
    await store.access(BOB).create('Shared');
    await store.access(BOB).setAcl('Shared', ALICE, 'lr');
    const client = await TestClient.loggedIn({ store });
    expect(await client.command('a CAPABILITY')).not.toContain('QUOTASET');
    expect(await client.command('b SETQUOTA "alice@example.com" (STORAGE 1)')).toBe(
      'b NO [NOPERM] Quotas cannot be changed here\r\n',
    );
    expect(await client.command('c GETQUOTAROOT ~bob@example.com/Shared')).toBe(
      '* QUOTAROOT ~bob@example.com/Shared\r\nc OK Getquotaroot completed\r\n',
    );
    expect(await client.command('d GETQUOTA "alice@example.com"')).toBe(
      '* QUOTA "alice@example.com" ()\r\nd OK Getquota completed\r\n',
    );
  });
});

describe('ACL (RFC 4314)', () => {
  it('sets, lists, changes and deletes rights; the other user sees the mailbox accordingly', async () => {
    const store = new MemoryMailStore();
    const alice = await TestClient.loggedIn({ store });
    await alice.command('a CREATE Team');
    expect(await alice.command('A035 SETACL Team bob@example.com lrs')).toBe(
      'A035 OK Setacl completed\r\n',
    );
    expect(await alice.command('b GETACL Team')).toBe(
      '* ACL Team alice@example.com lrswipkxtea bob@example.com lrs\r\nb OK Getacl completed\r\n',
    );
    expect(await alice.command('c SETACL Team bob@example.com +wi')).toBe(
      'c OK Setacl completed\r\n',
    );
    expect(await alice.command('d GETACL Team')).toContain('bob@example.com lrswi\r\n');
    await alice.command('e SETACL Team bob@example.com -s');
    expect(await alice.command('f GETACL Team')).toContain('bob@example.com lrwi\r\n');
    expect(await alice.command('g LISTRIGHTS Team bob@example.com')).toBe(
      '* LISTRIGHTS Team bob@example.com "" l r s w i p k x t e a\r\ng OK Listrights completed\r\n',
    );
    expect(await alice.command('h LISTRIGHTS Team alice@example.com')).toBe(
      '* LISTRIGHTS Team alice@example.com lrswipkxtea\r\nh OK Listrights completed\r\n',
    );
    expect(await alice.command('i SETACL Team bob@example.com lrz')).toBe(
      'i BAD Invalid rights lrz\r\n',
    );
    const bob = await TestClient.loggedIn(
      { store, directory: alice.options.directory },
      BOB,
      'builder',
    );
    expect(await bob.command('a MYRIGHTS ~alice@example.com/Team')).toBe(
      '* MYRIGHTS ~alice@example.com/Team lrwi\r\na OK Myrights completed\r\n',
    );
    expect(await bob.command('b GETACL ~alice@example.com/Team')).toBe(
      'b NO [NOPERM] Permission denied\r\n',
    );
    expect(await bob.command('c SETACL ~alice@example.com/Team bob@example.com lrswipkxtea')).toBe(
      'c NO [NOPERM] Permission denied\r\n',
    );
    const text = message('for the team');
    expect(
      await bob.command(`d APPEND ~alice@example.com/Team {${text.length}+}\r\n${text}`),
    ).toMatch(/^d OK \[APPENDUID/);
    expect(await alice.command('j DELETEACL Team bob@example.com')).toBe(
      'j OK Deleteacl completed\r\n',
    );
    expect(await bob.command('e SELECT ~alice@example.com/Team')).toBe(
      'e NO [NONEXISTENT] Mailbox does not exist\r\n',
    );
  });

  it('offers only the flags the rights allow in PERMANENTFLAGS (RFC 4314 4)', async () => {
    const store = new MemoryMailStore();
    await store.access(BOB).create('Board');
    await store.access(BOB).setAcl('Board', ALICE, 'lrs');
    const client = await TestClient.loggedIn({ store });
    expect(await client.command('a SELECT ~bob@example.com/Board')).toContain(
      '* OK [PERMANENTFLAGS (\\Seen)] Flags permitted.\r\n',
    );
  });
});
