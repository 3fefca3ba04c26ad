import { describe, expect, it } from 'vitest';
import { ManageSieveEngine } from '../src/session/managesieve-engine.js';
import { TestClient, engine } from './session-harness.js';

describe('ManageSieve limits and hostile input', () => {
  it('answers a line 100 times the limit NO "Line too long" and goes on', async () => {
    const { engine: e } = await engine({ limits: { commandLine: 1024 } });
    const client = new TestClient(e);
    await client.login();
    const long = `PUTSCRIPT "a" "${'x'.repeat(100 * 1024)}"\r\n`;
    expect(await client.send(long)).toBe('NO "Line too long"\r\n');
    expect(await client.send('NOOP\r\n')).toBe('OK "NOOP completed"\r\n');
  });

  it('reads a line without a line feed through, a chunk at a time, keeping none of it', async () => {
    const { engine: e } = await engine({ limits: { commandLine: 1024 } });
    const client = new TestClient(e);
    await client.login();
    for (let i = 0; i < 100; i++) expect(await client.send('y'.repeat(1024))).toBe('');
    expect(await client.send('\r\nNOOP\r\n')).toBe('NO "Line too long"\r\nOK "NOOP completed"\r\n');
  });

  it('answers a script over maxScriptSize NO (QUOTA/MAXSIZE), reads its literal through, and goes on', async () => {
    const { engine: e, store } = await engine({
      limits: { maxScriptSize: 1000, discardedLiteral: 100_000 },
    });
    const client = new TestClient(e);
    await client.login();
    const big = 'k'.repeat(100_000);
    expect(await client.send(`PUTSCRIPT "big" {${big.length}+}\r\n${big}\r\nNOOP\r\n`)).toBe(
      'NO (QUOTA/MAXSIZE) "Script too large"\r\nOK "NOOP completed"\r\n',
    );
    expect(await client.send(`CHECKSCRIPT {1001+}\r\n${'k'.repeat(1001)}\r\n`)).toBe(
      'NO (QUOTA/MAXSIZE) "Script too large"\r\n',
    );
    expect(await client.send(`PUTSCRIPT "fits" {1000+}\r\n${'k'.repeat(1000)}\r\n`)).toBe(
      'OK "Putscript completed"\r\n',
    );
    expect(await store.get('alice@example.com', 'big')).toBeNull();
  });

  it('ends the session with BYE (QUOTA/MAXSIZE) for a literal larger than it will read through', async () => {
    const { engine: e } = await engine({
      limits: { maxScriptSize: 1000, discardedLiteral: 10_000 },
    });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('PUTSCRIPT "big" {4294967295+}\r\nkkkk')).toBe(
      'BYE (QUOTA/MAXSIZE) "Script too large"\r\n',
    );
    expect(client.closed).toBe(true);
    expect(await client.send('NOOP\r\n')).toBe('');
  });

  it('reads no literal larger than a SASL response before login: BYE', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.start();
    expect(await client.send('PUTSCRIPT "a" {1000000+}\r\n')).toBe('BYE "Literal too large"\r\n');
    expect(client.closed).toBe(true);
  });

  it('answers HAVESPACE with the quota response codes', async () => {
    const { engine: e } = await engine({
      limits: { maxScriptSize: 1000, maxScripts: 2, maxStorage: 1500 },
    });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('HAVESPACE "a" 1000\r\n')).toBe('OK "Putscript would succeed"\r\n');
    expect(await client.send('HAVESPACE "a" 1001\r\n')).toBe(
      'NO (QUOTA/MAXSIZE) "Script too large"\r\n',
    );
    expect(await client.send('HAVESPACE "a" 99999999999\r\n')).toBe('NO "Expected a number"\r\n');
    await client.send(`PUTSCRIPT "a" {900+}\r\n${'k'.repeat(900)}\r\n`);
    expect(await client.send('HAVESPACE "b" 700\r\n')).toBe(
      'NO (QUOTA) "Script storage quota exceeded"\r\n',
    );
    expect(await client.send('HAVESPACE "a" 1000\r\n')).toBe('OK "Putscript would succeed"\r\n');
    await client.send('PUTSCRIPT "b" "keep;"\r\n');
    expect(await client.send('HAVESPACE "c" 1\r\n')).toBe(
      'NO (QUOTA/MAXSCRIPTS) "Too many scripts"\r\n',
    );
  });

  it('enforces maxScripts and maxStorage on PUTSCRIPT; replacing a script counts its new size only', async () => {
    const { engine: e, store } = await engine({ limits: { maxScripts: 2, maxStorage: 20 } });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('PUTSCRIPT "a" "keep;"\r\nPUTSCRIPT "b" "keep;"\r\n')).toBe(
      'OK "Putscript completed"\r\n'.repeat(2),
    );
    expect(await client.send('PUTSCRIPT "c" "keep;"\r\n')).toBe(
      'NO (QUOTA/MAXSCRIPTS) "Too many scripts"\r\n',
    );
    expect(await client.send('PUTSCRIPT "a" "keep; keep; keep;"\r\n')).toBe(
      'NO (QUOTA) "Script storage quota exceeded"\r\n',
    );
    expect(await client.send('PUTSCRIPT "a" "discard; keep;"\r\n')).toBe(
      'OK "Putscript completed"\r\n',
    );
    expect(await store.get('alice@example.com', 'a')).toBe('discard; keep;');
  });

  it('answers NUL, bad quoting and unknown commands NO, and ends with BYE after failedCommands in a row', async () => {
    const { engine: e } = await engine({ limits: { failedCommands: 4 } });
    const client = new TestClient(e);
    await client.start();
    expect(await client.send('NOOP "a\0b"\r\n')).toBe(
      'NO "Invalid character in a quoted string"\r\n',
    );
    expect(await client.send('NO\0OP\r\n')).toBe('NO "Invalid character"\r\n');
    expect(await client.send('NOOP\r\n')).toBe('OK "NOOP completed"\r\n');
    expect(await client.send('FROB\r\n')).toBe('NO "Unknown command"\r\n');
    expect(await client.send('NOOP "unterminated\r\n')).toBe('NO "Unterminated quoted string"\r\n');
    expect(await client.send('GETSCRIPT "x"\r\n')).toBe('NO "Authenticate first"\r\n');
    expect(await client.send('"x"\r\n')).toBe(
      'NO "Unknown command"\r\nBYE "Too many bad commands"\r\n',
    );
    expect(client.closed).toBe(true);
  });

  it('reads a PUTSCRIPT sent a byte at a time', async () => {
    const { engine: e, store } = await engine();
    const client = new TestClient(e);
    await client.login();
    const bytes = Buffer.from('PUTSCRIPT {1+}\r\nx {9}\r\nkeep;\r\n\r\n\r\n');
    let answer = '';
    for (const byte of bytes) answer += await client.send(Buffer.from([byte]));
    expect(answer).toBe('OK "Putscript completed"\r\n');
    expect(await store.get('alice@example.com', 'x')).toBe('keep;\r\n\r\n');
  });

  it('stops reading a client that pipelines past pendingInput while its answers are not taken', async () => {
    const { engine: e } = await engine({ limits: { pendingInput: 1024 } });
    const client = new TestClient(e);
    await client.login();
    client.writesBeforeFull = 0;
    client.session.receive(Buffer.from('NOOP\r\n'.repeat(2000)));
    expect(client.paused).toBe(true);
    const done = client.session.idle();
    client.release();
    await done;
    expect(client.paused).toBe(false);
    expect(client.take()).toBe('OK "NOOP completed"\r\n'.repeat(2000));
  });

  it('survives a connection dropped in the middle of a literal and of a SASL exchange', async () => {
    const { engine: e, store } = await engine();
    const one = new TestClient(e);
    await one.login();
    expect(await one.send('PUTSCRIPT "half" {100+}\r\nkeep;')).toBe('');
    one.session.disconnected();
    await one.session.idle();
    expect(await store.get('alice@example.com', 'half')).toBeNull();
    const two = new TestClient(e);
    await two.start();
    expect(await two.send('AUTHENTICATE "PLAIN"\r\n')).toBe('""\r\n');
    two.session.disconnected();
    expect(await two.send('"AGFsaWNlAHdvbmRlcmxhbmQ="\r\n')).toBe('');
  });

  it('rejects limits that are not positive integers', async () => {
    const { directory, store } = await engine();
    expect(
      () => new ManageSieveEngine({ store, directory, hostname: 'h', limits: { commandLine: 0 } }),
    ).toThrow(RangeError);
    expect(
      () => new ManageSieveEngine({ store, directory, hostname: 'h', limits: { maxScripts: 0 } }),
    ).not.toThrow();
  });
});
