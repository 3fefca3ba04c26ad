/** The Node transport with raw sockets: TLS upgrades, timeouts, PROXY protocol, backpressure, shutdown. */
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { selfSignedCertificate } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SmtpServer,
  type SmtpServerOptions,
  createSmtpServer,
} from '../../src/node/smtp-server.js';

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

function open(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
    socket.once('error', reject);
  });
}

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
      listeners: [{ name: 'smtp', port: 0, proxyProtocol: true }],
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
      listeners: [{ name: 'smtp', port: 0, proxyProtocol: true }],
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

  it('stops reading a 50 MB message while the application is not reading it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let octets = 0;
    const { port } = await start({
      listeners: [{ name: 'smtp', port: 0 }],
      hooks: {
        onMessage: async (_envelope, message) => {
          await gate;
          for await (const chunk of message) octets += chunk.length;
        },
      },
    });
    const client = await open(port);
    await client.waitFor(/^220 /);
    client.send('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n');
    await client.waitFor(/354 /);
    const line = Buffer.from(`${'y'.repeat(998)}\r\n`);
    const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
    for (let i = 0; i < 50; i++) client.send(block);
    client.send('.\r\n');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // What left the client is bounded by socket buffers and the session's window, not 50 MB.
    const flushed = client.socket.bytesWritten - client.socket.writableLength;
    expect(flushed).toBeLessThan(24 * 1024 * 1024);
    release();
    expect(await client.waitFor(/250 2\.0\.0 Ok/, 20_000)).toMatch(/250 2\.0\.0 Ok/);
    expect(octets).toBeGreaterThan(50 * 1000 * 1024);
    client.socket.destroy();
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
