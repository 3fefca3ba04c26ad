import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { python, readWithImaplib, readWithPoplib, testMessage } from './harness/peers.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import {
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

const data = temporaryDataDirectory();
const cafile = join(data, 'sslcert', 'server.crt');
const password = 'policy-secret';
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      // Mail for remote.test goes to a port where nobody listens: it waits in the queue.
      delivery: {
        ...defaults.delivery,
        routes: [{ domain: 'remote.test', host: '127.0.0.1', port: 9 }],
      },
      authentication: { ...defaults.authentication, lockoutFailures: 3 },
    }),
    domains: ['example.test'],
    users: [{ address: 'alice@example.test', password }],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

let files = 0;
function send(options: { port: 'smtp' | 'submission'; login?: string; secret?: string }) {
  const file = join(data, '..', `policy-${files++}.eml`);
  writeFileSync(
    file,
    testMessage({
      from: 'alice@example.test',
      to: 'x@remote.test',
      subject: 'out',
      id: `${files}@p.test`,
    }),
  );
  return python<{ ok: boolean; refused?: Record<string, [number, string]> }>('smtp_submit.py', [
    `--port=${server.ports[options.port]}`,
    `--cafile=${cafile}`,
    ...(options.login ? [`--user=${options.login}`, `--password=${options.secret}`] : []),
    '--sender=alice@example.test',
    '--to=x@remote.test',
    `--message=${file}`,
  ]).catch((error: { stdout?: string; stderr?: string }) => ({
    error: `${error.stderr ?? error}`,
  }));
}

describeWithCommand('python3', 'POP3 before SMTP and the shared lockout', () => {
  it('lets a client relay for a while after it logged in to POP3 from the same address', async () => {
    await expect(send({ port: 'smtp' })).resolves.toEqual({
      ok: false,
      refused: { 'x@remote.test': [554, '5.7.1 <x@remote.test>: Relay access denied'] },
    });
    await readWithPoplib({
      port: server.ports.pop3s!,
      cafile,
      user: 'alice@example.test',
      password,
    });
    await expect(send({ port: 'smtp' })).resolves.toEqual({ ok: true, refused: {} });
  });

  it('locks an address out of every protocol after failed logins on one, and logs it', async () => {
    // A bad password over IMAP, then over SMTP AUTH, where smtplib tries PLAIN and LOGIN: the
    // third failure from this address locks it, and POP3 is refused as well.
    await expect(
      readWithImaplib({
        port: server.ports.imaps!,
        cafile,
        user: 'alice@example.test',
        password: 'wrong',
      }),
    ).rejects.toThrow(/AUTHENTICATIONFAILED/);
    const refused = await send({
      port: 'submission',
      login: 'alice@example.test',
      secret: 'wrong',
    });
    expect(JSON.stringify(refused)).toMatch(/SMTPAuthenticationError.*535/);
    await expect(
      readWithPoplib({
        port: server.ports.pop3s!,
        cafile,
        user: 'alice@example.test',
        password: 'wrong',
      }),
    ).rejects.toThrow(/-ERR/);
    // The right password, now over SMTP AUTH: refused while the lockout lasts.
    const locked = await send({
      port: 'submission',
      login: 'alice@example.test',
      secret: password,
    });
    expect(JSON.stringify(locked)).toMatch(/454.*4\.7\.0/);
    // And over IMAP, with the right password too: told why, as POP3 and SMTP say it.
    await expect(
      readWithImaplib({ port: server.ports.imaps!, cafile, user: 'alice@example.test', password }),
    ).rejects.toThrow(/UNAVAILABLE\] Too many failed logins from your address; try again later/);
    const log = readFileSync(join(data, 'logs', 'security.log'), 'utf8');
    expect(log).toMatch(
      /^\[[^\]]+\] Failed SMTP login from 127\.0\.0\.1, authentication method PLAIN$/m,
    );
    expect(log).toMatch(
      /^\[\d{2}\/\w{3}\/\d{4} \d{2}:\d{2}:\d{2}\] Failed POP3 login from 127\.0\.0\.1, authentication method USER, address blocked$/m,
    );
    expect(log).toMatch(
      /^\[[^\]]+\] SMTP login from 127\.0\.0\.1 blocked after 3 failed attempts$/m,
    );
    expect(log).toMatch(
      /^\[[^\]]+\] Failed IMAP login from 127\.0\.0\.1, authentication method LOGIN$/m,
    );
  });
});
