/** The Node transport with raw sockets: TLS upgrades, timeouts, PROXY protocol, backpressure, shutdown. */
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SmtpListener,
  type SmtpServer,
  type SmtpServerOptions,
  createSmtpServer,
} from '../../src/node/smtp-server.js';
import { KerioSmtpPolicy } from '../../src/policy/kerio-smtp-policy.js';

const servers: SmtpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close(200)));
});

async function start(options: Partial<SmtpServerOptions> & Pick<SmtpServerOptions, 'listeners'>) {
  const received: string[] = [];
  const server = createSmtpServer({
    hostname: 'mx.example.com',
    tls: selfSignedCertificate(),
    hooks: {
      onMessage: async (_envelope, message) => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of message) chunks.push(chunk);
        received.push(Buffer.concat(chunks).toString());
      },
    },
    ...options,
  });
  servers.push(server);
  const [bound] = await server.listen();
  return { server, port: bound!.port, received };
}

/** A line-reading client over a socket. */
class RawClient {
  text = '';
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(public socket: Socket) {
    this.attach(socket);
  }

  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.text += chunk.toString('latin1');
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on('error', () => {});
  }

  /** Waits until the transcript matches, or the connection ended. */
  async waitFor(pattern: RegExp, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text) && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.text;
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }
}

/** A client over implicit TLS (port 465 style). */
function openTls(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () =>
      resolve(new RawClient(socket)),
    );
    socket.once('error', reject);
  });
}

/** Resolves once `condition` holds, looking again every few milliseconds. */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Resolves once `value` stops changing (the same over `quietMs`): how a test sees that the
 * other side stopped reading, since nothing announces that.
 */
async function settled(value: () => number, quietMs = 300): Promise<number> {
  let last = -1;
  for (;;) {
    const now = value();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

function open(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
    socket.once('error', reject);
  });
}

/** The test client connects from loopback: it is the trusted load balancer. */
const LOOPBACK_PROXY = { trustedProxies: ['127.0.0.1'] };

describe('createSmtpServer', () => {
  it('reports the ports it got, and refuses a busy port', async () => {
    const { port } = await start({ listeners: [{ name: 'smtp', port: 0 }] });
    expect(port).toBeGreaterThan(0);
    const clash = createSmtpServer({ hostname: 'x', listeners: [{ name: 'smtp', port }] });
    await expect(clash.listen()).rejects.toThrow(/EADDRINUSE/);
  });

  it('discards commands injected before the TLS handshake (CVE-2011-0411)', async () => {
    const { port, received } = await start({
      listeners: [{ name: 'smtp', port: 0, tls: 'starttls' }],
    });
    const client = await open(port);
    await client.waitFor(/^220 /);
    client.send('EHLO c\r\n');
    await client.waitFor(/250 /);
    client.send('STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\nRCPT TO:<x@example.com>\r\n');
    await client.waitFor(/220 2\.0\.0 Ready to start TLS\r\n/);
    const secure = tlsConnect({ socket: client.socket, rejectUnauthorized: false });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    const tls = new RawClient(secure);
    tls.send('RCPT TO:<x@example.com>\r\n');
    expect(await tls.waitFor(/\r\n$/)).toBe('503 Need MAIL first\r\n');
    tls.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await tls.waitFor(/354 /);
    tls.send('Subject: over TLS\r\n\r\n.\r\n');
    await tls.waitFor(/250 2\.0\.0 Ok: queued/);
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('with ESMTPS id');
    secure.destroy();
  });

  it('drops a client that talks before the delayed greeting (Kerio spam repellent)', async () => {
    const { port } = await start({
      listeners: [{ name: 'smtp', port: 0, greetingDelay: () => 300 }],
    });
    const early = await open(port);
    early.send('EHLO impatient.example\r\n');
    await early.waitFor(/never/, 2000);
    expect(early.ended).toBe(true);
    expect(early.text).toBe('');
    const patient = await open(port);
    expect(await patient.waitFor(/^220 /)).toMatch(/^220 mx\.example\.com/);
    patient.socket.destroy();
  });

  it('times out a client that never finishes DATA, and stores nothing', async () => {
    const { port, received } = await start({
      listeners: [{ name: 'smtp', port: 0 }],
      timeouts: { command: 1000, data: 300 },
    });
    const client = await open(port);
    await client.waitFor(/^220 /);
    client.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await client.waitFor(/354 /);
    client.send('Subject: never ends\r\n\r\nand on');
    expect(await client.waitFor(/421 /, 3000)).toMatch(
      /421 4\.4\.2 mx\.example\.com Timeout, closing connection\r\n$/,
    );
    await client.waitFor(/never/, 500);
    expect(client.ended).toBe(true);
    expect(received).toHaveLength(0);
  });

  it('says 421 to an idle client behind a PROXY header, as to any other', async () => {
    const { port } = await start({
      listeners: [{ name: 'smtp', port: 0, proxyProtocol: LOOPBACK_PROXY }],
      timeouts: { command: 300 },
    });
    const client = await open(port);
    client.send('PROXY TCP4 203.0.113.9 192.0.2.1 5555 25\r\n');
    await client.waitFor(/^220 /);
    expect(await client.waitFor(/421 /, 3000)).toMatch(
      /\r\n421 mx\.example\.com Timeout, closing connection\r\n$/,
    );
  });

  it('takes the client address from a PROXY protocol header (v1 and v2)', async () => {
    const { port, received } = await start({
      listeners: [{ name: 'smtp', port: 0, proxyProtocol: LOOPBACK_PROXY }],
    });
    const v1 = await open(port);
    v1.send('PROXY TCP4 203.0.113.9 192.0.2.1 5555 25\r\n');
    await v1.waitFor(/^220 /);
    v1.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await v1.waitFor(/354 /);
    v1.send('x\r\n.\r\n');
    await v1.waitFor(/250 2\.0\.0/);
    expect(received[0]).toContain('(unknown [203.0.113.9])');

    const v2 = await open(port);
    const header = Buffer.concat([
      Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'),
      Buffer.from([0x21, 0x11, 0x00, 12, 198, 51, 100, 7, 192, 0, 2, 1, 0x15, 0xb3, 0x00, 0x19]),
    ]);
    v2.send(header);
    expect(await v2.waitFor(/^220 /)).toMatch(/^220 /);
    const garbage = await open(port);
    garbage.send('HELLO there\r\n');
    await garbage.waitFor(/never/, 1000);
    expect(garbage.ended).toBe(true);
    v1.socket.destroy();
    v2.socket.destroy();
  });

  it("counts Kerio's connections per IP over smtp, smtps and submission together", async () => {
    const policy = new KerioSmtpPolicy({
      directory: new MemoryDirectory(),
      ipLimits: { connectionsPerIp: 2 },
    });
    const { server } = await start({
      hooks: policy.hooks(),
      listeners: [
        { name: 'smtp', port: 0, tls: 'starttls' },
        { name: 'smtps', port: 0, tls: 'implicit' },
        { name: 'submission', port: 0, tls: 'starttls', requireAuth: true },
      ],
    });
    const [smtp, smtps, submission] = await server.listen();
    const first = await open(smtp!.port);
    const second = await openTls(smtps!.port);
    expect(await first.waitFor(/\r\n/)).toMatch(/^220 /);
    expect(await second.waitFor(/\r\n/)).toMatch(/^220 /);
    for (const third of [await open(submission!.port), await openTls(smtps!.port)]) {
      expect(await third.waitFor(/\r\n/)).toBe('421 Too many connections from your IP address\r\n');
      await third.waitFor(/never/, 2000);
      expect(third.ended).toBe(true);
    }
    first.socket.destroy();
    second.socket.destroy();
  });

  it('counts a connection from its first moment, during the greeting delay too', async () => {
    const policy = new KerioSmtpPolicy({
      directory: new MemoryDirectory(),
      ipLimits: { connectionsPerIp: 2 },
    });
    const { server, port } = await start({
      hooks: policy.hooks(),
      listeners: [{ name: 'smtp', port: 0, greetingDelay: () => 60_000 }],
    });
    const waiting = [await open(port), await open(port)];
    await until(() => server.sessions.size === 2, 'two sessions');
    // The third is refused at once: it does not get to wait for a minute, holding a socket.
    const third = await open(port);
    expect(await third.waitFor(/\r\n/, 5000)).toBe(
      '421 Too many connections from your IP address\r\n',
    );
    for (const client of waiting) expect(client.text).toBe('');
    for (const client of waiting) client.socket.destroy();
  });

  it('stops reading a client that sends commands and does not read the replies', async () => {
    let commands = 0;
    const { port } = await start({
      listeners: [{ name: 'smtp', port: 0 }],
      hooks: { onMailFrom: async () => void commands++ },
    });
    const client = await open(port);
    await client.waitFor(/^220 /);
    client.send('EHLO c\r\n');
    const ehlo = (await client.waitFor(/250 [^\r\n]*\r\n$/)).length;
    client.socket.pause(); // from here on the client reads nothing
    // MAIL and EHLO, over and over: 33 octets in, the EHLO list and an Ok out, none of it a
    // command the session counts against a limit. Twice what the kernel's buffers of both
    // sockets could hold at most, so that only the server's own memory could take the rest.
    const pair = 'MAIL FROM:<a@b.example>\r\nEHLO c\r\n';
    const replyBytes = ehlo + '250 2.1.0 Ok\r\n'.length;
    const kernelMax = (name: string) =>
      Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]);
    const batch = 10_000;
    const pairs =
      Math.ceil((2 * (kernelMax('tcp_rmem') + kernelMax('tcp_wmem'))) / replyBytes / batch) * batch;
    const block = Buffer.from(pair.repeat(batch));
    for (let i = 0; i < pairs / batch; i++) client.send(block);
    const handled = await settled(() => commands);
    expect(handled).toBeLessThan(pairs);
    // Reading again, the client gets every reply.
    client.socket.resume();
    await until(() => commands === pairs, 'every MAIL handled', 60_000);
    client.socket.destroy();
  }, 90_000);

  /**
   * A server whose application does not read messages until `release`, and a client (made by
   * `connectClient` once the server listens) that sends a 50 MB message: what left the client
   * while nobody read is bounded by the socket buffers and the session's window, not 50 MB.
   */
  async function unreadMessage(
    listener: SmtpListener,
    connectClient: (port: number) => Promise<{ client: RawClient; written: () => number }>,
  ): Promise<void> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let octets = 0;
    const { port } = await start({
      listeners: [listener],
      hooks: {
        onMessage: async (_envelope, message) => {
          await gate;
          for await (const chunk of message) octets += chunk.length;
        },
      },
    });
    const { client, written } = await connectClient(port);
    client.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await client.waitFor(/354 /);
    const line = Buffer.from(`${'y'.repeat(998)}\r\n`);
    const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
    for (let i = 0; i < 50; i++) client.send(block);
    client.send('.\r\n');
    expect(await settled(written)).toBeLessThan(24 * 1024 * 1024);
    release();
    expect(await client.waitFor(/250 2\.0\.0 Ok/, 20_000)).toMatch(/250 2\.0\.0 Ok/);
    expect(octets).toBeGreaterThan(50 * 1000 * 1024);
    client.socket.destroy();
  }
  const flushed = (socket: Socket) => () => socket.bytesWritten - socket.writableLength;

  it('stops reading a 50 MB message while the application is not reading it', async () => {
    await unreadMessage({ name: 'smtp', port: 0 }, async (port) => {
      const client = await open(port);
      await client.waitFor(/^220 /);
      return { client, written: flushed(client.socket) };
    });
  }, 60_000);

  it('stops reading a message over implicit TLS while the application is not reading it', async () => {
    await unreadMessage({ name: 'smtps', port: 0, tls: 'implicit' }, async (port) => {
      const client = await openTls(port);
      await client.waitFor(/^220 /);
      return { client, written: flushed(client.socket) };
    });
  }, 60_000);

  it('stops reading a message behind a PROXY header, then STARTTLS, while the application is not reading it', async () => {
    const listener: SmtpListener = {
      name: 'smtp',
      port: 0,
      tls: 'starttls',
      proxyProtocol: LOOPBACK_PROXY,
    };
    await unreadMessage(listener, async (port) => {
      const plain = await open(port);
      plain.send('PROXY TCP4 203.0.113.9 192.0.2.1 5555 25\r\n');
      await plain.waitFor(/^220 /);
      plain.send('EHLO c\r\nSTARTTLS\r\n');
      await plain.waitFor(/220 2\.0\.0 Ready to start TLS\r\n/);
      const secure = tlsConnect({ socket: plain.socket, rejectUnauthorized: false });
      await new Promise((resolve) => secure.once('secureConnect', resolve));
      return { client: new RawClient(secure), written: flushed(secure) };
    });
  }, 60_000);

  it("counts the octets in flight of a client's connections together (452 4.3.1 over its share)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let messagesIn = 0;
    const { port } = await start({
      listeners: [{ name: 'smtp', port: 0 }],
      limits: { inFlightPerClient: 100_000 },
      hooks: {
        onMessage: async (_envelope, message) => {
          for await (const _ of message);
          messagesIn++;
          await gate;
        },
      },
    });
    const envelope = 'EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n';
    const text = (octets: number) => `${`${'z'.repeat(998)}\r\n`.repeat(octets / 1000)}.\r\n`;
    const first = await open(port);
    await first.waitFor(/^220 /);
    first.send(envelope);
    await first.waitFor(/354 /);
    first.send(text(80_000));
    await until(() => messagesIn === 1, 'the first message in, waiting to be stored');
    const second = await open(port);
    await second.waitFor(/^220 /);
    second.send(envelope);
    await second.waitFor(/354 /);
    second.send(text(40_000));
    expect(await second.waitFor(/452 /)).toMatch(/452 4\.3\.1 Insufficient system storage\r\n$/);
    release();
    expect(await first.waitFor(/250 2\.0\.0/)).toMatch(/250 2\.0\.0 Ok/);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('says 421 to idle sessions on close, and lets a transaction in progress finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { server, port } = await start({
      listeners: [{ name: 'smtp', port: 0 }],
      hooks: {
        onMessage: async (_envelope, message) => {
          for await (const _ of message);
          await gate;
        },
      },
    });
    const idle = await open(port);
    const busy = await open(port);
    await idle.waitFor(/^220 /);
    await busy.waitFor(/^220 /);
    busy.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await busy.waitFor(/354 /);
    busy.send('x\r\n.\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.close(5000);
    expect(await idle.waitFor(/421 /)).toMatch(
      /\r\n421 mx\.example\.com Service shutting down\r\n$/,
    );
    setTimeout(release, 200);
    expect(await busy.waitFor(/421 /)).toMatch(/250 2\.0\.0 Ok: queued as \w+\r\n421 4\.3\.2 /);
    await closing;
    servers.length = 0;
  });
});
