import { type Socket, connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const password = 'caps-secret';
const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});
const sockets: Socket[] = [];
afterAll(() => sockets.forEach((socket) => socket.destroy()));

async function serverWith(limits: {
  exemptGroup: string;
  imapConnectionsPerIp: number;
  imapUnauthenticatedPerIp: number;
  imapUserIpConnections: number;
}): Promise<number> {
  const data = temporaryDataDirectory();
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      limits: { ...defaults.limits, ...limits },
      authentication: { ...defaults.authentication, requireSecureAuth: false },
    }),
    domains: ['example.test'],
    users: [{ address: 'alice@example.test', password }],
  });
  const server = await startServer(data, [
    '--imap=0',
    '--smtp=off',
    '--smtps=off',
    '--submission=off',
    '--imaps=off',
    '--pop3=off',
    '--pop3s=off',
    '--sieve=off',
  ]);
  running.push(server);
  return server.ports.imap!;
}

/** An IMAP connection by hand: its greeting, then commands one at a time. */
async function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let wake: (() => void) | null = null;
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => {
    received += text;
    wake?.();
  });
  socket.on('close', () => wake?.());
  const until = async (pattern: RegExp) => {
    while (!pattern.test(received)) {
      if (socket.destroyed) throw new Error(`closed; got ${JSON.stringify(received)}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const text = received;
    received = '';
    return text;
  };
  const greeting = await until(/\r\n/);
  return {
    greeting,
    command: (line: string) => {
      socket.write(`${line}\r\n`);
      return until(new RegExp(`(^|\\r\\n)${line.split(' ')[0]} (OK|NO|BAD)[^\\r]*\\r\\n`));
    },
  };
}

const BYE = '* BYE [UNAVAILABLE] Too many connections from your address\r\n';

describe('IMAP connection caps from mailserver.cfg', () => {
  it('refuses connections past ImapMaxUnauthenticatedPerIp and ImapMaxConnectionsPerIp with BYE, logins past ImapMaxUserIpConnections with NO [LIMIT]', async () => {
    const port = await serverWith({
      exemptGroup: '',
      imapConnectionsPerIp: 3,
      imapUnauthenticatedPerIp: 2,
      imapUserIpConnections: 1,
    });
    const first = await open(port);
    const second = await open(port);
    expect(first.greeting).toMatch(/^\* OK \[CAPABILITY /);
    expect(second.greeting).toMatch(/^\* OK \[CAPABILITY /);
    expect((await open(port)).greeting).toBe(BYE);
    expect(await first.command(`a LOGIN alice@example.test ${password}`)).toMatch(/^a OK /);
    const third = await open(port);
    expect(third.greeting).toMatch(/^\* OK \[CAPABILITY /);
    expect(await third.command(`b LOGIN alice@example.test ${password}`)).toBe(
      'b NO [LIMIT] Maximum number of connections from user+IP exceeded\r\n',
    );
    expect((await open(port)).greeting).toBe(BYE);
  }, 60_000);

  it('does not apply the per-address caps to LimitsExemptGroup', async () => {
    const port = await serverWith({
      exemptGroup: 'Local clients',
      imapConnectionsPerIp: 1,
      imapUnauthenticatedPerIp: 1,
      imapUserIpConnections: 10,
    });
    for (let i = 0; i < 5; i++) expect((await open(port)).greeting).toMatch(/^\* OK \[CAPABILITY /);
  }, 60_000);
});
