import { describe, expect, it } from 'vitest';
import { InFlightBudget } from '../../src/session/in-flight-budget.js';
import { RFC5321_TEXT_LINE } from '../../src/session/session-limits.js';
import { Conversation, finalCodes } from './conversation.js';

async function ready(options: ConstructorParameters<typeof Conversation>[0] = {}) {
  const c = new Conversation(options);
  await c.open();
  await c.say('EHLO client.example\r\n');
  return c;
}

describe('greeting and EHLO', () => {
  it('greets with our name and lists the extensions', async () => {
    const c = new Conversation({ limits: { messageSize: 10_000_000 } });
    expect(await c.open()).toBe('220 mx.example.com ESMTP Mailyard\r\n');
    const ehlo = await c.say('EHLO client.example\r\n');
    expect(ehlo.split('\r\n')).toEqual([
      '250-mx.example.com greets client.example',
      '250-PIPELINING',
      '250-SIZE 10000000',
      '250-8BITMIME',
      '250-SMTPUTF8',
      '250-ENHANCEDSTATUSCODES',
      '250-DSN',
      '250-CHUNKING',
      '250 BINARYMIME',
      '',
    ]);
  });

  it('hides the product name when given another banner (Kerio: "Show program name and version")', async () => {
    const c = new Conversation({ banner: 'ESMTP' });
    expect(await c.open()).toBe('220 mx.example.com ESMTP\r\n');
  });

  it('answers HELO with one line and no enhanced codes', async () => {
    const c = new Conversation();
    await c.open();
    expect(await c.say('HELO client.example\r\n')).toBe('250 mx.example.com\r\n');
    expect(await c.say('MAIL FROM:<a@client.example>\r\n')).toBe('250 Ok\r\n');
    expect(await c.say('MAIL FROM:<a@client.example>\r\n')).toBe('503 Nested MAIL command\r\n');
  });

  it('refuses ESMTP parameters after HELO', async () => {
    const c = new Conversation();
    await c.open();
    await c.say('HELO client.example\r\n');
    expect(await c.say('MAIL FROM:<a@client.example> SIZE=10\r\n')).toBe(
      '555 Parameters need EHLO\r\n',
    );
  });

  it('wants EHLO before MAIL', async () => {
    const c = new Conversation();
    await c.open();
    expect(await c.say('MAIL FROM:<a@b.example>\r\n')).toBe('503 Send EHLO first\r\n');
  });
});

describe('a mail transaction', () => {
  it('stores the message with a Received header in front, and says 250 only after the hook resolved', async () => {
    let release!: () => void;
    const stored = new Promise<void>((resolve) => (release = resolve));
    const c = await ready({
      hooks: {
        onMessage: async (_envelope, message) => {
          for await (const _ of message);
          await stored;
        },
      },
    });
    const replies = await c.pipeline(
      'MAIL FROM:<alice@client.example>',
      'RCPT TO:<bob@example.com>',
      'DATA',
    );
    expect(finalCodes(replies)).toEqual([250, 250, 354]);
    expect(await c.sayWhileHeld('Subject: hi\r\n\r\nHello\r\n.\r\n')).toBe('');
    release();
    expect(await c.replies()).toBe('250 2.0.0 Ok: queued as S1\r\n');
  });

  it('hands the hook the envelope and the exact bytes', async () => {
    const c = await ready();
    await c.pipeline(
      'MAIL FROM:<alice@client.example> BODY=8BITMIME RET=HDRS ENVID=abc',
      'RCPT TO:<bob@example.com> NOTIFY=FAILURE ORCPT=rfc822;bob@example.com',
      'DATA',
    );
    await c.say('Subject: hi\r\n\r\n..dot\r\n\xe9\r\n.\r\n');
    expect(c.stored).toHaveLength(1);
    const [message] = c.stored;
    expect(message!.envelope).toEqual({
      from: 'alice@client.example',
      recipients: [
        {
          address: 'bob@example.com',
          notify: ['FAILURE'],
          originalRecipient: 'rfc822;bob@example.com',
        },
      ],
      body: '8BITMIME',
      ret: 'HDRS',
      envelopeId: 'abc',
    });
    expect(message!.text).toBe(
      'Received: from client.example (unknown [192.0.2.10])\r\n' +
        '\tby mx.example.com with ESMTP id S1\r\n' +
        '\tfor <bob@example.com>;\r\n' +
        '\tFri, 02 Jan 2026 03:04:05 +0000\r\n' +
        'Subject: hi\r\n\r\n.dot\r\n\xe9\r\n',
    );
  });

  it('replies to pipelined commands in one write, in order (RFC 2920)', async () => {
    const c = await ready();
    const before = c.output.length;
    const replies = await c.pipeline(
      'RSET',
      'MAIL FROM:<a@client.example>',
      'RCPT TO:<b@example.com>',
      'RCPT TO:<c@example.com>',
      'NOOP',
    );
    expect(finalCodes(replies)).toEqual([250, 250, 250, 250, 250]);
    expect(c.output.length - before).toBe(replies.length);
  });

  it('needs MAIL before RCPT and recipients before DATA', async () => {
    const c = await ready();
    expect(await c.say('RCPT TO:<b@example.com>\r\n')).toBe('503 5.5.1 Need MAIL first\r\n');
    await c.say('MAIL FROM:<a@client.example>\r\n');
    expect(await c.say('DATA\r\n')).toBe('554 5.5.1 No valid recipients\r\n');
  });

  it('RSET and a new EHLO abandon the transaction', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'RSET');
    expect(await c.say('DATA\r\n')).toBe('503 5.5.1 Need MAIL first\r\n');
    await c.pipeline('MAIL FROM:<a@client.example>', 'EHLO again.example');
    expect(await c.say('RCPT TO:<b@example.com>\r\n')).toBe('503 5.5.1 Need MAIL first\r\n');
  });

  it('takes the null sender for bounces', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<>', 'RCPT TO:<b@example.com>', 'DATA');
    await c.say('Subject: bounce\r\n\r\n.\r\n');
    expect(c.stored[0]!.envelope.from).toBe('');
  });

  it('answers NOOP, HELP, VRFY (252, revealing nothing), EXPN (off) and QUIT', async () => {
    const c = await ready();
    expect(await c.say('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
    expect(await c.say('HELP\r\n')).toMatch(/^214 2\.0\.0 /);
    expect(await c.say('VRFY alice\r\n')).toBe(
      '252 2.0.0 Cannot VRFY user, but will accept message\r\n',
    );
    expect(await c.say('EXPN staff\r\n')).toBe('502 5.5.1 EXPN is disabled\r\n');
    expect(await c.say('QUIT\r\n')).toBe('221 2.0.0 mx.example.com Bye\r\n');
    expect(c.closed).toBe(true);
  });

  it('lets hooks answer with any reply, and turns a throwing hook into 451', async () => {
    const c = await ready({
      hooks: {
        onMailFrom: async (from) =>
          from.endsWith('@spam.example')
            ? { code: 550, enhanced: '5.7.1', lines: ['Go away'] }
            : undefined,
        onRcptTo: async (recipient) => {
          if (recipient.address === 'boom@example.com') throw new Error('directory down');
          return recipient.address === 'nobody@example.com'
            ? { code: 550, enhanced: '5.1.1', lines: ['No such user'] }
            : undefined;
        },
      },
    });
    expect(await c.say('MAIL FROM:<x@spam.example>\r\n')).toBe('550 5.7.1 Go away\r\n');
    await c.say('MAIL FROM:<x@ham.example>\r\n');
    expect(await c.say('RCPT TO:<nobody@example.com>\r\n')).toBe('550 5.1.1 No such user\r\n');
    expect(await c.say('RCPT TO:<boom@example.com>\r\n')).toBe(
      '451 4.3.0 Local error in processing\r\n',
    );
  });

  it('says 451 when storing fails, and keeps nothing', async () => {
    const c = await ready({
      hooks: {
        onMessage: async (_envelope, message) => {
          for await (const _ of message);
          throw new Error('disk full');
        },
      },
    });
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    expect(await c.say('x\r\n.\r\n')).toBe('451 4.3.0 Local error in processing\r\n');
    expect(await c.say('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
  });
});

describe('limits', () => {
  it('refuses a declared SIZE over the limit at MAIL, and an actual one at the end of DATA', async () => {
    const c = await ready({ limits: { messageSize: 100 } });
    expect(await c.say('MAIL FROM:<a@client.example> SIZE=101\r\n')).toBe(
      '552 5.3.4 Message size exceeds fixed maximum message size\r\n',
    );
    await c.pipeline('MAIL FROM:<a@client.example> SIZE=50', 'RCPT TO:<b@example.com>', 'DATA');
    expect(await c.say(`${'x'.repeat(200)}\r\n.\r\n`)).toBe(
      '552 5.3.4 Message size exceeds fixed maximum message size\r\n',
    );
    expect(c.stored).toHaveLength(0);
  });

  it('takes at most the limit of recipients, even when 10,000 come pipelined', async () => {
    const c = await ready({ limits: { recipients: 100 } });
    await c.say('MAIL FROM:<a@client.example>\r\n');
    const lines = Array.from({ length: 10_000 }, (_, i) => `RCPT TO:<u${i}@example.com>`);
    const codes = finalCodes(await c.pipeline(...lines));
    expect(codes.slice(0, 100).every((code) => code === 250)).toBe(true);
    expect(codes.slice(100).every((code) => code === 452)).toBe(true);
    expect(codes).toHaveLength(10_000);
    await c.say('DATA\r\n');
    await c.say('x\r\n.\r\n');
    expect(c.stored[0]!.envelope.recipients).toHaveLength(100);
  });

  it('closes after the allowed number of failed commands (Kerio: Max. failed commands)', async () => {
    const c = await ready({ limits: { failedCommands: 3 } });
    expect(finalCodes(await c.pipeline('FOO', 'BAR', 'BAZ'))).toEqual([500, 500, 500]);
    expect(c.closed).toBe(false);
    expect(await c.say('QUUX\r\n')).toBe(
      '500 5.5.2 Command unrecognized\r\n421 4.7.0 mx.example.com Too many errors, closing\r\n',
    );
    expect(c.closed).toBe(true);
  });

  it('closes a client that never gets to MAIL', async () => {
    const c = await ready({ limits: { commandsBeforeMail: 5 } });
    const codes = finalCodes(
      await c.pipeline('NOOP', 'NOOP', 'NOOP', 'NOOP', 'NOOP', 'NOOP', 'NOOP'),
    );
    expect(codes).toEqual([250, 250, 250, 250, 421]);
    expect(c.closed).toBe(true);
  });

  it('takes no more commands while the client does not read the replies', async () => {
    let commands = 0;
    const c = await ready({ hooks: { onMailFrom: async () => void commands++ } });
    c.full = true;
    const pairs = 20_000;
    const replies = await c.say('MAIL FROM:<a@b.example>\r\nRSET\r\n'.repeat(pairs));
    // At most a batch of replies went out before the session saw the transport was full.
    expect(replies.length).toBeLessThan(128 * 1024);
    expect(commands).toBeLessThan(pairs / 4);
    expect(c.paused).toBe(true);
    c.drain();
    const rest = await c.replies();
    expect(commands).toBe(pairs);
    expect(finalCodes(replies + rest)).toHaveLength(2 * pairs);
    expect(c.paused).toBe(false);
  });

  it('stops reading at pendingInput and messageWindow, as set', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const c = await ready({
      limits: { pendingInput: 2000, messageWindow: 4000 },
      hooks: {
        onMailFrom: () => answered,
        onMessage: async () => new Promise<void>(() => {}), // reads nothing, ever
      },
    });
    // A hook that takes its time, and 3,000 octets of commands waiting behind it.
    c.session.receive(Buffer.from('MAIL FROM:<a@client.example>\r\n'));
    c.session.receive(Buffer.from('NOOP\r\n'.repeat(500)));
    expect(c.paused).toBe(true);
    answer();
    await c.replies();
    expect(c.paused).toBe(false);
    await c.pipeline('RCPT TO:<b@example.com>', 'DATA');
    // The application reads nothing: 3,000 octets of text (and the Received header) are within
    // the window, 5,000 are not.
    await c.say(`${'x'.repeat(998)}\r\n`.repeat(3));
    expect(c.paused).toBe(false);
    await c.say(`${'x'.repeat(998)}\r\n`.repeat(2));
    expect(c.paused).toBe(true);
  });

  it('answers an overlong command line with 500 and goes on', async () => {
    const c = await ready();
    expect(await c.say(`NOOP ${'x'.repeat(600)}\r\nNOOP\r\n`)).toBe(
      '500 5.5.6 Line too long\r\n250 2.0.0 Ok\r\n',
    );
  });

  it('refuses NUL bytes and garbage without losing the session', async () => {
    const c = await ready();
    const codes = finalCodes(await c.say('MAIL FROM:<a\0@b.example>\r\n\xff\xfe\r\nNOOP\r\n'));
    expect(codes).toEqual([501, 500, 250]);
  });

  it('refuses a message with more Received headers than allowed (mail loop)', async () => {
    const c = await ready({ limits: { receivedHeaders: 3 } });
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    const hops = 'Received: from a by b; Thu, 1 Jan 2026 00:00:00 +0000\r\n'.repeat(4);
    expect(
      await c.say(`${hops}Subject: loop\r\n\r\nReceived: in the body does not count\r\n.\r\n`),
    ).toMatch(/^554 5\.4\.6 /);
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    expect(
      await c.say(`${hops.slice(0, (hops.length / 4) * 3)}\r\nReceived: body\r\n.\r\n`),
    ).toMatch(/^250 /);
  });

  it('stops reading when the application reads slower than the client sends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = await ready({
      hooks: {
        onMessage: async (_envelope, message) => {
          await gate;
          for await (const _ of message);
        },
      },
    });
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    const line = `${'x'.repeat(998)}\r\n`;
    for (let i = 0; i < 1200; i++) c.session.receive(Buffer.from(line));
    await c.replies();
    expect(c.paused).toBe(true);
    release();
    await c.replies();
    expect(c.paused).toBe(false);
    expect(await c.say('.\r\n')).toMatch(/^250 /);
  });
});

describe('DATA hostile input', () => {
  it('refuses bare LF and bare CR by default (SMTP smuggling), accepts them repaired when allowed', async () => {
    for (const body of [
      'a\nb\r\n.\r\n',
      'a\rb\r\n.\r\n',
      'x\n.\nMAIL FROM:<e@vil.example>\r\n.\r\n',
    ]) {
      const c = await ready();
      await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
      expect(await c.say(body)).toMatch(/^550 5\.5\.2 /);
      expect(c.stored).toHaveLength(0);
    }
    const lenient = await ready({ acceptBareLineEndings: true });
    await lenient.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    expect(await lenient.say('x\n.\nMAIL FROM:<e@vil.example>\r\n.\r\n')).toMatch(/^250 /);
    expect(lenient.stored).toHaveLength(1);
    expect(lenient.stored[0]!.text).toMatch(/\r\nx\r\n\.\r\nMAIL FROM:<e@vil\.example>\r\n$/);
  });

  it('takes lines over 1000 octets by default, as Postfix does, and keeps their bytes intact', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    // A header field and a body line as real mail has them (unfolded lists, unwrapped HTML).
    const to = `To: ${Array.from({ length: 80 }, (_, i) => `user${i}@example.com`).join(', ')}`;
    const html = `<p>${'word '.repeat(2000)}</p>`;
    const longest = 'z'.repeat(65534); // with its CRLF, exactly the default limit
    const text = `${to}\r\nSubject: long\r\n\r\n${html}\r\n${longest}\r\n`;
    expect(await c.say(`${text}.\r\n`)).toMatch(/^250 2\.0\.0 /);
    expect(c.stored[0]!.text.endsWith(text)).toBe(true);
  });

  it('refuses a line over the text line limit (64 KiB) with 554 5.6.0, the session going on', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    // A code the end of data may get (RFC 5321 4.3.2), about the content (RFC 3463 X.6.0).
    expect(await c.say(`${'y'.repeat(65535)}\r\n.\r\n`)).toBe(
      '554 5.6.0 Message has lines over 65536 octets\r\n',
    );
    expect(c.stored).toHaveLength(0);
    expect(await c.say('MAIL FROM:<a@client.example>\r\n')).toMatch(/^250 /);
  });

  it("refuses lines over 1000 octets in RFC 5321's strict mode", async () => {
    const c = await ready({ limits: { textLine: RFC5321_TEXT_LINE } });
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    expect(await c.say(`${'y'.repeat(998)}\r\n.\r\n`)).toMatch(/^250 /);
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    expect(await c.say(`${'y'.repeat(999)}\r\n.\r\n`)).toBe(
      '554 5.6.0 Message has lines over 1000 octets\r\n',
    );
  });

  it('leaves the lines of BDAT chunks alone (RFC 3030: chunks may be binary)', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
    const line = `${'b'.repeat(3000)}\r\n`;
    expect(await c.say(`BDAT ${line.length} LAST\r\n${line}`)).toMatch(/^250 /);
    expect(c.stored[0]!.text.endsWith(line)).toBe(true);
  });

  it('abandons the message of a client that disconnects in the middle of DATA', async () => {
    let outcome = 'pending';
    const c = await ready({
      hooks: {
        onMessage: async (_envelope, message) => {
          try {
            for await (const _ of message);
            outcome = 'stored';
          } catch (error) {
            outcome = (error as Error).name;
            throw error;
          }
        },
      },
    });
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    await c.say('Subject: never ends\r\n\r\npart');
    c.session.disconnected();
    await c.replies();
    expect(outcome).toBe('MessageAbortedError');
  });

  it('needs SMTPUTF8 for non-ASCII addresses: 550 for the sender, 553 for a recipient (RFC 6531 3.5)', async () => {
    const c = await ready();
    const utf8 = (line: string) => c.say(Buffer.from(`${line}\r\n`, 'utf8'));
    expect(await utf8('MAIL FROM:<jöran@bücher.example>')).toMatch(/^550 5\.6\.7 /);
    await utf8('MAIL FROM:<a@client.example>');
    expect(await utf8('RCPT TO:<añil@example.com>')).toMatch(/^553 5\.6\.7 /);
    await utf8('RSET');
    await utf8('MAIL FROM:<jöran@bücher.example> SMTPUTF8');
    expect(await utf8('RCPT TO:<añil@example.com>')).toMatch(/^250 /);
    expect(await utf8('RCPT TO:<😀@example.com>')).toMatch(/^250 /);
  });

  it('refuses command lines that are not UTF-8, instead of storing mojibake', async () => {
    const c = await ready();
    // Latin-1 bytes: \xf6 alone is no UTF-8. Neither a name nor an address may carry it.
    expect(await c.say('MAIL FROM:<j\xf6ran@b.example> SMTPUTF8\r\n')).toBe(
      '500 5.5.2 Bad UTF-8 syntax\r\n',
    );
    expect(await c.say('EHLO j\xf6ran.example\r\nNOOP\r\n')).toBe(
      '500 5.5.2 Bad UTF-8 syntax\r\n250 2.0.0 Ok\r\n',
    );
  });
});

describe('BDAT (RFC 3030)', () => {
  it('assembles chunks, acknowledges each, and stores at LAST', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example> BODY=BINARYMIME', 'RCPT TO:<b@example.com>');
    expect(await c.say('BDAT 9\r\nSubject: ')).toBe('250 2.0.0 9 octets received\r\n');
    expect(await c.say('BDAT 8 LAST\r\nx\r\n\r\n.\r\n')).toBe('250 2.0.0 Ok: queued as S1\r\n');
    expect(c.stored[0]!.text).toMatch(/\r\nSubject: x\r\n\r\n\.\r\n$/);
    expect(c.stored[0]!.envelope.body).toBe('BINARYMIME');
  });

  it('reads and throws away the bytes of a refused chunk', async () => {
    const c = await ready();
    expect(await c.say('BDAT 6\r\nQUIT\r\n')).toBe('503 5.5.1 Need MAIL first\r\n');
    expect(c.closed).toBe(false);
    expect(await c.say('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
  });

  it('does not mix BDAT and DATA, and sends BINARYMIME only by BDAT', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
    await c.say('BDAT 3\r\nabc');
    expect(await c.say('DATA\r\n')).toBe('503 5.5.1 Use BDAT for this message\r\n');
    await c.pipeline(
      'RSET',
      'MAIL FROM:<a@client.example> BODY=BINARYMIME',
      'RCPT TO:<b@example.com>',
    );
    expect(await c.say('DATA\r\n')).toBe('503 5.5.1 Use BDAT for this message\r\n');
  });

  it('takes BDAT 0 LAST as the end of a chunked message', async () => {
    const c = await ready();
    await c.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>');
    await c.say('BDAT 4\r\nx\r\n\r\n');
    expect(await c.say('BDAT 0 LAST\r\n')).toMatch(/^250 2\.0\.0 Ok/);
    expect(c.stored).toHaveLength(1);
  });
});

describe('ETRN and shutdown', () => {
  it('offers ETRN when the application handles it', async () => {
    const nodes: string[] = [];
    const c = await ready({ hooks: { onEtrn: async (node) => void nodes.push(node) } });
    expect(c.output).toMatch(/\r\n250[- ]ETRN\r\n/);
    expect(await c.say('ETRN @example.org\r\n')).toBe(
      '250 2.0.0 Queuing for node @example.org started\r\n',
    );
    expect(nodes).toEqual(['@example.org']);
    const plain = await ready();
    expect(await plain.say('ETRN example.org\r\n')).toBe('502 5.5.1 ETRN not supported\r\n');
  });

  it('drains: an idle session gets 421 at once, a busy one after its transaction', async () => {
    const idle = await ready();
    idle.session.drain();
    expect(await idle.replies()).toBe('421 4.3.2 mx.example.com Service shutting down\r\n');
    expect(idle.closed).toBe(true);

    const busy = await ready();
    await busy.pipeline('MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>', 'DATA');
    busy.session.drain();
    expect(await busy.replies()).toBe('');
    expect(await busy.say('x\r\n.\r\n')).toBe(
      '250 2.0.0 Ok: queued as S1\r\n421 4.3.2 mx.example.com Service shutting down\r\n',
    );
    expect(busy.stored).toHaveLength(1);
  });
});

describe('octets in flight, per client and per server', () => {
  const ENVELOPE = ['MAIL FROM:<a@client.example>', 'RCPT TO:<b@example.com>'];
  /** A session of `ip` over `budget`, whose application holds each message until `hold` opens. */
  async function client(
    budget: InFlightBudget,
    ip = '192.0.2.10',
    onMessage?: NonNullable<ConstructorParameters<typeof Conversation>[0]>['hooks'],
  ) {
    const c = new Conversation(
      { inFlight: budget, ...(onMessage ? { hooks: onMessage } : {}) },
      { remoteAddress: ip },
    );
    await c.open();
    await c.say('EHLO client.example\r\n');
    return c;
  }
  const body = (octets: number) => `${'x'.repeat(octets - 2)}\r\n`;

  it('refuses a message that takes a client over its share with 452 4.3.1, and gives it back', async () => {
    const budget = new InFlightBudget({ perServer: 0, perClient: 10_000 });
    const c = await client(budget);
    await c.pipeline(...ENVELOPE, 'DATA');
    expect(await c.say(`${body(6000)}${body(6000)}.\r\n`)).toBe(
      '452 4.3.1 Insufficient system storage\r\n',
    );
    expect(c.stored).toHaveLength(0);
    expect(budget.total).toBe(0);
    // The client may try again with less, at once.
    await c.pipeline(...ENVELOPE, 'DATA');
    expect(await c.say(`${body(6000)}.\r\n`)).toMatch(/^250 /);
    expect(budget.total).toBe(0);
  });

  it("counts a client's connections together, and other clients against the server's total", async () => {
    const budget = new InFlightBudget({ perServer: 15_000, perClient: 12_000 });
    let store!: () => void;
    const stored = new Promise<void>((resolve) => (store = resolve));
    const slow = {
      onMessage: async (_e: unknown, message: AsyncIterable<Uint8Array>) => {
        for await (const _ of message);
        await stored;
      },
    };
    const first = await client(budget, '192.0.2.10', slow);
    await first.pipeline(...ENVELOPE, 'DATA');
    await first.sayWhileHeld(`${body(10_000)}.\r\n`);
    expect(budget.inUse('ip:192.0.2.10')).toBeGreaterThanOrEqual(10_000);
    // Same address, second connection: its share is taken by the first.
    const second = await client(budget, '192.0.2.10');
    await second.pipeline(...ENVELOPE, 'DATA');
    expect(await second.say(`${body(6000)}.\r\n`)).toMatch(/^452 4\.3\.1 /);
    // Another address: within its own share, but not within the server's 15,000.
    const other = await client(budget, '198.51.100.7');
    await other.pipeline(...ENVELOPE, 'DATA');
    expect(await other.say(`${body(6000)}.\r\n`)).toMatch(/^452 4\.3\.1 /);
    await other.pipeline(...ENVELOPE, 'DATA');
    expect(await other.say(`${body(4000)}.\r\n`)).toMatch(/^250 /);
    // Once the first message is stored, its octets are free again.
    store();
    expect(await first.replies()).toMatch(/^250 /);
    expect(budget.total).toBe(0);
    await second.pipeline(...ENVELOPE, 'DATA');
    expect(await second.say(`${body(6000)}.\r\n`)).toMatch(/^250 /);
  });

  it('refuses at MAIL a declared SIZE the budget cannot take now (RFC 1870 6.1)', async () => {
    const budget = new InFlightBudget({ perServer: 0, perClient: 10_000 });
    const c = await client(budget);
    expect(await c.say('MAIL FROM:<a@client.example> SIZE=20000\r\n')).toBe(
      '452 4.3.1 Insufficient system storage\r\n',
    );
    expect(await c.say('MAIL FROM:<a@client.example> SIZE=5000\r\n')).toMatch(/^250 /);
  });

  it('counts BDAT chunks as it counts DATA', async () => {
    const budget = new InFlightBudget({ perServer: 0, perClient: 1000 });
    const c = await client(budget);
    await c.pipeline(...ENVELOPE);
    expect(await c.say(`BDAT 600\r\n${'y'.repeat(600)}`)).toMatch(/^250 /);
    expect(budget.inUse('ip:192.0.2.10')).toBeGreaterThanOrEqual(600);
    expect(await c.say(`BDAT 600 LAST\r\n${'y'.repeat(600)}`)).toMatch(/^452 4\.3\.1 /);
    expect(budget.total).toBe(0);
  });

  it('gives the octets back when the message is refused, the client resets, disconnects or the store fails', async () => {
    const budget = new InFlightBudget({ perServer: 0, perClient: 0 });
    // Refused for its size.
    const big = new Conversation({ inFlight: budget, limits: { messageSize: 1000 } });
    await big.open();
    await big.pipeline('EHLO c.example', ...ENVELOPE, 'DATA');
    expect(await big.say(`${body(2000)}.\r\n`)).toMatch(/^552 /);
    expect(budget.total).toBe(0);
    // RSET between BDAT chunks.
    const reset = await client(budget);
    await reset.pipeline(...ENVELOPE);
    await reset.say(`BDAT 500\r\n${'y'.repeat(500)}`);
    expect(budget.total).toBeGreaterThanOrEqual(500);
    expect(await reset.say('RSET\r\n')).toMatch(/^250 /);
    expect(budget.total).toBe(0);
    // Gone in the middle of DATA.
    const gone = await client(budget);
    await gone.pipeline(...ENVELOPE, 'DATA');
    await gone.say(body(500));
    expect(budget.total).toBeGreaterThanOrEqual(500);
    gone.session.disconnected();
    expect(budget.total).toBe(0);
    // The application could not store it.
    const failing = await client(budget, '192.0.2.10', {
      onMessage: async (_e, message) => {
        for await (const _ of message);
        throw new Error('disk full');
      },
    });
    await failing.pipeline(...ENVELOPE, 'DATA');
    expect(await failing.say(`${body(500)}.\r\n`)).toMatch(/^451 4\.3\.0 /);
    expect(budget.total).toBe(0);
  });
});
