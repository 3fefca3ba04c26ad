import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import type { MailStore } from '@mailyard/mailstore-interface';
import { afterEach, describe, expect, it } from 'vitest';
import { type ImapServer, createImapServer } from '../../src/index.js';
import { ALICE, directory, message } from '../session/harness.js';
import { RawClient } from './raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Counts the `write` calls made on the server's side of real loopback connections (sockets whose
 * local port is the listener's): each is a `write` system call, as the server sets TCP_NODELAY.
 */
function countServerWrites(port: number): { readonly count: number; reset(): void } {
  const original = Socket.prototype.write;
  let count = 0;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
    if (this.localPort === port) count++;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof original;
  cleanups.push(() => void (Socket.prototype.write = original));
  return {
    get count() {
      return count;
    },
    reset: () => void (count = 0),
  };
}

async function start(store: MailStore) {
  const server: ImapServer = createImapServer({
    store,
    directory: await directory(),
    hostname: 'imap.example.com',
    allowPlaintextAuth: true,
    listeners: [{ name: 'imap', port: 0, tls: 'none' }],
  });
  const ports = await server.listen();
  cleanups.push(() => server.close(100));
  return ports[0]!.port;
}

/** A disk store (the one the benchmark runs on, whose bodies are streamed) of five messages. */
async function fiveMessages(): Promise<FsMailStore> {
  const dir = mkdtempSync(join(tmpdir(), 'imap-socket-writes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = new FsMailStore({ directory: dir });
  for (let i = 1; i <= 5; i++) await store.deliver(ALICE, { content: message(`note ${i}`) });
  return store;
}

describe('one socket write per answer', () => {
  it('writes SELECT (untagged lines and the tagged OK) and a FETCH of five messages once each', async () => {
    const port = await start(await fiveMessages());
    const writes = countServerWrites(port);
    const client = await RawClient.connect(port);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    expect(await client.command('a LOGIN alice wonderland')).toMatch(/^a OK/);

    writes.reset();
    const selected = await client.command('b SELECT INBOX');
    expect(selected).toContain('* 5 EXISTS\r\n');
    expect(selected.split('\r\n').length).toBeGreaterThan(5);
    expect(writes.count).toBe(1);

    writes.reset();
    const fetched = await client.command('c FETCH 1:5 (UID FLAGS BODY.PEEK[])');
    for (let i = 1; i <= 5; i++) {
      expect(fetched).toContain(`Subject: note ${i}\r\n`);
    }
    expect(fetched).toMatch(/c OK [^\r]*\r\n$/);
    expect(writes.count).toBe(1);
  });

  it('still streams a large body in pieces, intact', async () => {
    const store = await fiveMessages();
    const body = Buffer.alloc(1024 * 1024, 0x61);
    await store.deliver(ALICE, { content: message('large', `${body.toString()}\r\n`) });
    const port = await start(store);
    const writes = countServerWrites(port);
    const client = await RawClient.connect(port);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    await client.command('b SELECT INBOX');
    writes.reset();
    const fetched = await client.command('c FETCH 6 (BODY.PEEK[TEXT])', 20_000);
    expect(fetched).toContain(`{${body.length + 2}}\r\n${body.toString()}\r\n)\r\nc OK`);
    expect(writes.count).toBeGreaterThan(1);
  });

  it('sends IDLE updates as they happen, not held until the command ends', async () => {
    const store = await fiveMessages();
    const port = await start(store);
    const client = await RawClient.connect(port);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    await client.command('a LOGIN alice wonderland');
    await client.command('b SELECT INBOX');
    client.send('c IDLE\r\n');
    expect(await client.readUntil(/^\+ idling\r\n$/)).toBe('+ idling\r\n');
    await store.deliver(ALICE, { content: message('while idling') });
    expect(await client.readUntil(/\* 6 EXISTS\r\n/)).toContain('* 6 EXISTS\r\n');
    client.send('DONE\r\n');
    expect(await client.readUntil(/c OK/)).toMatch(/^c OK Idle completed\r\n$/);
  });

  it('answers pipelined commands in order, each complete', async () => {
    const port = await start(await fiveMessages());
    const client = await RawClient.connect(port);
    cleanups.push(() => client.close());
    await client.readUntil(/\r\n/);
    client.send('a LOGIN alice wonderland\r\nb SELECT INBOX\r\nc FETCH 2 (FLAGS)\r\nd NOOP\r\n');
    const all = await client.readUntil(/d OK [^\r]*\r\n/);
    const tags = [...all.matchAll(/^([a-d]) OK/gm)].map((m) => m[1]);
    expect(tags).toEqual(['a', 'b', 'c', 'd']);
    expect(all.indexOf('* 2 FETCH')).toBeGreaterThan(all.indexOf('b OK'));
    expect(all.indexOf('* 2 FETCH')).toBeLessThan(all.indexOf('c OK'));
  });
});
