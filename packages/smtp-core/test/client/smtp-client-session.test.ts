import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  runSmtpConversation,
  type ConversationOptions,
} from '../../src/client/smtp-conversation.js';
import { SmtpClientSession } from '../../src/client/smtp-client-session.js';
import { SmtpClientError } from '../../src/client/smtp-client-error.js';
import type { Envelope, MessageSource } from '../../src/envelope.js';
import { ScriptedServer, type ScriptOptions } from './scripted-server.js';

function source(content: string | Buffer, chunk = 7): MessageSource {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    size: bytes.length,
    async *read() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

const MESSAGE = 'Subject: hi\r\n\r\nline one\r\n.dotted line\r\n..two dots\r\n.\r\nend\r\n';
const envelope = (recipients: string[], extra: Partial<Envelope> = {}): Envelope => ({
  from: 'alice@a.test',
  recipients: recipients.map((address) => ({ address })),
  ...extra,
});
const options: ConversationOptions = { clientName: 'client.a.test', remoteMta: 'mx.b.test' };
const ESMTP = ['PIPELINING', 'SIZE 10000', '8BITMIME', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8'];

async function converse(
  script: ScriptOptions,
  env: Envelope,
  message: MessageSource = source(MESSAGE),
  extra: Partial<ConversationOptions> = {},
) {
  const server = new ScriptedServer(script);
  const outcome = await runSmtpConversation(server, env, message, { ...options, ...extra });
  return { server, outcome, results: outcome.results };
}

describe('a plain conversation', () => {
  it('greets, says EHLO, sends the transaction, dot-stuffs DATA and quits', async () => {
    const { server, results } = await converse(
      { extensions: [] },
      envelope(['bob@b.test', 'carol@b.test']),
    );
    expect(server.commands).toEqual([
      'EHLO client.a.test',
      'MAIL FROM:<alice@a.test>',
      'RCPT TO:<bob@b.test>',
      'RCPT TO:<carol@b.test>',
      'DATA',
      'QUIT',
    ]);
    expect(server.messages.map(String)).toEqual([MESSAGE]);
    expect(results).toEqual([
      {
        recipient: 'bob@b.test',
        status: 'delivered',
        code: 250,
        enhancedCode: '2.0.0',
        diagnostic: '250 2.0.0 queued',
        remoteMta: 'mx.b.test',
      },
      expect.objectContaining({ recipient: 'carol@b.test', status: 'delivered' }),
    ]);
    expect(server.closed).toBe(true);
  });

  it('reads replies that arrive a byte at a time', async () => {
    const { server, results } = await converse(
      { extensions: ESMTP, trickle: true },
      envelope(['bob@b.test']),
    );
    expect(results[0]!.status).toBe('delivered');
    expect(server.messages).toHaveLength(1);
  });

  it('falls back to HELO when EHLO is unknown (500 and 502), and then uses no extension', async () => {
    for (const code of [500, 502]) {
      const { server, results } = await converse(
        { respond: (line) => (line.startsWith('EHLO') ? `${code} 5.5.1 what?` : undefined) },
        envelope(['bob@b.test'], { body: '7BIT' }),
      );
      expect(server.commands.slice(0, 3)).toEqual([
        'EHLO client.a.test',
        'HELO client.a.test',
        'MAIL FROM:<alice@a.test>',
      ]);
      expect(results[0]!.status).toBe('delivered');
    }
  });

  it('does not fall back to HELO on other refusals, and defers', async () => {
    const { server, outcome } = await converse(
      { respond: (line) => (line.startsWith('EHLO') ? '554 5.7.1 go away' : undefined) },
      envelope(['bob@b.test']),
    );
    expect(server.commands).toEqual(['EHLO client.a.test', 'QUIT']);
    expect(outcome.beforeTransaction).toBe(true);
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', code: 451 });
  });

  it('defers on a 4xx or 5xx greeting, before any transaction', async () => {
    for (const greeting of ['421 4.3.2 busy', '554 5.7.1 no']) {
      const { server, outcome } = await converse({ greeting }, envelope(['bob@b.test']));
      expect(server.commands.filter((c) => c !== 'QUIT')).toEqual([]);
      expect(outcome.beforeTransaction).toBe(true);
      expect(outcome.results[0]!.status).toBe('deferred');
      expect(outcome.results[0]!.diagnostic).toContain(greeting.slice(4));
    }
  });
});

describe('per-recipient results', () => {
  const picky: ScriptOptions['respond'] = (line) =>
    line.includes('<gone@b.test>')
      ? '550 5.1.1 no such user'
      : line.includes('<full@b.test>')
        ? '452 4.2.2 mailbox full'
        : undefined;

  it('pipelines MAIL, RCPT and DATA in one write and maps every reply (RFC 2920)', async () => {
    const { server, results } = await converse(
      { extensions: ESMTP, respond: picky },
      envelope(['bob@b.test', 'gone@b.test', 'full@b.test']),
    );
    const group = server.writes.find((w) => w.startsWith('MAIL'))!;
    expect(group).toBe(
      `MAIL FROM:<alice@a.test> SIZE=${MESSAGE.length}\r\n` +
        'RCPT TO:<bob@b.test>\r\nRCPT TO:<gone@b.test>\r\nRCPT TO:<full@b.test>\r\nDATA\r\n',
    );
    expect(results.map((r) => [r.recipient, r.status, r.code, r.enhancedCode])).toEqual([
      ['bob@b.test', 'delivered', 250, '2.0.0'],
      ['gone@b.test', 'failed', 550, '5.1.1'],
      ['full@b.test', 'deferred', 452, '4.2.2'],
    ]);
    expect(results[1]!.diagnostic).toBe('550 5.1.1 no such user');
  });

  it('without PIPELINING waits for each reply', async () => {
    const { server, results } = await converse(
      { extensions: [], respond: picky },
      envelope(['gone@b.test', 'bob@b.test']),
    );
    expect(server.writes.filter((w) => /^(MAIL|RCPT|DATA)/.test(w))).toEqual([
      'MAIL FROM:<alice@a.test>\r\n',
      'RCPT TO:<gone@b.test>\r\n',
      'RCPT TO:<bob@b.test>\r\n',
      'DATA\r\n',
    ]);
    expect(results.map((r) => r.status)).toEqual(['failed', 'delivered']);
  });

  it('a refused MAIL decides every recipient, and no RCPT follows without pipelining', async () => {
    const { server, results } = await converse(
      {
        extensions: [],
        respond: (line) => (line.startsWith('MAIL') ? '553 5.1.8 bad sender' : undefined),
      },
      envelope(['bob@b.test', 'carol@b.test']),
    );
    expect(server.commands.some((c) => c.startsWith('RCPT'))).toBe(false);
    expect(results.map((r) => [r.status, r.enhancedCode])).toEqual([
      ['failed', '5.1.8'],
      ['failed', '5.1.8'],
    ]);
  });

  it('sends no data when every recipient was refused', async () => {
    const refuse: ScriptOptions['respond'] = (line) =>
      line.startsWith('RCPT')
        ? '550 5.1.1 no'
        : line === 'DATA'
          ? '554 5.5.1 no valid recipients'
          : undefined;
    const plain = await converse({ extensions: [], respond: refuse }, envelope(['x@b.test']));
    expect(plain.server.commands).not.toContain('DATA');
    expect(plain.server.commands).toContain('RSET');
    const pipelined = await converse(
      { extensions: ['PIPELINING'], respond: refuse },
      envelope(['x@b.test']),
    );
    expect(pipelined.server.commands).toContain('DATA');
    expect(pipelined.server.messages).toEqual([]);
    expect(pipelined.results[0]!.status).toBe('failed');
  });

  it('ends a pipelined DATA the server accepted although no recipient was (RFC 2920 3.1)', async () => {
    const { server, results } = await converse(
      {
        extensions: ['PIPELINING'],
        respond: (line) => (line.startsWith('RCPT') ? '550 5.1.1 no' : undefined),
      },
      envelope(['x@b.test']),
    );
    expect(server.messages.map(String)).toEqual(['']);
    expect(results[0]!.status).toBe('failed');
  });

  it('applies the final reply to every accepted recipient', async () => {
    const { results } = await converse(
      { extensions: ESMTP, respond: picky, afterData: () => '554 5.7.1 spam' },
      envelope(['bob@b.test', 'gone@b.test']),
    );
    expect(results.map((r) => [r.status, r.enhancedCode])).toEqual([
      ['failed', '5.7.1'],
      ['failed', '5.1.1'],
    ]);
  });

  it('splits more recipients than the per-transaction limit over several transactions', async () => {
    const recipients = Array.from({ length: 7 }, (_, i) => `r${i}@b.test`);
    const { server, results } = await converse(
      { extensions: ESMTP },
      envelope(recipients),
      source(MESSAGE),
      {
        maxRecipientsPerTransaction: 3,
      },
    );
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(3);
    expect(server.messages).toHaveLength(3);
    expect(results.map((r) => r.recipient)).toEqual(recipients);
    expect(results.every((r) => r.status === 'delivered')).toBe(true);
  });
});

describe('extensions', () => {
  it('SIZE: announces the size, and refuses a message over the limit before sending anything', async () => {
    const big = source('x'.repeat(20_000));
    const { server, results } = await converse(
      { extensions: ESMTP },
      envelope(['bob@b.test']),
      big,
    );
    expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    expect(results[0]).toMatchObject({ status: 'failed', code: 552, enhancedCode: '5.3.4' });
    expect(results[0]!.remoteMta).toBeUndefined();
    const { server: ok } = await converse(
      { extensions: ['SIZE 0'] },
      envelope(['bob@b.test']),
      big,
    );
    expect(ok.commands).toContain('MAIL FROM:<alice@a.test> SIZE=20000');
  });

  it('8BITMIME: says BODY=8BITMIME when offered, fails or sends without it by option', async () => {
    const env = envelope(['bob@b.test'], { body: '8BITMIME' });
    const offered = await converse({ extensions: ['8BITMIME'] }, env);
    expect(offered.server.commands).toContain('MAIL FROM:<alice@a.test> BODY=8BITMIME');
    const refused = await converse({ extensions: [] }, env);
    expect(refused.results[0]).toMatchObject({ status: 'failed', enhancedCode: '5.6.3' });
    const sent = await converse({ extensions: [] }, env, source(MESSAGE), {
      eightBitWithoutSupport: 'send',
    });
    expect(sent.server.commands).toContain('MAIL FROM:<alice@a.test>');
    expect(sent.results[0]!.status).toBe('delivered');
  });

  it('SMTPUTF8: says it when offered, fails with 5.6.7 when not', async () => {
    const env = { from: 'jörg@a.test', recipients: [{ address: 'zoë@b.test' }] };
    const offered = await converse({ extensions: ['SMTPUTF8', '8BITMIME'] }, env);
    expect(offered.server.commands).toContain('MAIL FROM:<jörg@a.test> SMTPUTF8');
    expect(offered.server.commands).toContain('RCPT TO:<zoë@b.test>');
    const refused = await converse({ extensions: ['8BITMIME'] }, env);
    expect(refused.results[0]).toMatchObject({ status: 'failed', enhancedCode: '5.6.7' });
    expect(refused.server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it('DSN: sends RET, ENVID, NOTIFY and ORCPT in xtext when offered, and nothing when not', async () => {
    const env: Envelope = {
      from: 'alice@a.test',
      ret: 'HDRS',
      envelopeId: 'QQ+v id=1',
      recipients: [
        {
          address: 'bob@b.test',
          notify: ['SUCCESS', 'DELAY'],
          originalRecipient: 'rfc822;Bob+x@b.test',
        },
        { address: 'carol@b.test', notify: 'NEVER' },
      ],
    };
    const offered = await converse({ extensions: ['DSN'] }, env);
    expect(offered.server.commands.slice(1, 4)).toEqual([
      'MAIL FROM:<alice@a.test> RET=HDRS ENVID=QQ+2Bv+20id+3D1',
      'RCPT TO:<bob@b.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Bob+2Bx@b.test',
      'RCPT TO:<carol@b.test> NOTIFY=NEVER',
    ]);
    const plain = await converse({ extensions: [] }, env);
    expect(plain.server.commands.slice(1, 4)).toEqual([
      'MAIL FROM:<alice@a.test>',
      'RCPT TO:<bob@b.test>',
      'RCPT TO:<carol@b.test>',
    ]);
  });

  it('CHUNKING: sends the message in BDAT chunks, the last one marked LAST, without dot-stuffing', async () => {
    const text = 'Subject: x\r\n\r\n.dot\nbare lf\r\n' + 'y'.repeat(50);
    const { server, results } = await converse(
      { extensions: ['CHUNKING', 'PIPELINING'] },
      envelope(['bob@b.test']),
      source(text, 5),
      { chunkSize: 16 },
    );
    const bdats = server.commands.filter((c) => c.startsWith('BDAT'));
    expect(bdats.at(-1)).toMatch(/^BDAT \d+ LAST$/);
    expect(bdats.slice(0, -1).every((c) => c === 'BDAT 16')).toBe(true);
    expect(server.messages.map(String)).toEqual([`${text.replace('\nbare', '\r\nbare')}\r\n`]);
    expect(results[0]!.status).toBe('delivered');
  });

  it('CHUNKING of an empty message is one BDAT 0 LAST', async () => {
    const { server } = await converse(
      { extensions: ['CHUNKING'] },
      envelope(['bob@b.test']),
      source(''),
    );
    expect(server.commands.filter((c) => c.startsWith('BDAT'))).toEqual(['BDAT 0 LAST']);
  });

  it('BINARYMIME: goes byte for byte over BDAT, and fails without BINARYMIME and CHUNKING', async () => {
    const binary = Buffer.from([0, 1, 2, 13, 10, 46, 13, 10, 10, 13, 255, 46]);
    const env = envelope(['bob@b.test'], { body: 'BINARYMIME' });
    const ok = await converse({ extensions: ['CHUNKING', 'BINARYMIME'] }, env, source(binary, 3), {
      chunkSize: 5,
    });
    expect(ok.server.commands[1]).toBe('MAIL FROM:<alice@a.test> BODY=BINARYMIME');
    expect(Buffer.concat(ok.server.messages)).toEqual(binary);
    const refused = await converse({ extensions: ['CHUNKING'] }, env, source(binary));
    expect(refused.results[0]).toMatchObject({ status: 'failed', enhancedCode: '5.6.3' });
  });

  it('a refused BDAT chunk decides the accepted recipients, and the transaction is reset', async () => {
    const { server, results } = await converse(
      { extensions: ['CHUNKING'], afterChunk: (n) => (n === 2 ? '552 5.3.4 too much' : undefined) },
      envelope(['bob@b.test']),
      source('a'.repeat(100)),
      { chunkSize: 10 },
    );
    expect(server.commands.filter((c) => c.startsWith('BDAT'))).toEqual(['BDAT 10', 'BDAT 10']);
    expect(server.commands.at(-2)).toBe('RSET');
    expect(results[0]).toMatchObject({ status: 'failed', code: 552, enhancedCode: '5.3.4' });
  });

  it('REQUIRETLS fails with 5.7.30 when TLS with REQUIRETLS is not available', async () => {
    const { results } = await converse(
      { extensions: ['REQUIRETLS'] },
      envelope(['bob@b.test'], { requireTls: true }),
      source(MESSAGE),
      {
        startTls: 'never',
      },
    );
    expect(results[0]).toMatchObject({ status: 'failed', enhancedCode: '5.7.30' });
  });
});

describe('LMTP (RFC 2033)', () => {
  it('says LHLO and reads one reply per accepted recipient after the data', async () => {
    const { server, results } = await converse(
      {
        lmtp: true,
        extensions: ['PIPELINING', 'ENHANCEDSTATUSCODES'],
        respond: (line) => (line.includes('<gone@') ? '550 5.1.1 unknown' : undefined),
        afterData: () =>
          '250 2.0.0 <bob> delivered\n452 4.2.2 <carol> over quota\n250 2.0.0 <dave> delivered',
      },
      envelope(['bob@b.test', 'gone@b.test', 'carol@b.test', 'dave@b.test']),
      source(MESSAGE),
      { lmtp: true },
    );
    expect(server.commands[0]).toBe('LHLO client.a.test');
    expect(results.map((r) => [r.recipient, r.status])).toEqual([
      ['bob@b.test', 'delivered'],
      ['gone@b.test', 'failed'],
      ['carol@b.test', 'deferred'],
      ['dave@b.test', 'delivered'],
    ]);
  });

  it('never falls back to HELO', async () => {
    const { server, outcome } = await converse(
      { lmtp: true, respond: (line) => (line.startsWith('LHLO') ? '500 what' : undefined) },
      envelope(['bob@b.test']),
      source(MESSAGE),
      { lmtp: true },
    );
    expect(server.commands).toEqual(['LHLO client.a.test', 'QUIT']);
    expect(outcome.results[0]!.status).toBe('deferred');
  });

  it('keeps the replies that came when the connection breaks between them', async () => {
    const { results } = await converse(
      {
        lmtp: true,
        afterData: (_, server) => {
          server.hangUp();
          return '250 2.0.0 first delivered';
        },
      },
      envelope(['bob@b.test', 'carol@b.test']),
      source(MESSAGE),
      { lmtp: true },
    );
    expect(results.map((r) => r.status)).toEqual(['delivered', 'deferred']);
  });
});

describe('STARTTLS', () => {
  const tlsServer = (extra: Partial<ScriptOptions> = {}): ScriptOptions => ({
    extensions: ['STARTTLS', 'PIPELINING'],
    ...extra,
  });

  it('starts TLS when offered, says EHLO again and forgets what was said before', async () => {
    let server: ScriptedServer | undefined;
    const script: ScriptOptions = {
      respond: (line, s) => {
        server = s;
        if (line.startsWith('EHLO') && s.secure) return '250-mx.test\n250 AUTH PLAIN';
        if (line.startsWith('EHLO')) return '250-mx.test\n250-STARTTLS\n250 PIPELINING';
        return undefined;
      },
      users: { alice: 'pw' },
    };
    const outcome = await converse(script, envelope(['bob@b.test']), source(MESSAGE), {
      credentials: { username: 'alice', password: 'pw' },
    });
    server = outcome.server;
    expect(server.commands.slice(0, 5)).toEqual([
      'EHLO client.a.test',
      'STARTTLS',
      'EHLO client.a.test',
      'AUTH PLAIN AGFsaWNlAHB3',
      'MAIL FROM:<alice@a.test>',
    ]);
    // PIPELINING was offered only in the clear: after TLS the client sends one command at a time.
    expect(server.writes).toContain('MAIL FROM:<alice@a.test>\r\n');
    expect(outcome.results[0]!.status).toBe('delivered');
  });

  it('discards replies pipelined after the 220 in the clear (STARTTLS injection)', async () => {
    const { server, results } = await converse(
      tlsServer({
        respond: (line, s) =>
          line === 'STARTTLS'
            ? '220 go ahead\n250-injected\n250 AUTH PLAIN'
            : s.secure && line.startsWith('EHLO')
              ? '250 mx.test'
              : undefined,
      }),
      envelope(['bob@b.test']),
    );
    expect(server.commands.slice(0, 4)).toEqual([
      'EHLO client.a.test',
      'STARTTLS',
      'EHLO client.a.test',
      'MAIL FROM:<alice@a.test>',
    ]);
    expect(results[0]!.status).toBe('delivered');
  });

  it('required TLS without STARTTLS on offer defers before any transaction', async () => {
    const { server, outcome } = await converse(
      { extensions: ['PIPELINING'] },
      envelope(['bob@b.test']),
      source(MESSAGE),
      {
        startTls: 'required',
      },
    );
    expect(server.commands).toEqual(['EHLO client.a.test', 'QUIT']);
    expect(outcome).toMatchObject({ beforeTransaction: true, tlsHandshakeFailed: false });
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.7.0' });
  });

  it('a refused STARTTLS is a TLS failure, not a handshake failure', async () => {
    const { outcome } = await converse(
      tlsServer({
        respond: (line) => (line === 'STARTTLS' ? '454 4.7.0 TLS not available' : undefined),
      }),
      envelope(['bob@b.test']),
    );
    expect(outcome).toMatchObject({ beforeTransaction: true, tlsHandshakeFailed: false });
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', code: 454 });
  });

  it('reports a failed handshake, so that the route can retry the host in the clear', async () => {
    const { outcome } = await converse(tlsServer({ tlsFails: true }), envelope(['bob@b.test']));
    expect(outcome).toMatchObject({ beforeTransaction: true, tlsHandshakeFailed: true });
  });

  it('never sends STARTTLS with policy never', async () => {
    const { server } = await converse(tlsServer(), envelope(['bob@b.test']), source(MESSAGE), {
      startTls: 'never',
    });
    expect(server.commands).not.toContain('STARTTLS');
  });
});

describe('AUTH against the SASL server of @mailyard/sasl', () => {
  const users = { alice: 'secret' };
  const run = (mechanisms: string, extra: Partial<ConversationOptions>, secure = true) => {
    const script: ScriptOptions = {
      users,
      tokens: { 'alice@gmail.test': 'ya29.good' },
      respond: (line, s) => {
        if (secure && !s.secure && line.startsWith('EHLO')) return '250-mx.test\n250 STARTTLS';
        if (line.startsWith('EHLO')) return `250-mx.test\n250 AUTH ${mechanisms}`;
        return undefined;
      },
    };
    return converse(script, envelope(['bob@b.test']), source(MESSAGE), extra);
  };

  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const) {
    it(`logs in with ${mechanism}`, async () => {
      const { server, results } = await run(mechanism, {
        credentials: { username: 'alice', password: 'secret' },
      });
      expect(server.commands).toContainEqual(
        expect.stringMatching(new RegExp(`^AUTH ${mechanism}`)),
      );
      expect(results[0]!.status).toBe('delivered');
    });

    it(`defers when ${mechanism} credentials are refused`, async () => {
      const { server, outcome } = await run(mechanism, {
        credentials: { username: 'alice', password: 'wrong' },
      });
      expect(server.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
      expect(outcome.beforeTransaction).toBe(true);
      expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.7.0' });
      expect(outcome.results[0]!.diagnostic).toContain('535');
    });
  }

  it('logs in with XOAUTH2, and answers an error challenge with an empty line', async () => {
    const good = await run('XOAUTH2 PLAIN', {
      credentials: { username: 'alice@gmail.test', accessToken: 'ya29.good' },
    });
    expect(good.results[0]!.status).toBe('delivered');
    const bad = await run('XOAUTH2', {
      credentials: { username: 'alice@gmail.test', accessToken: 'expired' },
    });
    expect(bad.server.commands.slice(3, 5)).toEqual([expect.stringMatching(/^AUTH XOAUTH2 /), '']);
    expect(bad.outcome.results[0]!.status).toBe('deferred');
  });

  it('prefers PLAIN over TLS, CRAM-MD5 in the clear, and never sends a password in the clear unless allowed', async () => {
    const credentials = { username: 'alice', password: 'secret' };
    const tls = await run('CRAM-MD5 PLAIN LOGIN', { credentials });
    expect(tls.server.commands).toContainEqual(expect.stringMatching(/^AUTH PLAIN /));
    const clear = await run('CRAM-MD5 PLAIN', { credentials }, false);
    expect(clear.server.commands).toContain('AUTH CRAM-MD5');
    const plainOnly = await run('PLAIN LOGIN', { credentials }, false);
    expect(plainOnly.server.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
    expect(plainOnly.outcome.results[0]!.status).toBe('deferred');
    const allowed = await run('PLAIN', { credentials, auth: { allowInsecure: true } }, false);
    expect(allowed.results[0]!.status).toBe('delivered');
  });

  it('sends AUTH= on MAIL once logged in, when the envelope has a submitter', async () => {
    const server = new ScriptedServer({ users, extensions: ['AUTH PLAIN'] });
    const session = new SmtpClientSession(server, { clientName: 'c' });
    await session.readGreeting();
    await session.hello();
    await session.authenticate({ username: 'alice', password: 'secret' }, { allowInsecure: true });
    expect(session.authenticated).toBe('alice');
    await session.send({ ...envelope(['bob@b.test']), auth: 'alice@a.test' }, source(MESSAGE));
    expect(server.commands).toContain('MAIL FROM:<alice@a.test> AUTH=alice@a.test');
  });
});

describe('hostile servers', () => {
  it('defers on a reply that is not SMTP', async () => {
    const { outcome } = await converse(
      { respond: (line) => (line.startsWith('MAIL') ? 'HTTP/1.1 400 Bad Request' : undefined) },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.5.0' });
    expect(outcome.beforeTransaction).toBe(false);
  });

  it('defers on an endless reply line, without holding it in memory', async () => {
    const { outcome } = await converse(
      { respond: (line) => (line.startsWith('EHLO') ? `250 ${'A'.repeat(100_000)}` : undefined) },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]!.status).toBe('deferred');
    expect(outcome.results[0]!.diagnostic).toContain('line-too-long');
  });

  it('defers when the server never answers (timeout)', async () => {
    const { outcome, server } = await converse(
      { respond: (line) => (line.startsWith('RCPT') ? null : undefined) },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.4.2' });
    expect(outcome.results[0]!.diagnostic).toContain('rcpt');
    expect(server.closed).toBe(true);
  });

  it('defers when the connection drops in the middle of DATA', async () => {
    const { outcome } = await converse(
      {
        respond: (line, s) => {
          if (line === 'DATA') {
            s.hangUp();
            return '354 go';
          }
          return undefined;
        },
      },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.4.2' });
  });

  it('a refusal the server sends in the middle of the data, before hanging up, decides', async () => {
    const { outcome } = await converse(
      {
        respond: (line, s) => {
          if (line !== 'DATA') return undefined;
          s.hangUp();
          return '354 go\n552 5.3.4 message too big, goodbye';
        },
      },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({
      status: 'failed',
      code: 552,
      enhancedCode: '5.3.4',
    });
  });

  it('a 421 in the middle of the transaction defers, and nothing more is sent', async () => {
    const { server, outcome } = await converse(
      { respond: (line) => (line.startsWith('RCPT') ? '421 4.3.2 shutting down' : undefined) },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', code: 421 });
    expect(server.commands.at(-1)).toMatch(/^RCPT/);
  });

  it('defers, and does not finish the data, when the stored message cannot be read', async () => {
    const broken: MessageSource = {
      size: 10,
      async *read() {
        yield Buffer.from('Subject: x\r\n');
        throw new Error('EIO: disk error');
      },
    };
    const { server, outcome } = await converse({}, envelope(['bob@b.test']), broken);
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.3.0' });
    expect(outcome.results[0]!.diagnostic).toContain('EIO');
    expect(server.messages).toEqual([]);
    expect(server.closed).toBe(true);
  });

  it('steps reject with SmtpClientError, never anything else', async () => {
    const server = new ScriptedServer({ greeting: 'garbage' });
    const session = new SmtpClientSession(server, { clientName: 'c' });
    await expect(session.readGreeting()).rejects.toBeInstanceOf(SmtpClientError);
    await expect(session.hello()).rejects.toMatchObject({ kind: 'protocol' });
  });
});

describe('whatever the server says', () => {
  const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

  it('a reply cut off by the end of the connection defers', async () => {
    const { outcome } = await converse(
      {
        respond: (line, s) => {
          if (!line.startsWith('MAIL')) return undefined;
          s.hangUp();
          return '250-first line of a reply that never ends';
        },
      },
      envelope(['bob@b.test']),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.4.2' });
  });

  it('the conversation ends with one sound result per recipient, and never throws', async () => {
    let delivered = 0;
    const reply = fc.oneof(
      fc.constantFrom(
        '250 ok',
        '250 2.1.5 ok',
        '235 2.7.0 ok',
        '354 go',
        '220 ready',
        '221 bye',
        '334 VXNlcm5hbWU6',
        '421 closing',
        '452 4.5.3 too many',
        '550 5.1.1 no',
        '500 what',
      ),
      fc.stringMatching(/^[0-9]{3}[ -][ -~]{0,20}$/),
      fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/\n/g, ' ')),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(reply, { minLength: 1, maxLength: 12 }),
        fc.subarray([
          'PIPELINING',
          'SIZE 100',
          '8BITMIME',
          'CHUNKING',
          'DSN',
          'STARTTLS',
          'AUTH PLAIN',
          'SMTPUTF8',
        ]),
        fc.boolean(),
        fc.boolean(),
        async (answers, extensions, lmtp, login) => {
          let i = 0;
          const server = new ScriptedServer({
            lmtp,
            extensions,
            respond: (line) => {
              if (/^(EHLO|LHLO|QUIT)/.test(line)) return undefined;
              const answer = answers[i++ % answers.length]!;
              return answer;
            },
          });
          const env = envelope(['a@b.test', 'c@b.test']);
          const outcome = await runSmtpConversation(server, env, source(MESSAGE), {
            ...options,
            lmtp,
            ...(login
              ? { credentials: { username: 'u', password: 'p' }, auth: { allowInsecure: true } }
              : {}),
          });
          if (outcome.results.some((r) => r.status === 'delivered')) delivered++;
          expect(outcome.results.map((r) => r.recipient)).toEqual(['a@b.test', 'c@b.test']);
          for (const result of outcome.results) {
            expect(['delivered', 'deferred', 'failed']).toContain(result.status);
            expect(result.enhancedCode).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
            expect(String(result.code)[0]).toBe(result.enhancedCode[0]);
            expect(result.diagnostic).not.toMatch(/[\r\n]/);
          }
          expect(server.closed).toBe(true);
        },
      ),
      { seed: 5321, numRuns: runs },
    );
    // The property reached transactions, not only refusals before them.
    expect(delivered).toBeGreaterThan(0);
  });
});
