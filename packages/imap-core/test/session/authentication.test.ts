import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { RecordingLoginGuard } from '@mailyard/test-kit';
import { ImapCounters } from '../../src/index.js';
import { TestClient } from './harness.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('greeting, capabilities and states', () => {
  it('greets with its capabilities and offers STARTTLS and LOGINDISABLED before TLS', async () => {
    const client = await TestClient.connect({}, { secure: false, tlsAvailable: true });
    const greeting = client.greeting;
    expect(greeting).toMatch(
      /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL\+ SASL-IR ID ENABLE IDLE STARTTLS LOGINDISABLED[^\]]*\] /,
    );
    expect(greeting).not.toContain('AUTH=PLAIN');
    expect(greeting).toContain('AUTH=SCRAM-SHA-256');
    expect(await client.command('a LOGIN alice wonderland')).toBe(
      'a NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections\r\n',
    );
  });

  it('drops what was pipelined after STARTTLS and shows the capabilities of a secure connection', async () => {
    const client = await TestClient.connect({}, { secure: false, tlsAvailable: true });
    client.write('a STARTTLS\r\nb LOGIN alice wonderland\r\n');
    expect(await client.untilTagged('a')).toBe('a OK Begin TLS negotiation now\r\n');
    await client.until(() => client.tlsStarted);
    expect(await client.command('c NOOP')).toBe('c OK NOOP completed\r\n');
    const caps = await client.command('d CAPABILITY');
    expect(caps).not.toContain('STARTTLS');
    expect(caps).not.toContain('LOGINDISABLED');
    expect(caps).toContain('AUTH=PLAIN');
    expect(await client.command('e STARTTLS')).toBe('e BAD TLS is already active\r\n');
  });

  it('answers commands of the wrong state with BAD, and LOGOUT with BYE', async () => {
    const client = await TestClient.connect();
    expect(await client.command('a SELECT INBOX')).toBe('a BAD Please log in first\r\n');
    expect(await client.command('b FETCH 1 FLAGS')).toBe('b BAD Please log in first\r\n');
    await client.command('c LOGIN alice wonderland');
    expect(await client.command('d FETCH 1 FLAGS')).toBe('d BAD No mailbox selected\r\n');
    expect(await client.command('e LOGIN alice wonderland')).toBe(
      'e BAD LOGIN is not valid in this state\r\n',
    );
    expect(await client.command('f LOGOUT')).toBe('* BYE Logging out\r\nf OK Logout completed\r\n');
    await client.waitClosed();
  });
});

describe('LOGIN and AUTHENTICATE', () => {
  it('logs in with LOGIN and answers with the authenticated capabilities', async () => {
    const counters = new ImapCounters();
    const client = await TestClient.connect({ counters });
    const reply = await client.command('a LOGIN Alice@Example.COM wonderland');
    expect(reply).toMatch(
      /^a OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*IDLE .*QRESYNC.*\] Logged in\r\n$/,
    );
    expect(client.session.state).toBe('authenticated');
    expect(counters.logins).toBe(1);
    expect(counters.connections).toBe(1);
  });

  it('refuses bad credentials with AUTHENTICATIONFAILED and closes after three', async () => {
    const client = await TestClient.connect();
    expect(await client.command('a LOGIN alice nope')).toBe(
      'a NO [AUTHENTICATIONFAILED] Authentication failed\r\n',
    );
    await client.command('b LOGIN alice nope');
    // The refusal and the BYE are one command's answer: they arrive together.
    expect(await client.command('c LOGIN alice nope')).toBe(
      'c NO [AUTHENTICATIONFAILED] Authentication failed\r\n' +
        '* BYE Too many invalid authentication attempts\r\n',
    );
    await client.waitClosed();
  });

  it('AUTHENTICATE PLAIN with an initial response (SASL-IR) and through a continuation', async () => {
    const one = await TestClient.connect();
    expect(await one.command(`a AUTHENTICATE PLAIN ${b64('\0alice\0wonderland')}`)).toMatch(
      /^a OK \[CAPABILITY /,
    );
    const two = await TestClient.connect();
    two.write('a AUTHENTICATE PLAIN\r\n');
    await two.until((t) => t === '+ \r\n');
    two.take();
    two.write(`${b64('\0alice\0wonderland')}\r\n`);
    expect(await two.untilTagged('a')).toMatch(/^a OK \[CAPABILITY /);
  });

  it('AUTHENTICATE: cancel, bad base64, unknown mechanism', async () => {
    const client = await TestClient.connect();
    client.write('a AUTHENTICATE PLAIN\r\n');
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write('*\r\n');
    expect(await client.untilTagged('a')).toBe('a BAD Authentication cancelled\r\n');
    expect(await client.command('b AUTHENTICATE PLAIN !!!!')).toBe(
      'b BAD Invalid initial response\r\n',
    );
    expect(await client.command('c AUTHENTICATE X-UNKNOWN')).toBe(
      'c NO Unsupported authentication mechanism\r\n',
    );
  });

  it('AUTHENTICATE SCRAM-SHA-256 runs the whole exchange (RFC 7677)', async () => {
    const client = await TestClient.connect();
    const clientNonce = randomBytes(12).toString('base64');
    const first = `n,,n=alice,r=${clientNonce}`;
    client.write(`a AUTHENTICATE SCRAM-SHA-256 ${b64(first)}\r\n`);
    await client.until((t) => t.startsWith('+ ') && t.endsWith('\r\n'));
    const serverFirst = Buffer.from(client.take().slice(2).trim(), 'base64').toString();
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
    const finalWithoutProof = `c=${b64('n,,')},r=${fields.r}`;
    const authMessage = `n=alice,r=${clientNonce},${serverFirst},${finalWithoutProof}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    client.write(`${b64(`${finalWithoutProof},p=${proof.toString('base64')}`)}\r\n`);
    await client.until((t) => t.startsWith('+ ') && t.endsWith('\r\n'));
    const serverFinal = Buffer.from(client.take().slice(2).trim(), 'base64').toString();
    const serverKey = createHmac('sha256', salted).update('Server Key').digest();
    expect(serverFinal).toBe(
      `v=${createHmac('sha256', serverKey).update(authMessage).digest('base64')}`,
    );
    client.write('\r\n');
    expect(await client.untilTagged('a')).toMatch(/^a OK \[CAPABILITY /);
    expect(client.session.user).toBe('alice@example.com');
  });

  it('offers CRAM-MD5 only when told to, for directories that keep passwords reversibly', async () => {
    const plain = await TestClient.connect();
    expect(plain.greeting).not.toContain('AUTH=CRAM-MD5');
    const reversible = new MemoryDirectory({ reversibleKey: randomBytes(32) });
    await reversible.addDomain('example.com');
    await reversible.addUser('alice@example.com', { password: 'wonderland' });
    const client = await TestClient.connect({
      directory: reversible,
      mechanisms: ['CRAM-MD5', 'PLAIN'],
    });
    expect(client.greeting).toContain('AUTH=CRAM-MD5 AUTH=PLAIN');
    client.write('a AUTHENTICATE CRAM-MD5\r\n');
    await client.until((t) => t.startsWith('+ ') && t.endsWith('\r\n'));
    const challenge = Buffer.from(client.take().slice(2).trim(), 'base64').toString();
    const digest = createHmac('md5', 'wonderland').update(challenge).digest('hex');
    client.write(`${b64(`alice ${digest}`)}\r\n`);
    expect(await client.untilTagged('a')).toMatch(/^a OK \[CAPABILITY /);
  });

  it('consults the login guard before checking credentials, and tells it every outcome', async () => {
    const loginGuard = new RecordingLoginGuard({ addressLimit: 2 });
    const client = await TestClient.connect({ loginGuard }, { remoteAddress: '198.51.100.7' });
    await client.command('a LOGIN alice wrong');
    await client.command('b LOGIN bob wrong');
    expect(loginGuard.calls).toEqual([
      'admit 198.51.100.7 alice',
      'failure 198.51.100.7 alice',
      'admit 198.51.100.7 bob',
      'failure 198.51.100.7 bob',
    ]);
    const other = await TestClient.connect({ loginGuard }, { remoteAddress: '198.51.100.7' });
    // Locked out: even the right password is refused, unchecked, and the client is told why.
    expect(await other.command('a LOGIN alice wonderland')).toBe(
      'a NO [UNAVAILABLE] Too many failed logins from your address; try again later\r\n',
    );
    expect(await other.command(`b AUTHENTICATE PLAIN ${b64('\0alice\0wonderland')}`)).toBe(
      'b NO [UNAVAILABLE] Too many failed logins from your address; try again later\r\n',
    );
    expect(loginGuard.calls).toHaveLength(4);
    const elsewhere = await TestClient.connect({ loginGuard }, { remoteAddress: '203.0.113.9' });
    expect(await elsewhere.command('a LOGIN alice wonderland')).toMatch(/^a OK/);
    expect(loginGuard.calls.slice(4)).toEqual([
      'admit 203.0.113.9 alice',
      'success 203.0.113.9 alice',
    ]);
  });

  it('says so when the account is locked or throttled, over LOGIN and every SASL mechanism', async () => {
    let checks = 0;
    const directory = await import('./harness.js').then((h) => h.directory());
    const counted = Object.assign(Object.create(directory) as typeof directory, {
      verifyPassword: (login: string, password: string) => {
        checks++;
        return directory.verifyPassword(login, password);
      },
    });
    const loginGuard = new RecordingLoginGuard({
      refuse: {
        alice: { reason: 'account-locked', retryAfterMs: 60_000 },
        bob: { reason: 'throttled', retryAfterMs: 5_000 },
      },
    });
    const client = await TestClient.connect({ loginGuard, directory: counted });
    expect(await client.command('a LOGIN alice wonderland')).toBe(
      'a NO [UNAVAILABLE] Account locked after too many failed logins; try again later\r\n',
    );
    expect(await client.command(`b AUTHENTICATE PLAIN ${b64('\0bob\0builder')}`)).toBe(
      'b NO [UNAVAILABLE] Too many failed logins for this account; try again later\r\n',
    );
    client.write('c AUTHENTICATE SCRAM-SHA-256\r\n');
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write(`${b64('n,,n=bob,r=abcdefgh')}\r\n`);
    // Refused before the password was looked at; and three refusals end the connection.
    expect(await client.untilTagged('c')).toBe(
      'c NO [UNAVAILABLE] Too many failed logins for this account; try again later\r\n' +
        '* BYE Too many invalid authentication attempts\r\n',
    );
    expect(checks).toBe(0);
  });

  it('counts broken AUTHENTICATE exchanges as failed logins; a cancel is not one', async () => {
    const loginGuard = new RecordingLoginGuard();
    const client = await TestClient.connect(
      { loginGuard, limits: { maxAuthFailures: 10 } },
      { remoteAddress: '198.51.100.9' },
    );
    // Not base64; PLAIN without its NULs; a response line over the limit; a SCRAM proof that
    // is not base64 after the client named itself.
    expect(await client.command('a AUTHENTICATE PLAIN !!!!')).toMatch(/^a BAD /);
    expect(await client.command(`b AUTHENTICATE PLAIN ${b64('alice wonderland')}`)).toMatch(
      /^b BAD /,
    );
    client.write('c AUTHENTICATE LOGIN\r\n');
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write(`${'A'.repeat(70_000)}\r\n`);
    expect(await client.untilTagged('c')).toMatch(/^c BAD /);
    client.write('d AUTHENTICATE SCRAM-SHA-256\r\n');
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write(`${b64('n,,n=bob,r=abcdefgh')}\r\n`);
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write(`${b64('c=biws,r=abcdefghservernonce,p=not base64!')}\r\n`);
    expect(await client.untilTagged('d')).toMatch(/^d BAD /);
    client.write('e AUTHENTICATE LOGIN\r\n');
    await client.until((t) => t.startsWith('+'));
    client.take();
    client.write('*\r\n');
    expect(await client.untilTagged('e')).toBe('e BAD Authentication cancelled\r\n');
    expect(loginGuard.calls).toEqual([
      'failure 198.51.100.9 -',
      'failure 198.51.100.9 -',
      'failure 198.51.100.9 -',
      'admit 198.51.100.9 bob',
      'failure 198.51.100.9 bob',
    ]);
  });

  it('tells onLogin and onLoginFailed, for the Security log and login statistics', async () => {
    const loginGuard = new RecordingLoginGuard({ addressLimit: 2 });
    const failures: unknown[] = [];
    const logins: unknown[] = [];
    const options = {
      loginGuard,
      allowPlaintextAuth: true,
      onLogin: (event: unknown) => void logins.push(event),
      onLoginFailed: (event: unknown) => void failures.push(event),
    };
    const client = await TestClient.connect(options, { remoteAddress: '198.51.100.8' });
    await client.command('a LOGIN alice wrong');
    await client.command(`b AUTHENTICATE PLAIN ${b64('\0bob\0wrong')}`);
    await client.command('c LOGIN alice wonderland');
    const event = {
      remoteAddress: '198.51.100.8',
      reason: 'invalid-credentials',
      justLocked: false,
      accountJustLocked: false,
    };
    expect(failures).toEqual([
      { ...event, login: 'alice', method: 'LOGIN' },
      { ...event, login: 'bob', method: 'PLAIN', justLocked: true },
      { ...event, login: 'alice', method: 'LOGIN', reason: 'address-locked' },
    ]);
    const fresh = await TestClient.connect(options, { remoteAddress: '203.0.113.10' });
    await fresh.command('a LOGIN Alice wonderland');
    expect(logins).toEqual([{ user: 'alice@example.com', remoteAddress: '203.0.113.10' }]);
  });

  it('UNAUTHENTICATE returns to the not-authenticated state and resets ENABLE (RFC 8437)', async () => {
    const client = await TestClient.loggedIn();
    await client.command('a ENABLE IMAP4rev2');
    await client.command('b SELECT INBOX');
    expect(await client.command('c UNAUTHENTICATE')).toBe('c OK Unauthenticated\r\n');
    expect(client.session.state).toBe('not-authenticated');
    expect(client.session.rev2).toBe(false);
    expect(await client.command('d LOGIN bob builder')).toMatch(/^d OK/);
    expect(client.session.user).toBe('bob@example.com');
  });
});

describe('ID, ENABLE, COMPRESS', () => {
  it('answers ID in any state (RFC 2971)', async () => {
    const client = await TestClient.connect({ serverId: { name: 'Mailyard', version: '1' } });
    expect(await client.command('a ID ("name" "sodr" "version" "19.34")')).toBe(
      '* ID ("name" "Mailyard" "version" "1")\r\na OK ID completed\r\n',
    );
    expect(await client.command('b ID NIL')).toContain('* ID (');
  });

  it('ENABLE lists what it turned on and ignores what it does not know (RFC 5161)', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('t2 ENABLE CONDSTORE X-GOOD-IDEA')).toBe(
      '* ENABLED CONDSTORE\r\nt2 OK Enabled\r\n',
    );
    expect(await client.command('t3 ENABLE CONDSTORE')).toBe('* ENABLED\r\nt3 OK Enabled\r\n');
    expect(await client.command('t4 ENABLE QRESYNC IMAP4rev2 UTF8=ACCEPT')).toBe(
      '* ENABLED QRESYNC IMAP4rev2 UTF8=ACCEPT\r\nt4 OK Enabled\r\n',
    );
    const before = await TestClient.connect();
    expect(await before.command('x ENABLE IMAP4rev2')).toBe('x BAD Please log in first\r\n');
  });

  it('COMPRESS DEFLATE once, then COMPRESSIONACTIVE (RFC 4978)', async () => {
    const client = await TestClient.loggedIn();
    expect(await client.command('a COMPRESS LZW')).toBe(
      'a BAD Unknown compression algorithm LZW\r\n',
    );
    expect(await client.command('b COMPRESS DEFLATE')).toBe('b OK DEFLATE active\r\n');
    expect(client.compressionStarted).toBe(true);
    expect(await client.command('c CAPABILITY')).not.toContain('COMPRESS=DEFLATE');
    expect(await client.command('d COMPRESS DEFLATE')).toBe(
      'd NO [COMPRESSIONACTIVE] Compression is already on\r\n',
    );
  });
});
