/**
 * Our client against our server (createSmtpServer, the server half of this package), over
 * loopback with real sockets and TLS: every extension both sides speak, LMTP, and the whole path
 * a message takes in an application: SMTP in, the queue, then local delivery into a store or
 * relaying to another server.
 */
import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSmtp } from '../../src/client/node-smtp-connection.js';
import {
  runSmtpConversation,
  type ConversationOptions,
} from '../../src/client/smtp-conversation.js';
import { deliveryRouter } from '../../src/delivery/delivery-router.js';
import { localDeliveryAgent } from '../../src/delivery/local-delivery-agent.js';
import type { Envelope, MessageSource } from '../../src/envelope.js';
import { textMailLog } from '../../src/log/mail-log.js';
import {
  type SmtpServer,
  type SmtpServerOptions,
  createSmtpServer,
} from '../../src/node/smtp-server.js';
import { DeliveryQueue } from '../../src/queue/delivery-queue.js';
import { remoteDeliveryAgent } from '../../src/routing/remote-delivery-agent.js';
import type { SmtpReply } from '../../src/protocol/smtp-reply.js';
import { temporaryDirectory } from '../queue/queue-fixtures.js';
import { fakeResolver } from '../routing/fake-resolver.js';
import { SaslServer } from '@mailyard/sasl';

const certificate = selfSignedCertificate();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Received {
  envelope: Envelope;
  bytes: Buffer;
  secure: boolean;
  user: string | null;
}

async function ourServer(
  extra: Partial<SmtpServerOptions> & {
    answer?: (envelope: Envelope) => SmtpReply | SmtpReply[] | void;
    lmtp?: boolean;
  } = {},
) {
  const received: Received[] = [];
  const { answer, lmtp, ...options } = extra;
  const server: SmtpServer = createSmtpServer({
    hostname: 'mx.b.test',
    tls: certificate,
    sasl: new SaslServer({
      hostname: 'mx.b.test',
      service: 'smtp',
      mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
      credentials: {
        verifyPassword: async (login, password) =>
          login === 'relay' && password === 'pw' ? { id: 'relay' } : null,
        plaintextPassword: async (login) => (login === 'relay' ? 'pw' : null),
        findUser: async (login) => (login === 'relay' ? { id: 'relay' } : null),
      },
    }),
    hooks: {
      onMessage: async (envelope, message, session) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of message) chunks.push(chunk);
        received.push({
          envelope,
          bytes: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user,
        });
        return answer?.(envelope);
      },
    },
    listeners: [
      { name: lmtp ? 'lmtp' : 'smtp', port: 0, tls: 'starttls', ...(lmtp ? { lmtp: true } : {}) },
    ],
    ...options,
  });
  const [{ port }] = (await server.listen()) as [{ name: string; port: number }];
  cleanups.push(() => server.close(0));
  return { port, received };
}

const source = (text: string | Buffer): MessageSource => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    size: bytes.length,
    async *read() {
      for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
    },
  };
};

async function send(
  port: number,
  envelope: Envelope,
  message: MessageSource,
  options: Partial<ConversationOptions> = {},
) {
  const transport = await connectSmtp({ host: 'localhost', port, tls: { ca: certificate.cert } });
  return runSmtpConversation(transport, envelope, message, {
    clientName: 'client.a.test',
    remoteMta: 'mx.b.test',
    ...options,
  });
}

/** What our server received after the Received header it puts in front. */
function body(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const match = /^Received: [^\r]*\r\n(?:[ \t][^\r]*\r\n)*/.exec(text);
  return match ? text.slice(match[0].length) : text;
}

const MESSAGE = 'From: alice@a.test\r\nSubject: both ends ours\r\n\r\n.leading dot\r\nend\r\n';

describe('our client to our server', () => {
  it('STARTTLS (verified), PIPELINING, CHUNKING and DSN parameters, end to end', async () => {
    const { port, received } = await ourServer();
    const envelope: Envelope = {
      from: 'alice@a.test',
      body: '8BITMIME',
      ret: 'HDRS',
      envelopeId: 'id+1',
      recipients: [
        {
          address: 'bob@b.test',
          notify: ['FAILURE', 'DELAY'],
          originalRecipient: 'rfc822;bob@b.test',
        },
        { address: 'carol@b.test', notify: 'NEVER' },
      ],
    };
    const outcome = await send(port, envelope, source(MESSAGE), { startTls: 'required' });
    expect(outcome.results.map((r) => [r.recipient, r.status, r.code])).toEqual([
      ['bob@b.test', 'delivered', 250],
      ['carol@b.test', 'delivered', 250],
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]!.secure).toBe(true);
    expect(received[0]!.envelope).toMatchObject(envelope);
    expect(body(received[0]!.bytes)).toBe(MESSAGE);
  });

  it('DATA with dot-stuffing when chunking is off, and a bare LF in the stored message arrives as CRLF', async () => {
    const { port, received } = await ourServer();
    const stored = 'Subject: x\r\n\r\n.one\nbare\r\n..two\r\n';
    const outcome = await send(
      port,
      { from: 'a@a.test', recipients: [{ address: 'b@b.test' }] },
      source(stored),
      {
        chunking: false,
      },
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(body(received[0]!.bytes)).toBe('Subject: x\r\n\r\n.one\r\nbare\r\n..two\r\n');
  });

  it('BINARYMIME over BDAT, byte for byte', async () => {
    const { port, received } = await ourServer();
    const binary = Buffer.concat([
      Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
      Buffer.from([0, 13, 10, 46, 13, 10, 255, 10, 13]),
    ]);
    const outcome = await send(
      port,
      { from: 'a@a.test', body: 'BINARYMIME', recipients: [{ address: 'b@b.test' }] },
      source(binary),
      {
        chunkSize: 16,
      },
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]!.bytes.subarray(received[0]!.bytes.length - binary.length)).toEqual(binary);
  });

  it('SMTPUTF8 addresses', async () => {
    const { port, received } = await ourServer();
    const outcome = await send(
      port,
      { from: 'jörg@a.test', smtpUtf8: true, recipients: [{ address: 'zoë@b.test' }] },
      source(MESSAGE),
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]!.envelope).toMatchObject({
      from: 'jörg@a.test',
      smtpUtf8: true,
      recipients: [{ address: 'zoë@b.test' }],
    });
  });

  it('AUTH over TLS (PLAIN by preference, CRAM-MD5 on request)', async () => {
    const { port, received } = await ourServer();
    for (const mechanisms of [undefined, ['CRAM-MD5' as const]]) {
      const outcome = await send(
        port,
        { from: 'a@a.test', recipients: [{ address: 'b@b.test' }] },
        source(MESSAGE),
        {
          startTls: 'required',
          credentials: { username: 'relay', password: 'pw' },
          ...(mechanisms ? { auth: { mechanisms } } : {}),
        },
      );
      expect(outcome.results[0]!.status).toBe('delivered');
    }
    expect(received.map((r) => r.user)).toEqual(['relay', 'relay']);
  });

  it('per-recipient refusals from the message hook, and LMTP replies per recipient', async () => {
    const lmtp = await ourServer({
      lmtp: true,
      answer: (envelope) =>
        envelope.recipients.map((r) =>
          r.address.startsWith('full')
            ? { code: 452, enhanced: '4.2.2', lines: ['mailbox full'] }
            : { code: 250, enhanced: '2.0.0', lines: ['delivered'] },
        ),
    });
    const outcome = await send(
      lmtp.port,
      { from: 'a@a.test', recipients: [{ address: 'ok@b.test' }, { address: 'full@b.test' }] },
      source(MESSAGE),
      { lmtp: true },
    );
    expect(outcome.results.map((r) => [r.status, r.enhancedCode])).toEqual([
      ['delivered', '2.0.0'],
      ['deferred', '4.2.2'],
    ]);
  });
});

describe('the whole path: SMTP in, the queue, local delivery and relaying out', () => {
  it('a message for a local user, a forward and a remote address is delivered to each, exactly once', async () => {
    const directory = new MemoryDirectory();
    await directory.addDomain('a.test');
    await directory.addUser('alice@a.test');
    await directory.addUser('fwd@a.test', {
      forwarding: { addresses: ['far@b.test'], keepCopy: false },
    });
    const store = new MemoryMailStore();
    const downstream = await ourServer();
    const dir = temporaryDirectory();
    cleanups.push(() => dir.remove());
    const logLines: string[] = [];
    const remote = remoteDeliveryAgent({
      clientName: 'mail.a.test',
      resolver: fakeResolver({
        mx: { 'b.test': [{ exchange: 'localhost', priority: 10 }] },
        addresses: { localhost: ['127.0.0.1'] },
      }),
      mx: { port: downstream.port, tls: { ca: certificate.cert } },
    });
    const queue = await DeliveryQueue.open({
      directory: dir.path,
      hostname: 'mail.a.test',
      agent: deliveryRouter({
        directory,
        local: localDeliveryAgent({ store, directory, hostname: 'mail.a.test' }),
        remote,
      }),
      mailLog: textMailLog({ write: (line) => logLines.push(line) }),
    });
    cleanups.push(() => queue.stop(0));
    const inbound = createSmtpServer({
      hostname: 'mail.a.test',
      hooks: {
        onMessage: async (envelope, message, session) => {
          await queue.enqueue(envelope, message, {
            service: 'SMTP',
            user: session.user,
            senderHost: session.remoteAddress,
            ssl: session.secure,
          });
        },
      },
      listeners: [{ name: 'smtp', port: 0 }],
    });
    const [{ port }] = (await inbound.listen()) as [{ name: string; port: number }];
    cleanups.push(() => inbound.close(0));

    const outcome = await send(
      port,
      {
        from: 'sender@c.test',
        recipients: [
          { address: 'alice@a.test' },
          { address: 'fwd@a.test' },
          { address: 'bob@b.test' },
        ],
      },
      source(MESSAGE),
      { startTls: 'never' },
    );
    expect(outcome.results.every((r) => r.status === 'delivered')).toBe(true);
    await queue.idle();

    const box = await store.access('alice@a.test').open('INBOX', { readOnly: true });
    expect(await box.messages()).toHaveLength(1);
    box.close();
    expect(
      downstream.received.map((r) => r.envelope.recipients.map((x) => x.address)).sort(),
    ).toEqual([['bob@b.test'], ['far@b.test']]);
    expect(downstream.received.every((r) => r.secure)).toBe(true);
    const farCopy = downstream.received.find(
      (r) => r.envelope.recipients[0]!.address === 'far@b.test',
    )!;
    expect(farCopy.envelope.recipients[0]!.originalRecipient).toBe('rfc822;fwd@a.test');
    expect(queue.list()).toEqual([]);
    expect(logLines[0]).toMatch(
      /^\[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] Recv: Queue-ID: [0-9a-f]{8}-\d{8}, Service: SMTP, From: <sender@c.test>, To: <alice@a.test>, <fwd@a.test>, <bob@b.test>, Size: \d+, Sender-Host: 127.0.0.1, SSL: no$/,
    );
    expect(
      logLines.filter((l) => l.includes('Sent:')).map((l) => l.replace(/^.*Recipient: /, '')),
    ).toEqual(
      expect.arrayContaining([
        '<alice@a.test>, Result: delivered, Status: 2.0.0',
        '<fwd@a.test>, Result: delivered, Status: 2.1.5',
        '<bob@b.test>, Result: delivered, Status: 2.0.0',
        '<far@b.test>, Result: delivered, Status: 2.0.0',
      ]),
    );
  });
});
