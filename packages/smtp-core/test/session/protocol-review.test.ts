import { SaslServer } from '@mailyard/sasl';
import { describe, expect, it } from 'vitest';
import type { SessionLimits } from '../../src/session/session-limits.js';
import type { AuthOutcome } from '../../src/session/smtp-hooks.js';
import { Conversation, finalCodes } from './conversation.js';

// What the differential review against Postfix and the RFCs found wrong in the session, each
// behaviour pinned here with the bytes a client sends.

async function ready(options: ConstructorParameters<typeof Conversation>[0] = {}) {
  const c = new Conversation(options);
  await c.open();
  await c.say('EHLO client.example\r\n');
  return c;
}

describe('BDAT sizes (RFC 3030 2)', () => {
  it('reads a chunk size with leading zeros, as chunk-size = 1*DIGIT allows', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
    expect(await c.say('BDAT 0000000000000000010 LAST\r\nSubject:\r\n')).toMatch(/^250 2\.0\.0 Ok/);
    expect(c.stored[0]!.text).toMatch(/\r\nSubject:\r\n$/);
  });

  it('closes when it cannot tell where a chunk ends, rather than read its bytes as commands', async () => {
    for (const line of ['BDAT', 'BDAT x', 'BDAT 12 LAST extra', 'BDAT -5']) {
      const c = await ready();
      await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
      const replies = await c.say(`${line}\r\nRSET\r\nMAIL FROM:<x@y.example>\r\n`);
      expect(replies, line).toBe(
        '501 5.5.4 Syntax: BDAT size [LAST]\r\n' +
          '421 4.5.0 mx.example.com Cannot tell commands from message data, closing\r\n',
      );
      expect(c.closed, line).toBe(true);
    }
  });

  it('closes at a size no chunk can have', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
    expect(finalCodes(await c.say(`BDAT ${'9'.repeat(30)} LAST\r\nNOOP\r\n`))).toEqual([552, 421]);
    expect(c.closed).toBe(true);
  });
});

describe('non-SMTP input', () => {
  it('hangs up on message text pipelined behind a refused DATA', async () => {
    const c = await ready({
      hooks: {
        onRcptTo: async () => ({ code: 550, enhanced: '5.1.1', lines: ['No such user'] }),
      },
    });
    const replies = await c.pipeline(
      'MAIL FROM:<a@client.example>',
      'RCPT TO:<nobody@example.com>',
      'DATA',
      'From: a@client.example',
      'RCPT TO:<victim@example.com>',
      '',
      '.',
    );
    expect(finalCodes(replies)).toEqual([250, 550, 554, 421]);
    expect(replies).toContain('421 4.7.0 mx.example.com Non-SMTP command, closing');
    expect(c.closed).toBe(true);
  });

  it('hangs up on an HTTP request (a browser sent to port 25)', async () => {
    const c = new Conversation();
    await c.open();
    expect(finalCodes(await c.say('POST / HTTP/1.1\r\nHost: mx.example.com\r\n\r\n'))).toEqual([
      421,
    ]);
    expect(c.closed).toBe(true);
  });

  it('still answers plain garbage with 500 and goes on', async () => {
    const c = await ready();
    expect(finalCodes(await c.pipeline('XYZZY', '%%%', 'NOOP'))).toEqual([500, 500, 250]);
    expect(c.closed).toBe(false);
  });
});

describe('AUTH lines (RFC 4954 4)', () => {
  const b64 = (bytes: string) => Buffer.from(bytes).toString('base64');
  const token = 'ya29.' + 'T'.repeat(2000);

  function oauthServer() {
    return new SaslServer({
      credentials: {
        verifyPassword: async () => null,
        verifyToken: async (presented) =>
          presented === token
            ? { valid: true, user: 'alice@example.com' }
            : { valid: false, status: '401' },
      },
      hostname: 'mx.example.com',
      service: 'smtp',
      mechanisms: ['OAUTHBEARER'],
      allowPlaintext: true,
    });
  }

  it('takes a response longer than a command line (a bearer token), as the mechanism needs', async () => {
    const c = await ready({ sasl: oauthServer() });
    expect(await c.say('AUTH OAUTHBEARER\r\n')).toBe('334\r\n');
    const response = b64(`n,a=alice@example.com,\x01auth=Bearer ${token}\x01\x01`);
    expect(response.length).toBeGreaterThan(512);
    expect(await c.say(`${response}\r\n`)).toBe('235 2.7.0 Authentication successful\r\n');
    // Back to commands, the command line limit is back too.
    expect(await c.say(`NOOP ${'x'.repeat(600)}\r\n`)).toBe('500 5.5.6 Line too long\r\n');
  });

  it('fails the AUTH command on a response line over the limit, and reads the next line as a command', async () => {
    const outcomes: AuthOutcome[] = [];
    const c = await ready({
      sasl: oauthServer(),
      limits: { authLine: 1000 },
      hooks: { onAuth: async (outcome) => void outcomes.push(outcome) },
    });
    await c.say('AUTH OAUTHBEARER\r\n');
    expect(await c.say(`${'A'.repeat(2000)}\r\nNOOP\r\n`)).toBe(
      '500 5.5.6 Authentication Exchange line is too long\r\n250 2.0.0 Ok\r\n',
    );
    expect(outcomes).toMatchObject([{ ok: false, reason: 'too-long' }]);
  });

  it('fails the AUTH command on a response that is not UTF-8, and goes on', async () => {
    const c = await ready({ sasl: oauthServer() });
    await c.say('AUTH OAUTHBEARER\r\n');
    expect(await c.say('\xff\xfe\r\nNOOP\r\n')).toBe(
      '501 5.5.2 Cannot decode response\r\n250 2.0.0 Ok\r\n',
    );
  });
});

describe('a refusing greeting (RFC 5321 3.1)', () => {
  it('after 554 waits for QUIT, answering 503 to anything else', async () => {
    const c = new Conversation({
      hooks: {
        onConnect: async () => ({ code: 554, lines: ['mx.example.com No SMTP service here'] }),
      },
    });
    expect(await c.open()).toBe('554 mx.example.com No SMTP service here\r\n');
    expect(c.closed).toBe(false);
    expect(await c.pipeline('EHLO client.example', 'MAIL FROM:<a@client.example>')).toBe(
      '503 Bad sequence of commands\r\n503 Bad sequence of commands\r\n',
    );
    expect(await c.say('QUIT\r\n')).toBe('221 mx.example.com Bye\r\n');
    expect(c.closed).toBe(true);
  });

  it('closes at once after 421 and 521 (RFC 7504), and after too many commands', async () => {
    for (const code of [421, 521]) {
      const c = new Conversation({
        hooks: { onConnect: async () => ({ code, lines: ['Go away'] }) },
      });
      await c.open();
      expect(c.closed, String(code)).toBe(true);
    }
    const c = new Conversation({
      limits: { failedCommands: 2 },
      hooks: { onConnect: async () => ({ code: 554, lines: ['No'] }) },
    });
    await c.open();
    expect(finalCodes(await c.pipeline('NOOP', 'NOOP', 'NOOP', 'NOOP'))).toEqual([
      503, 503, 503, 421,
    ]);
    expect(c.closed).toBe(true);
  });
});

describe('LMTP refusals after the data (RFC 2033 4.2)', () => {
  const lmtp = async (limits: Partial<SessionLimits> = {}) => {
    const c = new Conversation({ lmtp: true, limits });
    await c.open();
    await c.say('LHLO client.example\r\n');
    await c.pipeline(
      'MAIL FROM:<a@client.example>',
      'RCPT TO:<one@example.com>',
      'RCPT TO:<two@example.com>',
      'RCPT TO:<three@example.com>',
    );
    return c;
  };

  it('answers a message the session refuses once per accepted recipient', async () => {
    const tooBig = await lmtp({ messageSize: 10 });
    await tooBig.say('DATA\r\n');
    expect(finalCodes(await tooBig.say(`${'x'.repeat(50)}\r\n.\r\nNOOP\r\n`))).toEqual([
      552, 552, 552, 250,
    ]);

    const bareLf = await lmtp();
    await bareLf.say('DATA\r\n');
    expect(finalCodes(await bareLf.say('a\nb\r\n.\r\n'))).toEqual([550, 550, 550]);
  });

  it('answers DATA and BDAT without an accepted recipient with 503, as LMTP must', async () => {
    const c = new Conversation({
      lmtp: true,
      hooks: { onRcptTo: async () => ({ code: 550, enhanced: '5.1.1', lines: ['No such user'] }) },
    });
    await c.open();
    await c.say('LHLO client.example\r\n');
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<nobody@example.com>');
    expect(await c.say('DATA\r\n')).toBe('503 5.5.1 No valid recipients\r\n');
    expect(await c.say('BDAT 2 LAST\r\nhi')).toBe('503 5.5.1 No valid recipients\r\n');
  });

  it('does the same at BDAT LAST, whatever made the message fail', async () => {
    const c = await lmtp({ chunkSize: 4 });
    expect(finalCodes(await c.say('BDAT 8 LAST\r\n12345678NOOP\r\n'))).toEqual([
      552, 552, 552, 250,
    ]);
    expect(c.stored).toHaveLength(0);
  });
});
