import { writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, python, readWithPoplib, testMessage } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const alice = { user: 'alice@example.test', password: 'alice-secret' };
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      // 127.0.0.1 is in "Local clients", the default exempt group: no exemption here.
      limits: { ...defaults.limits, exemptGroup: '', pop3ConnectionsPerIp: 3 },
    }),
    domains: ['example.test'],
    users: [{ address: alice.user, password: alice.password }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

/** A connection, and the first line the server sent on it. */
function greeted(port: number): Promise<{ socket: Socket; greeting: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n')) resolve({ socket, greeting: text });
    });
  });
}

describeWithCommand('python3', 'POP3 connections per address, and what QUIT reports', () => {
  it('takes Pop3MaxConnectionsPerIp connections from one address, and refuses the next', async () => {
    const open = await Promise.all([1, 2, 3].map(() => greeted(server.ports.pop3!)));
    for (const { greeting } of open) expect(greeting).toMatch(/^\+OK /);
    const refused = await greeted(server.ports.pop3!);
    expect(refused.greeting).toBe('-ERR [SYS/TEMP] Too many connections from your address\r\n');
    await new Promise((resolve) => refused.socket.on('close', resolve));
    // pop3s counts with pop3: poplib over TLS is refused as well, in the protocol's words.
    await expect(readWithPoplib({ port: server.ports.pop3s!, cafile, ...alice })).rejects.toThrow(
      /-ERR \[SYS\/TEMP\] Too many connections/,
    );
    for (const { socket } of open) socket.end('QUIT\r\n');
    await Promise.all(open.map(({ socket }) => new Promise((r) => socket.on('close', r))));
    // Room again, once the server has seen them go.
    await eventually(
      () => readWithPoplib({ port: server.ports.pop3s!, cafile, ...alice }),
      'a POP3 login once the others left',
    );
  });

  it('says at QUIT how many messages are left after an IMAP EXPUNGE during the session', async () => {
    for (let i = 1; i <= 6; i++) {
      const file = join(data, '..', `pop3-${i}.eml`);
      writeFileSync(
        file,
        testMessage({ from: 'c@else.test', to: alice.user, subject: `${i}`, id: `${i}@else.test` }),
      );
      await python('smtp_submit.py', [
        `--port=${server.ports.submission}`,
        `--cafile=${cafile}`,
        `--user=${alice.user}`,
        `--password=${alice.password}`,
        `--sender=${alice.user}`,
        `--to=${alice.user}`,
        `--message=${file}`,
      ]);
    }
    await eventually(async () => {
      const read = await readWithPoplib({ port: server.ports.pop3s!, cafile, ...alice });
      return read.count === 6 ? read : undefined;
    }, 'six messages in the INBOX');
    const outcome = await python<{ stat: number; expunged: string[]; quit: string }>(
      'pop3_quit_after_imap_expunge.py',
      [
        `--pop3s=${server.ports.pop3s}`,
        `--imaps=${server.ports.imaps}`,
        `--cafile=${cafile}`,
        `--user=${alice.user}`,
        `--password=${alice.password}`,
      ],
    );
    expect(outcome.stat).toBe(6);
    expect(outcome.expunged).toEqual(['6']);
    expect(outcome.quit).toMatch(/^\+OK .*\(5 messages left\)$/);
  });
});
