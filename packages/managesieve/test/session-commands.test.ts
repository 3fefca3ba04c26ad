import { describe, expect, it } from 'vitest';
import type { ManageSieveScriptChange } from '../src/session/managesieve-hooks.js';
import { TestClient, engine, plainLogin } from './session-harness.js';

const SCRIPT = 'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n';

function literal(text: string): string {
  return `{${Buffer.byteLength(text)}+}\r\n${text}`;
}

describe('ManageSieve greeting and capabilities', () => {
  it('greets with the capabilities, VERSION 1.0, SASL and the SIEVE list it was given', async () => {
    const { engine: e } = await engine({ sieveExtensions: ['fileinto', 'vacation'] });
    const client = new TestClient(e, { tlsAvailable: true });
    const greeting = await client.start();
    const lines = greeting.split('\r\n');
    expect(lines).toContain('"IMPLEMENTATION" "Mailyard"');
    expect(lines).toContain('"SIEVE" "fileinto vacation"');
    expect(lines).toContain('"STARTTLS"');
    expect(lines).toContain('"VERSION" "1.0"');
    expect(greeting).toMatch(/"SASL" "[^"]*PLAIN[^"]*"\r\n/);
    expect(lines.at(-2)).toMatch(/^OK "sieve\.example\.com ManageSieve ready"$/);
    expect(await client.send('capability\r\n')).toBe(
      greeting.replace(/OK "[^"]*"\r\n$/, 'OK "Capability completed"\r\n'),
    );
  });

  it('lists OWNER after login, and neither SASL nor STARTTLS', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e, { tlsAvailable: true });
    expect(await client.login()).toBe('OK "Logged in"\r\n');
    const caps = await client.send('CAPABILITY\r\n');
    expect(caps).toContain('"OWNER" "alice@example.com"\r\n');
    expect(caps).not.toContain('SASL');
    expect(caps).not.toContain('STARTTLS');
  });

  it('re-issues the capabilities after STARTTLS and drops what was pipelined in the clear', async () => {
    const { engine: e } = await engine({ allowPlaintextAuth: false });
    const client = new TestClient(e, { tlsAvailable: true });
    const greeting = await client.start();
    expect(greeting).not.toMatch(/"SASL" "[^"]*PLAIN/);
    const answer = await client.send(
      `STARTTLS\r\n${plainLogin('alice@example.com', 'wonderland')}`,
    );
    expect(client.tlsStarted).toBe(1);
    expect(answer).toMatch(/^OK "Begin TLS negotiation now"\r\n/);
    expect(answer).toMatch(/"SASL" "[^"]*PLAIN[^"]*"\r\n/);
    expect(answer).not.toContain('STARTTLS');
    expect(answer).toMatch(/OK "TLS negotiation successful"\r\n$/);
    expect(answer).not.toContain('Logged in');
    expect(await client.send('STARTTLS\r\n')).toBe('NO "TLS is already active"\r\n');
  });
});

describe('ManageSieve AUTHENTICATE', () => {
  it('logs in with PLAIN as an initial response, and as a challenge and a literal response', async () => {
    const { engine: e } = await engine();
    const one = new TestClient(e);
    expect(await one.login()).toBe('OK "Logged in"\r\n');
    const two = new TestClient(e);
    await two.start();
    expect(await two.send('AUTHENTICATE "PLAIN"\r\n')).toBe('""\r\n');
    const token = Buffer.from('\0bob@example.com\0builder').toString('base64');
    expect(await two.send(literal(token) + '\r\n')).toBe('OK "Logged in"\r\n');
    expect(two.session.info.user).toBe('bob@example.com');
  });

  it('refuses a password in the clear with ENCRYPT-NEEDED where plaintext is not allowed', async () => {
    const { engine: e } = await engine({ allowPlaintextAuth: false });
    const client = new TestClient(e, { tlsAvailable: true });
    await client.start();
    expect(await client.send(plainLogin('alice@example.com', 'wonderland'))).toBe(
      'NO (ENCRYPT-NEEDED) "Plaintext authentication disallowed on non-secure connections"\r\n',
    );
  });

  it('answers a wrong password NO, a disabled account NO, a cancel NO, and ends after 3 failed logins', async () => {
    const failures: string[] = [];
    const { engine: e } = await engine({
      hooks: { onLoginFailed: (failure) => void failures.push(failure.reason) },
    });
    const client = new TestClient(e);
    await client.start();
    expect(await client.send(plainLogin('alice@example.com', 'nope'))).toBe(
      'NO "Authentication failed"\r\n',
    );
    expect(await client.send('AUTHENTICATE "PLAIN"\r\n')).toBe('""\r\n');
    expect(await client.send('"*"\r\n')).toBe('NO "Authentication cancelled"\r\n');
    expect(await client.send(plainLogin('carol@example.com', 'x'))).toBe(
      'NO "Authentication failed"\r\n',
    );
    expect(await client.send(plainLogin('nobody@example.com', 'x'))).toBe(
      'NO "Authentication failed"\r\nBYE "Too many failed logins"\r\n',
    );
    expect(client.closed).toBe(true);
    expect(failures).toEqual(['invalid-credentials', 'invalid-credentials', 'invalid-credentials']);
  });

  it('logs in with SCRAM-SHA-256 and sends the server signature in OK (SASL ...)', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.start();
    const nonce = 'rOprNGfwEbeRWgbNEkqO';
    const first = `n,,n=alice@example.com,r=${nonce}`;
    const challenge = await client.send(
      `AUTHENTICATE "SCRAM-SHA-256" "${Buffer.from(first).toString('base64')}"\r\n`,
    );
    expect(challenge).toMatch(/^"[A-Za-z0-9+/=]+"\r\n$/);
    const serverFirst = Buffer.from(challenge.slice(1, -3), 'base64').toString();
    const { createHash, createHmac, pbkdf2Sync } = await import('node:crypto');
    const fields = Object.fromEntries(serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
    const salted = pbkdf2Sync(
      'wonderland',
      Buffer.from(fields.s!, 'base64'),
      Number(fields.i),
      32,
      'sha256',
    );
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const without = `c=biws,r=${fields.r}`;
    const authMessage = `${first.slice(3)},${serverFirst},${without}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!)).toString('base64');
    const answer = await client.send(
      `"${Buffer.from(`${without},p=${proof}`).toString('base64')}"\r\n`,
    );
    const serverKey = createHmac('sha256', salted).update('Server Key').digest();
    const expected = createHmac('sha256', serverKey).update(authMessage).digest('base64');
    expect(answer).toBe(
      `OK (SASL "${Buffer.from(`v=${expected}`).toString('base64')}") "Logged in"\r\n`,
    );
  });

  it('refuses commands that need a login before it, and AUTHENTICATE after it', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.start();
    expect(await client.send('LISTSCRIPTS\r\n')).toBe('NO "Authenticate first"\r\n');
    await client.send(plainLogin('alice@example.com', 'wonderland'));
    expect(await client.send(plainLogin('alice@example.com', 'wonderland'))).toBe(
      'NO "Already authenticated"\r\n',
    );
  });

  it('UNAUTHENTICATE returns to the unauthenticated state, where another user logs in', async () => {
    const { engine: e, store } = await engine();
    const client = new TestClient(e);
    await client.login();
    await client.send(`PUTSCRIPT "a" ${literal('keep;')}\r\n`);
    expect(await client.send('UNAUTHENTICATE\r\n')).toBe('OK "Unauthenticate completed"\r\n');
    expect(await client.send('LISTSCRIPTS\r\n')).toBe('NO "Authenticate first"\r\n');
    expect(await client.send(plainLogin('bob@example.com', 'builder'))).toBe('OK "Logged in"\r\n');
    expect(await client.send('LISTSCRIPTS\r\n')).toBe('OK "Listscripts completed"\r\n');
    expect((await store.list('alice@example.com')).scripts.map((s) => s.name)).toEqual(['a']);
  });
});

describe('ManageSieve script commands', () => {
  it('puts, lists, activates, gets, renames and deletes scripts', async () => {
    const changes: ManageSieveScriptChange[] = [];
    const { engine: e, store } = await engine({
      hooks: { onScriptChange: (_user, change) => void changes.push(change) },
    });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send(`PUTSCRIPT "main" ${literal(SCRIPT)}\r\n`)).toBe(
      'OK "Putscript completed"\r\n',
    );
    expect(await client.send('PUTSCRIPT "other" "keep;"\r\n')).toBe('OK "Putscript completed"\r\n');
    expect(await client.send('SETACTIVE "main"\r\n')).toBe('OK "Setactive completed"\r\n');
    expect(await client.send('LISTSCRIPTS\r\n')).toBe(
      '"main" ACTIVE\r\n"other"\r\nOK "Listscripts completed"\r\n',
    );
    expect(await client.send('GETSCRIPT "main"\r\n')).toBe(
      `{${SCRIPT.length}}\r\n${SCRIPT}\r\nOK "Getscript completed"\r\n`,
    );
    expect(await client.send('DELETESCRIPT "main"\r\n')).toBe(
      'NO (ACTIVE) "The active script cannot be deleted"\r\n',
    );
    expect(await client.send('RENAMESCRIPT "main" "other"\r\n')).toBe(
      'NO (ALREADYEXISTS) "A script with that name exists"\r\n',
    );
    expect(await client.send('RENAMESCRIPT "main" "renamed"\r\n')).toBe(
      'OK "Renamescript completed"\r\n',
    );
    expect(await client.send('LISTSCRIPTS\r\n')).toBe(
      '"other"\r\n"renamed" ACTIVE\r\nOK "Listscripts completed"\r\n',
    );
    expect(await client.send('SETACTIVE ""\r\n')).toBe('OK "Script deactivated"\r\n');
    expect(await client.send('DELETESCRIPT "renamed"\r\n')).toBe('OK "Deletescript completed"\r\n');
    expect(await store.getActive('alice@example.com')).toBeNull();
    expect(changes).toEqual([
      { action: 'put', name: 'main' },
      { action: 'put', name: 'other' },
      { action: 'activate', name: 'main' },
      { action: 'rename', name: 'renamed', from: 'main' },
      { action: 'deactivate' },
      { action: 'delete', name: 'renamed' },
    ]);
  });

  it('answers NONEXISTENT for a script that is not there', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.login();
    for (const command of [
      'GETSCRIPT "x"',
      'DELETESCRIPT "x"',
      'SETACTIVE "x"',
      'RENAMESCRIPT "x" "y"',
    ]) {
      expect(await client.send(`${command}\r\n`)).toBe('NO (NONEXISTENT) "No such script"\r\n');
    }
  });

  it('passes scripts through the checker: errors are NO, warnings OK (WARNINGS), nothing stored on error', async () => {
    const { engine: e, store } = await engine({
      checkScript: (script) =>
        script.includes('bad')
          ? { ok: false, errors: ['line 1: unknown command "bad"'] }
          : script.includes('old')
            ? { ok: true, warnings: ['line 1: "old" is deprecated'] }
            : { ok: true, warnings: [] },
    });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('PUTSCRIPT "s" "bad;"\r\n')).toBe(
      'NO "line 1: unknown command \\"bad\\""\r\n',
    );
    expect(await store.get('alice@example.com', 's')).toBeNull();
    expect(await client.send('PUTSCRIPT "s" "old;"\r\n')).toBe(
      'OK (WARNINGS) "line 1: \\"old\\" is deprecated"\r\n',
    );
    expect(await client.send('CHECKSCRIPT "keep;"\r\n')).toBe('OK "Script is valid"\r\n');
    expect(await client.send('CHECKSCRIPT "bad;"\r\n')).toMatch(/^NO /);
  });

  it('answers NO (TRYLATER) when the checker or the store fails, and goes on', async () => {
    const { engine: e, store } = await engine({
      checkScript: () => {
        throw new Error('compiler crashed');
      },
    });
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('PUTSCRIPT "s" "keep;"\r\n')).toBe(
      'NO (TRYLATER) "Cannot check the script now"\r\n',
    );
    store.list = () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
    expect(await client.send('LISTSCRIPTS\r\n')).toBe(
      'NO (TRYLATER) "Script storage is unavailable; try again later"\r\n',
    );
    expect(await client.send('NOOP\r\n')).toBe('OK "NOOP completed"\r\n');
  });

  it('refuses invalid script names (RFC 5804 1.6) and non-UTF-8 scripts', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.login();
    expect(await client.send('PUTSCRIPT "" "keep;"\r\n')).toBe('NO "Invalid script name"\r\n');
    expect(await client.send(`PUTSCRIPT {3+}\r\na\x01b "keep;"\r\n`)).toBe(
      'NO "Invalid script name"\r\n',
    );
    expect(
      await client.send(
        Buffer.concat([
          Buffer.from('PUTSCRIPT "s" {2+}\r\n'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('\r\n'),
        ]),
      ),
    ).toBe('NO "Script is not valid UTF-8"\r\n');
    expect(await client.send('PUTSCRIPT "caf\u00e9 \u2603" "keep;"\r\n')).toBe(
      'OK "Putscript completed"\r\n',
    );
    expect(await client.send('LISTSCRIPTS\r\n')).toBe(
      '"caf\u00e9 \u2603"\r\nOK "Listscripts completed"\r\n',
    );
  });

  it('echoes NOOP tags, and answers LOGOUT with OK and a close', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.start();
    expect(await client.send('NOOP "STARTTLS-SYNC-42"\r\n')).toBe(
      'OK (TAG "STARTTLS-SYNC-42") "Done"\r\n',
    );
    expect(await client.send('LOGOUT\r\n')).toBe('OK "Logout completed"\r\n');
    expect(client.closed).toBe(true);
  });

  it('answers pipelined commands in order', async () => {
    const { engine: e } = await engine();
    const client = new TestClient(e);
    await client.login();
    expect(
      await client.send(
        'PUTSCRIPT "a" "keep;"\r\nSETACTIVE "a"\r\nLISTSCRIPTS\r\nGETSCRIPT "a"\r\n',
      ),
    ).toBe(
      'OK "Putscript completed"\r\nOK "Setactive completed"\r\n"a" ACTIVE\r\nOK "Listscripts completed"\r\n' +
        '{5}\r\nkeep;\r\nOK "Getscript completed"\r\n',
    );
  });
});
