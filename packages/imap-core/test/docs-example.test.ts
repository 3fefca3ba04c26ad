import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { expect, it } from 'vitest';

/** Runs docs/imap.md's "store of your own" example, then talks to it with a real client. */
it('serves IMAP over the key-value store of docs/imap.md', async () => {
  const page = readFileSync(join(import.meta.dirname, '../../../docs/imap.md'), 'utf8');
  const section = page.slice(page.indexOf('## Serving IMAP over a store of your own'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  expect(code.trim().split('\n').length).toBeLessThan(50);
  const file = join(import.meta.dirname, '.docs-example.ts');
  writeFileSync(file, code.replace("from '@mailyard/imap-core'", "from '../src/index.js'"));
  try {
    const example = (await import(file)) as {
      port: number;
      server: { close(grace?: number): Promise<void> };
    };
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: example.port,
      secure: false,
      auth: { user: 'alice@example.com', pass: 'wonderland' },
      logger: false,
    });
    await client.connect();
    try {
      const raw = Buffer.from(
        'From: bob@example.com\r\nSubject: Kept in a map\r\n\r\nHello from the map\r\n',
      );
      await client.append('INBOX', raw, ['\\Seen']);
      await client.append('INBOX', Buffer.from('Subject: Second\r\n\r\nAnother one\r\n'));
      await client.mailboxCreate('Archive');
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true }))
          subjects.push(message.envelope!.subject!);
        expect(subjects).toEqual(['Kept in a map', 'Second']);
        expect(await client.search({ body: 'map' })).toEqual([1]);
        await client.messageFlagsAdd('2', ['\\Flagged']);
        await client.messageMove('1', 'Archive');
        const one = await client.fetchOne('1', { flags: true, source: true });
        expect(one && [...one.flags!]).toEqual(['\\Flagged']);
        expect(one && one.source!.toString()).toContain('Another one');
      } finally {
        lock.release();
      }
      expect(await client.status('Archive', { messages: true })).toMatchObject({ messages: 1 });
    } finally {
      await client.logout();
      await example.server.close(100);
    }
  } finally {
    rmSync(file, { force: true });
  }
});
