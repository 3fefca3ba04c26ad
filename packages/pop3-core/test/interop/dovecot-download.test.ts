/**
 * Our POP3 download client against a server nobody here wrote: Dovecot's pop3d (Debian
 * dovecot-pop3d) on loopback, with USER/PASS, APOP, STLS and implicit TLS; deleting, and leaving
 * copies tracked by Dovecot's UIDLs.
 */
import {
  DovecotPop3Server,
  describeWithDovecotPop3,
  selfSignedCertificate,
} from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectPop3 } from '../../src/client/connect-pop3.js';
import type { Pop3DownloadAccount } from '../../src/download/download-account.js';
import { MemoryDownloadState } from '../../src/download/download-state.js';
import { Pop3Downloader } from '../../src/download/pop3-downloader.js';

const USER = 'company@provider.test';
const certificate = selfSignedCertificate();
let dovecot: DovecotPop3Server;

describeWithDovecotPop3('download from Dovecot pop3d', () => {
  beforeAll(async () => {
    dovecot = await DovecotPop3Server.start({
      users: [{ name: USER, password: 'secret' }],
      tls: certificate,
    });
  }, 30_000);
  afterAll(async () => {
    await dovecot?.stop();
  });

  const tlsOptions = { ca: certificate.cert, servername: 'localhost' };
  const account = (overrides: Partial<Pop3DownloadAccount> = {}): Pop3DownloadAccount => ({
    id: 'dovecot',
    server: '127.0.0.1',
    port: dovecot.port,
    user: USER,
    password: 'secret',
    delivery: { type: 'address', address: 'jwayne@company.com' },
    ...overrides,
  });
  const message = (n: number, body = `body ${n}\n.dot line\n`) =>
    // Written as a Unix file: Dovecot sends it with CRLF, as RFC 1939 wants.
    Buffer.from(
      `Return-Path: <s@far.test>\nSubject: dovecot ${n}\nTo: sales@company.com\n\n${body}`,
    );

  it('reads what Dovecot sends: CRLF, unstuffed, sizes as Dovecot counts them', async () => {
    dovecot.fillMaildir(USER, [message(1)]);
    const client = await connectPop3({ host: '127.0.0.1', port: dovecot.port });
    await client.capa();
    await client.login(USER, 'secret');
    const [entry] = await client.list();
    const text = await client.retrieve(1);
    expect(text.toString()).toBe(message(1).toString().replace(/\n/g, '\r\n'));
    // Dovecot reports the size with CRLF line endings, as RFC 1939 11 asks.
    expect(entry!.size).toBe(text.length);
    const uidl = await client.uidl();
    expect(uidl![0]!.uid).toMatch(/^[\x21-\x7e]+$/);
    await client.quit();
    expect(dovecot.messageCount(USER)).toBe(1);
  });

  it('downloads and deletes, with USER/PASS, APOP, STLS and implicit TLS', async () => {
    const variants: Partial<Pop3DownloadAccount>[] = [
      {},
      { authentication: 'apop' },
      { security: 'stls', tlsOptions },
      { security: 'ssl', port: dovecot.pop3sPort!, tlsOptions, authentication: 'apop' },
    ];
    for (const [i, variant] of variants.entries()) {
      dovecot.fillMaildir(USER, [message(10 * i + 1), message(10 * i + 2)]);
      const delivered: string[] = [];
      const downloader = new Pop3Downloader({
        state: new MemoryDownloadState(),
        deliver: async (envelope, bytes) => {
          expect(envelope).toMatchObject({
            sender: 's@far.test',
            recipients: ['jwayne@company.com'],
          });
          delivered.push(Buffer.from(bytes).toString());
        },
      });
      const result = await downloader.download(account(variant));
      expect(result, JSON.stringify(variant)).toMatchObject({ error: null });
      // The first run also takes the message the previous test left.
      expect(delivered.length).toBeGreaterThanOrEqual(2);
      expect(
        delivered.every((d) => d.includes('\r\n..') === false && d.includes('\r\n.dot line\r\n')),
      ).toBe(true);
      expect(dovecot.messageCount(USER)).toBe(0);
    }
  }, 30_000);

  it('leaves copies and fetches only new ones, by Dovecot UIDL; sorts by rules', async () => {
    const state = new MemoryDownloadState();
    const delivered: string[][] = [];
    const downloader = new Pop3Downloader({
      state,
      sortingRules: [{ address: 'sales@company.com', deliverTo: 'jsmith@company.com' }],
      deliver: async (envelope) => void delivered.push([...envelope.recipients]),
    });
    const keep = account({
      delivery: { type: 'sort', preferredHeader: 'X-Envelope-To' },
      retention: { leaveCopy: true, removeAfterDays: 7 },
    });
    dovecot.fillMaildir(USER, [message(1), message(2)]);
    expect(await downloader.download(keep)).toMatchObject({
      delivered: 2,
      deleted: 0,
      error: null,
    });
    dovecot.fillMaildir(USER, [message(3)]);
    expect(await downloader.download(keep)).toMatchObject({
      delivered: 1,
      deleted: 0,
      error: null,
    });
    expect(delivered).toEqual([
      ['jsmith@company.com'],
      ['jsmith@company.com'],
      ['jsmith@company.com'],
    ]);
    expect(dovecot.messageCount(USER)).toBe(3);
    expect(Object.keys((await state.load('dovecot')).kept)).toHaveLength(3);
  });
});
