import { readFileSync, writeFileSync } from 'node:fs';
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
const password = 'Proxy-Pass-9d21';
let server: ServerProcess;

// The nodes of a cluster behind a load balancer: IMAP, POP3 and SMTP expect PROXY headers from
// the balancer (here loopback, where the test's clients connect from); the TLS ports do not.
beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({ ...defaults, hostname: 'mx.example.test' }),
    domains: ['example.test'],
    users: [{ address: ALICE, password }],
  });
  server = await startServer(data, [
    ...EPHEMERAL_PORTS,
    '--proxy-protocol',
    'imap,pop3,smtp',
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
  accepted: boolean;
  error?: string;
}

const proxiedLogin = (protocol: 'imap' | 'pop3', version: '1' | '2', source: string) =>
  python<Proxied>('proxied_login.py', [
    `--protocol=${protocol}`,
    `--port=${server.ports[protocol]}`,
    `--version=${version}`,
    `--source=${source}`,
    `--cafile=${cafile}`,
    `--user=${ALICE}`,
    '--password=Wrong-Pass',
  ]);

describe('the example server behind a load balancer (PROXY protocol)', () => {
  it('logs the client an IMAP or POP3 PROXY header names (v1 and v2), not the balancer', async () => {
    const imap = await proxiedLogin('imap', '1', '203.0.113.7');
    expect(imap.greeting).toMatch(/^\* OK/);
    expect(imap).toMatchObject({ accepted: false });
    const pop3 = await proxiedLogin('pop3', '2', '2001:db8::44');
    expect(pop3.greeting).toMatch(/^\+OK/);
    expect(pop3).toMatchObject({ accepted: false });
    await eventually(async () => {
      const warnings = readLog('warning.log');
      return /\{imap\} imap: failed login; .*remote=203\.0\.113\.7 /.test(warnings) &&
        /\{pop3\} Failed POP3 login from 2001:db8:0:0:0:0:0:44;/.test(warnings)
        ? true
        : undefined;
    }, 'the failed logins with the proxied clients in the Warning log');
  });

  it('puts the client an SMTP PROXY header names in the Received header', async () => {
    const file = join(data, '..', 'proxied.eml');
    writeFileSync(
      file,
      testMessage({ from: 'someone@example.org', to: ALICE, subject: 'via lb', id: '1@lb.test' }),
    );
    const smtp = await python<Proxied>('proxied_login.py', [
      '--protocol=smtp',
      `--port=${server.ports.smtp}`,
      '--version=2',
      '--source=198.51.100.23',
      '--sender=someone@example.org',
      `--to=${ALICE}`,
      `--message=${file}`,
    ]);
    expect(smtp).toMatchObject({ accepted: true });
    expect(smtp.greeting).toMatch(/^220 /);
    const read = await eventually(async () => {
      const mailbox = await readWithPoplib({
        port: server.ports.pop3s!,
        cafile,
        user: ALICE,
        password,
      });
      return mailbox.messages.length > 0 ? mailbox : undefined;
    }, 'the message in the mailbox');
    const content = read.messages[0]!.content.toString('latin1');
    expect(content).toMatch(/^Received: from .*\[198\.51\.100\.23\]/m);
  });

  it('closes on a hostile or missing header without a greeting, and goes on serving', async () => {
    const ports = [server.ports.imap!, server.ports.pop3!, server.ports.smtp!];
    const hostile = [
      Buffer.from(`PROXY TCP4 ${'9'.repeat(150)}\r\n`),
      Buffer.from('a1 LOGIN alice secret\r\n'),
      Buffer.concat([
        Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'),
        Buffer.from([0x21, 0x11, 0xff, 0xff]),
      ]),
      Buffer.concat([
        Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'),
        Buffer.from([0x21, 0x11, 0x00, 0x04, 10, 0, 0, 1]),
      ]),
    ];
    for (const port of ports) {
      for (const bytes of hostile) expect(await answerTo(port, bytes)).toBe('');
    }
    // The TLS ports expect no header and answer as ever; the proxied ones still serve.
    const imap = await proxiedLogin('imap', '2', '192.0.2.99');
    expect(imap).toMatchObject({ accepted: false });
  });
});
