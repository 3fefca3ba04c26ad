import {
  type Logger,
  type MailAccess,
  MailStoreError,
  MemoryMailStore,
} from '@mailyard/mailstore-interface';
import { RecordingLoginGuard } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { ALICE, TestClient, directory as harnessDirectory } from './harness.js';

type Entry = [level: string, message: string, fields: Record<string, unknown>];

function recordingLogger(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  const logger: Logger = {
    info: (message, fields = {}) => entries.push(['info', message, fields]),
    warn: (message, fields = {}) => entries.push(['warn', message, fields]),
    error: (message, fields = {}) => entries.push(['error', message, fields]),
  };
  return { logger, entries };
}

/** A store where one operation fails with what `failure` throws, as a broken disk or a bug would. */
async function storeFailingWith(
  failure: () => Error,
  operation: 'list' | 'append' = 'list',
): Promise<MemoryMailStore> {
  const store = new MemoryMailStore();
  await store.access(ALICE).list();
  const access = store.access.bind(store);
  store.access = (user: string): MailAccess => {
    const real = access(user);
    return Object.assign(Object.create(real) as MailAccess, {
      [operation]: () => Promise.reject(failure()),
    });
  };
  return store;
}

describe('what an operator finds in the log', () => {
  it('a bug in a command: NO [SERVERBUG], and one error entry with the session id', async () => {
    const { logger, entries } = recordingLogger();
    const store = await storeFailingWith(() => new RangeError('Maximum call stack size exceeded'));
    const client = await TestClient.connect({ store, logger }, { id: '5e55101' });
    await client.command('a LOGIN alice wonderland');
    expect(await client.command('b LIST "" "*"')).toBe('b NO [SERVERBUG] Internal error\r\n');
    const errors = entries.filter(([level]) => level === 'error');
    expect(errors).toEqual([
      [
        'error',
        'imap: command failed',
        { session: '5e55101', command: 'LIST', error: expect.any(RangeError) },
      ],
    ]);
  });

  it('a store that cannot work: NO [UNAVAILABLE] for the client, one error entry for us', async () => {
    const { logger, entries } = recordingLogger();
    const store = await storeFailingWith(
      () => new MailStoreError('unavailable', 'EIO reading the folder tree'),
    );
    const client = await TestClient.connect({ store, logger }, { id: '5e55102' });
    await client.command('a LOGIN alice wonderland');
    expect(await client.command('b LIST "" "*"')).toBe(
      'b NO [UNAVAILABLE] Temporary failure, try again later\r\n',
    );
    expect(entries.filter(([level]) => level === 'error')).toEqual([
      [
        'error',
        'imap: store unavailable',
        { session: '5e55102', command: 'LIST', error: expect.any(MailStoreError) },
      ],
    ]);
  });

  it('a directory that fails during AUTHENTICATE: NO [UNAVAILABLE], and one error entry', async () => {
    const { logger, entries } = recordingLogger();
    const directory = await harnessDirectory();
    directory.verifyPassword = () => Promise.reject(new Error('LDAP server unreachable'));
    const client = await TestClient.connect({ logger, directory }, { id: '5e55104' });
    const plain = Buffer.from('\0alice\0wonderland').toString('base64');
    expect(await client.command(`a AUTHENTICATE PLAIN ${plain}`)).toBe(
      'a NO [UNAVAILABLE] Temporary authentication failure\r\n',
    );
    expect(entries).toEqual([
      [
        'error',
        'imap: credential check failed',
        {
          session: '5e55104',
          login: null,
          error: 'credential lookup failed: Error: LDAP server unreachable',
        },
      ],
    ]);
  });

  it('an APPEND the store cannot take: NO [UNAVAILABLE], and one error entry', async () => {
    const { logger, entries } = recordingLogger();
    const store = await storeFailingWith(
      () => new MailStoreError('unavailable', 'ENOSPC writing the message'),
      'append',
    );
    const client = await TestClient.connect({ store, logger }, { id: '5e55105' });
    await client.command('a LOGIN alice wonderland');
    expect(await client.command('b APPEND INBOX {5+}\r\nHello')).toBe(
      'b NO [UNAVAILABLE] Temporary failure, try again later\r\n',
    );
    expect(entries.filter(([level]) => level === 'error')).toEqual([
      ['error', 'imap: store unavailable', expect.objectContaining({ session: '5e55105' })],
    ]);
  });

  it('failed and refused logins are warnings with the session id, and never the password', async () => {
    const { logger, entries } = recordingLogger();
    const loginGuard = new RecordingLoginGuard({
      refuse: { bob: { reason: 'throttled', retryAfterMs: 4_000 } },
    });
    const client = await TestClient.connect({ logger, loginGuard }, { id: '5e55103' });
    await client.command('a LOGIN alice s3cret-guess');
    await client.command(
      `b AUTHENTICATE PLAIN ${Buffer.from('\0bob\0an0ther-guess').toString('base64')}`,
    );
    expect(entries).toEqual([
      [
        'warn',
        'imap: failed login',
        {
          session: '5e55103',
          login: 'alice',
          method: 'LOGIN',
          remote: '192.0.2.1',
          reason: 'invalid-credentials',
        },
      ],
      [
        'warn',
        'imap: login refused',
        {
          session: '5e55103',
          login: 'bob',
          remote: '192.0.2.1',
          reason: 'throttled',
          retryAfterMs: 4_000,
        },
      ],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/guess/);
  });
});
