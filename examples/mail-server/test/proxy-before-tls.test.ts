import { readFileSync, writeFileSync } from 'node:fs';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, python, readWithPoplib, testMessage } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import { answerTo } from './harness/raw-answer.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const ALICE = 'alice@example.test';
const password = 'Tls-Proxy-Pass-41c7';
let server: ServerProcess;

// A balancer in front of the implicit-TLS ports (HAProxy's `send-proxy` on 993, 995, 465): the
// PROXY header comes first, then the client's TLS handshake on the same connection.
beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({ ...defaults, hostname: 'mx.example.test' }),
    domains: ['example.test'],
    users: [{ address: ALICE, password }],
  });
  server = await startServer(data, [
    ...EPHEMERAL_PORTS,
    '--proxy-protocol',
    'imaps,pop3s,smtps',
    '--trusted-proxies',
    '127.0.0.1',
  ]);
});
afterAll(async () => {
  await server?.stop();
});

const readLog = (name: string) => readFileSync(join(data, 'logs', name), 'utf8');

interface Proxied {
  greeting: string;
  tls: string | null;
  accepted: boolean;
  error?: string;
}

function proxiedTls(
  protocol: 'imap' | 'pop3' | 'smtp',
  port: number,
  options: { version: '1' | '2'; source: string; packing: 'together' | 'split' },
  extra: readonly string[],
): Promise<Proxied> {
  return python<Proxied>('proxied_login.py', [
    `--protocol=${protocol}`,
    `--port=${port}`,
    `--version=${options.version}`,
    `--source=${options.source}`,
    `--cafile=${cafile}`,
    '--implicit-tls',
    `--packing=${options.packing}`,
    ...extra,
  ]);
}

/** A TLS client straight at the port, with no header: how its handshake ends. */
function tlsWithoutHeader(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTls({ port, host: '127.0.0.1', ca: readFileSync(cafile) });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve('handshake completed');
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

describe('a PROXY header before implicit TLS (IMAPS, POP3S, SMTPS)', () => {
  it('IMAPS: the header and the ClientHello in one TCP segment; the log names the proxied client', async () => {
    const imap = await proxiedTls(
      'imap',
      server.ports.imaps!,
      { version: '1', source: '203.0.113.61', packing: 'together' },
      [`--user=${ALICE}`, '--password=Wrong-Pass'],
    );
    expect(imap).toMatchObject({ accepted: false, tls: expect.stringMatching(/^TLSv1\.[23]$/) });
    expect(imap.greeting).toMatch(/^\* OK/);
    const good = await proxiedTls(
      'imap',
      server.ports.imaps!,
      { version: '2', source: '203.0.113.62', packing: 'together' },
      [`--user=${ALICE}`, `--password=${password}`],
    );
    expect(good).toMatchObject({ accepted: true });
    await eventually(
      async () =>
        /\{imap\} imap: failed login; .*remote=203\.0\.113\.61 /.test(readLog('warning.log'))
          ? true
          : undefined,
      'the failed IMAPS login with the proxied client in the Warning log',
    );
  });

  it('POP3S: a v2 header sent in pieces, then the handshake', async () => {
    const pop3 = await proxiedTls(
      'pop3',
      server.ports.pop3s!,
      { version: '2', source: '2001:db8::61', packing: 'split' },
      [`--user=${ALICE}`, `--password=${password}`],
    );
    expect(pop3).toMatchObject({ accepted: true, tls: expect.stringMatching(/^TLSv1\.[23]$/) });
    expect(pop3.greeting).toMatch(/^\+OK/);
  });

  it('SMTPS: the header with the ClientHello; the Received line names the proxied client', async () => {
    const file = join(data, '..', 'proxied-tls.eml');
    writeFileSync(
      file,
      testMessage({ from: 'someone@example.org', to: ALICE, subject: 'tls lb', id: '1@tls.lb' }),
    );
    const smtp = await proxiedTls(
      'smtp',
      server.ports.smtps!,
      { version: '1', source: '198.51.100.61', packing: 'together' },
      ['--sender=someone@example.org', `--to=${ALICE}`, `--message=${file}`],
    );
    expect(smtp).toMatchObject({ accepted: true, tls: expect.stringMatching(/^TLSv1\.[23]$/) });
    expect(smtp.greeting).toMatch(/^220 /);
    // Read over plain POP3 with STLS: that port expects no header.
    const read = await eventually(async () => {
      const mailbox = await readWithPoplib({
        port: server.ports.pop3!,
        cafile,
        user: ALICE,
        password,
        stls: true,
      });
      return mailbox.messages.length > 0 ? mailbox : undefined;
    }, 'the message in the mailbox');
    const content = read.messages[0]!.content.toString('latin1');
    expect(content).toMatch(/^Received: from .*\[198\.51\.100\.61\]/m);
  });

  it('refuses TLS where the header should be, and a hostile header, on each port, and goes on serving', async () => {
    for (const port of [server.ports.imaps!, server.ports.pop3s!, server.ports.smtps!]) {
      expect(await tlsWithoutHeader(port)).toMatch(/socket disconnected|ECONNRESET/);
      expect(await answerTo(port, Buffer.from(`PROXY TCP4 ${'9'.repeat(150)}\r\n`))).toBe('');
      expect(
        await answerTo(port, Buffer.from('PROXY TCP4 203.0.113.9 127.0.0.1 1 993\r\nhello')),
      ).toBe('');
    }
    await eventually(
      async () => (/no PROXY header/.test(readLog('warning.log')) ? true : undefined),
      'the refusals in the Warning log',
    );
    const imap = await proxiedTls(
      'imap',
      server.ports.imaps!,
      { version: '1', source: '203.0.113.63', packing: 'together' },
      [`--user=${ALICE}`, `--password=${password}`],
    );
    expect(imap).toMatchObject({ accepted: true });
  });
});
