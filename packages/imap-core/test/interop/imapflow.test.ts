import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropServer, startInteropServer } from './interop-server.js';

function client(
  port: number,
  options: Partial<ConstructorParameters<typeof ImapFlow>[0]> = {},
): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'alice@example.com', pass: 'wonderland' },
    logger: false,
    ...options,
  });
}

const raw = (subject: string, body = 'Body text\r\n') =>
  Buffer.from(
    `From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@x>\r\n\r\n${body}`,
  );

describe('imapflow against our server over the on-disk store', () => {
  let server: InteropServer;
  beforeAll(async () => {
    server = await startInteropServer();
  });
  afterAll(() => server.stop());

  it('appends, fetches envelopes and sources, searches, flags, moves, with COMPRESS and CONDSTORE on', async () => {
    const imap = client(server.tlsPort);
    await imap.connect();
    try {
      expect(imap.capabilities.has('COMPRESS=DEFLATE')).toBe(true);
      const appended = await imap.append('INBOX', raw('First'), ['\\Seen']);
      expect(appended).toMatchObject({ destination: 'INBOX', uid: 1 });
      await imap.append('INBOX', raw('Second', 'Needle in here\r\n'));
      const lock = await imap.getMailboxLock('INBOX');
      try {
        expect(imap.mailbox).toMatchObject({ path: 'INBOX', exists: 2 });
        const messages = [];
        for await (const message of imap.fetch('1:*', {
          uid: true,
          flags: true,
          envelope: true,
          source: true,
          bodyStructure: true,
        })) {
          messages.push(message);
        }
        expect(messages.map((m) => m.envelope?.subject)).toEqual(['First', 'Second']);
        expect(messages[0]!.envelope?.from?.[0]).toMatchObject({
          name: 'Bob',
          address: 'bob@example.com',
        });
        expect(messages[1]!.source?.toString()).toContain('Needle in here');
        expect([...messages[0]!.flags!]).toContain('\\Seen');
        expect(messages[0]!.bodyStructure).toMatchObject({ type: 'text/plain' });
        expect(await imap.search({ body: 'needle' }, { uid: true })).toEqual([2]);
        expect(await imap.search({ seen: false })).toEqual([2]);
        await imap.messageFlagsAdd('2', ['\\Flagged', '$Label1']);
        const second = await imap.fetchOne('2', { flags: true, uid: true });
        expect(second && [...second.flags!].sort()).toEqual(['$Label1', '\\Flagged']);
        await imap.mailboxCreate('Archive');
        const moved = await imap.messageMove('1', 'Archive');
        expect(moved).toMatchObject({ destination: 'Archive' });
        expect(moved && [...moved.uidMap!.entries()]).toEqual([[1, 1]]);
      } finally {
        lock.release();
      }
      const status = await imap.status('Archive', { messages: true, uidNext: true, unseen: true });
      expect(status).toMatchObject({ messages: 1, uidNext: 2, unseen: 0 });
      const boxes = await imap.list();
      expect(boxes.map((b) => b.path)).toEqual(
        expect.arrayContaining(['INBOX', 'Archive', 'Sent Items', 'Junk E-mail']),
      );
      expect(boxes.find((b) => b.path === 'Sent Items')?.specialUse).toBe('\\Sent');
    } finally {
      await imap.logout();
    }
  });

  it('is woken up in IDLE when another client appends', async () => {
    const watcher = client(server.tlsPort);
    const writer = client(server.tlsPort);
    await watcher.connect();
    await writer.connect();
    try {
      await watcher.mailboxOpen('INBOX');
      const exists = new Promise<number>((resolve) =>
        watcher.on('exists', (data: { count: number }) => resolve(data.count)),
      );
      const idling = watcher.idle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before =
        watcher.mailbox && typeof watcher.mailbox === 'object' ? watcher.mailbox.exists : 0;
      await writer.append('INBOX', raw('During IDLE'));
      expect(await exists).toBe(before + 1);
      await watcher.mailboxClose();
      await idling;
    } finally {
      await writer.logout();
      await watcher.logout();
    }
  });

  it('logs in over STARTTLS', async () => {
    const imap = client(server.port, { secure: false, doSTARTTLS: true });
    await imap.connect();
    // Upgraded by STARTTLS before LOGIN, which the plain connection would refuse.
    expect(imap.secureConnection).toBe(true);
    expect(imap.authenticated).toBeTruthy();
    await imap.logout();
  });
});
