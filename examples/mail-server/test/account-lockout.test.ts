import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imapsCommands } from './harness/imaps-commands.js';
import { eventually, python, readWithPoplib, testMessage } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const password = 'lockout-secret';
const ACCOUNT = 'alice@example.test';
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      authentication: {
        ...defaults.authentication,
        accountLockout: true,
        accountLockoutFailures: 3,
        accountLockoutMinutes: 20,
      },
    }),
    domains: ['example.test'],
    users: [{ address: ACCOUNT, password }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

describeWithCommand('python3', "Kerio 7.1's account lockout, when turned on", () => {
  it('locks the account after failures from any addresses, and every protocol says so', async () => {
    for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const [answer] = await imapsCommands({
        port: server.ports.imaps!,
        localAddress: ip,
        commands: [`LOGIN ${ACCOUNT} wrong-${ip}`],
      });
      expect(answer!.text).toMatch(/^t0 NO \[AUTHENTICATIONFAILED\]/m);
    }
    const locked = 'Account locked after too many failed logins; try again later';
    // The right password, from an address that did nothing wrong: refused on every protocol.
    const [imap] = await imapsCommands({
      port: server.ports.imaps!,
      localAddress: '127.0.0.9',
      commands: [`LOGIN ${ACCOUNT} ${password}`],
    });
    expect(imap!.text).toBe(`t0 NO [UNAVAILABLE] ${locked}\r\n`);
    await expect(
      readWithPoplib({ port: server.ports.pop3s!, cafile, user: ACCOUNT, password }),
    ).rejects.toThrow(`-ERR [SYS/TEMP] ${locked}`);
    const file = join(data, '..', 'lockout.eml');
    writeFileSync(
      file,
      testMessage({ from: ACCOUNT, to: 'bob@example.test', subject: 's', id: '1@l.test' }),
    );
    const smtp = await python('smtp_submit.py', [
      `--port=${server.ports.submission}`,
      `--cafile=${cafile}`,
      `--user=${ACCOUNT}`,
      `--password=${password}`,
      `--sender=${ACCOUNT}`,
      '--to=bob@example.test',
      `--message=${file}`,
    ]).catch((error: { stderr?: string }) => error.stderr ?? String(error));
    expect(String(smtp)).toContain(`(454, b'4.7.0 ${locked}')`);
    await eventually(async () => {
      const log = readFileSync(join(data, 'logs', 'security.log'), 'utf8');
      return log.includes(`Account ${ACCOUNT} locked after 3 failed logins`) ? log : undefined;
    }, 'the lock in the Security log');
  }, 60_000);
});
