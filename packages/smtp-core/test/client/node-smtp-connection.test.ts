/**
 * The Node connector against real servers on 127.0.0.1: the `smtp-server` npm package (written
 * by the Nodemailer project) for STARTTLS, implicit TLS, AUTH and LMTP, and raw sockets that
 * misbehave (never answer, reset the connection mid-DATA) for the timeouts and failures.
 */
import { type Server, type Socket, createServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSmtp, type NodeSmtpConnectOptions } from '../../src/client/node-smtp-connection.js';
import {
  runSmtpConversation,
  type ConversationOptions,
} from '../../src/client/smtp-conversation.js';
import type { Envelope, MessageSource } from '../../src/envelope.js';
import { describeWithPeer, freePort, selfSignedCertificate } from '@mailyard/test-kit';
import { OPENSSL } from './peers.js';

function source(content: string | Buffer): MessageSource {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    size: bytes.length,
    async *read() {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    },
  };
}

const MESSAGE = 'From: a@a.test\r\nSubject: interop\r\n\r\nHello.\r\n.leading dot\r\n';
const ENVELOPE: Envelope = { from: 'alice@a.test', recipients: [{ address: 'bob@b.test' }] };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Received {
  from: string;
  to: string[];
  body: string;
  secure: boolean;
  user?: string;
}

async function startSmtpServer(options: SMTPServerOptions & { reply?: (to: string[]) => unknown }) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disableReverseLookup: true,
    logger: false,
    authOptional: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to,
          body: Buffer.concat(chunks).toString(),
          secure: session.secure,
          ...(session.user ? { user: String(session.user) } : {}),
        });
        const reply = options.reply?.(to);
        callback(null, reply as string);
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

async function deliver(
  port: number,
  connect: Partial<NodeSmtpConnectOptions> = {},
  conversation: Partial<ConversationOptions> = {},
  envelope: Envelope = ENVELOPE,
  message: MessageSource = source(MESSAGE),
) {
  const transport = await connectSmtp({ host: '127.0.0.1', port, ...connect });
  return runSmtpConversation(transport, envelope, message, {
    clientName: 'client.a.test',
    remoteMta: 'localhost',
    ...conversation,
  });
}

/** A TCP server running a test's script on each connection. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('against smtp-server (npm)', () => {
  it('delivers with pipelining, and the message arrives unstuffed', async () => {
    const { port, received } = await startSmtpServer({});
    const outcome = await deliver(port, {}, { startTls: 'never' });
    expect(outcome.results[0]).toMatchObject({
      status: 'delivered',
      code: 250,
      remoteMta: 'localhost',
    });
    expect(received).toEqual([
      { from: 'alice@a.test', to: ['bob@b.test'], body: MESSAGE, secure: false },
    ]);
  });

  it('carries a 3 MB message with backpressure', async () => {
    const { port, received } = await startSmtpServer({});
    const line = `${'x'.repeat(76)}\r\n`;
    const big = `Subject: big\r\n\r\n${line.repeat(40_000)}`;
    const outcome = await deliver(port, {}, { startTls: 'never' }, ENVELOPE, source(big));
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]!.body.length).toBe(big.length);
  });

  it('refuses a message over the advertised SIZE without sending it', async () => {
    const { port, received } = await startSmtpServer({ size: 100 });
    const outcome = await deliver(
      port,
      {},
      { startTls: 'never' },
      ENVELOPE,
      source('x'.repeat(500)),
    );
    expect(outcome.results[0]).toMatchObject({ status: 'failed', enhancedCode: '5.3.4' });
    expect(received).toEqual([]);
  });

  it('LMTP: one reply per recipient', async () => {
    const { port } = await startSmtpServer({
      lmtp: true,
      reply: (to) =>
        to.map((address) =>
          address.startsWith('full')
            ? Object.assign(new Error('over quota'), { responseCode: 452 })
            : 'ok',
        ),
    });
    const outcome = await deliver(
      port,
      {},
      { lmtp: true, startTls: 'never' },
      {
        from: 'alice@a.test',
        recipients: [{ address: 'bob@b.test' }, { address: 'full@b.test' }],
      },
    );
    expect(outcome.results.map((r) => [r.recipient, r.status, r.code])).toEqual([
      ['bob@b.test', 'delivered', 250],
      ['full@b.test', 'deferred', 452],
    ]);
  });

  const auth = (method: string) =>
    it(`logs in with ${method}`, async () => {
      const { port, received } = await startSmtpServer({
        authMethods: [method],
        allowInsecureAuth: true,
        onAuth(authentication, _session, callback) {
          const ok =
            authentication.method === 'XOAUTH2'
              ? authentication.accessToken === 'token-1'
              : authentication.method === 'CRAM-MD5'
                ? authentication.validatePassword('s3cret')
                : authentication.password === 's3cret';
          if (ok && authentication.username === 'alice') return callback(null, { user: 'alice' });
          return callback(new Error('Invalid username or password'));
        },
      });
      const credentials =
        method === 'XOAUTH2'
          ? { username: 'alice', accessToken: 'token-1' }
          : { username: 'alice', password: 's3cret' };
      const outcome = await deliver(
        port,
        {},
        { startTls: 'never', credentials, auth: { allowInsecure: true } },
      );
      expect(outcome.results[0]!.status).toBe('delivered');
      expect(received[0]!.user).toBe('alice');
      const refused = await deliver(
        port,
        {},
        {
          startTls: 'never',
          credentials:
            method === 'XOAUTH2'
              ? { username: 'alice', accessToken: 'bad' }
              : { username: 'alice', password: 'bad' },
          auth: { allowInsecure: true },
        },
      );
      expect(refused.results[0]).toMatchObject({ status: 'deferred' });
      expect(refused.beforeTransaction).toBe(true);
    });
  for (const method of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2']) auth(method);
});

describeWithPeer(OPENSSL, 'TLS against smtp-server (npm)', () => {
  const certificate = OPENSSL.available ? selfSignedCertificate() : { key: '', cert: '' };

  it('STARTTLS: verifies the certificate by default, and a self-signed one fails the handshake', async () => {
    const { port, received } = await startSmtpServer({ ...certificate });
    const outcome = await deliver(port, { host: 'localhost' }, { startTls: 'opportunistic' });
    expect(outcome).toMatchObject({ beforeTransaction: true, tlsHandshakeFailed: true });
    expect(outcome.results[0]!.status).toBe('deferred');
    expect(received).toEqual([]);
  });

  it('STARTTLS: succeeds with the CA given, and again EHLO over TLS', async () => {
    const { port, received } = await startSmtpServer({ ...certificate });
    const transport = await connectSmtp({ host: 'localhost', port, tls: { ca: certificate.cert } });
    const outcome = await runSmtpConversation(transport, ENVELOPE, source(MESSAGE), {
      clientName: 'client.a.test',
      startTls: 'required',
    });
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(transport.secure).toBe(true);
    expect(transport.authorized).toBe(true);
    expect(received[0]!.secure).toBe(true);
  });

  it('opportunistic TLS that accepts any certificate, as MTAs do', async () => {
    const { port, received } = await startSmtpServer({ ...certificate });
    const outcome = await deliver(
      port,
      { tls: { verifyCertificate: false } },
      { startTls: 'opportunistic' },
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]!.secure).toBe(true);
  });

  it('implicit TLS (port 465 style)', async () => {
    const { port, received } = await startSmtpServer({ ...certificate, secure: true });
    const outcome = await deliver(
      port,
      { host: 'localhost', implicitTls: true, tls: { ca: certificate.cert } },
      { startTls: 'required' },
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]!.secure).toBe(true);
  });

  it('AUTH PLAIN goes only over TLS by default', async () => {
    const { port, received } = await startSmtpServer({
      ...certificate,
      authMethods: ['PLAIN'],
      onAuth: (authentication, _session, callback) =>
        authentication.password === 'pw'
          ? callback(null, { user: authentication.username })
          : callback(new Error('no')),
    });
    const outcome = await deliver(
      port,
      { host: 'localhost', tls: { ca: certificate.cert } },
      { startTls: 'required', credentials: { username: 'alice', password: 'pw' } },
    );
    expect(outcome.results[0]!.status).toBe('delivered');
    expect(received[0]).toMatchObject({ secure: true, user: 'alice' });
  });
});

describe('misbehaving servers', () => {
  it('refused connection: connectSmtp rejects with kind connection', async () => {
    const port = await freePort();
    await expect(connectSmtp({ host: '127.0.0.1', port })).rejects.toMatchObject({
      name: 'SmtpClientError',
      kind: 'connection',
    });
  });

  it('a server that never greets: the greeting timeout defers', async () => {
    const port = await rawServer(() => undefined);
    const started = Date.now();
    const outcome = await deliver(port, { timeouts: { greeting: 150 } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.4.2' });
    expect(outcome.results[0]!.diagnostic).toContain('greeting');
    expect(outcome.beforeTransaction).toBe(true);
  });

  it('a server that never answers the final dot: the data-end timeout defers', async () => {
    const port = await rawServer((socket) => {
      socket.write('220 hi\r\n');
      let inData = false;
      socket.on('data', (chunk: Buffer) => {
        if (inData) return;
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          if (line === 'DATA') {
            inData = true;
            socket.write('354 go\r\n');
          } else socket.write('250 ok\r\n');
        }
      });
    });
    const outcome = await deliver(port, { timeouts: { dataEnd: 200 } });
    expect(outcome.results[0]).toMatchObject({ status: 'deferred' });
    expect(outcome.results[0]!.diagnostic).toContain('data-end');
  });

  it('a connection reset in the middle of DATA defers', async () => {
    const port = await rawServer((socket) => {
      socket.write('220 hi\r\n');
      let inData = false;
      socket.on('data', (chunk: Buffer) => {
        if (inData) return socket.resetAndDestroy();
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          if (line === 'DATA') {
            inData = true;
            socket.write('354 go\r\n');
          } else socket.write('250 ok\r\n');
        }
      });
    });
    const big = source(`Subject: x\r\n\r\n${'y'.repeat(2_000_000)}\r\n`);
    const outcome = await deliver(port, {}, {}, ENVELOPE, big);
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.4.2' });
  });

  it('garbage instead of a greeting defers with a protocol error', async () => {
    const port = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n'));
    const outcome = await deliver(port);
    expect(outcome.results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.5.0' });
  });

  it('an endless line without a line break is cut off, and defers', async () => {
    const port = await rawServer((socket) => {
      const block = Buffer.alloc(64 * 1024, 'A');
      const pump = () => {
        while (!socket.destroyed && socket.write(block));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const outcome = await deliver(port, { timeouts: { greeting: 2000 } });
    expect(outcome.results[0]!.status).toBe('deferred');
    expect(outcome.results[0]!.diagnostic).toContain('line-too-long');
  });

  it('aborting closes the connection and defers', async () => {
    const port = await rawServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const outcome = await deliver(port, { signal: controller.signal });
    expect(outcome.results[0]).toMatchObject({ status: 'deferred' });
    expect(outcome.results[0]!.diagnostic).toContain('abort');
  });
});
