import { describe, expect, it } from 'vitest';
import { guardPersistence } from '../src/engine/guarded-persistence.js';
import { MailStoreError, MemoryPersistence, isMailStoreError } from '../src/index.js';
import type { MailboxMeta } from '../src/index.js';

const INBOX: MailboxMeta = {
  id: 'm1',
  path: 'INBOX',
  uidValidity: 1,
  folderType: 'mail',
  specialUse: null,
  acl: [],
};

function ioError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, read '/srv/mail/alice/INBOX/#msgs/1.eml'`), {
    code,
  });
}

/** A persistence whose message reads yield one chunk and then fail, and that says when closed. */
class BrokenStream extends MemoryPersistence {
  closed = 0;
  override async *readContent(): AsyncIterable<Uint8Array> {
    try {
      yield Buffer.from('first chunk');
      throw ioError('EIO');
    } finally {
      this.closed++;
    }
  }
  override async readTree(): Promise<null> {
    throw ioError('EMFILE');
  }
  override async readIndex(): Promise<never> {
    throw new MailStoreError('not-found', 'no such mailbox');
  }
}

describe('the store engine’s guard around its persistence', () => {
  it('turns an I/O error into unavailable, naming its code but no path, the error as cause', async () => {
    const error: unknown = await guardPersistence(new BrokenStream())
      .readTree('alice@example.com')
      .catch((e: unknown) => e);
    expect(isMailStoreError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toContain('EMFILE');
    expect((error as Error).message).not.toContain('/srv/mail');
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('EMFILE');
  });

  it('passes store errors through as they are', async () => {
    await expect(
      guardPersistence(new BrokenStream()).readIndex('alice@example.com', INBOX),
    ).rejects.toMatchObject({ code: 'not-found' });
  });

  it('turns a failure in the middle of a message stream into unavailable', async () => {
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of guardPersistence(new BrokenStream()).readContent('a', INBOX, 1))
        chunks.push(Buffer.from(chunk).toString());
    })();
    await expect(reading).rejects.toSatisfy((e: unknown) => isMailStoreError(e, 'unavailable'));
    expect(chunks).toEqual(['first chunk']);
  });

  it('lets the inner stream close when the reader stops early', async () => {
    const inner = new BrokenStream();
    for await (const _chunk of guardPersistence(inner).readContent('a', INBOX, 1)) break;
    expect(inner.closed).toBe(1);
  });
});
