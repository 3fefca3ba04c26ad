import { type Logger, MemoryDirectory } from '@mailyard/mailstore-interface';
import { SaslServer } from '@mailyard/sasl';
import { RecordingLoginGuard } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import type { AuthOutcome } from '../../src/session/smtp-hooks.js';
import { Conversation, finalCodes } from './conversation.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function saslServer(allowPlaintext = false) {
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  return new SaslServer({
    credentials: directory,
    hostname: 'mx.example.com',
    service: 'smtp',
    mechanisms: ['PLAIN', 'LOGIN'],
    allowPlaintext,
  });
}

describe('AUTH (RFC 4954)', () => {
  it('offers PLAIN and LOGIN only over TLS unless plaintext is allowed', async () => {
    const clear = new Conversation({ sasl: await saslServer() });
    await clear.open();
    expect(await clear.say('EHLO c\r\n')).not.toContain('AUTH');
    expect(await clear.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toBe(
      '538 5.7.11 Encryption required for requested authentication mechanism\r\n',
    );

    const secure = new Conversation({ sasl: await saslServer() }, { secure: true });
    await secure.open();
    expect(await secure.say('EHLO c\r\n')).toMatch(/\r\n250[- ]AUTH PLAIN LOGIN\r\n/);
  });

  it('authenticates with an initial response, then marks Received ESMTPSA', async () => {
    const outcomes: AuthOutcome[] = [];
    const c = new Conversation(
      { sasl: await saslServer(), hooks: { onAuth: async (o) => void outcomes.push(o) } },
      { secure: true },
    );
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toBe(
      '235 2.7.0 Authentication successful\r\n',
    );
    expect(outcomes).toEqual([{ ok: true, user: 'alice@example.com', mechanism: 'PLAIN' }]);
    expect(await c.say('EHLO c\r\n')).not.toContain('AUTH');
    expect(await c.say('AUTH PLAIN\r\n')).toBe('503 5.5.1 Already authenticated\r\n');
    await c.pipeline(
      'MAIL FROM:<alice@example.com> AUTH=alice@example.com',
      'RCPT TO:<bob@example.org>',
      'DATA',
    );
    await c.say('x\r\n.\r\n');
    expect(c.stored[0]!.text).toContain('with ESMTPSA id S1');
    expect(c.stored[0]!.envelope.auth).toBe('alice@example.com');
  });

  it('walks LOGIN through its challenges, and takes * as a cancel', async () => {
    const c = new Conversation({ sasl: await saslServer(true) });
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say('AUTH LOGIN\r\n')).toBe(`334 ${b64('Username:')}\r\n`);
    expect(await c.say(`${b64('alice')}\r\n`)).toBe(`334 ${b64('Password:')}\r\n`);
    expect(await c.say(`${b64('wonderland')}\r\n`)).toBe('235 2.7.0 Authentication successful\r\n');
    const d = new Conversation({ sasl: await saslServer(true) });
    await d.open();
    await d.say('EHLO c\r\n');
    await d.say('AUTH LOGIN\r\n');
    expect(await d.say('*\r\n')).toBe('501 5.0.0 Authentication cancelled\r\n');
    expect(await d.say('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
  });

  it('reports failures to the hook, and closes after too many', async () => {
    const outcomes: AuthOutcome[] = [];
    const c = new Conversation({
      sasl: await saslServer(true),
      limits: { authFailures: 2 },
      hooks: { onAuth: async (o) => void outcomes.push(o) },
    });
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`)).toBe(
      '535 5.7.8 Authentication credentials invalid\r\n',
    );
    expect(await c.say('AUTH PLAIN !!notbase64\r\n')).toBe(
      '501 5.5.2 Cannot decode response\r\n421 4.7.0 mx.example.com Too many authentication failures\r\n',
    );
    expect(c.closed).toBe(true);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect(outcomes[0]).toMatchObject({
      ok: false,
      mechanism: 'PLAIN',
      reason: 'invalid-credentials',
      authenticationId: 'alice',
    });
  });

  it('lets the hook refuse a good password (a locked-out IP)', async () => {
    const c = new Conversation({
      sasl: await saslServer(true),
      hooks: {
        onAuth: async () => ({ code: 454, enhanced: '4.7.0', lines: ['Locked out, try later'] }),
      },
    });
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toBe(
      '454 4.7.0 Locked out, try later\r\n',
    );
    await c.say('MAIL FROM:<a@b.example>\r\n');
    await c.say('RCPT TO:<x@y.example>\r\nDATA\r\nx\r\n.\r\n');
    expect(c.stored[0]!.text).toContain('with ESMTP id');
  });

  it('requires AUTH before MAIL on a submission listener', async () => {
    const c = new Conversation(
      { sasl: await saslServer(true), requireAuth: true },
      { listener: 'submission', localPort: 587 },
    );
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say('MAIL FROM:<alice@example.com>\r\n')).toBe(
      '530 5.7.0 Authentication required\r\n',
    );
    await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`);
    expect(await c.say('MAIL FROM:<alice@example.com>\r\n')).toBe('250 2.1.0 Ok\r\n');
  });

  it('ignores AUTH= on MAIL from a client that did not authenticate (RFC 4954 5)', async () => {
    const c = new Conversation();
    await c.open();
    await c.say('EHLO c\r\n');
    await c.pipeline(
      'MAIL FROM:<a@b.example> AUTH=ceo@example.com',
      'RCPT TO:<x@example.com>',
      'DATA',
    );
    await c.say('x\r\n.\r\n');
    expect(c.stored[0]!.envelope.auth).toBeUndefined();
  });
});

describe('STARTTLS (RFC 3207)', () => {
  it('upgrades, throws away what was pipelined in the clear, and forgets the session', async () => {
    const c = new Conversation({}, { tlsAvailable: true });
    await c.open();
    expect(await c.say('EHLO c\r\n')).toMatch(/\r\n250[- ]STARTTLS\r\n/);
    expect(
      await c.say('STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<x@example.com>\r\n'),
    ).toBe('220 2.0.0 Ready to start TLS\r\n');
    expect(c.tlsUpgrades).toBe(1);
    // The injected MAIL is gone, and the client must say EHLO again.
    expect(await c.say('RCPT TO:<x@example.com>\r\n')).toBe('503 Need MAIL first\r\n');
    expect(await c.say('MAIL FROM:<a@b.example>\r\n')).toBe('503 Send EHLO first\r\n');
    const ehlo = await c.say('EHLO c\r\n');
    expect(ehlo).not.toContain('STARTTLS');
    expect(ehlo).toMatch(/\r\n250[- ]REQUIRETLS\r\n/);
    await c.pipeline('MAIL FROM:<a@b.example> REQUIRETLS', 'RCPT TO:<x@example.com>', 'DATA');
    await c.say('x\r\n.\r\n');
    expect(c.stored[0]!.text).toContain('with ESMTPS id');
    expect(c.stored[0]!.envelope.requireTls).toBe(true);
  });

  it('refuses STARTTLS where there is no certificate, twice, or inside a transaction', async () => {
    const none = new Conversation();
    await none.open();
    await none.say('EHLO c\r\n');
    expect(await none.say('STARTTLS\r\n')).toBe('502 5.5.1 STARTTLS not available\r\n');
    const c = new Conversation({}, { tlsAvailable: true });
    await c.open();
    await c.say('EHLO c\r\nMAIL FROM:<a@b.example>\r\n');
    expect(await c.say('STARTTLS\r\n')).toBe('503 5.5.1 STARTTLS not allowed in a transaction\r\n');
    expect(await c.say('MAIL FROM:<a@b.example> REQUIRETLS\r\n')).toMatch(/^503 /);
    await c.say('RSET\r\n');
    expect(await c.say('MAIL FROM:<a@b.example> REQUIRETLS\r\n')).toBe(
      '530 5.7.10 REQUIRETLS needs a TLS connection\r\n',
    );
  });
});

describe('LMTP (RFC 2033)', () => {
  it('wants LHLO and answers once per recipient after the data', async () => {
    const c = new Conversation({
      lmtp: true,
      hooks: {
        onMessage: async (envelope, message) => {
          for await (const _ of message);
          return envelope.recipients.map((r) =>
            r.address.startsWith('full')
              ? { code: 452, enhanced: '4.2.2', lines: ['Mailbox full'] }
              : { code: 250, enhanced: '2.0.0', lines: ['Delivered'] },
          );
        },
      },
    });
    expect(await c.open()).toBe('220 mx.example.com LMTP Mailyard\r\n');
    expect(await c.say('EHLO c\r\n')).toBe('500 5.5.1 This is LMTP: say LHLO\r\n');
    expect(await c.say('LHLO c\r\n')).toContain('250 ');
    await c.pipeline(
      'MAIL FROM:<a@b.example>',
      'RCPT TO:<one@example.com>',
      'RCPT TO:<full@example.com>',
      'RCPT TO:<two@example.com>',
      'DATA',
    );
    const replies = await c.say('x\r\n.\r\n');
    expect(finalCodes(replies)).toEqual([250, 452, 250]);
    expect(replies).toContain('452 4.2.2 Mailbox full');
  });
});

describe('AUTH and the login guard', () => {
  it('asks the guard before the password is checked, tells it the outcome, and says why it refused', async () => {
    const loginGuard = new RecordingLoginGuard({
      refuse: { bob: { reason: 'account-locked', retryAfterMs: 60_000 } },
    });
    const outcomes: AuthOutcome[] = [];
    const c = new Conversation(
      {
        sasl: await saslServer(),
        loginGuard,
        limits: { authFailures: 10 },
        hooks: { onAuth: async (o) => void outcomes.push(o) },
      },
      { secure: true, remoteAddress: '198.51.100.20' },
    );
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say(`AUTH PLAIN ${b64('\0bob\0builder')}\r\n`)).toBe(
      '454 4.7.0 Account locked after too many failed logins; try again later\r\n',
    );
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0guess')}\r\n`)).toMatch(/^535 /);
    expect(await c.say('AUTH PLAIN !!!!\r\n')).toMatch(/^501 /);
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
    expect(loginGuard.calls).toEqual([
      'admit 198.51.100.20 bob',
      'admit 198.51.100.20 alice',
      'failure 198.51.100.20 alice',
      'failure 198.51.100.20 -',
      'admit 198.51.100.20 alice',
      'success 198.51.100.20 alice',
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'account-locked',
      'invalid-credentials',
      'malformed',
      'ok',
    ]);
  });

  it('refuses a locked address before reading the exchange', async () => {
    const loginGuard = new RecordingLoginGuard({ addressLimit: 1 });
    await loginGuard.recordFailure('198.51.100.21', null);
    const c = new Conversation(
      { sasl: await saslServer(), loginGuard },
      { secure: true, remoteAddress: '198.51.100.21' },
    );
    await c.open();
    await c.say('EHLO c\r\n');
    expect(await c.say('AUTH LOGIN\r\n')).toBe(
      '454 4.7.0 Too many failed logins from your address; try again later\r\n',
    );
    expect(loginGuard.calls).toEqual(['failure 198.51.100.21 -']);
  });

  it('logs failures as warnings with the session id, a failed lookup as one error; no password', async () => {
    const entries: [string, string, Record<string, unknown> | undefined][] = [];
    const logger: Logger = {
      info: (message, fields) => entries.push(['info', message, fields]),
      warn: (message, fields) => entries.push(['warn', message, fields]),
      error: (message, fields) => entries.push(['error', message, fields]),
    };
    const broken = new SaslServer({
      credentials: { verifyPassword: () => Promise.reject(new Error('LDAP server unreachable')) },
      hostname: 'mx.example.com',
      service: 'smtp',
      mechanisms: ['PLAIN'],
    });
    const c = new Conversation({ sasl: await saslServer(), logger }, { secure: true, id: 'S42' });
    await c.open();
    await c.say('EHLO c\r\n');
    await c.say(`AUTH PLAIN ${b64('\0alice\0s3cret-guess')}\r\n`);
    const d = new Conversation({ sasl: broken, logger }, { secure: true, id: 'S43' });
    await d.open();
    await d.say('EHLO c\r\n');
    expect(await d.say(`AUTH PLAIN ${b64('\0alice\0an0ther-guess')}\r\n`)).toBe(
      '454 4.7.0 Temporary authentication failure\r\n',
    );
    expect(entries).toEqual([
      [
        'warn',
        'authentication failed',
        {
          session: 'S42',
          ip: '192.0.2.10',
          login: 'alice',
          mechanism: 'PLAIN',
          reason: 'invalid-credentials',
        },
      ],
      [
        'error',
        'credential lookup failed',
        {
          session: 'S43',
          login: null,
          error: 'credential lookup failed: Error: LDAP server unreachable',
        },
      ],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/guess/);
  });
});
