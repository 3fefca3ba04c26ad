/** Hostile input and limits: long lines, junk, NUL bytes, floods, and random byte streams. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InProcessMaildropRegistry } from '../src/session/maildrop-registry.js';
import { Pop3Engine } from '../src/session/pop3-engine.js';
import { TestClient, connected, engine, fixtures, message } from './session-harness.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('limits', () => {
  it('answers an overlong command line with -ERR and goes on', async () => {
    const client = await connected(await engine());
    expect(await client.command(`USER ${'a'.repeat(2000)}`)).toBe('-ERR Line too long\r\n');
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
  });

  it('holds no more of an endless line than the limit', async () => {
    const client = await connected(await engine({ limits: { commandLine: 100 } }));
    let out = '';
    for (let i = 0; i < 100; i++) out += await client.send('x'.repeat(10_000));
    expect(out).toBe('-ERR Line too long\r\n');
    expect(await client.send('\r\nNOOP\r\n')).toBe('-ERR Not logged in\r\n');
  });

  it('closes after the failed-command limit (unknown, malformed, out of place)', async () => {
    const client = await connected(await engine({ limits: { failedCommands: 4 } }));
    expect(await client.command('XYZZY')).toBe('-ERR Unknown command\r\n');
    expect(await client.command('RETR x')).toBe('-ERR RETR needs a message number\r\n');
    expect(await client.command('STAT')).toBe('-ERR Not logged in\r\n');
    expect(client.closed).toBe(false);
    expect(await client.command('')).toBe(
      '-ERR Unknown command\r\n-ERR Too many bad commands; closing\r\n',
    );
    expect(client.closed).toBe(true);
  });

  it('counts bad commands in a row: one that succeeds starts the count again', async () => {
    const setup = await engine({ limits: { failedCommands: 3 } });
    await setup.store.deliver('alice@example.com', { content: message('one') });
    const client = await connected(setup);
    for (let i = 0; i < 5; i++) {
      expect(await client.command('STAT')).toBe('-ERR Not logged in\r\n');
      expect(await client.command('FOO')).toBe('-ERR Unknown command\r\n');
      expect(await client.command('CAPA')).toMatch(/^\+OK/);
    }
    await client.login();
    for (let i = 0; i < 5; i++) {
      expect(await client.command('RETR 9')).toBe('-ERR No such message\r\n');
      expect(await client.command('LIST x')).toMatch(/^-ERR/);
      expect(await client.command('NOOP')).toBe('+OK\r\n');
    }
    expect(client.closed).toBe(false);
    await client.command('RETR 9');
    await client.command('RETR 9');
    expect(await client.command('RETR 9')).toBe(
      '-ERR No such message\r\n-ERR Too many bad commands; closing\r\n',
    );
    expect(client.closed).toBe(true);
  });

  it('does not count a message removed by another client, unless it is asked for again', async () => {
    const setup = await engine({ limits: { failedCommands: 3 } });
    for (let i = 0; i < 5; i++) {
      await setup.store.deliver('alice@example.com', { content: message(`m${i}`) });
    }
    const client = await connected(setup);
    await client.login();
    const inbox = await setup.store.access('alice@example.com').open('INBOX');
    const uids = (await inbox.messages()).map((m) => m.uid);
    await inbox.updateFlags(uids, { operation: 'add', flags: ['\\Deleted'] });
    await inbox.expunge(uids);
    inbox.close();
    // An IMAP client emptied the INBOX: every RETR fails, and the session goes on.
    for (let n = 1; n <= 5; n++) {
      expect(await client.command(`RETR ${n}`)).toBe(
        '-ERR Message was removed by another client\r\n',
      );
    }
    expect(client.closed).toBe(false);
    // A client that keeps asking is looping: those count.
    await client.command('RETR 5');
    await client.command('RETR 1');
    expect(await client.command('TOP 2 0')).toMatch(/-ERR Too many bad commands; closing\r\n$/);
    expect(client.closed).toBe(true);
  });

  it('refuses NUL bytes and invalid UTF-8 in commands', async () => {
    const client = await connected(await engine());
    expect(await client.send(Buffer.from('USER al\0ice\r\n'))).toBe('-ERR control characters\r\n');
    expect(await client.send(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xc3, 0x28, 13, 10]))).toBe(
      '-ERR command line is not valid UTF-8\r\n',
    );
  });

  it('stops reading a client that pipelines faster than it is answered', async () => {
    const setup = await engine({ limits: { pendingInput: 1000 } });
    await setup.store.deliver('alice@example.com', { content: message('x') });
    const client = await connected(setup);
    await client.login();
    client.writesBeforeFull = client.writes + 1;
    client.session.receive(Buffer.from('RETR 1\r\n'));
    client.session.receive(Buffer.from('NOOP\r\n'.repeat(500)));
    expect(client.paused).toBe(true);
    client.release();
    await client.session.idle();
    expect(client.paused).toBe(false);
    expect(client.take().match(/\+OK\r\n/g)).toHaveLength(500);
  });

  it('holds at most a batch of answers for a client that pipelines commands and does not read', async () => {
    const setup = await engine({ sizes: 'stored' });
    for (let i = 0; i < 500; i++)
      await setup.store.deliver('alice@example.com', { content: message(`${i}`) });
    const client = await connected(setup);
    await client.login();
    const listing = await client.command('UIDL');
    // The client stops reading (the transport is full) and pipelines 64 KiB of UIDL.
    client.writesBeforeFull = client.writes + 1;
    const commands = Math.floor((64 * 1024) / 'UIDL\r\n'.length);
    client.session.receive(Buffer.from('UIDL\r\n'.repeat(commands)));
    while (!client.waitingForDrain) await new Promise((resolve) => setImmediate(resolve));
    // What the session handed over before it waited: about one batch, not 10,000 listings.
    const held = client.take().length;
    expect(held).toBeLessThan(64 * 1024 + 2 * listing.length);
    client.release();
    await client.session.idle();
    expect(held + client.take().length).toBe(commands * listing.length);
  });

  it('rejects limits that make no sense', async () => {
    const { store, directory } = await fixtures();
    expect(
      () => new Pop3Engine({ store, directory, hostname: 'h', limits: { commandLine: 0 } }),
    ).toThrow(RangeError);
    expect(
      () => new Pop3Engine({ store, directory, hostname: 'h', loginDelaySeconds: -1 }),
    ).toThrow(RangeError);
  });
});

describe('random input', () => {
  const commandLine = fc.oneof(
    fc.constantFrom(
      'USER alice',
      'PASS wonderland',
      'PASS wrong',
      'STAT',
      'LIST',
      'LIST 1',
      'LIST 99',
      'RETR 1',
      'RETR 2',
      'TOP 1 0',
      'TOP 2 3',
      'DELE 1',
      'DELE 2',
      'RSET',
      'NOOP',
      'UIDL',
      'UIDL 2',
      'CAPA',
      'AUTH',
      'AUTH PLAIN',
      '*',
      'UTF8',
      'STLS',
      'APOP alice 00000000000000000000000000000000',
    ),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  );

  it('always answers every command with well-formed responses, never throws, never deletes without QUIT', async () => {
    const setup = await engine({ limits: { failedCommands: 1000, failedLogins: 1000 } });
    await setup.store.deliver('alice@example.com', { content: message('one', '.dot\r\n') });
    await setup.store.deliver('alice@example.com', { content: Buffer.from('Subject: two\n\nx\n') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandLine, { maxLength: 25 }),
        fc.array(fc.nat(300), { maxLength: 6 }),
        async (lines, cuts) => {
          const client = new TestClient(setup.engine, { tlsAvailable: true });
          await client.start();
          const input = Buffer.from(
            lines.map((l) => `${l.replace(/[\r\n]/g, '')}\r\n`).join(''),
            'latin1',
          );
          const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort(
            (a, b) => a - b,
          );
          let last = 0;
          for (const p of [...points, input.length]) {
            client.session.receive(input.subarray(last, p));
            last = p;
          }
          await client.session.idle();
          const out = client.take();
          expect(out === '' || out.endsWith('\r\n')).toBe(true);
          if (lines.length > 0) expect(out).toMatch(/^(\+OK|-ERR|\+ )/);
          client.session.disconnected();
          await client.session.idle();
          // The maildrop is free again, whatever happened.
          expect((setup.engine.maildrops as InProcessMaildropRegistry).size).toBe(0);
          const inbox = await setup.store.access('alice@example.com').open('INBOX');
          expect((await inbox.messages()).length).toBe(2);
          inbox.close();
        },
      ),
      { seed: 110, numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
  }, 60_000);
});
