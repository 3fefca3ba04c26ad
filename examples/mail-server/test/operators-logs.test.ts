import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
const ACCOUNT = 'alice@example.test';
// The second test's account: the first one leaves alice's INBOX with a broken message.
const BOB = 'bob@example.test';
const password = 'Right-Pass-0c41';
// What must never reach a log: passwords, right or wrong, and what a message says.
const SECRETS = ['Right-Pass-0c41', 'Wrong-Imap-7f3a', 'Wrong-Pop3-7f3a', 'Wrong-Smtp-7f3a'];
const BODY_SECRET = 'Body-Secret-5b9e';
const LOGS = ['mail.log', 'security.log', 'error.log', 'warning.log', 'debug.log'];
let server: ServerProcess;

beforeAll(async () => {
  await prepareDataDirectory(data, {
    config: (defaults) => ({
      ...defaults,
      hostname: 'mx.example.test',
      logging: { debug: true },
    }),
    domains: ['example.test'],
    users: [
      { address: ACCOUNT, password },
      { address: BOB, password },
    ],
  });
  server = await startServer(data);
});
afterAll(async () => {
  await server?.stop();
});

const readLog = (name: string) => readFileSync(join(data, 'logs', name), 'utf8');

let submitted = 0;
/** Bob sends himself a message with smtplib over submission; the reply, or what smtplib raised. */
function submitAsBob(secret: string, id: string): Promise<unknown> {
  const file = join(data, '..', `submitted-${submitted++}.eml`);
  writeFileSync(file, testMessage({ from: BOB, to: BOB, subject: 's', id, body: BODY_SECRET }));
  return python('smtp_submit.py', [
    `--port=${server.ports.submission}`,
    `--cafile=${cafile}`,
    `--user=${BOB}`,
    `--password=${secret}`,
    `--sender=${BOB}`,
    `--to=${BOB}`,
    `--message=${file}`,
  ]).catch((error: { stderr?: string }) => error.stderr ?? String(error));
}

describeWithCommand('python3', "the operator's logs (Kerio Admin Guide 24)", () => {
  it('an internal error: one Error log line with the session id, and on stderr', async () => {
    const message = testMessage({
      from: 'bob@example.test',
      to: ACCOUNT,
      subject: 'logs',
      id: '1@logs.test',
      body: `Hello, ${BODY_SECRET}`,
    });
    const commands = (...more: string[]) =>
      imapsCommands({
        port: server.ports.imaps!,
        commands: [`LOGIN ${ACCOUNT} ${password}`, 'SELECT INBOX', ...more],
      });
    const [, , append, fetch] = await commands(
      `APPEND INBOX {${message.length}+}\r\n${message.toString('latin1')}`,
      'FETCH 1 BODY[]',
    );
    expect(append!.text).toMatch(/^t2 OK /m);
    expect(fetch!.text).toContain(BODY_SECRET);

    // The message file becomes something no read can succeed on (a directory: root reads
    // through file modes, not through that).
    const messages = join(data, 'store', 'mail', 'example.test', 'alice', 'INBOX', '#msgs');
    const [file] = readdirSync(messages).filter((name) => name.endsWith('.eml'));
    rmSync(join(messages, file!));
    mkdirSync(join(messages, file!));
    const [, , broken] = await commands('FETCH 1 BODY[]');
    expect(broken!.text).toMatch(/^t2 NO \[(SERVERBUG|UNAVAILABLE)\] /m);

    const line = await eventually(async () => {
      const lines = readLog('error.log').split('\n').filter(Boolean);
      return lines.length > 0 ? lines : undefined;
    }, 'the Error log line');
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^\[\d{2}\/\w{3}\/\d{4} \d{2}:\d{2}:\d{2}\] \{imap\} imap: /);
    const session = /session=([0-9a-f]{12})/.exec(line[0]!)![1]!;
    // The session is the one that logged in last, as the Debug log shows.
    const logins = readLog('debug.log').match(/\{imap\} imap: login; session=([0-9a-f]{12})/g)!;
    expect(logins.at(-1)).toContain(session);
    await eventually(
      async () => (server.stderr().includes(`error: {imap} imap: `) ? true : undefined),
      'the error on stderr',
    );
    expect(server.stderr()).toMatch(
      new RegExp(`error: \\{imap\\} imap: [^\\n]*session=${session}`),
    );
  }, 60_000);

  it('failed logins are warnings with their reason, and no log holds a password or a body', async () => {
    const [imap] = await imapsCommands({
      port: server.ports.imaps!,
      commands: [`LOGIN ${BOB} Wrong-Imap-7f3a`],
    });
    expect(imap!.text).toMatch(/^t0 NO \[AUTHENTICATIONFAILED\]/m);
    await expect(
      readWithPoplib({
        port: server.ports.pop3s!,
        cafile,
        user: BOB,
        password: 'Wrong-Pop3-7f3a',
      }),
    ).rejects.toThrow(/-ERR \[AUTH\]/);
    expect(String(await submitAsBob('Wrong-Smtp-7f3a', '2@logs.test'))).toContain('535');
    await expect(submitAsBob(password, '3@logs.test')).resolves.toEqual({ ok: true, refused: {} });
    // Delivered through the queue (the Mail log says so), then read over POP3.
    await eventually(
      async () => /Sent: .*Recipient: <bob@example\.test>/.test(readLog('mail.log')) || undefined,
      'the delivery in the Mail log',
    );
    const pop3 = await readWithPoplib({
      port: server.ports.pop3s!,
      cafile,
      user: BOB,
      password,
    });
    expect(pop3.messages.some((m) => m.content.includes(BODY_SECRET))).toBe(true);

    await eventually(async () => {
      const warnings = readLog('warning.log');
      return [
        /\{imap\} imap: failed login; session=[0-9a-f]{12} login=bob@example\.test method=LOGIN remote=127\.0\.0\.1 reason=invalid-credentials/,
        /\{pop3\} Failed POP3 login from 127\.0\.0\.1; session=[0-9a-f]{12} login=bob@example\.test method=USER reason=invalid-credentials/,
        /\{smtp\} authentication failed; session=[0-9a-f]{12} ip=127\.0\.0\.1 login=bob@example\.test mechanism=PLAIN reason=invalid-credentials/,
      ].every((pattern) => pattern.test(warnings))
        ? true
        : undefined;
    }, 'the failed logins in the Warning log');
    for (const name of LOGS) {
      const text = readLog(name);
      for (const secret of [...SECRETS, BODY_SECRET]) expect(text, name).not.toContain(secret);
    }
    expect(server.stderr()).not.toMatch(new RegExp([...SECRETS, BODY_SECRET].join('|')));
  }, 60_000);

  it('a message the queue cannot write: 451 for the client, an Error log line with the session', async () => {
    const before = readLog('error.log').split('\n').filter(Boolean).length;
    // The queue's directory becomes a file: no message can be written into it.
    const queue = join(data, 'store', 'queue');
    rmSync(queue, { recursive: true, force: true });
    writeFileSync(queue, '');
    // smtplib's refusal of the data, as the submission script reports it.
    expect(await submitAsBob(password, '4@logs.test')).toMatchObject({
      ok: false,
      data: [451, expect.stringMatching(/^4\.3\.0 /)],
    });
    const lines = await eventually(async () => {
      const all = readLog('error.log').split('\n').filter(Boolean);
      return all.length > before ? all.slice(before) : undefined;
    }, 'the Error log line');
    expect(lines).toHaveLength(1);
    // The message file could not be written (the engine logs the application's failure), or its
    // envelope could not (the application logs the queue's refusal): one line either way.
    expect(lines[0]).toMatch(
      /\{smtp\} (message hook failed|could not queue a message); session=[0-9a-f]{12} error=/,
    );
    expect(lines[0]).not.toContain(BODY_SECRET);
  }, 60_000);
});
