import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, eventually, readWithImaplib } from './harness/peers.js';
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
    // Mail for other domains goes nowhere from here: a bounce would wait in the queue.
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      delivery: {
        ...defaults.delivery,
        routes: [{ domain: 'evil.example', host: '127.0.0.1', port: 9 }],
      },
    }),
    // example.test has users; mailless.test has none, so no postmaster either.
    domains: ['example.test', 'mailless.test'],
    users: [
      { address: alice.user, password: alice.password },
      { address: 'bob@example.test', password: 'bob-secret' },
    ],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

let sent = 0;
/** The attack: unauthenticated, a forged sender, the attacker's Subject. */
function attack(to: string) {
  return command('swaks', [
    '--server',
    `127.0.0.1:${server.ports.smtp}`,
    '--from',
    'victim@evil.example',
    '--to',
    to,
    '--header',
    `Subject: buy now ${++sent}`,
  ]);
}

const queued = () => readdirSync(join(data, 'store', 'queue')).filter((n) => n.endsWith('.env'));
const mailLog = () => readFileSync(join(data, 'logs', 'mail.log'), 'utf8');

describeWithCommand('swaks', 'no backscatter through the postmaster', () => {
  it("says at start where each domain's postmaster goes, and which has none", () => {
    expect(server.stderr()).toContain(
      'users.cfg: postmaster@example.test goes to alice@example.test',
    );
    expect(server.stderr()).toContain('users.cfg: postmaster@mailless.test leads to no mailbox');
  });

  it('delivers <postmaster> and postmaster@ a local domain to its administrator, bouncing nothing', async () => {
    for (const to of ['postmaster', 'PostMaster@Example.TEST']) {
      const result = await attack(to);
      expect(result.stdout, to).toMatch(/<- {2}250 2\.1\.5 Ok/);
      expect(result.code, to).toBe(0);
    }
    const inbox = await eventually(async () => {
      const read = await readWithImaplib({ port: server.ports.imaps!, cafile, ...alice });
      return read.messages.length === 2 ? read : undefined;
    }, "both messages in the postmaster's INBOX");
    expect(inbox.messages.map((m) => /Subject: (.*)\r\n/.exec(m.content.toString())?.[1])).toEqual([
      'buy now 1',
      'buy now 2',
    ]);
    await eventually(async () => (queued().length === 0 ? true : undefined), 'an empty queue');
    expect(mailLog()).not.toMatch(/Service: DSN/);
    expect(mailLog()).not.toMatch(/To: <victim@evil\.example>/);
  });

  it('refuses at RCPT the postmaster of a domain where it leads nowhere, so nothing is queued', async () => {
    const result = await attack('postmaster@mailless.test');
    expect(result.stdout).toMatch(/<\*\* 550 5\.1\.1 <postmaster@mailless\.test>: /);
    expect(result.code).not.toBe(0);
    expect(queued()).toEqual([]);
    expect(mailLog()).not.toMatch(/Service: DSN/);
  });
});
