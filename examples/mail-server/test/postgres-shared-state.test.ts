/**
 * Issue 17: servers that share nothing but PostgreSQL also share users' Sieve scripts, what
 * vacation remembers, and failed logins. Two server processes over a real PostgreSQL: a script
 * uploaded with sieve-connect through node A files mail node B delivers; a vacation reply goes
 * once to a sender whose messages came through both nodes; five failed logins spread over the
 * two nodes lock the client's address on both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresServer, describeWithCommand, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imapsCommands } from './harness/imaps-commands.js';
import { prepareDataDirectory } from './harness/prepare-data.js';
import { sieveConnect as runSieveConnect } from './harness/sieve-connect.js';
import { command, eventually, readWithImaplib, splitTrace, testMessage } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

type Account = { user: string; password: string };
const alice: Account = { user: 'alice@example.test', password: 'alice-secret' };
const frank: Account = { user: 'frank@example.test', password: 'frank-secret' };
const mallory: Account = { user: 'mallory@example.test', password: 'mallory-secret' };

describeWithPostgres('two servers over one PostgreSQL share Sieve scripts and lockouts', () => {
  const database = new PostgresServer();
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  let admin: postgres.Sql;

  beforeAll(async () => {
    await database.start();
    admin = postgres(database.url(), { onnotice: () => {} });
    for (let i = 0; i < 2; i++) {
      const data = temporaryDataDirectory();
      // Greylisting on (a second's delay), for mail from anywhere but 127.0.0.1, which the
      // other tests send from; loopback rated as the internet is.
      await prepareDataDirectory(data, {
        config: (defaults) => ({
          ...defaults,
          ipGroups: {
            ...defaults.ipGroups,
            'Greylist exempt': [{ kind: 'host', address: '127.0.0.1' }],
          },
          spam: {
            ...defaults.spam,
            whitelistGroup: '',
            greylisting: {
              ...defaults.spam.greylisting,
              enabled: true,
              delaySeconds: 1,
              exemptGroup: 'Greylist exempt',
            },
          },
        }),
        domains: ['example.test'],
        users: [alice, frank, mallory].map((u) => ({ address: u.user, password: u.password })),
      });
      nodes.push(await startServer(data, [...EPHEMERAL_PORTS, '--store', database.url()]));
    }
    [a, b] = nodes as [ServerProcess, ServerProcess];
  }, 90_000);
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await admin?.end();
    await database.close();
  });

  const imaps = (node: ServerProcess, account: Account, mailbox = 'INBOX', create = false) =>
    readWithImaplib({
      port: node.ports.imaps!,
      cafile: join(node.data, 'sslcert', 'server.crt'),
      ...account,
      mailbox,
      create,
    });

  /** sieve-connect against one node, as `account`. */
  const sieveConnect = (node: ServerProcess, account: Account, ...args: string[]) =>
    runSieveConnect({ port: node.ports.sieve!, cwd: join(node.data, '..') }, account, ...args);

  async function install(node: ServerProcess, account: Account, name: string, script: string) {
    const file = join(node.data, '..', `${name}.sieve`);
    writeFileSync(file, script);
    const upload = await sieveConnect(
      node,
      account,
      '--upload',
      '--localsieve',
      file,
      '--remotesieve',
      name,
    );
    expect(upload, upload.stderr).toMatchObject({ code: 0 });
    const activate = await sieveConnect(node, account, '--activate', '--remotesieve', name);
    expect(activate, activate.stderr).toMatchObject({ code: 0 });
  }

  /** swaks through one node; from 127.0.0.1 (not greylisted) unless `localAddress` says. */
  function swaks(
    node: ServerProcess,
    message: { from: string; to: string; subject: string; id: string },
    localAddress = '127.0.0.1',
  ) {
    const file = join(node.data, '..', `${message.id}.eml`);
    writeFileSync(file, testMessage(message));
    return command('swaks', [
      ...['--server', '127.0.0.1', '--port', String(node.ports.smtp!)],
      ...['--local-interface', localAddress],
      ...['--from', message.from, '--to', message.to, '--data', `@${file}`],
    ]);
  }

  async function send(node: ServerProcess, from: string, to: string, subject: string, id: string) {
    const sent = await swaks(node, { from, to, subject, id });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
  }

  const withId = (id: string) => (m: { content: Buffer }) =>
    splitTrace(m.content).original.toString().includes(`Message-ID: <${id}>`);

  describeWithCommand('sieve-connect', 'Sieve scripts in the database', () => {
    it('a script uploaded through node A files the mail node B delivers, and node B lists it active', async () => {
      expect(await imaps(b, alice, 'Orders', true)).toMatchObject({ messages: [] });
      await install(
        a,
        alice,
        'rules',
        'require "fileinto";\r\nif header :contains "subject" "order" { fileinto "Orders"; }\r\n',
      );
      const listed = await sieveConnect(b, alice, '--list');
      expect(listed.stdout).toMatch(/^"rules" ACTIVE$/m);
      await send(b, 'dave@elsewhere.test', alice.user, 'A new ORDER', 'order@elsewhere.test');
      const orders = await eventually(async () => {
        const box = await imaps(a, alice, 'Orders');
        return box.messages.some(withId('order@elsewhere.test')) ? box : undefined;
      }, 'the order in Orders, delivered by node B');
      expect(orders.messages).toHaveLength(1);
      // No script file on either node's disk: the store directory holds no #sieve.
      for (const node of [a, b]) {
        expect((await command('find', [join(node.data, 'store'), '-name', '#sieve'])).stdout).toBe(
          '',
        );
      }
    });

    it('answers a sender once with vacation, whichever node delivers', async () => {
      // Installed through both nodes (one script in the database, replaced by the second
      // upload): each node would answer once if each kept its own record of replies.
      const away =
        'require "vacation";\r\nvacation :days 7 :subject "Away" "I am away until Monday.";\r\n';
      await install(a, frank, 'away', away);
      await install(b, frank, 'away', away);
      // Alice writes to frank twice, once through each node, the second after the first was
      // delivered and answered.
      await send(a, alice.user, frank.user, 'first', 'v1@example.test');
      const replied = await eventually(async () => {
        const box = await imaps(b, alice);
        return box.messages.some((m) => m.content.toString().includes('Subject: Away'))
          ? box
          : undefined;
      }, 'the vacation reply to alice');
      expect(
        replied.messages.filter((m) => m.content.toString().includes('Subject: Away')),
      ).toHaveLength(1);
      await send(b, alice.user, frank.user, 'second', 'v2@example.test');
      await eventually(async () => {
        const box = await imaps(a, frank);
        return box.messages.some(withId('v2@example.test')) ? true : undefined;
      }, 'the second message at frank, delivered by node B');
      // Everything queued is out (the second reply, had there been one, with it).
      await eventually(
        async () =>
          (await admin`SELECT count(*)::int AS n FROM mailyard.queue`)[0]!.n === 0
            ? true
            : undefined,
        'the shared queue to empty',
      );
      const replies = (await imaps(a, alice)).messages.filter((m) =>
        m.content.toString().includes('Subject: Away'),
      );
      expect(replies).toHaveLength(1);
    });
  });

  describeWithCommand('swaks', 'greylisting in the database', () => {
    it('lets the retry of a sender node A deferred through node B once the delay is over', async () => {
      const message = {
        from: 'newcomer@elsewhere.test',
        to: alice.user,
        subject: 'First contact',
        id: 'grey@elsewhere.test',
      };
      const first = await swaks(a, message, '127.0.0.5');
      const deferredAt = Date.now();
      expect(first.stdout).toMatch(/<\*\* 451 4\.7\.1 Greylisted/);
      // The delay (1 s) is a time the server measures from the first attempt: once it has
      // passed on this clock, it has passed on the server's.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() - deferredAt) + 100));
      // Through the other node, whose first sight of this sender it is: taken, not deferred.
      const retry = await swaks(b, message, '127.0.0.5');
      expect(retry.code, retry.stdout).toBe(0);
      await eventually(async () => {
        const box = await imaps(a, alice);
        return box.messages.some(withId('grey@elsewhere.test')) ? true : undefined;
      }, 'the greylisted message, taken by node B');
      const rows = await admin`SELECT passed FROM mailyard.greylist_triplets`;
      expect(rows.map((row) => row.passed)).toEqual([true]);
    });
  });

  it('counts failed logins across the nodes: 3 on A and 2 on B lock the address on both', async () => {
    // A client of its own (127.0.0.23), so that no other test's address is locked.
    const login = (node: ServerProcess, password: string) =>
      imapsCommands({
        port: node.ports.imaps!,
        localAddress: '127.0.0.23',
        commands: [`LOGIN ${mallory.user} ${password}`, 'LOGOUT'],
      }).then((answers) => answers[0]!.text);
    for (const node of [a, a, a, b]) {
      expect(await login(node, 'wrong')).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    }
    // The fifth failure, on B, locks the address: A, which saw only three, refuses too, and
    // the right password changes nothing until the lock ends.
    expect(await login(b, 'wrong')).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    for (const node of [a, b]) {
      expect(await login(node, mallory.password)).toMatch(
        /NO \[UNAVAILABLE\] Too many failed logins from your address/,
      );
    }
    // Another address is not locked.
    const other = await imapsCommands({
      port: a.ports.imaps!,
      localAddress: '127.0.0.24',
      commands: [`LOGIN ${mallory.user} ${mallory.password}`, 'LOGOUT'],
    });
    expect(other[0]!.text).toMatch(/OK/);
    // The lock is in Kerio's Security log once, on the node whose failure made it.
    const locks = [a, b].map(
      (node) =>
        readFileSync(join(node.data, 'logs', 'security.log'), 'utf8').match(
          /IMAP login from 127\.0\.0\.23 blocked after 5 failed attempts/g,
        )?.length ?? 0,
    );
    expect(locks).toEqual([0, 1]);
  });
});
