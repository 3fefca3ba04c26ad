/** AUTHORIZATION: greeting, CAPA, USER/PASS, APOP, AUTH, STLS, lockout, IN-USE, hooks. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apopDigest } from '../src/protocol/apop.js';
import type { Pop3LoginFailure } from '../src/session/pop3-hooks.js';
import { RecordingLoginGuard } from '@mailyard/test-kit';
import { HOSTNAME, TestClient, connected, engine, message } from './session-harness.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const TIMESTAMP = `<r4nd0m.1700000000000@${HOSTNAME}>`;

describe('greeting and CAPA', () => {
  it('greets with an APOP timestamp, or without when APOP is off', async () => {
    const setup = await engine();
    const client = new TestClient(setup.engine);
    expect(await client.start()).toBe(`+OK ${HOSTNAME} POP3 server ready ${TIMESTAMP}\r\n`);
    const plain = new TestClient((await engine({ apop: false })).engine);
    expect(await plain.start()).toBe(`+OK ${HOSTNAME} POP3 server ready\r\n`);
    expect(await plain.command('APOP alice ' + '0'.repeat(32))).toMatch(/^-ERR APOP/);
  });

  it('lists the RFC 2449 capabilities, SASL mechanisms, STLS and UTF8', async () => {
    const setup = await engine({ allowPlaintextAuth: false, expire: 30, loginDelaySeconds: 0 });
    const client = await connected(setup, { tlsAvailable: true });
    const capa = await client.command('CAPA');
    const lines = capa.split('\r\n');
    expect(lines[0]).toMatch(/^\+OK/);
    expect(lines).toEqual(
      expect.arrayContaining([
        'TOP',
        'UIDL',
        'RESP-CODES',
        'AUTH-RESP-CODE',
        'PIPELINING',
        'EXPIRE 30',
        'LOGIN-DELAY 0',
        'STLS',
        'UTF8',
        'IMPLEMENTATION Mailyard',
      ]),
    );
    // No password in the clear before TLS: no USER, no PLAIN or LOGIN.
    expect(lines).not.toContain('USER');
    const sasl = lines.find((l) => l.startsWith('SASL '))!;
    expect(sasl.split(' ')).toEqual(expect.arrayContaining(['SCRAM-SHA-256', 'CRAM-MD5']));
    expect(sasl.split(' ')).not.toContain('PLAIN');
    expect(capa.endsWith('\r\n.\r\n')).toBe(true);

    expect(await client.command('STLS')).toBe('+OK Begin TLS negotiation\r\n');
    const after = (await client.command('CAPA')).split('\r\n');
    expect(after).toEqual(expect.arrayContaining(['USER', 'UTF8 USER']));
    expect(after).not.toContain('STLS');
    expect(after.find((l) => l.startsWith('SASL '))!.split(' ')).toContain('PLAIN');
  });

  it('announces after login what it announced before (RFC 2449 5), with TLS or without', async () => {
    const variants = [
      { connection: { tlsAvailable: true }, listed: ['STLS', 'UTF8'], unlisted: ['USER'] },
      { connection: { secure: true }, listed: ['USER', 'UTF8 USER'], unlisted: ['STLS'] },
    ];
    for (const { connection, listed, unlisted } of variants) {
      const client = await connected(await engine({ allowPlaintextAuth: false }), connection);
      const before = await client.command('CAPA');
      expect(await client.command(`APOP alice ${apopDigest(TIMESTAMP, 'wonderland')}`)).toMatch(
        /^\+OK Logged in/,
      );
      const after = await client.command('CAPA');
      expect(after).toBe(before);
      const lines = after.split('\r\n');
      expect(lines).toEqual(expect.arrayContaining(['TOP', 'UIDL', 'RESP-CODES', ...listed]));
      expect(lines.some((l) => l.startsWith('SASL '))).toBe(true);
      for (const line of unlisted) expect(lines).not.toContain(line);
    }
  });

  it('hides IMPLEMENTATION on request', async () => {
    const client = await connected(await engine({ implementation: null }));
    const before = (await client.command('CAPA')).split('\r\n');
    await client.login();
    const after = (await client.command('CAPA')).split('\r\n');
    for (const lines of [before, after]) {
      expect(lines).toEqual(expect.arrayContaining(['TOP', 'USER']));
      expect(lines.some((l) => l.startsWith('IMPLEMENTATION'))).toBe(false);
    }
  });
});

describe('USER and PASS', () => {
  it('logs in by bare name or full address, case-insensitively', async () => {
    const setup = await engine();
    await setup.store.deliver('alice@example.com', { content: message('one') });
    for (const login of ['alice', 'ALICE@Example.COM']) {
      const client = await connected(setup);
      expect(await client.command(`USER ${login}`)).toMatch(/^\+OK/);
      expect(await client.command('PASS wonderland')).toBe(
        `+OK Logged in; maildrop has 1 messages (${message('one').length} octets)\r\n`,
      );
      expect(client.session.info.user).toBe('alice@example.com');
      await client.command('QUIT');
    }
  });

  it('refuses wrong passwords, unknown and disabled users alike', async () => {
    const client = await connected(await engine());
    for (const [user, password] of [
      ['alice', 'wrong'],
      ['nobody', 'x'],
    ]) {
      await client.command(`USER ${user}`);
      expect(await client.command(`PASS ${password}`)).toBe(
        '-ERR [AUTH] Invalid login or password\r\n',
      );
    }
    // The third failure ends the session (limits.failedLogins, default 3).
    await client.command('USER carol');
    expect(await client.command('PASS x')).toBe(
      '-ERR [AUTH] Invalid login or password\r\n-ERR Too many failed logins; closing\r\n',
    );
    expect(client.closed).toBe(true);
  });

  it('wants USER before PASS, and forgets the USER after a failed PASS', async () => {
    const client = await connected(await engine());
    expect(await client.command('PASS wonderland')).toBe('-ERR USER first\r\n');
    await client.command('USER alice');
    await client.command('PASS wrong');
    expect(await client.command('PASS wonderland')).toBe('-ERR USER first\r\n');
  });

  it('refuses USER and PASS without TLS when plaintext is not allowed, then allows them after STLS', async () => {
    const setup = await engine({ allowPlaintextAuth: false });
    const client = await connected(setup, { tlsAvailable: true });
    expect(await client.command('USER alice')).toBe(
      '-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS first\r\n',
    );
    expect(await client.command(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toMatch(
      /^-ERR \[AUTH\] Plaintext/,
    );
    await client.command('STLS');
    expect(client.tlsStarted).toBe(1);
    expect(await client.login()).toMatch(/^\+OK Logged in/);
  });

  it('accepts plaintext on implicit TLS whatever the option says', async () => {
    const client = await connected(await engine({ allowPlaintextAuth: false }), { secure: true });
    expect(await client.login()).toMatch(/^\+OK Logged in/);
  });

  it('accepts a password with spaces', async () => {
    const setup = await engine();
    await setup.directory.addUser('dave@example.com', { password: 'two words ' });
    const client = await connected(setup);
    expect(await client.login('dave', 'two words ')).toMatch(/^\+OK Logged in/);
  });
});

describe('APOP', () => {
  it('logs in with the digest of the greeting timestamp', async () => {
    const client = await connected(await engine({ allowPlaintextAuth: false }));
    const digest = apopDigest(TIMESTAMP, 'wonderland');
    expect(await client.command(`APOP alice ${digest}`)).toMatch(/^\+OK Logged in/);
  });

  it('fails for a wrong digest and for accounts without a reversible password', async () => {
    const client = await connected(await engine());
    expect(await client.command(`APOP alice ${apopDigest(TIMESTAMP, 'nope')}`)).toBe(
      '-ERR [AUTH] Invalid login or password\r\n',
    );
    const hashed = await connected(await engine({}, 'hashed'));
    expect(await hashed.command(`APOP alice ${apopDigest(TIMESTAMP, 'wonderland')}`)).toBe(
      '-ERR [AUTH] Invalid login or password\r\n',
    );
  });
});

describe('AUTH', () => {
  it('lists mechanisms for a bare AUTH', async () => {
    const client = await connected(await engine());
    const listing = (await client.command('AUTH')).split('\r\n');
    expect(listing[0]).toBe('+OK');
    expect(listing).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN', 'CRAM-MD5']));
  });

  it('does PLAIN with an initial response and with a continuation', async () => {
    const setup = await engine();
    const client = await connected(setup);
    expect(await client.command(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toMatch(
      /^\+OK Logged in/,
    );
    const other = await connected(setup);
    expect(await other.command('AUTH PLAIN')).toBe('+ \r\n');
    expect(await other.command(b64('\0bob\0builder'))).toMatch(/^\+OK Logged in/);
  });

  it('does CRAM-MD5 through challenges', async () => {
    const client = await connected(await engine());
    const challenge = (await client.command('AUTH CRAM-MD5')).match(/^\+ (\S+)\r\n$/)![1]!;
    const text = Buffer.from(challenge, 'base64').toString();
    const digest = createHmac('md5', 'wonderland').update(text).digest('hex');
    expect(await client.command(b64(`alice ${digest}`))).toMatch(/^\+OK Logged in/);
  });

  it('fails bad credentials with [AUTH], cancels with *, and refuses unknown mechanisms', async () => {
    const client = await connected(await engine());
    expect(await client.command(`AUTH PLAIN ${b64('\0alice\0bad')}`)).toBe(
      '-ERR [AUTH] Invalid login or password\r\n',
    );
    await client.command('AUTH LOGIN');
    expect(await client.command('*')).toBe('-ERR Authentication cancelled\r\n');
    expect(await client.command('AUTH GSSAPI')).toBe(
      '-ERR Unsupported authentication mechanism\r\n',
    );
    await client.command('AUTH PLAIN');
    expect(await client.command('not base64!')).toMatch(/^-ERR Authentication failed/);
    expect(await client.command('STAT')).toBe('-ERR Not logged in\r\n');
  });

  it('takes SASL responses longer than a command line, up to its own limit', async () => {
    const client = await connected(await engine({ limits: { commandLine: 64, saslLine: 200 } }));
    await client.command('AUTH PLAIN');
    const long = b64(`\0alice\0${'x'.repeat(100)}`);
    expect(long.length).toBeGreaterThan(64);
    expect(await client.command(long)).toBe('-ERR [AUTH] Invalid login or password\r\n');
    await client.command('AUTH PLAIN');
    expect(await client.command('A'.repeat(300))).toBe('-ERR SASL response too long\r\n');
    // Back to command lines: the 64-octet limit holds again.
    expect(await client.command(`USER ${'a'.repeat(80)}`)).toBe('-ERR Line too long\r\n');
  });
});

describe('STLS', () => {
  it('drops commands pipelined after STLS in the clear', async () => {
    const client = await connected(await engine(), { tlsAvailable: true });
    const answer = await client.send('STLS\r\nUSER alice\r\nPASS wonderland\r\n');
    expect(answer).toBe('+OK Begin TLS negotiation\r\n');
    expect(client.session.info.secure).toBe(true);
    expect(await client.command('STAT')).toBe('-ERR Not logged in\r\n');
  });

  it('refuses STLS where TLS is not available or already up', async () => {
    expect(await (await connected(await engine())).command('STLS')).toBe(
      '-ERR STLS is not available\r\n',
    );
    const secure = await connected(await engine(), { secure: true, tlsAvailable: false });
    expect(await secure.command('STLS')).toBe('-ERR Already using TLS\r\n');
  });
});

describe('one session per maildrop', () => {
  it('answers [IN-USE] to a second session until the first one ends', async () => {
    const setup = await engine();
    const first = await connected(setup);
    await first.login();
    const second = await connected(setup);
    expect(await second.login()).toBe('-ERR [IN-USE] Maildrop is locked by another session\r\n');
    await first.command('QUIT');
    expect(await second.login()).toMatch(/^\+OK Logged in/);
    // A dropped connection lets go of the maildrop too.
    second.session.disconnected();
    await second.session.idle();
    const third = await connected(setup);
    expect(await third.login()).toMatch(/^\+OK Logged in/);
  });

  it('lets different users in at the same time', async () => {
    const setup = await engine();
    const alice = await connected(setup);
    const bob = await connected(setup);
    expect(await alice.login()).toMatch(/^\+OK/);
    expect(await bob.login('bob', 'builder')).toMatch(/^\+OK/);
  });
});

describe('login guard and hooks', () => {
  it('records failures, refuses a locked IP before checking credentials, and tells the hooks', async () => {
    const loginGuard = new RecordingLoginGuard({ addressLimit: 2 });
    const failed: Pop3LoginFailure[] = [];
    const setup = await engine({
      loginGuard,
      hooks: { onLoginFailed: (failure) => void failed.push(failure) },
    });
    const client = await connected(setup);
    await client.login('alice', 'bad');
    await client.login('alice', 'bad');
    expect(failed.map((f) => f.justLocked)).toEqual([false, true]);
    const again = await connected(setup);
    // Even the right password is refused now, as temporary.
    expect(await again.login()).toBe(
      '-ERR [SYS/TEMP] Too many failed logins from your address; try again later\r\n',
    );
    expect(failed.at(-1)).toMatchObject({
      login: 'alice',
      method: 'USER',
      reason: 'address-locked',
    });
    expect(await again.command(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toBe(
      '-ERR [SYS/TEMP] Too many failed logins from your address; try again later\r\n',
    );
    const elsewhere = await connected(setup, { remoteAddress: '198.51.100.1' });
    expect(await elsewhere.login()).toMatch(/^\+OK/);
    expect(loginGuard.calls).toEqual([
      'admit 192.0.2.7 alice',
      'failure 192.0.2.7 alice',
      'admit 192.0.2.7 alice',
      'failure 192.0.2.7 alice',
      'admit 198.51.100.1 alice',
      'success 198.51.100.1 alice',
    ]);
  });

  it('says so when the account is locked or throttled, over USER, APOP and AUTH, unchecked', async () => {
    const loginGuard = new RecordingLoginGuard({
      refuse: {
        alice: { reason: 'account-locked', retryAfterMs: 60_000 },
        bob: { reason: 'throttled', retryAfterMs: 5_000 },
      },
    });
    const setup = await engine({ loginGuard, limits: { failedCommands: 10 } });
    let checks = 0;
    const { verifyPassword, plaintextPassword } = setup.directory;
    setup.directory.verifyPassword = (login, password) => {
      checks++;
      return verifyPassword.call(setup.directory, login, password);
    };
    setup.directory.plaintextPassword = (login) => {
      checks++;
      return plaintextPassword.call(setup.directory, login);
    };
    const client = await connected(setup);
    expect(await client.login('alice', 'wonderland')).toBe(
      '-ERR [SYS/TEMP] Account locked after too many failed logins; try again later\r\n',
    );
    expect(await client.command(`APOP bob ${'0'.repeat(32)}`)).toBe(
      '-ERR [SYS/TEMP] Too many failed logins for this account; try again later\r\n',
    );
    expect(await client.command(`AUTH PLAIN ${b64('\0bob\0builder')}`)).toBe(
      '-ERR [SYS/TEMP] Too many failed logins for this account; try again later\r\n',
    );
    expect(await client.command('AUTH CRAM-MD5')).toMatch(/^\+ /);
    expect(await client.command(b64(`alice ${'0'.repeat(32)}`))).toBe(
      '-ERR [SYS/TEMP] Account locked after too many failed logins; try again later\r\n',
    );
    expect(checks).toBe(0);
  });

  it('counts broken AUTH exchanges as failed logins; a cancel is not one', async () => {
    const loginGuard = new RecordingLoginGuard();
    const failed: Pop3LoginFailure[] = [];
    const setup = await engine({
      loginGuard,
      limits: { failedCommands: 10, saslLine: 200 },
      hooks: { onLoginFailed: (failure) => void failed.push(failure) },
    });
    const client = await connected(setup);
    expect(await client.command('AUTH PLAIN !!!!')).toMatch(/^-ERR Authentication failed/);
    expect(await client.command(`AUTH PLAIN ${b64('alice wonderland')}`)).toMatch(
      /^-ERR Authentication failed/,
    );
    await client.command('AUTH LOGIN');
    expect(await client.command('A'.repeat(300))).toBe('-ERR SASL response too long\r\n');
    await client.command('AUTH LOGIN');
    await client.command(b64('bob'));
    expect(await client.command('not base64!')).toMatch(/^-ERR Authentication failed/);
    await client.command('AUTH LOGIN');
    expect(await client.command('*')).toBe('-ERR Authentication cancelled\r\n');
    expect(loginGuard.calls).toEqual([
      'failure 192.0.2.7 -',
      'failure 192.0.2.7 -',
      'failure 192.0.2.7 -',
      'failure 192.0.2.7 -',
    ]);
    expect(failed.map((f) => f.reason)).toEqual([
      'malformed',
      'malformed',
      'malformed',
      'malformed',
    ]);
  });

  it('calls onLogin (POP3 before SMTP) and onLogout, and survives a hook that throws', async () => {
    const events: string[] = [];
    const setup = await engine({
      hooks: {
        onLogin: (user, session) => {
          events.push(`login ${user} ${session.remoteAddress}`);
          throw new Error('broken hook');
        },
        onLogout: ({ user, quit, deleted }) =>
          void events.push(`logout ${user} ${quit} ${deleted.join(',')}`),
      },
    });
    await setup.store.deliver('alice@example.com', { content: message('one') });
    const client = await connected(setup);
    expect(await client.login()).toMatch(/^\+OK Logged in/);
    await client.command('DELE 1');
    await client.command('QUIT');
    expect(events).toEqual([
      'login alice@example.com 192.0.2.7',
      'logout alice@example.com true 1',
    ]);
  });

  it('enforces LOGIN-DELAY between logins of a user', async () => {
    let now = 1_000_000;
    const setup = await engine({ loginDelaySeconds: 60, clock: { now: () => now } });
    const client = await connected(setup);
    expect((await client.command('CAPA')).split('\r\n')).toContain('LOGIN-DELAY 60');
    await client.login();
    await client.command('QUIT');
    now += 30_000;
    const early = await connected(setup);
    expect(await early.login()).toBe('-ERR [LOGIN-DELAY] Wait 60 seconds between logins\r\n');
    now += 31_000;
    expect(await early.login()).toMatch(/^\+OK Logged in/);
  });

  it('answers [SYS/TEMP] when the directory fails', async () => {
    const setup = await engine();
    setup.directory.verifyPassword = async () => {
      throw new Error('LDAP down');
    };
    const client = await connected(setup);
    expect(await client.login()).toBe(
      '-ERR [SYS/TEMP] Authentication is unavailable; try again later\r\n',
    );
  });

  it('enters UTF8 mode in AUTHORIZATION only', async () => {
    const client = await connected(await engine());
    expect(await client.command('UTF8')).toBe('+OK UTF8 enabled\r\n');
    expect(client.session.info.utf8).toBe(true);
    await client.login();
    expect(await client.command('UTF8')).toBe('-ERR Not valid in the TRANSACTION state\r\n');
  });
});
