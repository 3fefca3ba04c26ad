/**
 * The POP3 download client fetching from our own server over real sockets: delivery, sorting,
 * deletion and leave-a-copy with expiry, per-session limits, duplicates, and sessions that break.
 */
import { randomBytes } from 'node:crypto';
import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectPop3 } from '../../src/client/connect-pop3.js';
import type { Pop3DownloadAccount } from '../../src/download/download-account.js';
import { Pop3DownloadScheduler } from '../../src/download/download-scheduler.js';
import { MemoryDownloadState } from '../../src/download/download-state.js';
import {
  type DownloadEnvelope,
  Pop3Downloader,
  type Pop3DownloaderOptions,
} from '../../src/download/pop3-downloader.js';
import { type Pop3Server, createPop3Server } from '../../src/node/pop3-server.js';

let server: Pop3Server;
let store: MemoryMailStore;
let ports: Record<string, number>;
const certificate = selfSignedCertificate();

beforeAll(async () => {
  store = new MemoryMailStore();
  const directory = new MemoryDirectory({ reversibleKey: randomBytes(32) });
  await directory.addDomain('provider.test');
  await directory.addUser('company@provider.test', { password: 'secret' });
  server = createPop3Server({
    store,
    directory,
    hostname: 'localhost',
    tls: certificate,
    allowPlaintextAuth: (c) => c.listener === 'plain',
    listeners: [
      { name: 'plain', port: 0, tls: 'none' },
      { name: 'pop3', port: 0, tls: 'starttls' },
      { name: 'pop3s', port: 0, tls: 'implicit' },
    ],
  });
  ports = Object.fromEntries((await server.listen()).map((b) => [b.name, b.port]));
});
afterAll(async () => {
  await server.close(500);
});

const REMOTE = 'company@provider.test';

async function remoteInbox(): Promise<string[]> {
  const box = await store.access(REMOTE).open('INBOX');
  const out: string[] = [];
  for (const { uid } of await box.messages()) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of box.read(uid)) chunks.push(chunk);
    out.push(Buffer.concat(chunks).toString());
  }
  box.close();
  return out;
}

beforeEach(async () => {
  const box = await store
    .access(REMOTE)
    .open('INBOX')
    .catch(() => null);
  if (!box) return;
  const uids = (await box.messages()).map((m) => m.uid);
  if (uids.length) {
    await box.updateFlags(uids, { operation: 'add', flags: ['\\Deleted'] });
    await box.expunge(uids);
  }
  box.close();
});

const remote = (header: string, body = 'body\r\n') =>
  store.deliver(REMOTE, {
    content: Buffer.from(`Return-Path: <sender@far.test>\r\n${header}\r\n\r\n${body}`),
  });

function account(overrides: Partial<Pop3DownloadAccount> = {}): Pop3DownloadAccount {
  return {
    id: 'company',
    server: '127.0.0.1',
    port: ports.plain!,
    user: 'company',
    password: 'secret',
    delivery: { type: 'address', address: 'jwayne@company.com' },
    ...overrides,
  };
}

function downloader(options: Partial<Pop3DownloaderOptions> = {}) {
  const delivered: { envelope: DownloadEnvelope; text: string }[] = [];
  const state = new MemoryDownloadState();
  const d = new Pop3Downloader({
    state,
    deliver: async (envelope, message) =>
      void delivered.push({ envelope, text: Buffer.from(message).toString() }),
    ...options,
  });
  return { d, delivered, state };
}

describe('Pop3Downloader', () => {
  it('delivers everything to one address and deletes it on the server', async () => {
    for (const n of [1, 2, 3]) await remote(`Subject: m${n}\r\nTo: x@company.com`);
    const { d, delivered, state } = downloader();
    const result = await d.download(account());
    expect(result).toMatchObject({ delivered: 3, deleted: 3, error: null });
    expect(delivered.map((m) => m.envelope)).toEqual(
      [1, 2, 3].map(() => ({
        sender: 'sender@far.test',
        recipients: ['jwayne@company.com'],
        account: 'company',
        uidl: expect.stringMatching(/^\d+\.\d+$/),
      })),
    );
    expect(delivered[0]!.text).toContain('Subject: m1');
    expect(await remoteInbox()).toEqual([]);
    expect(await state.load('company')).toMatchObject({ kept: {}, deleting: {} });
  });

  it('sorts by rules with the preferred header', async () => {
    await remote('X-Envelope-To: sales@company.com\r\nTo: all@company.com');
    await remote('To: nobody@else.test');
    const { d, delivered } = downloader({
      sortingRules: [
        { address: 'sales@company.com', deliverTo: 'jsmith@company.com' },
        { address: '*@company.com', deliverTo: '*@company.com' },
      ],
    });
    const result = await d.download(
      account({ delivery: { type: 'sort', preferredHeader: 'X-Envelope-To' } }),
    );
    expect(result).toMatchObject({ delivered: 1, discarded: 1, deleted: 2 });
    expect(delivered[0]!.envelope.recipients).toEqual(['jsmith@company.com']);
  });

  it('leaves copies, fetches each once, and removes them after N days', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { d, delivered } = downloader({ clock: { now: () => now } });
    const keep = account({ retention: { leaveCopy: true, removeAfterDays: 30 } });
    await remote('Subject: old');
    expect(await d.download(keep)).toMatchObject({ delivered: 1, deleted: 0 });
    now += 10 * 86_400_000;
    await remote('Subject: new');
    expect(await d.download(keep)).toMatchObject({ delivered: 1, deleted: 0 });
    expect(delivered.map((m) => /Subject: (\w+)/.exec(m.text)![1])).toEqual(['old', 'new']);
    expect(await remoteInbox()).toHaveLength(2);
    now += 21 * 86_400_000; // "old" is 31 days old, "new" 21
    expect(await d.download(keep)).toMatchObject({ delivered: 0, deleted: 1 });
    const left = await remoteInbox();
    expect(left).toHaveLength(1);
    expect(left[0]).toContain('Subject: new');
  });

  it('keeps copies for ever with removeAfterDays 0', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { d } = downloader({ clock: { now: () => now } });
    await remote('Subject: forever');
    const keep = account({ retention: { leaveCopy: true } });
    await d.download(keep);
    now += 1000 * 86_400_000;
    expect(await d.download(keep)).toMatchObject({ delivered: 0, deleted: 0 });
    expect(await remoteInbox()).toHaveLength(1);
  });

  it('stops at the per-session count and size limits; the rest comes next time', async () => {
    for (const n of [1, 2, 3, 4, 5]) await remote(`Subject: m${n}`);
    const { d, delivered } = downloader();
    expect(await d.download(account({ limits: { messageCount: 2 } }))).toMatchObject({
      delivered: 2,
      deferred: 3,
    });
    const size = Buffer.byteLength((await remoteInbox())[0]!);
    expect(await d.download(account({ limits: { totalSize: size * 2 + 1 } }))).toMatchObject({
      delivered: 2,
      deferred: 1,
    });
    // A limit smaller than one message still lets one through, so nothing is stuck for ever.
    expect(await d.download(account({ limits: { totalSize: 1 } }))).toMatchObject({ delivered: 1 });
    expect(delivered).toHaveLength(5);
    expect(await remoteInbox()).toEqual([]);
  });

  it('drops identical copies when asked', async () => {
    for (let i = 0; i < 3; i++) await remote('Subject: same\r\nTo: a@company.com, b@company.com');
    await remote('Subject: other');
    const { d, delivered } = downloader();
    expect(await d.download(account({ dropDuplicates: true }))).toMatchObject({
      delivered: 2,
      duplicates: 2,
      deleted: 4,
    });
    expect(delivered).toHaveLength(2);
  });

  it('never delivers twice when the session breaks between delivery and QUIT', async () => {
    for (const n of [1, 2]) await remote(`Subject: m${n}`);
    const { d, delivered, state } = downloader({
      connect: async (options) => {
        const client = await connectPop3(options);
        // The connection drops instead of QUIT: the server keeps the messages.
        client.quit = async () => {
          client.destroy();
          throw new Error('connection lost');
        };
        return client;
      },
    });
    const broken = await d.download(account());
    expect(broken).toMatchObject({ delivered: 2, error: expect.any(Error) });
    expect(await remoteInbox()).toHaveLength(2);
    expect(Object.keys((await state.load('company')).deleting)).toHaveLength(2);
    const retry = new Pop3Downloader({
      state,
      deliver: async (_, message) => void delivered.push({ envelope: _, text: String(message) }),
    });
    expect(await retry.download(account())).toMatchObject({
      delivered: 0,
      deleted: 2,
      error: null,
    });
    expect(delivered).toHaveLength(2);
    expect(await remoteInbox()).toEqual([]);
    expect(await state.load('company')).toMatchObject({ deleting: {} });
  });

  it('leaves a message whose delivery failed on the server, and the delivered ones are not repeated', async () => {
    for (const n of [1, 2, 3]) await remote(`Subject: m${n}`);
    let calls = 0;
    const { d, state } = downloader({
      deliver: async () => {
        if (++calls === 2) throw new Error('queue full');
      },
    });
    const first = await d.download(account());
    expect(first).toMatchObject({
      delivered: 1,
      error: expect.objectContaining({ message: 'queue full' }),
    });
    expect(await remoteInbox()).toHaveLength(3);
    const delivered: string[] = [];
    const again = new Pop3Downloader({
      state,
      deliver: async (_, m) => void delivered.push(/Subject: (\w+)/.exec(String(m))![1]!),
    });
    expect(await again.download(account())).toMatchObject({
      delivered: 2,
      deleted: 3,
      error: null,
    });
    expect(delivered).toEqual(['m2', 'm3']);
  });

  it('leaves messages over maxMessageSize on the server', async () => {
    await remote('Subject: small');
    await remote('Subject: big', 'x'.repeat(10_000));
    const { d, delivered } = downloader({ maxMessageSize: 5000 });
    expect(await d.download(account())).toMatchObject({ delivered: 1, tooBig: 1, deleted: 1 });
    expect(delivered).toHaveLength(1);
    expect(await remoteInbox()).toEqual([expect.stringContaining('Subject: big')]);
  });

  it('logs in with APOP, over STLS and over implicit TLS', async () => {
    const tlsOptions = { ca: certificate.cert, servername: 'localhost' };
    for (const variant of [
      { authentication: 'apop' as const },
      { security: 'stls' as const, port: ports.pop3!, tlsOptions },
      { security: 'ssl' as const, port: ports.pop3s!, tlsOptions, authentication: 'apop' as const },
    ]) {
      await remote('Subject: secure');
      const { d } = downloader();
      expect(await d.download(account(variant)), JSON.stringify(variant)).toMatchObject({
        delivered: 1,
        error: null,
      });
    }
  });

  it('refuses to send a password in the clear to a server that offers no STLS', async () => {
    const { d } = downloader();
    const result = await d.download(account({ security: 'stls' }));
    expect(result.error?.message).toMatch(/does not offer STLS/);
  });

  it('reports a wrong password as the error, and changes nothing', async () => {
    await remote('Subject: stays');
    const { d } = downloader();
    const result = await d.download(account({ password: 'wrong' }));
    expect(result.error?.message).toMatch(/-ERR \[AUTH\]/);
    expect(await remoteInbox()).toHaveLength(1);
  });
});

describe('Pop3DownloadScheduler', () => {
  function fakeTimers() {
    const pending: { callback: () => void; ms: number; id: number }[] = [];
    let next = 0;
    return {
      pending,
      timers: {
        setTimeout: (callback: () => void, ms: number) => {
          pending.push({ callback, ms, id: ++next });
          return next;
        },
        clearTimeout: (id: unknown) => {
          const at = pending.findIndex((p) => p.id === id);
          if (at >= 0) pending.splice(at, 1);
        },
      },
      fire() {
        pending.shift()!.callback();
      },
    };
  }

  it('runs every account at each interval, without overlapping runs, and only when active', async () => {
    await remote('Subject: scheduled');
    const fake = fakeTimers();
    const { d, delivered } = downloader();
    let active = false;
    const runs: number[] = [];
    const scheduler = new Pop3DownloadScheduler({
      downloader: d,
      accounts: () => [account(), account({ id: 'off', enabled: false })],
      intervalMs: 60_000,
      timers: fake.timers,
      isActive: () => active,
      onRun: (results) => void runs.push(results.length),
    });
    scheduler.start();
    expect(fake.pending.map((p) => p.ms)).toEqual([60_000]);
    fake.fire(); // inactive: skipped, rescheduled
    expect(runs).toEqual([]);
    expect(fake.pending).toHaveLength(1);
    active = true;
    fake.fire();
    const joined = scheduler.runNow(); // joins the run in progress
    await joined;
    expect(runs).toEqual([1]);
    expect(delivered).toHaveLength(1);
    expect(fake.pending).toHaveLength(1);
    await scheduler.stop();
    expect(fake.pending).toHaveLength(0);
  });

  it('runs at the times of day given (Kerio "At HH:MM"), in the server time zone', async () => {
    const fake = fakeTimers();
    const { d } = downloader();
    // 05:00 UTC is 07:00 at the server (two hours east).
    let now = Date.UTC(2026, 5, 1, 5, 0);
    const scheduler = new Pop3DownloadScheduler({
      downloader: d,
      accounts: () => [],
      at: { times: ['22:15', '07:30'], offsetMinutes: () => 120 },
      timers: fake.timers,
      clock: { now: () => now },
    });
    scheduler.start();
    expect(fake.pending.map((p) => p.ms)).toEqual([30 * 60_000]); // to 07:30
    now += 30 * 60_000;
    fake.fire();
    await scheduler.runNow();
    expect(fake.pending.map((p) => p.ms)).toEqual([(14 * 60 + 45) * 60_000]); // to 22:15
    now = Date.UTC(2026, 5, 1, 20, 20); // 22:20 local: the next is 07:30 tomorrow
    await scheduler.runNow();
    expect(fake.pending.map((p) => p.ms)).toEqual([(9 * 60 + 10) * 60_000]);
    await scheduler.stop();
    expect(
      () =>
        new Pop3DownloadScheduler({ downloader: d, accounts: () => [], at: { times: ['25:00'] } }),
    ).toThrow(RangeError);
    expect(() => new Pop3DownloadScheduler({ downloader: d, accounts: () => [] })).toThrow(
      RangeError,
    );
  });
});
